"""Learning-rate schedules, composable with any optimizer.

A schedule maps a count ``t`` and the base learning rate to the rate for that step:
``schedule.lr(t, base_lr)``. ``t`` counts epochs (``unit="epoch"``, the default) or optimizer
steps (``unit="step"``); the trainer sets ``optimizer.lr`` from it. All schedules but
reduce-on-plateau are pure formulas of ``t``; reduce-on-plateau watches a metric
(``observe(value)`` once per epoch) and keeps its state in ``state_dict()``.

By name (``get_schedule``): ``constant``, ``step``, ``exponential``, ``inverse_time`` (1/t),
``cosine``, ``warmup`` (linear, wraps another), ``plateau``. A spec string is
``NAME`` or ``NAME:key=value,key=value``; any schedule takes ``warmup=W`` (and
``warmup_start=s``) to be wrapped in a linear warm-up: ``"cosine:warmup=5"``.
"""

import math

from mlplab.errors import ConfigError, FileFormatError
from mlplab.registry import Registry

SCHEDULES = Registry("schedule")


class Schedule:
    """Base class: ``lr(t, base_lr) -> float``; ``bind`` fills defaults from the run's length."""

    name = "schedule"

    def __init__(self, unit: str = "epoch"):
        if unit not in ("epoch", "step"):
            raise ConfigError(f"schedule {self.name}: unit must be 'epoch' or 'step', got {unit!r}")
        self.unit = unit

    def lr(self, t: int, base_lr: float) -> float:
        raise NotImplementedError

    def bind(self, epochs: int, steps_per_epoch: int) -> "Schedule":
        """Called by the trainer before training with the run's length (for defaults)."""
        return self

    def horizon(self, epochs: int, steps_per_epoch: int) -> int:
        """The run's length in this schedule's unit."""
        return epochs if self.unit == "epoch" else epochs * steps_per_epoch

    def observe(self, value: float) -> None:
        """A monitored metric at the end of an epoch (only reduce-on-plateau uses it)."""

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass

    def get_config(self) -> dict:
        return {"name": self.name, "unit": self.unit}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


@SCHEDULES.register("constant", "none")
class Constant(Schedule):
    """lr(t) = lr₀."""

    name = "constant"

    def lr(self, t, base_lr):
        return base_lr


@SCHEDULES.register("step", "step_decay")
class StepDecay(Schedule):
    """Step decay: lr(t) = lr₀ · γ^⌊t / step_size⌋ (PyTorch's ``StepLR``)."""

    name = "step"

    def __init__(self, step_size: int = 10, gamma: float = 0.5, unit: str = "epoch"):
        super().__init__(unit)
        if int(step_size) < 1:
            raise ConfigError(f"schedule step: step_size must be at least 1, got {step_size}")
        self.step_size, self.gamma = int(step_size), float(gamma)

    def lr(self, t, base_lr):
        return base_lr * self.gamma ** (t // self.step_size)

    def get_config(self):
        return {**super().get_config(), "step_size": self.step_size, "gamma": self.gamma}


@SCHEDULES.register("exponential", "exp")
class ExponentialDecay(Schedule):
    """Exponential decay: lr(t) = lr₀ · γᵗ (the lecture's lr₀·e^(−kt) with γ = e^(−k))."""

    name = "exponential"

    def __init__(self, gamma: float = 0.95, unit: str = "epoch"):
        super().__init__(unit)
        if not 0 < gamma <= 1:
            raise ConfigError(f"schedule exponential: gamma must be in (0, 1], got {gamma}")
        self.gamma = float(gamma)

    def lr(self, t, base_lr):
        return base_lr * self.gamma**t

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma}


@SCHEDULES.register("inverse_time", "1/t", "inv_time")
class InverseTimeDecay(Schedule):
    """1/t decay: lr(t) = lr₀ / (1 + k·t)."""

    name = "inverse_time"

    def __init__(self, k: float = 0.1, unit: str = "epoch"):
        super().__init__(unit)
        if k < 0:
            raise ConfigError(f"schedule inverse_time: k must be >= 0, got {k}")
        self.k = float(k)

    def lr(self, t, base_lr):
        return base_lr / (1.0 + self.k * t)

    def get_config(self):
        return {**super().get_config(), "k": self.k}


@SCHEDULES.register("cosine")
class Cosine(Schedule):
    """Cosine annealing [Loshchilov & Hutter, 2017]:
    lr(t) = lr_min + ½ (lr₀ − lr_min)(1 + cos(π t / T)), then lr_min for t ≥ T.

    With ``restart=True`` the cosine starts over every T (SGDR with a fixed period; PyTorch's
    ``CosineAnnealingWarmRestarts`` with T_mult = 1) — the cycles snapshot ensembles use.
    ``t_max=None`` means the whole run (set by ``bind``).
    """

    name = "cosine"

    def __init__(
        self,
        t_max: int | None = None,
        min_lr: float = 0.0,
        restart: bool = False,
        unit: str = "epoch",
    ):
        super().__init__(unit)
        if t_max is not None and int(t_max) < 1:
            raise ConfigError(f"schedule cosine: t_max must be at least 1, got {t_max}")
        self.t_max = None if t_max is None else int(t_max)
        self.min_lr, self.restart = float(min_lr), bool(restart)

    def bind(self, epochs, steps_per_epoch):
        if self.t_max is None:
            self.t_max = max(1, self.horizon(epochs, steps_per_epoch))
        return self

    def lr(self, t, base_lr):
        T = self.t_max
        if self.restart:
            t = t % T
        elif t >= T:
            return self.min_lr
        return self.min_lr + 0.5 * (base_lr - self.min_lr) * (1.0 + math.cos(math.pi * t / T))

    def get_config(self):
        return {
            **super().get_config(),
            "t_max": self.t_max,
            "min_lr": self.min_lr,
            "restart": self.restart,
        }


@SCHEDULES.register("warmup", "linear_warmup")
class Warmup(Schedule):
    """Linear warm-up in front of another schedule [Goyal et al., 2017]:
    lr(t) = inner(t) · min(1, s + (1 − s)·t / W). ``t`` counts in the inner schedule's unit.
    """

    name = "warmup"

    def __init__(self, inner=None, warmup: int = 5, start_factor: float = 1 / 3, unit=None):
        inner = get_schedule(inner) if inner is not None else Constant(unit or "epoch")
        super().__init__(inner.unit)
        if int(warmup) < 1:
            raise ConfigError(f"schedule warmup: warmup must be at least 1, got {warmup}")
        if not 0 <= start_factor <= 1:
            raise ConfigError(
                f"schedule warmup: start_factor must be in [0, 1], got {start_factor}"
            )
        self.inner, self.warmup, self.start_factor = inner, int(warmup), float(start_factor)

    def bind(self, epochs, steps_per_epoch):
        self.inner.bind(epochs, steps_per_epoch)
        return self

    def lr(self, t, base_lr):
        factor = min(1.0, self.start_factor + (1.0 - self.start_factor) * t / self.warmup)
        return self.inner.lr(t, base_lr) * factor

    def observe(self, value):
        self.inner.observe(value)

    def state_dict(self):
        return self.inner.state_dict()

    def load_state_dict(self, state):
        self.inner.load_state_dict(state)

    def get_config(self):
        return {
            "name": self.name,
            "inner": self.inner.get_config(),
            "warmup": self.warmup,
            "start_factor": self.start_factor,
        }


@SCHEDULES.register("plateau", "reduce_on_plateau")
class ReduceOnPlateau(Schedule):
    """Multiply the rate by ``factor`` when the watched metric (lower is better) has not
    improved by a relative ``threshold`` for more than ``patience`` epochs; then wait
    ``cooldown`` epochs. Never below ``min_lr``. (PyTorch's ``ReduceLROnPlateau``, mode min,
    relative threshold.) The trainer feeds it the validation loss, or the training loss when
    there is no validation data.
    """

    name = "plateau"

    def __init__(
        self,
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ):
        super().__init__("epoch")
        if not 0 < factor < 1:
            raise ConfigError(f"schedule plateau: factor must be in (0, 1), got {factor}")
        self.factor, self.patience, self.threshold = float(factor), int(patience), float(threshold)
        self.cooldown, self.min_lr = int(cooldown), float(min_lr)
        self.scale = 1.0
        self.best = math.inf
        self.bad_epochs = 0
        self.cooldown_left = 0
        self._current = None

    def lr(self, t, base_lr):
        self._current = max(base_lr * self.scale, self.min_lr)
        return self._current

    def observe(self, value):
        value = float(value)
        if value < self.best * (1.0 - self.threshold):
            self.best, self.bad_epochs = value, 0
        else:
            self.bad_epochs += 1
        if self.cooldown_left > 0:
            self.cooldown_left -= 1
            self.bad_epochs = 0
        if self.bad_epochs > self.patience:
            self.scale *= self.factor
            self.cooldown_left, self.bad_epochs = self.cooldown, 0

    def state_dict(self):
        return {
            "scale": self.scale,
            "best": self.best,
            "bad_epochs": self.bad_epochs,
            "cooldown_left": self.cooldown_left,
        }

    def load_state_dict(self, state):
        try:
            self.scale = float(state["scale"])
            self.best = float(state["best"])
            self.bad_epochs = int(state["bad_epochs"])
            self.cooldown_left = int(state["cooldown_left"])
        except (KeyError, TypeError, ValueError) as e:
            raise FileFormatError(f"plateau schedule state: bad or missing value {e}") from None

    def get_config(self):
        return {
            "name": self.name,
            "factor": self.factor,
            "patience": self.patience,
            "threshold": self.threshold,
            "cooldown": self.cooldown,
            "min_lr": self.min_lr,
        }


def _parse_value(text: str):
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def parse_spec(spec: str) -> dict:
    """``"cosine:t_max=50,warmup=5"`` -> ``{"name": "cosine", "t_max": 50, "warmup": 5}``.

    The ``NAME:key=value,...`` syntax of schedules and callbacks on the command line."""
    name, _, rest = spec.partition(":")
    config = {"name": name.strip()}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = part.partition("=")
        if not eq:
            raise ConfigError(
                f"{spec!r}: expected key=value after ':', got {part!r} "
                "(for example 'step:step_size=10,gamma=0.5')"
            )
        config[key.strip()] = _parse_value(value.strip())
    return config


def get_schedule(spec=None) -> Schedule:
    """A schedule from ``None`` (constant), a name or spec string, a config dict, or a
    ``Schedule`` (returned as is). A ``warmup`` key wraps the result in ``Warmup``."""
    if spec is None:
        return Constant()
    if isinstance(spec, Schedule):
        return spec
    if isinstance(spec, str):
        spec = parse_spec(spec)
    if not isinstance(spec, dict):
        raise ConfigError(
            f"schedule must be a name, a dict or a Schedule, got {type(spec).__name__}"
        )
    config = dict(spec)
    name = config.pop("name", None)
    if name is None:
        raise ConfigError(f"schedule config: missing 'name' in {spec!r}")
    cls = SCHEDULES.get(name)
    wrap = None
    if cls is not Warmup and "warmup" in config:
        wrap = {"warmup": config.pop("warmup"), "start_factor": config.pop("warmup_start", 1 / 3)}
    try:
        schedule = cls(**config)
        return Warmup(schedule, **wrap) if wrap else schedule
    except ConfigError:
        raise
    except (TypeError, ValueError) as e:  # an unknown or ill-typed argument
        raise ConfigError(f"schedule {name!r}: {e}") from None
