"""A resumed run is the run that was started: ``config.toml`` edited between the interruption
and ``--resume`` is refused, never half applied.

Every checkpoint of a run stores the run's config as read back from its ``config.toml``
(``run_settings``); on resume the file is read again and any difference — a learning rate, a
schedule, the number of epochs, a layer, a data option, plots on or off — is a ``ConfigError``
naming the changed keys. The number of epochs is no exception: the schedule (cosine, warm-up),
early stopping and the callbacks' state depend on it, so a longer run is a new run
(``mlplab train --config RUN/config.toml --epochs N``).
"""

import json

from mlplab.config import load_config
from mlplab.errors import ConfigError
from mlplab.runs.directory import CONFIG_FILE

#: where the run's settings are kept in a checkpoint's ``extra``
KEY = "run_config"


def run_settings(directory) -> dict:
    """The run's config as its ``config.toml`` says now, as plain nested data."""
    config = load_config(directory / CONFIG_FILE).to_dict()
    config.get("output", {}).pop("dir", None)  # where the run is, not what it is
    return json.loads(json.dumps(config))


def check_unchanged(checkpoint, settings: dict, epochs: int, directory) -> None:
    """Refuse to resume when ``settings`` (``run_settings`` now) differ from those stored in
    ``checkpoint``; a checkpoint from before they were stored is checked on ``epochs`` (the
    trainer checks its own settings)."""
    stored = checkpoint.extra.get(KEY)
    if stored is None:
        stored = {"training": {"epochs": checkpoint.meta["trainer"].get("epochs", epochs)}}
        settings = {"training": {"epochs": epochs}}
    changed = list(_changes(stored, settings))
    if changed:
        details = ", ".join(f"{key} ({old!r} -> {new!r})" for key, old, new in changed)
        raise ConfigError(
            f"{directory / CONFIG_FILE} was changed after the run started: {details}; --resume "
            "continues the run as it was configured: undo the change, or start a new run "
            f"with --config {directory / CONFIG_FILE}"
        )


def _changes(before, now, prefix: str = ""):
    """(dotted key, value before, value now) for every value that differs, keys sorted."""
    if isinstance(before, dict) and isinstance(now, dict):
        for key in sorted(before.keys() | now.keys()):
            yield from _changes(before.get(key), now.get(key), f"{prefix}{key}.")
    elif before != now:
        yield prefix[:-1], before, now
