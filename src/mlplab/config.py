"""The run config: one plain description of a training run (DESIGN.md 7).

Four sections — ``data``, ``network``, ``training``, ``output`` — as dataclasses, read from and
written to TOML, built from a dict, overridden by command-line flags. Saved with every run as
``config.toml``; ``mlplab train --config runs/X/config.toml`` replays the run.

Example::

    [data]
    source = "digits"          # a built-in name or a file (NPZ, NPY pair, CSV, IDX, CIFAR-10)
    [network]
    hidden = [256, 256]
    activation = "relu"
    norm = "batch"             # batch norm after each affine map, before the nonlinearity
    [training]
    optimizer = "adam"
    lr = 0.001
    epochs = 20
"""

import math
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from mlplab.errors import ConfigError

NORMS = ("none", "batch")


@dataclass
class DataConfig:
    """Where the examples come from and how they are prepared."""

    #: a built-in dataset name (digits, iris, spiral, circles, xor) or a file path.
    source: str = "digits"
    #: CSV label column, by name or index ("" = the last column).
    label: str = ""
    #: fraction of the training set held out for validation when the data has no validation set.
    validation: float = 0.15
    #: fraction held out for testing when the data has no test set.
    test: float = 0.15
    #: preprocessing steps fitted on the training data, in order (e.g. ["standardize"]).
    preprocess: list[str] = field(default_factory=lambda: ["standardize"])
    #: seed of the splits (and of generated built-in data).
    seed: int = 0

    def load(self):
        """The ``Dataset`` this section names, split with its seed and fractions."""
        from mlplab.data import load_data

        return load_data(
            self.source, seed=self.seed, val_fraction=self.validation, test_fraction=self.test,
            label_column=self.label or None,
        )  # fmt: skip


@dataclass
class NetworkConfig:
    """The architecture: ``[Linear → (BatchNorm) → activation → (Dropout)] × hidden → Linear``."""

    hidden: list[int] = field(default_factory=lambda: [256, 256])
    activation: str = "relu"
    #: initializer spec (``he``, ``xavier``, ``normal:0.01``...); "auto" = He for the ReLU family.
    init: str = "auto"
    norm: str = "batch"
    dropout: float = 0.0
    loss: str = "softmax"
    dtype: str = "float32"


@dataclass
class TrainingConfig:
    """How the parameters are learned."""

    optimizer: str = "adam"
    lr: float = 1e-3
    #: momentum for SGD with momentum and Nesterov.
    momentum: float = 0.9
    #: learning-rate schedule spec: constant, step, exponential, inverse_time, cosine, ...
    schedule: str = "constant"
    #: L2 penalty λ on weights (decoupled weight decay for AdamW).
    weight_decay: float = 0.0
    epochs: int = 20
    batch_size: int = 64
    seed: int = 0
    #: stop after this many epochs without validation improvement and restore the best weights
    #: (0 = off).
    early_stopping: int = 0
    #: write a checkpoint every this many epochs (0 = only at the end).
    checkpoint_every: int = 1
    #: extra callbacks by spec (``mlplab.training.CALLBACKS``), e.g. ["update_ratio:every=5"].
    callbacks: list[str] = field(default_factory=list)


@dataclass
class OutputConfig:
    """Where the run directory goes and what it holds."""

    #: the run directory ("" = runs/<data>-<date>-<time>, never an existing one).
    dir: str = ""
    #: draw the plots (learning curves, per-layer statistics) into the run directory.
    plots: bool = True


SECTIONS = {
    "data": DataConfig,
    "network": NetworkConfig,
    "training": TrainingConfig,
    "output": OutputConfig,
}


@dataclass
class RunConfig:
    """Everything that defines a run; ``to_dict``/``from_dict`` and TOML round-trip it."""

    data: DataConfig = field(default_factory=DataConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    output: OutputConfig = field(default_factory=OutputConfig)

    # -- conversions --------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict | None, where: str = "config") -> "RunConfig":
        """Build from nested dicts; unknown sections or keys and wrong types are ConfigErrors."""
        if values is None:
            values = {}
        if isinstance(values, RunConfig):
            return values.copy()
        if not isinstance(values, dict):
            raise ConfigError(f"{where}: expected a table of sections, got {type(values).__name__}")
        config = cls()
        for section, items in values.items():
            if section not in SECTIONS:
                raise ConfigError(
                    f"{where}: unknown section [{section}] (known: {', '.join(SECTIONS)})"
                )
            if not isinstance(items, dict):
                raise ConfigError(f"{where}: [{section}] must be a table")
            for key, value in items.items():
                config.set(f"{section}.{key}", value, where)
        return config

    def copy(self) -> "RunConfig":
        return RunConfig.from_dict(self.to_dict())

    def set(self, dotted: str, value, where: str = "config") -> None:
        """Set ``section.key`` to ``value``, converting it to the field's type."""
        section, _, key = dotted.partition(".")
        if section not in SECTIONS:
            raise ConfigError(
                f"{where}: unknown section [{section}] (known: {', '.join(SECTIONS)})"
            )
        part = getattr(self, section)
        types = {f.name: f.type for f in fields(part)}
        if key not in types:
            raise ConfigError(
                f"{where}: unknown key {dotted!r} (known in [{section}]: {', '.join(types)})"
            )
        setattr(part, key, _convert(value, types[key], f"{where}: {dotted}"))

    def to_toml(self) -> str:
        import tomli_w

        return tomli_w.dumps(self.to_dict())

    # -- validation ---------------------------------------------------------------------------
    def validate(self) -> "RunConfig":
        """Check every value; raise a ConfigError naming the field, expected vs given."""
        d, n, t = self.data, self.network, self.training
        _check(0 <= d.validation < 1, "data.validation", "a fraction in [0, 1)", d.validation)
        _check(0 < d.test < 1, "data.test", "a fraction in (0, 1)", d.test)
        _check(bool(d.source), "data.source", "a dataset name or file", d.source)
        _check(d.seed >= 0, "data.seed", "an integer >= 0", d.seed)
        _check(t.seed >= 0, "training.seed", "an integer >= 0", t.seed)
        _check(len(n.hidden) >= 0, "network.hidden", "a list of sizes", n.hidden)
        for h in n.hidden:
            _check(h >= 1, "network.hidden", "sizes of at least 1", n.hidden)
        _check(n.norm in NORMS, "network.norm", " or ".join(NORMS), n.norm)
        _check(0 <= n.dropout < 1, "network.dropout", "a probability in [0, 1)", n.dropout)
        _check(n.dtype in ("float32", "float64"), "network.dtype", "float32 or float64", n.dtype)
        _check(0 < t.lr < math.inf, "training.lr", "a positive number", t.lr)
        _check(0 <= t.momentum < 1, "training.momentum", "a number in [0, 1)", t.momentum)
        _check(
            0 <= t.weight_decay < math.inf, "training.weight_decay", "a number >= 0", t.weight_decay
        )
        _check(t.epochs >= 1, "training.epochs", "at least 1", t.epochs)
        _check(t.batch_size >= 1, "training.batch_size", "at least 1", t.batch_size)
        _check(
            t.early_stopping >= 0, "training.early_stopping", "0 (off) or more", t.early_stopping
        )
        _check(t.checkpoint_every >= 0, "training.checkpoint_every", ">= 0", t.checkpoint_every)
        _check_name("network.activation", n.activation, "mlplab.layers", "ACTIVATIONS")
        _check_name("network.loss", n.loss, "mlplab.losses", "LOSSES")
        from mlplab.losses import LOSSES

        _check(
            getattr(LOSSES.get(n.loss), "task", "") == "classification",
            "network.loss",
            "a classification loss (softmax or svm)",
            n.loss,
        )
        _check_name("training.optimizer", t.optimizer, "mlplab.optim", "OPTIMIZERS")
        _check_name(
            "training.schedule", t.schedule.partition(":")[0], "mlplab.schedules", "SCHEDULES"
        )
        from mlplab.schedules import get_schedule

        try:  # its arguments too, before a run directory is made
            get_schedule(t.schedule)
        except ConfigError as e:
            raise ConfigError(f"training.schedule: {e}") from None
        if t.callbacks:
            from mlplab.training import get_callback

            for spec in t.callbacks:
                try:
                    get_callback(spec)
                except ConfigError as e:
                    raise ConfigError(f"training.callbacks: {e}") from None
        if n.init != "auto":
            from mlplab.init import INITIALIZERS, parse_init_spec

            try:
                INITIALIZERS.get(parse_init_spec(n.init)[0])
            except ConfigError as e:
                raise ConfigError(f"network.init: {e}") from None
        return self


def _check(ok: bool, name: str, expected: str, given) -> None:
    if not ok:
        raise ConfigError(f"{name} must be {expected}, got {given!r}")


def _check_name(name: str, value: str, module: str, registry: str) -> None:
    """Resolve ``value`` in a registry when that registry exists."""
    import importlib

    try:
        names = getattr(importlib.import_module(module), registry)
    except (ImportError, AttributeError):
        return
    try:
        names.get(value)
    except ConfigError as e:
        raise ConfigError(f"{name}: {e}") from None


def _convert(value, annotation, where: str):
    """Coerce a TOML/flag value to the field's declared type, or raise ConfigError."""
    kind = annotation.__name__ if isinstance(annotation, type) else str(annotation)
    if "list[int]" in kind:
        if isinstance(value, str):
            value = [v for v in value.replace(" ", "").split(",") if v]
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{where} must be a list of integers, got {value!r}")
        return [_convert(v, "int", where) for v in value]
    if "list[str]" in kind:
        if isinstance(value, str):
            value = [v for v in value.replace(" ", "").split(",") if v and v != "none"]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where} must be a list of names, got {value!r}")
        return list(value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0"):
            return value.lower() in ("true", "yes", "1")
        raise ConfigError(f"{where} must be true or false, got {value!r}")
    if kind == "int":
        if isinstance(value, bool):
            raise ConfigError(f"{where} must be an integer, got {value!r}")
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                pass
        raise ConfigError(f"{where} must be an integer, got {value!r}")
    if kind == "float":
        if isinstance(value, bool):
            raise ConfigError(f"{where} must be a number, got {value!r}")
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise ConfigError(f"{where} must be a number, got {value!r}")
    if kind == "str":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, got {value!r}")
        return value
    raise ConfigError(f"{where}: unsupported field type {kind}")


def load_config(path) -> RunConfig:
    """Read a TOML run config; a missing or malformed file is a ConfigError naming it."""
    path = Path(path)
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read ({e.strerror})") from None
    try:
        values = tomllib.loads(text.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: invalid TOML ({e})") from None
    return RunConfig.from_dict(values, where=str(path))


def save_config(config: RunConfig, path) -> Path:
    """Write ``config`` as TOML, atomically."""
    from mlplab.files.atomic import atomic_write

    return atomic_write(path, config.to_toml())


def as_config(config) -> RunConfig:
    """Accept a RunConfig, a nested dict, or a TOML path, and return a validated RunConfig."""
    if isinstance(config, RunConfig):
        return config.copy().validate()
    if isinstance(config, str | Path):
        return load_config(config).validate()
    return RunConfig.from_dict(config).validate()
