"""mlplab's engine alone: ``build_mlp``, ``net.loss_and_gradients`` and ``optimizer.step``.

No trainer: no batch gathering, metrics or epoch-end work (``mlplab_fit.py`` measures those too).

The update uses mlplab's optimizers when the package has them; otherwise it falls back to the
NumPy reference's in-place update (reported as ``update: runner``).
"""

from mlplab.network import MLPConfig, build_mlp
from runners.numpy_optim import make_optimizer


def _mlplab_optimizer(name, net, a):
    """mlplab's own optimizer over the network's parameters, or None if the package has none."""
    try:
        from mlplab import optim
    except ImportError:
        return None
    if name == "sgdm":
        return optim.Momentum(lr=a["lr"], momentum=a["momentum"]).bind(net)
    return optim.Adam(lr=a["lr"], beta1=a["beta1"], beta2=a["beta2"], eps=a["eps"]).bind(net)


def mlp_config(cfg) -> MLPConfig:
    """The benchmark network ``cfg`` as mlplab's ``MLPConfig`` (float32)."""
    return MLPConfig(
        input_size=cfg.in_features,
        output_size=cfg.classes,
        hidden=list(cfg.hidden),
        activation=cfg.activation,
        norm="batch" if cfg.batchnorm else "none",
        dropout=cfg.dropout,
        dtype="float32",
    )


class MlplabTrainer:
    def __init__(self, cfg, optimizer, opt_args, x, y, seed):
        self.net = build_mlp(mlp_config(cfg), seed=seed)
        kinds = {type(layer).__name__ for layer in self.net.layers}
        if cfg.batchnorm and not any(k.startswith("BatchNorm") for k in kinds):
            raise NotImplementedError("this mlplab has no batch norm layer yet")
        if cfg.dropout and "Dropout" not in kinds:
            raise NotImplementedError("this mlplab has no dropout layer yet")
        self.opt = _mlplab_optimizer(optimizer, self.net, opt_args)
        if self.opt is None:
            self.update = "runner"
            refs = [(layer, key) for _, layer, key in self.net.parameters()]
            self._refs = refs
            self._params = [layer.params[k] for layer, k in refs]
            self._fallback = make_optimizer(optimizer, self._params, opt_args)
        else:
            self.update = "mlplab.optim"
        bs = cfg.batch
        self.batches = [
            (x[k * bs : (k + 1) * bs], y[k * bs : (k + 1) * bs]) for k in range(cfg.n_batches)
        ]
        self.step_index = 0

    def train(self, n_steps):
        net, batches = self.net, self.batches
        for _ in range(n_steps):
            xb, yb = batches[self.step_index % len(batches)]
            self.step_index += 1
            net.loss_and_gradients(xb, yb)
            if self.opt is None:
                # read the grads each step: a layer may hand back new arrays
                self._fallback.step([layer.grads[k] for layer, k in self._refs])
            else:
                self.opt.step()
        return n_steps


def prepare(cfg, optimizer, opt_args, x, y, seed=0):
    return MlplabTrainer(cfg, optimizer, opt_args, x, y, seed)
