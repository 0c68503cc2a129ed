"""How a search trial trains: a config in, per-epoch validation accuracy out, final metrics back.

A trial's config is a run config as nested sections (``{"training": {"lr": ...}, ...}``), the
shape of ``mlplab train``'s TOML file. Search names may be short (``lr``, ``hidden``) or dotted
(``training.lr``); a short name is found in the one section that has it (``seed`` means
``training.seed``).
"""

import tomllib
from pathlib import Path

from mlplab.errors import ConfigError, FileFormatError

#: not a config key: the units of every hidden layer, keeping the base config's depth
#: (``width=128`` with ``hidden = [256, 256]`` trains ``[128, 128]``): an integer range to search
WIDTH = "network.width"

#: short names that are not a key of one section: the flat training settings (as the flags
#: ``--lr``, ``--momentum``, ``--weight-decay``; ``mlplab.config.flat_keys``) and two others.
SHORT_NAMES = {
    "data": "data.source",
    "seed": "training.seed",
    "lr": "training.lr",
    "momentum": "training.momentum",
    "weight_decay": "training.weight_decay",
    "width": WIDTH,
}


def section_keys() -> dict:
    """``{section: (key, ...)}`` of the run config (``mlplab.config``)."""
    from mlplab.config import SECTIONS, settable_keys

    return {section: settable_keys(section) for section in SECTIONS}


def dotted_name(name: str) -> str:
    """``lr`` -> ``training.lr``; dotted names pass through (checked by the trainer)."""
    if "." in name:
        return name
    if name in SHORT_NAMES:
        return SHORT_NAMES[name]
    keys = section_keys()
    sections = [s for s, names in keys.items() if name in names]
    if not sections:
        known = sorted({k for names in keys.values() for k in names})
        raise ConfigError(f"search: unknown training option {name!r} (known: {', '.join(known)})")
    return f"{sections[0]}.{name}"


def with_values(config: dict, values: dict) -> dict:
    """A copy of nested ``config`` with ``values`` (short or dotted names) set."""
    result = {section: dict(items) for section, items in config.items()}
    for name, value in values.items():
        dotted = dotted_name(name)
        if dotted == WIDTH:
            dotted, value = "network.hidden", [int(value)] * _depth(result)
        section, _, key = dotted.partition(".")
        result.setdefault(section, {})[key] = value
    return result


def _depth(config: dict) -> int:
    """How many hidden layers ``config`` has (the default network's when it says nothing)."""
    hidden = config.get("network", {}).get("hidden")
    if isinstance(hidden, list | tuple):
        return max(1, len(hidden))
    if isinstance(hidden, int):
        return 1
    from mlplab.config import RunConfig

    return len(RunConfig().network.hidden)


def base_config(path=None, table=None, data=None) -> dict:
    """The config every trial starts from: a TOML file, a ``[config]`` table, ``--data``."""
    config = {}
    if path:
        path = Path(path)
        try:
            config = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FileFormatError(f"{path}: no such config file") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise FileFormatError(f"{path}: not a valid TOML file ({e})") from None
    if table:
        config = with_values(config, _flatten(table))
    if data:
        config = with_values(config, {"data.source": data})
    return config


def _flatten(table: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def train_config(config: dict, on_epoch, out_dir=None) -> dict:
    """Train one trial's config with ``mlplab.train``; ``on_epoch(epoch, logs)`` after each epoch.

    The run directory goes to ``out_dir`` (without plots; one checkpoint at the end). Returns the
    final metrics: ``val_accuracy``, ``val_loss``, ``epoch``, ``run`` (the run directory, for
    ensembles of the best trials). The test split is not evaluated: trials are compared on
    validation only, and the test split is measured once, on the search's final model.
    """
    from mlplab.runs import train
    from mlplab.training import Callback

    class Report(Callback):
        order = 96  # after TensorBoard (95) has logged the epoch: a pruned trial keeps its curve

        def on_epoch_end(self, trainer):
            on_epoch(trainer.epoch + 1, dict(trainer.epoch_logs))

    values = {"output.plots": False, "training.checkpoint_every": 0}
    if out_dir is not None:
        values["output.dir"] = str(out_dir)
    run = train(run_config(with_values(config, values)), force=True, quiet=True, progress=False,
                callbacks=[Report()], splits=("train", "val"))  # fmt: skip
    metrics = {"epoch": len(run.history), "run": str(run.directory)}
    for key, value in run.metrics.get("val", {}).items():
        if key in ("loss", "accuracy"):
            metrics[f"val_{key}"] = value
    return metrics


def run_config(trial: dict):
    """A trial's config as a ``RunConfig``: its short names (``lr``...) are settings, as flags
    are, so they are written into the optimizer's table without a deprecation notice."""
    from mlplab.config import RunConfig

    return RunConfig.from_dict(trial, flat_notice=False)
