"""mlplab through the path users run: ``build_mlp`` and ``Trainer.fit``, one epoch per call.

Each ``fit(x, y, epochs=1)`` trains one epoch over the same ``n_batches`` minibatches in order
(``shuffle=False``), with the trainer's default callbacks (none; no progress bar, as stderr is
not a terminal): so the per-call input checks, the batch gathering, the epoch's loss and
accuracy totals and the epoch-end work (history record, weight finiteness check) count, as a
user pays them. The kernels are the environment's choice (``MLPLAB_KERNELS``, set per peer by
the parent: ``fused`` for ``mlplab-fit``, ``numpy`` for ``mlplab-numpy``).
"""

import math

from runners.mlplab_engine import mlp_config


class MlplabFitTrainer:
    def __init__(self, cfg, optimizer, opt_args, x, y, seed):
        from mlplab.network import build_mlp
        from mlplab.training import Trainer

        if optimizer == "sgdm":
            name, options = "momentum", {"momentum": opt_args["momentum"]}
        else:
            name = "adam"
            options = {k: opt_args[k] for k in ("beta1", "beta2", "eps")}
        self.trainer = Trainer(
            build_mlp(mlp_config(cfg), seed=seed),
            optimizer=name,
            lr=opt_args["lr"],
            optimizer_options=options,
            batch_size=cfg.batch,
            epochs=1,
            seed=seed,
            shuffle=False,
        )
        self.x, self.y, self.n_batches = x, y, cfg.n_batches
        self.update = "Trainer.fit"

    def train(self, n_steps):
        epochs = max(1, math.ceil(n_steps / self.n_batches))
        for _ in range(epochs):
            self.trainer.fit(self.x, self.y, epochs=1)
        return epochs * self.n_batches


def prepare(cfg, optimizer, opt_args, x, y, seed=0):
    return MlplabFitTrainer(cfg, optimizer, opt_args, x, y, seed)
