"""Parameter updates (optimizers), in place, with state that saves and restores exactly.

An optimizer is bound to a network once (``bind(net)``: it looks up every learnable array and
allocates its state), then ``step()`` reads each layer's ``grads`` and updates its ``params`` in
place. ``base_lr`` is the configured learning rate (``get_config``'s ``lr``), ``lr`` the rate of
the next step: a schedule (``mlplab.schedules``) sets it from ``base_lr`` before each step.
State is plain arrays (``state_dict()`` / ``load_state_dict()``) named ``"<parameter>.<slot>"``
plus the step count ``t``.

The update rules follow PyTorch's ``torch.optim`` conventions (so the two agree to rounding):

- ``sgd``: p ← p − lr·g
- ``momentum``: v ← μ v + g; p ← p − lr·v  (the lecture's v = μv − lr·g with lr folded out)
- ``nesterov``: v ← μ v + g; p ← p − lr·(g + μ v)  [Sutskever et al., 2013]
- ``adagrad``: G ← G + g²; p ← p − lr·g / (√G + ε)  [Duchi et al., 2011]
- ``rmsprop``: E ← ρ E + (1−ρ) g²; p ← p − lr·g / (√E + ε)  [Tieleman & Hinton, 2012]
- ``adam``: m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p − lr·m̂ / (√v̂ + ε), with
  m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)  [Kingma & Ba, 2015]
- ``adamw``: p ← p − lr·λ·p on weights (``layer.decay_params``) only, then Adam
  [Loshchilov & Hutter, 2019]

Each step works in place through one scratch buffer per parameter: no allocation per step.

Where the fused kernels run (``mlplab.kernels.fused()``) and the parameters are packed, a step
is one pass over the packed buffer instead (``mlplab.kernels.updates``), with the trainer's L2,
L1 and clipping folded in (``fold``); the NumPy code here stays the reference and the fallback.
"""

import dataclasses
import functools
import math
import numbers

import numpy as np

from mlplab import kernels
from mlplab.backend import array_module
from mlplab.errors import ConfigError, FileFormatError
from mlplab.kernels import updates
from mlplab.parameter_buffer import blocks, packed_buffer
from mlplab.registry import Registry

OPTIMIZERS = Registry("optimizer")

#: values per chunk of a fused update: a chunk's few float32 arrays fit a core's L2 cache, and a
#: large buffer has chunks enough to share among the threads
CHUNK = 1 << 15
#: the fewest packed values a fused update runs for: none. Measured on `tiny` (7,510 values)
#: through ``Trainer.fit``: momentum level with the reference, Adam 12% faster fused
FUSED_MIN = 0

#: flags of ``FoldedTransforms`` (the same values as ``mlplab.kernels.updates``'s)
FOLD_L2, FOLD_L1, FOLD_CLIP, FOLD_DECOUPLED = 1, 2, 4, 8


@dataclasses.dataclass(frozen=True)
class FoldedTransforms:
    """Gradient transforms for the fused update to apply inside its pass, on each value:
    ĝ = ((g + λ₂·w) + λ₁·sign(w))·s (λ₂, λ₁ on weights only, s the clipping factor), the
    reference chain's steps in its order. ``values`` = (λ₂, λ₁, s) in the buffer's dtype;
    ``penalty`` what L2 and L1 add to the loss."""

    flags: int
    values: tuple
    penalty: float


@dataclasses.dataclass(frozen=True)
class _Flat:
    """The packed buffers a fused step runs over: parameters, gradients, each state slot's
    flat array, the (start, stop, decays) chunk table, and the (layer, key, p, g) views whose
    presence in their layers proves the packing still holds."""

    params: np.ndarray
    grads: np.ndarray
    state: dict
    chunks: np.ndarray
    views: list


class Optimizer:
    """Base class. Subclasses list their per-parameter state in ``slots`` and define ``_update``."""

    name = "optimizer"
    slots: tuple[str, ...] = ()
    #: whether ``_update`` needs a scratch buffer of each parameter's shape
    needs_scratch = False
    #: whether one ``_update`` may run over all packed parameters at once (not when weights and
    #: the others are treated differently, as AdamW's decoupled decay does)
    flat_update = True
    #: the ``_update`` whose fused twin ``_fused`` is: a subclass that changes ``_update``
    #: without giving ``_fused`` a twin of it takes the reference path
    _fused_twin_of = None

    def __init__(self, lr: float = 0.01):
        self.set_lr(lr)
        self.t = 0
        self._entries = []  # (name, layer, key, decays, state dict, scratch)
        self._packed = None  # [(layer, key, p, g)] when the parameters are packed
        self._blocks = None  # then _update's arguments (p, g, state, scratch), block by block
        self._flat = None  # the packed buffers a fused step runs over (_Flat)

    def set_lr(self, lr: float) -> None:
        """Set the configured learning rate ``base_lr`` (and the next step's ``lr``): the one
        place it is checked and stored, wherever it comes from (--lr, a config, the API)."""
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < lr < math.inf:
            raise ConfigError(
                f"{self.name}: learning rate must be positive (lr, a finite number), got {lr!r}"
            )
        self.base_lr = self.lr = float(lr)

    # -- binding --------------------------------------------------------------------------------
    def bind(self, net):
        """Attach to ``net`` (anything with ``parameters()`` yielding (name, layer, key)).

        When the network's parameters and gradients are packed into one buffer each
        (``mlplab.parameter_buffer``, as ``build_mlp`` does) and the update treats every
        parameter alike (``flat_update``), the state is one buffer too, and a step is a single
        ``_update`` over all parameters at once (over a large buffer, one per cache-sized block:
        ``mlplab.parameter_buffer.blocks``). Each step first checks that every layer still
        holds the packed arrays; if one was replaced, that step updates parameter by parameter.
        """
        self._entries = []
        self.t = 0
        found = list(net.parameters())
        params = [layer.params[key] for _, layer, key in found]
        grads = [layer.grads[key] for _, layer, key in found]
        p_buffer = packed_buffer(params)
        g_buffer = packed_buffer(grads) if p_buffer is not None else None
        flat = g_buffer is not None and g_buffer.size == p_buffer.size
        if flat:
            flat_state = {slot: np.zeros_like(p_buffer) for slot in self.slots}
            flat_scratch = np.empty_like(p_buffer) if self.needs_scratch else None
            offset = 0
        for (name, layer, key), p in zip(found, params, strict=True):
            xp = array_module(p)
            if flat:
                part = slice(offset, offset + p.size)
                offset += p.size
                state = {slot: flat_state[slot][part].reshape(p.shape) for slot in self.slots}
                scratch = flat_scratch[part].reshape(p.shape) if self.needs_scratch else None
            else:
                state = {slot: xp.zeros_like(p) for slot in self.slots}
                scratch = xp.empty_like(p) if self.needs_scratch else None
            decays = key in getattr(layer, "decay_params", ())
            self._entries.append((name, layer, key, decays, state, scratch))
        self._packed = self._blocks = self._flat = None
        if flat:
            packed = [
                (layer, key, p, g)
                for (_, layer, key), p, g in zip(found, params, grads, strict=True)
            ]
            self._flat = _Flat(p_buffer, g_buffer, flat_state, _chunk_table(self._entries), packed)
        if flat and self.flat_update:
            parts = blocks(p_buffer.size)
            self._packed = packed
            self._blocks = [
                (
                    p_buffer[part],
                    g_buffer[part],
                    {slot: value[part] for slot, value in flat_state.items()},
                    None if flat_scratch is None else flat_scratch[part],
                )
                for part in parts
            ]
        return self

    @property
    def parameter_names(self) -> list[str]:
        return [e[0] for e in self._entries]

    # -- the update -----------------------------------------------------------------------------
    def step(self, fold: FoldedTransforms | None = None):
        """Update every bound parameter in place from its layer's current gradient; with
        ``fold`` (from ``fold``, this step) the fused update applies those transforms first."""
        self.t += 1
        self._prepare()
        if fold is not None or self.fusable():  # a fold is made only for a fusable step
            self._fused_step(fold)
            return
        if fold is not None:
            raise RuntimeError(f"{self.name}: folded transforms need a fused step (see fusable)")
        self._apply()

    def _prepare(self):
        """Set the step's constants from ``t`` and ``lr`` (Adam's bias corrections)."""

    def fusable(self) -> bool:
        """Whether a step runs as one fused pass: the kernels selected and importable, the
        parameters packed in float32 or float64 (at least ``FUSED_MIN`` values) and still held
        by their layers, and an update rule the kernels know."""
        flat = self._flat
        return (
            flat is not None
            and flat.params.size >= FUSED_MIN
            and type(self)._update is type(self)._fused_twin_of
            and flat.params.dtype in (np.float32, np.float64)
            and all(layer.params[k] is p and layer.grads[k] is g for layer, k, p, g in flat.views)
            and kernels.fused()
        )

    def fold(self, l2: float, l1: float, max_norm: float | None) -> FoldedTransforms | None:
        """The trainer's chain (L2 λ₂, L1 λ₁, clipping to ``max_norm``) as transforms for the
        next step's fused pass, or None where the step is not fused. Reads the buffers once
        for the penalty's sums and the gradient's norm (float64, chunk by chunk); changes
        nothing. The clipping factor is s = c / (‖ĝ‖ + 10⁻⁶) when ‖ĝ‖ > c, as
        ``clip_by_global_norm``'s."""
        if not self.fusable():
            return None
        flat = self._flat
        dtype = flat.params.dtype.type
        flags = (FOLD_L2 if l2 else 0) | (FOLD_L1 if l1 else 0)
        if not (flags or max_norm):
            return _no_fold(dtype)
        scale = 1.0
        serial = updates.serial(flat.params.size)
        values = (dtype(l2), dtype(l1), dtype(1.0))
        p, g = flat.params, flat.grads
        sums = updates.gradient_sums(p, g, flat.chunks, serial, flags, values).sum(axis=0)
        squares, absolutes, gradient = (float(x) for x in sums)
        penalty = 0.0 + (0.5 * l2 * squares if l2 else 0.0) + (l1 * absolutes if l1 else 0.0)
        norm = math.sqrt(gradient)
        if max_norm and norm > max_norm:
            scale = max_norm / (norm + 1e-6)
            flags |= FOLD_CLIP
        return FoldedTransforms(flags, (dtype(l2), dtype(l1), dtype(scale)), penalty)

    def _fused_step(self, fold):
        flat = self._flat
        dtype = flat.params.dtype.type
        if fold is None:
            fold = _no_fold(dtype)
        serial = updates.serial(flat.params.size)
        self._fused(updates, flat, serial, fold.flags, fold.values, dtype)

    def _fused(self, updates, flat, serial, flags, values, dtype):
        """The fused twin of ``_update`` over ``flat`` (``mlplab.kernels.updates``)."""
        raise NotImplementedError

    def _apply(self):
        if self._packed is not None and all(
            layer.params[key] is p and layer.grads[key] is g for layer, key, p, g in self._packed
        ):
            for p, g, state, scratch in self._blocks:
                self._update(p, g, state, scratch, False)
            return
        for _name, layer, key, decays, state, scratch in self._entries:
            self._update(layer.params[key], layer.grads[key], state, scratch, decays)

    def _update(self, p, g, state, scratch, decays):
        raise NotImplementedError

    # -- state ----------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """Plain data: ``{"t": int, "<param>.<slot>": array, ...}`` (arrays are the live ones)."""
        state = {"t": self.t}
        for name, _layer, _key, _decays, slots, _scratch in self._entries:
            for slot, value in slots.items():
                state[f"{name}.{slot}"] = value
        return state

    def load_state_dict(self, state: dict) -> None:
        """Restore a ``state_dict`` exactly (values are copied into the bound arrays)."""
        for name, _layer, _key, _decays, slots, _scratch in self._entries:
            for slot, value in slots.items():
                k = f"{name}.{slot}"
                if k not in state:
                    raise FileFormatError(f"{self.name} state: missing array {k!r}")
                src = state[k]
                if tuple(src.shape) != tuple(value.shape):
                    raise FileFormatError(
                        f"{self.name} state: {k!r} has shape {tuple(src.shape)}, "
                        f"expected {tuple(value.shape)}"
                    )
                value[...] = src
        self.t = int(state.get("t", 0))

    def get_config(self) -> dict:
        """The name and hyperparameters that rebuild this optimizer (``lr`` is the base rate)."""
        return {"name": self.name, "lr": self.base_lr}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


@OPTIMIZERS.register("sgd")
class SGD(Optimizer):
    """Vanilla update: p ← p − lr·g."""

    name = "sgd"
    needs_scratch = True

    def _update(self, p, g, state, scratch, decays):
        np.multiply(g, -self.lr, out=scratch)
        p += scratch

    _fused_twin_of = _update

    def _fused(self, updates, flat, serial, flags, values, dtype):
        hyper = (dtype(0.0), dtype(-self.lr))
        p, g = flat.params, flat.grads
        updates.momentum_update(p, g, p[:0], flat.chunks, serial, flags, values, 0, hyper)


@OPTIMIZERS.register("momentum")
class Momentum(Optimizer):
    """Momentum: v ← μ v + g; p ← p − lr·v (PyTorch's form, dampening 0).

    With ``nesterov=True``: p ← p − lr·(g + μ v) [Sutskever et al., 2013].
    """

    name = "momentum"
    slots = ("velocity",)
    needs_scratch = True

    def __init__(self, lr: float = 0.01, momentum: float = 0.9, nesterov: bool = False):
        super().__init__(lr)
        if not 0 <= momentum < 1:
            raise ConfigError(f"{self.name}: momentum must be in [0, 1), got {momentum}")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _update(self, p, g, state, scratch, decays):
        v = state["velocity"]
        v *= self.momentum
        v += g
        if self.nesterov:
            np.multiply(v, self.momentum, out=scratch)
            scratch += g
            scratch *= -self.lr
        else:
            np.multiply(v, -self.lr, out=scratch)
        p += scratch

    _fused_twin_of = _update

    def _fused(self, updates, flat, serial, flags, values, dtype):
        kind = 2 if self.nesterov else 1
        hyper = (dtype(self.momentum), dtype(-self.lr))
        v = flat.state["velocity"]
        updates.momentum_update(
            flat.params, flat.grads, v, flat.chunks, serial, flags, values, kind, hyper
        )

    def get_config(self):
        config = {**super().get_config(), "momentum": self.momentum}
        if type(self) is Momentum and self.nesterov:
            config["nesterov"] = True
        return config


@OPTIMIZERS.register("nesterov")
class Nesterov(Momentum):
    """Nesterov momentum: v ← μ v + g; p ← p − lr·(g + μ v) [Sutskever et al., 2013]."""

    name = "nesterov"

    def __init__(self, lr: float = 0.01, momentum: float = 0.9):
        super().__init__(lr, momentum, nesterov=True)


@OPTIMIZERS.register("adagrad")
class AdaGrad(Optimizer):
    """AdaGrad: G ← G + g²; p ← p − lr·g / (√G + ε) [Duchi, Hazan & Singer, 2011]."""

    name = "adagrad"
    slots = ("sum_squares",)
    needs_scratch = True

    def __init__(self, lr: float = 0.01, eps: float = 1e-10):
        super().__init__(lr)
        self.eps = float(eps)

    def _update(self, p, g, state, scratch, decays):
        G = state["sum_squares"]
        np.multiply(g, g, out=scratch)
        G += scratch
        np.sqrt(G, out=scratch)
        scratch += self.eps
        np.divide(g, scratch, out=scratch)
        scratch *= -self.lr
        p += scratch

    _fused_twin_of = _update

    def _fused(self, updates, flat, serial, flags, values, dtype):
        hyper = (dtype(1.0), dtype(1.0), dtype(self.eps), dtype(-self.lr))  # ρ = 1: G + g²
        G = flat.state["sum_squares"]
        updates.mean_square_update(
            flat.params, flat.grads, G, flat.chunks, serial, flags, values, hyper
        )

    def get_config(self):
        return {**super().get_config(), "eps": self.eps}


@OPTIMIZERS.register("rmsprop")
class RMSProp(Optimizer):
    """RMSProp: E ← ρ E + (1−ρ) g²; p ← p − lr·g / (√E + ε) [Tieleman & Hinton, 2012]."""

    name = "rmsprop"
    slots = ("mean_square",)
    needs_scratch = True

    def __init__(self, lr: float = 0.001, rho: float = 0.99, eps: float = 1e-8):
        super().__init__(lr)
        if not 0 <= rho < 1:
            raise ConfigError(f"{self.name}: rho must be in [0, 1), got {rho}")
        self.rho = float(rho)
        self.eps = float(eps)

    def _update(self, p, g, state, scratch, decays):
        E = state["mean_square"]
        E *= self.rho
        np.multiply(g, g, out=scratch)
        scratch *= 1.0 - self.rho
        E += scratch
        np.sqrt(E, out=scratch)
        scratch += self.eps
        np.divide(g, scratch, out=scratch)
        scratch *= -self.lr
        p += scratch

    _fused_twin_of = _update

    def _fused(self, updates, flat, serial, flags, values, dtype):
        hyper = (dtype(self.rho), dtype(1.0 - self.rho), dtype(self.eps), dtype(-self.lr))
        E = flat.state["mean_square"]
        updates.mean_square_update(
            flat.params, flat.grads, E, flat.chunks, serial, flags, values, hyper
        )

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "eps": self.eps}


@OPTIMIZERS.register("adam")
class Adam(Optimizer):
    """Adam with bias correction [Kingma & Ba, 2015].

    m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε).
    """

    name = "adam"
    slots = ("m", "v")
    needs_scratch = True

    def __init__(
        self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ):
        super().__init__(lr)
        for label, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= beta < 1:
                raise ConfigError(f"{self.name}: {label} must be in [0, 1), got {beta}")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)

    def _prepare(self):
        self._step_size = self.lr / (1.0 - self.beta1**self.t)
        self._root_correction = math.sqrt(1.0 - self.beta2**self.t)

    def _update(self, p, g, state, scratch, decays):
        m, v = state["m"], state["v"]
        m *= self.beta1
        np.multiply(g, 1.0 - self.beta1, out=scratch)
        m += scratch
        v *= self.beta2
        np.multiply(g, g, out=scratch)
        scratch *= 1.0 - self.beta2
        v += scratch
        # lr/(1-β₁ᵗ) · m / (√v/c + ε) with c = √(1-β₂ᵗ), written as lr·c/(1-β₁ᵗ) · m / (√v + εc):
        # the same value, one pass over memory fewer
        np.sqrt(v, out=scratch)
        scratch += self.eps * self._root_correction
        np.divide(m, scratch, out=scratch)
        scratch *= -(self._step_size * self._root_correction)
        p += scratch

    _fused_twin_of = _update

    def _fused(self, updates, flat, serial, flags, values, dtype):
        keep = 1.0 - self.lr * getattr(self, "weight_decay", 0.0)
        if keep != 1.0:
            flags |= FOLD_DECOUPLED
        b1, b2, c = self.beta1, self.beta2, self._root_correction
        hyper = (
            dtype(keep), dtype(b1), dtype(1.0 - b1), dtype(b2), dtype(1.0 - b2),
            dtype(self.eps * c), dtype(-(self._step_size * c)),
        )  # fmt: skip
        p, g, m, v = flat.params, flat.grads, flat.state["m"], flat.state["v"]
        updates.adam_update(p, g, m, v, flat.chunks, serial, flags, values, hyper)

    def get_config(self):
        return {
            **super().get_config(),
            "beta1": self.beta1,
            "beta2": self.beta2,
            "eps": self.eps,
        }


@OPTIMIZERS.register("adamw")
class AdamW(Adam):
    """Adam with decoupled weight decay [Loshchilov & Hutter, 2019].

    p ← p·(1 − lr·λ) on weights only (``layer.decay_params``; not biases or batch-norm
    parameters), then the Adam step. Unlike L2 in the loss, the decay does not pass through
    Adam's per-coordinate scaling.
    """

    name = "adamw"
    flat_update = False

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.01,
    ):
        super().__init__(lr, beta1, beta2, eps)
        if not 0 <= weight_decay < math.inf:
            raise ConfigError(
                f"{self.name}: weight_decay must be >= 0 and finite, got {weight_decay}"
            )
        self.weight_decay = float(weight_decay)

    def _update(self, p, g, state, scratch, decays):
        if decays and self.weight_decay:
            p *= 1.0 - self.lr * self.weight_decay
        super()._update(p, g, state, scratch, decays)

    _fused_twin_of = _update  # Adam's _fused, with the decoupled decay on weights

    def get_config(self):
        return {**super().get_config(), "weight_decay": self.weight_decay}


@functools.cache
def _no_fold(dtype) -> FoldedTransforms:
    """No transform to fold, in ``dtype``: made once, not on every step."""
    return FoldedTransforms(0, (dtype(0.0), dtype(0.0), dtype(1.0)), 0.0)


def _chunk_table(entries):
    """The fused kernels' (start, stop, decays) chunks of the packed buffer, in entry order."""
    sizes = [(layer.params[key].size, decays) for _, layer, key, decays, _, _ in entries]
    rows, start = [], 0
    for size, decays in sizes:
        for a in range(start, start + size, CHUNK):
            rows.append((a, min(a + CHUNK, start + size), int(decays)))
        start += size
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


def clip_by_global_norm(net, max_norm: float) -> float:
    """Scale every gradient by min(1, c / (‖g‖ + 1e-6)) where ‖g‖ is the norm of all gradients
    together [Pascanu et al., 2013] (PyTorch's ``clip_grad_norm_``); return ‖g‖ before."""
    grads = [layer.grads[key] for _, layer, key in net.parameters()]
    norm = math.sqrt(sum(float(array_module(g).vdot(g, g)) for g in grads))
    if norm > max_norm:
        scale = max_norm / (norm + 1e-6)
        for g in grads:
            g *= scale
    return norm


def get_optimizer(spec, **kwargs) -> Optimizer:
    """An optimizer from a name (``"adam"``), a config dict (``{"name": "adam", "lr": 1e-3}``)
    or an ``Optimizer`` (returned as is, taking ``kwargs``'s ``lr``). ``kwargs`` override the
    dict's values."""
    if isinstance(spec, Optimizer):  # used as it is; a given ``lr`` becomes its base rate
        if kwargs.get("lr") is not None:
            spec.set_lr(kwargs["lr"])
        return spec
    if isinstance(spec, dict):
        config = dict(spec)
        name = config.pop("name", None)
        if name is None:
            raise ConfigError(f"optimizer config: missing 'name' in {spec!r}")
        config.update(kwargs)
    else:
        name, config = spec, dict(kwargs)
    cls = OPTIMIZERS.get(name)
    try:
        return cls(**config)
    except TypeError as e:
        raise ConfigError(f"optimizer {name!r}: {e}") from None
