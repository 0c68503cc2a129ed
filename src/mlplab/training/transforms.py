"""Gradient transforms and constraints: the small steps around the optimizer's update.

After backward, the trainer runs a chain of gradient transforms in order (optax's ``chain``
idea, in NumPy): each changes the layers' ``grads`` in place (views of the network's packed
gradient buffer) and returns the penalty it adds to the loss. After the optimizer's step it
applies the constraints to the weights. Decoupled weight decay is no transform: it is AdamW's
(``mlplab.optim.AdamW``), since it acts on the weights inside the update.

    penalty = transforms(net)    # L2, then L1, then clipping
    optimizer.step()
    for constraint in constraints:
        constraint(net)          # max-norm

Where the optimizer's update runs fused (``Optimizer.fusable()``), the trainer asks the chain
to ``fold`` instead: L2, L1 and clipping then change no gradient here; one read of the packed
buffers gives the penalty and the gradient's norm, and the update applies the three inside its
own pass (``mlplab.kernels.updates``):

    folded = transforms.fold(optimizer)   # None: not foldable, call the chain as above
    optimizer.step(folded)

Each one round-trips as plain data: ``get_transform(t.get_config())`` (the registry
``TRANSFORMS``), a chain as the list of its transforms' configs (``Chain.from_config``).
"""

from mlplab.errors import ConfigError
from mlplab.optim import clip_by_global_norm
from mlplab.registry import Registry
from mlplab.regularization import add_l1, add_l2, apply_max_norm

TRANSFORMS = Registry("gradient transform")


class FromConfig:
    """``from_config(get_config())``: the config is ``{"name": ..., <constructor arguments>}``."""

    @classmethod
    def from_config(cls, config: dict):
        config = {k: v for k, v in config.items() if k != "name"}
        try:
            return cls(**config)
        except TypeError as e:
            raise ConfigError(f"{cls.name}: {e}") from None


class WeightPenalty(FromConfig):
    """Base of the penalties on weights: a ``strength`` λ; ``__call__(net)`` adds the
    penalty's gradient and returns the penalty."""

    name = "penalty"

    def __init__(self, strength: float):
        self.strength = float(strength)

    def get_config(self) -> dict:
        return {"name": self.name, "strength": self.strength}


@TRANSFORMS.register("l2")
class L2Penalty(WeightPenalty):
    """Coupled weight decay: L += ½ λ Σ‖W‖², ∇W += λW (weights only).

    With SGD this is the lecture's weight decay W ← (1 − lr·λ)W − lr·∇W; with adaptive
    optimizers the decay passes through their per-coordinate scaling (AdamW decouples it
    [Loshchilov & Hutter, 2019]).
    """

    name = "l2"

    def __call__(self, net) -> float:
        return add_l2(net, self.strength)


@TRANSFORMS.register("l1")
class L1Penalty(WeightPenalty):
    """L += λ Σ|W|, ∇W += λ·sign(W) (weights only): pushes weights to exact zeros."""

    name = "l1"

    def __call__(self, net) -> float:
        return add_l1(net, self.strength)


@TRANSFORMS.register("clip_by_global_norm", "clip_norm")
class ClipByGlobalNorm(FromConfig):
    """g ← g · min(1, c / (‖g‖ + 10⁻⁶)), ‖g‖ the norm of all gradients together
    [Pascanu et al., 2013] (PyTorch's ``clip_grad_norm_``). Adds no penalty."""

    name = "clip_by_global_norm"

    def __init__(self, max_norm: float):
        self.max_norm = max_norm

    def __call__(self, net) -> float:
        clip_by_global_norm(net, self.max_norm)
        return 0.0

    def get_config(self) -> dict:
        return {"name": self.name, "max_norm": self.max_norm}


@TRANSFORMS.register("max_norm")
class MaxNorm(FromConfig):
    """Constraint after the step: ‖W[:, j]‖ ≤ c for every unit j's incoming weights
    [Srebro et al., 2005; Srivastava et al., 2014]."""

    name = "max_norm"

    def __init__(self, max_norm: float):
        self.max_norm = max_norm

    def __call__(self, net) -> None:
        apply_max_norm(net, self.max_norm)

    def get_config(self) -> dict:
        return {"name": self.name, "max_norm": self.max_norm}


class Chain:
    """Gradient transforms applied in order; calling it returns the sum of their penalties
    (accumulated from 0.0 in chain order)."""

    def __init__(self, transforms=()):
        self.transforms = list(transforms)

    def __call__(self, net) -> float:
        penalty = 0.0
        for transform in self.transforms:
            penalty += transform(net)
        return penalty

    def fold(self, optimizer):
        """The chain as ``FoldedTransforms`` for ``optimizer``'s next fused step (the penalty
        computed, no gradient changed), or None: the update is not fused, or the chain is not
        L2, L1 and clipping, each at most once and in that order."""
        if not self.transforms:
            return optimizer.fold(0.0, 0.0, None)
        order = [type(t) for t in self.transforms]
        known = [L2Penalty, L1Penalty, ClipByGlobalNorm]
        if order != [cls for cls in known if cls in order]:
            return None
        found = {type(t): t for t in self.transforms}
        l2, l1 = (found[cls].strength if cls in found else 0.0 for cls in known[:2])
        clip = found.get(ClipByGlobalNorm)
        return optimizer.fold(l2, l1, clip.max_norm if clip else None)

    def get_config(self) -> list[dict]:
        return [transform.get_config() for transform in self.transforms]

    @classmethod
    def from_config(cls, config: list) -> "Chain":
        return cls(get_transform(c) for c in config)


def get_transform(config: dict):
    """A transform or constraint from its ``get_config()`` dict (``{"name": "l2", ...}``)."""
    if not isinstance(config, dict) or "name" not in config:
        raise ConfigError(f"gradient transform config: expected {{name = ...}}, got {config!r}")
    return TRANSFORMS.get(config["name"]).from_config(config)


def chain(l2: float = 0.0, l1: float = 0.0, clip_norm: float | None = None) -> Chain:
    """The trainer's chain: L2, then L1 (both on the batch's gradient), then global-norm
    clipping of the sum. Zero or None leaves a transform out."""
    transforms = []
    if l2:
        transforms.append(L2Penalty(l2))
    if l1:
        transforms.append(L1Penalty(l1))
    if clip_norm:
        transforms.append(ClipByGlobalNorm(clip_norm))
    return Chain(transforms)


def constraints(max_norm: float | None = None) -> list:
    """The constraints applied after each step (max-norm, when set)."""
    return [MaxNorm(max_norm)] if max_norm else []
