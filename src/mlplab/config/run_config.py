"""The run config: one plain description of a training run (DESIGN.md 7).

Four sections — ``data``, ``network``, ``training``, ``output`` — as dataclasses, read from and
written to TOML, built from a dict, overridden by command-line flags. Saved with every run as
``config.toml``; ``mlplab train --config runs/X/config.toml`` replays the run.

Example::

    [data]
    source = "digits"          # a built-in name or a file (NPZ, NPY pair, CSV, IDX, CIFAR-10)
    [network]                  # the fields of mlplab.MLPConfig; the data gives the two sizes
    hidden = [256, 256]
    activation = "relu"
    norm = "batch"             # batch norm after each affine map, before the nonlinearity
    [training]
    epochs = 0                 # 0 = from the step budget (steps = 4000)
    l2 = 0.0                   # L2 penalty on the weights (l1, max_norm, clip_norm beside it)
    [training.optimizer]       # an optimizer's get_config(): its name and hyperparameters
    name = "adam"
    lr = 0.001
    [training.schedule]        # a schedule's get_config()
    name = "cosine"

The optimizer and schedule tables are what ``get_optimizer``/``get_schedule`` take and what
checkpoints store. The flat keys of earlier releases (``optimizer = "adam"``, ``lr``,
``momentum``, ``weight_decay``, ``schedule = "cosine"``) still load, with one deprecation
notice (``mlplab.config.flat_keys``).
"""

import math
import tomllib
import warnings
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from mlplab.config.flat_keys import apply_flat, is_flat, set_flat
from mlplab.config.values import convert
from mlplab.data import load_data
from mlplab.data.csv_file import delimiter_char
from mlplab.data.sample_weights import parse_class_weight
from mlplab.errors import ConfigDeprecationWarning, ConfigError
from mlplab.files.atomic import atomic_write
from mlplab.losses import LOSSES
from mlplab.network import MLPConfig
from mlplab.optim import get_optimizer
from mlplab.schedules import get_schedule
from mlplab.training import get_callback


@dataclass
class DataConfig:
    """Where the examples come from and how they are prepared."""

    #: a built-in dataset name (digits, iris, spiral, circles, xor) or a file path.
    source: str = "digits"
    #: CSV label column, by name or index ("" = the last column); several, "a,b,c", are the
    #: 0/1 columns of a multi-label task (loss "bce"; docs/tasks.md).
    label: str = ""
    #: CSV field delimiter: one character ("\\t" or "tab" for tab-separated files).
    delimiter: str = ","
    #: fraction of the training set held out for validation when the data has no validation set.
    validation: float = 0.15
    #: fraction held out for testing when the data has no test set.
    test: float = 0.15
    #: preprocessing steps fitted on the training data, in order (e.g. ["standardize"]).
    preprocess: list[str] = field(default_factory=lambda: ["standardize"])
    #: seed of the splits (and of generated built-in data).
    seed: int = 0
    #: the sample weights: a CSV column (by name or index) or the NPZ arrays <weight>_train,
    #: <weight>_test[, <weight>_val] ("" = every row weighs 1; docs/weights.md).
    weight: str = ""

    def load(self, targets: str = "classes"):
        """The ``Dataset`` this section names, split with its seed and fractions; ``targets``
        is what the loss takes (``mlplab.data.targets.TARGETS``)."""
        return load_data(
            self.source, seed=self.seed, val_fraction=self.validation, test_fraction=self.test,
            label_column=self.label or None, weight_column=self.weight or None,
            delimiter=self.delimiter, targets=targets,
        )  # fmt: skip


def run_network() -> MLPConfig:
    """The recommended network of ``mlplab train``: two hidden layers of 256, batch norm,
    dropout 0.3, the output layer's initial weights scaled by 0.1 (the loss starts at ≈ ln C).
    The default recipe and the benchmark that chose it: docs/configuration.md."""
    return MLPConfig(hidden=[256, 256], norm="batch", dropout=0.3, output_scale=0.1)


@dataclass
class TrainingConfig:
    """How the parameters are learned."""

    #: the optimizer's ``get_config()``: ``{name, lr, ...hyperparameters}`` (``mlplab.optim``).
    optimizer: dict = field(
        default_factory=lambda: {"name": "adamw", "lr": 1e-3, "weight_decay": 1e-2}
    )
    #: the learning-rate schedule's ``get_config()`` (``mlplab.schedules``).
    schedule: dict = field(default_factory=lambda: {"name": "cosine"})
    #: L2 penalty λ on the weights (½ λ Σ‖W‖² in the loss). AdamW's decoupled decay is its
    #: ``weight_decay`` hyperparameter instead.
    l2: float = 0.0
    #: L1 penalty λ₁ on the weights (λ₁ Σ|W| in the loss: sparse weights).
    l1: float = 0.0
    #: bound on each unit's incoming weight norm ‖w‖₂ ≤ c, enforced after every step (0 = off).
    max_norm: float = 0.0
    #: scale all gradients together to a global norm of at most this (0 = off).
    clip_norm: float = 0.0
    #: passes over the training data; 0 = as many as ``steps`` optimizer steps take
    #: (``mlplab.config.epoch_budget``: within 50..300 epochs).
    epochs: int = 0
    #: the step budget that sets the epochs when ``epochs`` is 0.
    steps: int = 4000
    batch_size: int = 64
    seed: int = 0
    #: stop after this many epochs without validation improvement and restore the best weights
    #: (0 = off).
    early_stopping: int = 30
    #: the metric early stopping watches; "" = val_accuracy for a classification loss, else
    #: val_loss. Equal values count as improvement: the latest of equally good epochs is kept.
    early_stopping_monitor: str = ""
    #: write a checkpoint every this many epochs (0 = only at the end).
    checkpoint_every: int = 1
    #: the most of the time those saves may take: a due save is put off while the last one's
    #: duration ÷ this has not passed since it (0 = never put off; ``Checkpoint.max_overhead``).
    checkpoint_overhead: float = 0.05
    #: extra callbacks by spec (``mlplab.training.CALLBACKS``), e.g. ["update_ratio:every=5"].
    callbacks: list[str] = field(default_factory=list)
    #: class weights: "balanced" or "LABEL=W,LABEL=W" (labels not named weigh 1; "" = none).
    #: They multiply [data] weight (docs/weights.md).
    class_weight: str = ""
    #: the run's model is the best epoch's by this metric (val_loss, val_accuracy, ...; min or
    #: max from the name); "" = the last epoch's (docs/keep-best.md).
    keep_best: str = ""


@dataclass
class OutputConfig:
    """Where the run directory goes and what it holds."""

    #: the run directory ("" = runs/<data>-<date>-<time>, never an existing one).
    dir: str = ""
    #: draw the plots (learning curves, per-layer statistics) into the run directory.
    plots: bool = True
    #: write TensorBoard event files here ("" = none; ``mlplab.training.TensorBoard``).
    tensorboard: str = ""


SECTIONS = {
    "data": DataConfig,
    "network": MLPConfig,
    "training": TrainingConfig,
    "output": OutputConfig,
}

#: keys a run config does not take: the data gives them.
FROM_THE_DATA = ("network.input_size", "network.output_size")
#: keys added after config files were first written, with the value that a file whose section
#: does not name them meant: an old run's ``config.toml`` replays as it ran.
BEFORE_THEY_EXISTED = {
    "network.output_scale": 1.0,
    "training.early_stopping_monitor": "val_loss",
}
#: the tables of name and hyperparameters, and what builds an object from each.
TABLES = {"training.optimizer": get_optimizer, "training.schedule": get_schedule}


def settable_keys(section: str) -> tuple[str, ...]:
    """The keys of ``[section]`` a run config takes."""
    names = (f.name for f in fields(SECTIONS[section]))
    return tuple(k for k in names if f"{section}.{k}" not in FROM_THE_DATA)


@dataclass
class RunConfig:
    """Everything that defines a run; ``to_dict``/``from_dict`` and TOML round-trip it."""

    data: DataConfig = field(default_factory=DataConfig)
    network: MLPConfig = field(default_factory=run_network)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    output: OutputConfig = field(default_factory=OutputConfig)

    # -- conversions --------------------------------------------------------------------------
    def to_dict(self) -> dict:
        values = asdict(self)
        for dotted in FROM_THE_DATA:
            section, _, key = dotted.partition(".")
            values[section].pop(key)
        return values

    @classmethod
    def from_dict(
        cls, values: dict | None, where: str = "config", flat_notice: bool = True
    ) -> "RunConfig":
        """Build from nested dicts; unknown sections or keys and wrong types are ConfigErrors.

        The flat ``[training]`` keys of earlier releases are read with one deprecation notice
        (``flat_notice=False``: none, for callers that take them as settings, like flags).
        """
        if values is None:
            values = {}
        if isinstance(values, RunConfig):
            return values.copy()
        if not isinstance(values, dict):
            raise ConfigError(f"{where}: expected a table of sections, got {type(values).__name__}")
        config = cls()
        flat = {}
        for section, items in values.items():
            if section not in SECTIONS:
                raise ConfigError(
                    f"{where}: unknown section [{section}] (known: {', '.join(SECTIONS)})"
                )
            if not isinstance(items, dict):
                raise ConfigError(f"{where}: [{section}] must be a table")
            for key, value in items.items():
                if section == "training" and is_flat(key, value):
                    flat[key] = value
                else:
                    config.set(f"{section}.{key}", value, where)
        if flat:
            if flat_notice:  # the older dialect's optimizer switch starts where it did then
                _flat_era_defaults(config.training, values["training"])
            apply_flat(config.training, flat, where)
            if flat_notice:
                _notice_flat_keys(where, flat)
        return config

    def copy(self) -> "RunConfig":
        return RunConfig.from_dict(self.to_dict())

    def set(self, dotted: str, value, where: str = "config") -> None:
        """Set ``section.key`` (or ``training.optimizer.<hyperparameter>``) to ``value``,
        converted to the field's type; the flat training keys go through ``flat_keys``."""
        section, _, key = dotted.partition(".")
        if section not in SECTIONS:
            raise ConfigError(
                f"{where}: unknown section [{section}] (known: {', '.join(SECTIONS)})"
            )
        table, _, hyperparameter = dotted.rpartition(".")
        if table in TABLES:
            getattr(self.training, table.partition(".")[2])[hyperparameter] = value
            return
        if section == "training" and is_flat(key, value):
            set_flat(self.training, key, value, where)
            return
        keys = settable_keys(section)
        if key not in keys:
            hint = " (the data gives it)" if dotted in FROM_THE_DATA else ""
            raise ConfigError(
                f"{where}: unknown key {dotted!r}{hint} (known in [{section}]: {', '.join(keys)})"
            )
        if dotted in TABLES:
            value = _table(value, f"{where}: {dotted}")
        else:
            kind = {f.name: f.type for f in fields(SECTIONS[section])}[key]
            value = convert(value, kind, f"{where}: {dotted}")
        setattr(getattr(self, section), key, value)

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
        _check(delimiter_char(d.delimiter) is not None, "data.delimiter",
               "one character such as , ; or \\t", d.delimiter)  # fmt: skip
        n.validate()
        task = getattr(LOSSES.get(n.loss), "task", "")
        _check(bool(task), "network.loss", f"a loss of {', '.join(LOSSES.names())}", n.loss)
        _check(
            task != "regression" or not t.class_weight,
            "training.class_weight",
            "none for a regression loss",
            t.class_weight,
        )
        _check(t.seed >= 0, "training.seed", "an integer >= 0", t.seed)
        _check(0 <= t.l2 < math.inf, "training.l2", "a number >= 0", t.l2)
        _check(0 <= t.l1 < math.inf, "training.l1", "a number >= 0", t.l1)
        _check(0 <= t.max_norm < math.inf, "training.max_norm", "0 (off) or more", t.max_norm)
        _check(0 <= t.clip_norm < math.inf, "training.clip_norm", "0 (off) or more", t.clip_norm)
        _check(t.epochs >= 0, "training.epochs", "0 (from the step budget) or more", t.epochs)
        _check(t.steps >= 1, "training.steps", "at least 1", t.steps)
        _check(t.batch_size >= 1, "training.batch_size", "at least 1", t.batch_size)
        _check(
            t.early_stopping >= 0, "training.early_stopping", "0 (off) or more", t.early_stopping
        )
        _check(
            isinstance(t.early_stopping_monitor, str)
            and t.early_stopping_monitor.strip() == t.early_stopping_monitor,
            "training.early_stopping_monitor",
            'a logged metric such as val_loss or val_accuracy, or "" (automatic)',
            t.early_stopping_monitor,
        )
        _check(t.checkpoint_every >= 0, "training.checkpoint_every", ">= 0", t.checkpoint_every)
        _check(
            0 <= t.checkpoint_overhead < 1,
            "training.checkpoint_overhead",
            "in [0, 1)",
            t.checkpoint_overhead,
        )
        # the tables' values are checked where they are used: by building the objects
        for dotted, build in TABLES.items():
            _named(dotted, build, getattr(t, dotted.partition(".")[2]))
        for spec in t.callbacks:
            _named("training.callbacks", get_callback, spec)
        _named("training.class_weight", parse_class_weight, t.class_weight)
        return self


def _table(value, where: str) -> dict:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise ConfigError(f"{where} must be a table with a name, got {value!r}")
    return dict(value)


def _named(name: str, build, spec):
    """``build(spec)``, its ConfigError prefixed with the field's name."""
    try:
        return build(spec)
    except ConfigError as e:
        raise ConfigError(f"{name}: {e}") from None


def _check(ok: bool, name: str, expected: str, given) -> None:
    if not ok:
        raise ConfigError(f"{name} must be {expected}, got {given!r}")


#: the optimizer of the releases that wrote flat [training] keys.
FLAT_ERA_OPTIMIZER = {"name": "adam", "lr": 1e-3}


def _flat_era_defaults(training, written: dict) -> None:
    """A flat ``optimizer = NAME`` switches from that era's default optimizer (Adam, no
    decay), not today's: ``optimizer = "adamw"`` alone still means AdamW without decay."""
    if "optimizer" in written and not isinstance(written["optimizer"], dict):
        training.optimizer = dict(FLAT_ERA_OPTIMIZER)


def _notice_flat_keys(where: str, flat: dict) -> None:
    keys = ", ".join(flat)
    warnings.warn(
        f"{where}: the flat [training] keys {keys} are deprecated; write [training.optimizer] "
        "(name, lr, ...), [training.schedule] (name, ...) and l2 (docs/configuration.md)",
        ConfigDeprecationWarning,
        stacklevel=3,
    )


def load_config(path) -> RunConfig:
    """Read a TOML run config; a missing or malformed file is a ConfigError naming it. A key
    the file does not name takes its default, except those of ``BEFORE_THEY_EXISTED``, which
    take the value they had before they existed when the file has their section."""
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
    if isinstance(values, dict):
        for dotted, value in BEFORE_THEY_EXISTED.items():
            section, _, key = dotted.partition(".")
            if isinstance(values.get(section), dict):
                values[section].setdefault(key, value)
    return RunConfig.from_dict(values, where=str(path))


def save_config(config: RunConfig, path) -> Path:
    """Write ``config`` as TOML, atomically."""
    return atomic_write(path, config.to_toml())


def as_config(config) -> RunConfig:
    """Accept a RunConfig, a nested dict, or a TOML path, and return a validated RunConfig."""
    if isinstance(config, RunConfig):
        return config.copy().validate()
    if isinstance(config, str | Path):
        return load_config(config).validate()
    return RunConfig.from_dict(config).validate()
