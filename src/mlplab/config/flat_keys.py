"""The flat training settings: command-line flags and config files of mlplab 0.x.

``--optimizer``, ``--lr``, ``--momentum``, ``--weight-decay`` and ``--schedule`` (and the
``[training]`` keys ``optimizer``, ``lr``, ``momentum``, ``weight_decay``, ``schedule`` that
config files written before the optimizer and schedule became tables hold) are written into
the one config language by one rule:

- ``optimizer = NAME``: the ``[training.optimizer]`` table's name; its ``lr`` is kept, and its
  ``momentum`` when the new optimizer takes one. The weight decay follows the optimizer: for
  one with a decoupled ``weight_decay`` (adamw) it is that hyperparameter, for the others it is
  the L2 penalty ``[training] l2``, so switching moves the value between the two.
- ``lr``: the table's ``lr``; ``momentum``: the table's ``momentum`` for an optimizer that takes
  one (the others ignore it); ``weight_decay``: as said above.
- ``schedule = "SPEC"``: the ``[training.schedule]`` table (``"cosine:t_max=5"`` is
  ``{name = "cosine", t_max = 5}``).
"""

import inspect

from mlplab.config.values import convert
from mlplab.errors import ConfigError
from mlplab.optim import OPTIMIZERS
from mlplab.schedules import parse_spec

#: the flat keys, in the order they are applied (the name before its hyperparameters).
FLAT_KEYS = ("optimizer", "lr", "momentum", "schedule", "weight_decay")


def takes(optimizer: str, hyperparameter: str) -> bool:
    """Whether the optimizer named ``optimizer`` has ``hyperparameter`` (False if unknown)."""
    if optimizer not in OPTIMIZERS:
        return False
    return hyperparameter in inspect.signature(OPTIMIZERS.get(optimizer)).parameters


def is_flat(key: str, value) -> bool:
    """Whether ``[training] key = value`` is a flat setting (not a table)."""
    return key in FLAT_KEYS and not isinstance(value, dict)


def set_flat(training, key: str, value, where: str) -> None:
    """Write one flat setting into ``training`` (a ``TrainingConfig``)."""
    table = training.optimizer
    name = table.get("name", "")
    if key == "optimizer":
        _switch_optimizer(training, convert(value, "str", where))
    elif key == "lr":
        table["lr"] = convert(value, "float", where)
    elif key == "momentum":
        if takes(name, "momentum"):
            table["momentum"] = convert(value, "float", where)
    elif key == "weight_decay":
        value = convert(value, "float", where)
        if takes(name, "weight_decay"):
            table["weight_decay"] = value
        else:
            training.l2 = value
    elif key == "schedule":
        try:
            training.schedule = parse_spec(convert(value, "str", where))
        except ConfigError as e:
            raise ConfigError(f"training.schedule: {e}") from None
    else:
        raise ConfigError(f"{where}: unknown key 'training.{key}'")


def _switch_optimizer(training, name: str) -> None:
    old = training.optimizer
    if name.lower() == str(old.get("name", "")).lower():
        old["name"] = name
        return
    new = {"name": name}
    if "lr" in old:
        new["lr"] = old["lr"]
    if "momentum" in old and takes(name, "momentum"):
        new["momentum"] = old["momentum"]
    decoupled_before = takes(old.get("name", ""), "weight_decay")
    decoupled_now = takes(name, "weight_decay")
    if decoupled_now and not decoupled_before:
        new["weight_decay"], training.l2 = training.l2, 0.0
    elif decoupled_before and not decoupled_now and "weight_decay" in old:
        training.l2 = old["weight_decay"]
    training.optimizer = new


def apply_flat(training, values: dict, where: str) -> None:
    """Write the flat settings in ``values`` into ``training``, in ``FLAT_KEYS`` order."""
    for key in FLAT_KEYS:
        if key in values:
            set_flat(training, key, values[key], f"{where}: training.{key}")


def optimizer_table(optimizer, lr=None, momentum=None, options=None) -> dict:
    """An optimizer's table from a name (or a table) and flat settings, as the estimators of
    ``mlplab.sklearn`` take them: ``options`` are hyperparameters; ``lr`` wins over them; the
    ``momentum`` setting counts for an optimizer that takes one and does not set it in
    ``options``."""
    table = {"name": optimizer} if isinstance(optimizer, str) else dict(optimizer)
    table.update(options or {})
    if lr is not None:
        table["lr"] = lr
    if momentum is not None and takes(table.get("name", ""), "momentum"):
        table.setdefault("momentum", momentum)
    return table
