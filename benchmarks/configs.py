"""The benchmark networks, their synthetic data, and the matrix-product work of one training step.

Every peer trains the same network on the same float32 data: inputs drawn from N(0, 1) with a
fixed seed, integer labels drawn uniformly. Only throughput is measured, so the labels need not
be learnable.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NetConfig:
    """One benchmark network: ``in_features → hidden… → classes``, trained with minibatches."""

    name: str
    in_features: int
    hidden: tuple[int, ...]
    classes: int
    batch: int
    activation: str = "relu"
    batchnorm: bool = False
    dropout: float = 0.0
    #: minibatches in the synthetic data set; steps cycle through them in order.
    n_batches: int = 8
    extra: dict = field(default_factory=dict)

    @property
    def sizes(self) -> list[int]:
        return [self.in_features, *self.hidden, self.classes]

    def matmul_flops(self) -> int:
        """Floating-point operations of the matrix products in one training step.

        Each affine layer (D → H) on N rows does 2·N·D·H for the forward product, the same for
        dW = xᵀ dy, and the same again for dx = dy Wᵀ — except the first layer, whose input
        gradient nobody needs. Elementwise work is not counted.
        """
        sizes = self.sizes
        n = self.batch
        total = 0
        for i, (d, h) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            products = 2 if i == 0 else 3
            total += products * 2 * n * d * h
        return total

    def describe(self) -> str:
        arrows = " → ".join(str(s) for s in self.sizes)
        extras = []
        if self.batchnorm:
            extras.append("batch norm")
        if self.dropout:
            extras.append(f"dropout {self.dropout}")
        tail = f", {', '.join(extras)}" if extras else ""
        return f"{arrows}, {self.activation}{tail}, batch {self.batch}"


CONFIGS = {
    "tiny": NetConfig("tiny", 64, (100,), 10, batch=64),
    "mnist": NetConfig("mnist", 784, (512, 512), 10, batch=128),
    "cifar": NetConfig("cifar", 3072, (1024, 1024), 10, batch=256),
    "deep": NetConfig("deep", 784, (500,) * 10, 10, batch=256, activation="tanh"),
    "mnist-bn": NetConfig("mnist-bn", 784, (512, 512), 10, batch=128, batchnorm=True, dropout=0.5),
}

OPTIMIZERS = {
    # PyTorch's form: v ← μ v + g; θ ← θ − lr v (scikit-learn's v ← μ v − lr g is the same).
    "sgdm": {"lr": 0.01, "momentum": 0.9},
    # Kingma & Ba (2015), bias-corrected.
    "adam": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}


def scaling_configs(quick: bool = False) -> list[tuple[str, NetConfig]]:
    """Networks for the scaling table: width, depth and batch size varied one at a time.

    Base: 784 → 512 × 2 → 10, ReLU, batch 128 (measured once, listed under ``width``).
    """
    widths = [128, 512, 4096] if quick else [128, 256, 512, 1024, 2048, 4096]
    depths = [20] if quick else [5, 10, 20]
    batches = [16, 1024] if quick else [16, 64, 256, 1024]
    out = []
    for w in widths:
        out.append(("width", NetConfig(f"width-{w}", 784, (w, w), 10, batch=128)))
    for d in depths:
        out.append(("depth", NetConfig(f"depth-{d}", 784, (512,) * d, 10, batch=128)))
    for b in batches:
        out.append(("batch", NetConfig(f"batch-{b}", 784, (512, 512), 10, batch=b)))
    return out


def config_from_dict(d: dict) -> NetConfig:
    d = dict(d)
    d["hidden"] = tuple(d["hidden"])
    return NetConfig(**d)


def make_data(cfg: NetConfig, seed: int = 0):
    """The synthetic data set: X float32 (n_batches·batch, in_features), y int64 labels."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = cfg.n_batches * cfg.batch
    x = rng.standard_normal((n, cfg.in_features), dtype=np.float32)
    y = rng.integers(0, cfg.classes, size=n).astype(np.int64)
    return x, y
