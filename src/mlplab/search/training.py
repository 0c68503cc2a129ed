"""How a search trial trains: a config in, per-epoch validation accuracy out, final metrics back.

A trial's config is a run config as nested sections (``{"training": {"lr": ...}, ...}``), the
shape of ``mlplab train``'s TOML file. Search names may be short (``lr``, ``hidden``) or dotted
(``training.lr``); a short name is found in the one section that has it (``seed`` means
``training.seed``).
"""

import tomllib
from pathlib import Path

from mlplab.errors import ConfigError, FileFormatError
from mlplab.search._minimal_training import minimal_train

SECTION_KEYS = {
    "data": ("source", "label", "validation", "test", "preprocess", "seed"),
    "network": ("hidden", "activation", "init", "norm", "dropout", "loss", "dtype"),
    "training": (
        "optimizer", "lr", "momentum", "schedule", "weight_decay", "epochs", "batch_size",
        "seed", "early_stopping", "checkpoint_every",
    ),
    "output": ("dir", "plots"),
}  # fmt: skip
SHORT_NAMES = {"data": "data.source", "seed": "training.seed"}


def dotted_name(name: str) -> str:
    """``lr`` -> ``training.lr``; dotted names pass through (checked by the trainer)."""
    if "." in name:
        return name
    if name in SHORT_NAMES:
        return SHORT_NAMES[name]
    sections = [s for s, keys in SECTION_KEYS.items() if name in keys]
    if not sections:
        known = sorted({k for keys in SECTION_KEYS.values() for k in keys})
        raise ConfigError(f"search: unknown training option {name!r} (known: {', '.join(known)})")
    return f"{sections[0]}.{name}"


def with_values(config: dict, values: dict) -> dict:
    """A copy of nested ``config`` with ``values`` (short or dotted names) set."""
    result = {section: dict(items) for section, items in config.items()}
    for name, value in values.items():
        section, _, key = dotted_name(name).partition(".")
        result.setdefault(section, {})[key] = value
    return result


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
    """Train one trial's config; call ``on_epoch(epoch, metrics)`` after each epoch.

    Returns the final metrics (``val_accuracy``, ``val_loss``, ``test_accuracy``, ...).
    """
    _, metrics = minimal_train(config, on_epoch=on_epoch)
    return metrics
