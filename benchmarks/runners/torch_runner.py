"""PyTorch eager mode on the CPU: nn.Sequential, CrossEntropyLoss, torch.optim with defaults."""

import torch
from torch import nn


class TorchTrainer:
    def __init__(self, cfg, optimizer, opt_args, x, y, seed):
        torch.manual_seed(seed)
        layers = []
        sizes = cfg.sizes
        for d, h in zip(sizes[:-2], sizes[1:-1], strict=True):
            layers.append(nn.Linear(d, h))
            if cfg.batchnorm:
                layers.append(nn.BatchNorm1d(h, eps=1e-5, momentum=0.1))
            layers.append(nn.ReLU() if cfg.activation == "relu" else nn.Tanh())
            if cfg.dropout:
                layers.append(nn.Dropout(cfg.dropout))
        layers.append(nn.Linear(sizes[-2], sizes[-1]))
        self.model = nn.Sequential(*layers).train()
        self.loss_fn = nn.CrossEntropyLoss()
        if optimizer == "sgdm":
            self.opt = torch.optim.SGD(
                self.model.parameters(), lr=opt_args["lr"], momentum=opt_args["momentum"]
            )
        else:
            self.opt = torch.optim.Adam(
                self.model.parameters(),
                lr=opt_args["lr"],
                betas=(opt_args["beta1"], opt_args["beta2"]),
                eps=opt_args["eps"],
            )
        bs = cfg.batch
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
        self.batches = [
            (xt[k * bs : (k + 1) * bs], yt[k * bs : (k + 1) * bs]) for k in range(cfg.n_batches)
        ]
        self.step_index = 0

    def train(self, n_steps):
        model, opt, loss_fn, batches = self.model, self.opt, self.loss_fn, self.batches
        for _ in range(n_steps):
            xb, yb = batches[self.step_index % len(batches)]
            self.step_index += 1
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        return n_steps


def prepare(cfg, optimizer, opt_args, x, y, seed=0):
    return TorchTrainer(cfg, optimizer, opt_args, x, y, seed)
