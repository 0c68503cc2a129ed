"""The callback protocol: everything around the training loop is a callback (DESIGN.md #6).

A callback overrides any of the hooks below; each receives the ``Trainer``, whose attributes
say where training is (``epoch``, ``batch``, ``step``, ``batch_loss``, ``lr``, ``history``,
``net``, ``optimizer``, ``schedule``, ``x_batch``, ``y_batch``, ``epoch_logs``) and which a
callback may change (``stop_training = True`` ends training after the current batch).

Hooks a callback does not override cost nothing: the trainer calls only overridden ones.
A callback that must survive a resume defines ``state_dict()`` (arrays and plain values) and
``load_state_dict(state)``; checkpoints save and restore it. Its settings round-trip as plain
data: ``type(cb).from_config(cb.get_config())``.
"""

import inspect
from pathlib import PurePath

HOOKS = (
    "on_train_begin",
    "on_epoch_begin",
    "on_batch_begin",
    "on_batch_end",
    "on_epoch_end",
    "on_train_end",
    "on_interrupt",
)


class Callback:
    """Base class with no-op hooks."""

    def get_config(self) -> dict:
        """The constructor's arguments as plain data, read from the attributes of the same
        names; arguments no config can hold (arrays, open files) are left out, as is one a
        subclass does not keep under its name."""
        config = {}
        for name in inspect.signature(type(self).__init__).parameters:
            value = getattr(self, name, None)
            if isinstance(value, PurePath):
                value = str(value)
            if name != "self" and _plain(value):
                config[name] = value
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def on_train_begin(self, trainer):
        """Once, before the first epoch (also when resuming)."""

    def on_epoch_begin(self, trainer):
        """Before the first batch of an epoch (not called for an epoch resumed mid-way)."""

    def on_batch_begin(self, trainer):
        """Before the forward pass of a batch (``x_batch``/``y_batch`` are set)."""

    def on_batch_end(self, trainer):
        """After the optimizer step (``batch_loss`` is set; layer ``grads`` still hold the
        batch's gradients)."""

    def on_epoch_end(self, trainer):
        """After the epoch's metrics were computed and appended to ``history``; a callback may
        add its own values to ``trainer.epoch_logs`` (the same dict as the history record)."""

    def on_train_end(self, trainer):
        """Once, after the last epoch or an early stop (not after an exception)."""

    def on_interrupt(self, trainer):
        """A signal (SIGINT, SIGTERM) stopped training between two steps; training is
        consistent here (``Checkpoint`` saves it), and ``Interrupted`` is raised next."""


def hooks_by_name(callbacks) -> dict[str, list]:
    """For each hook, the bound methods of the callbacks that override it."""
    table = {}
    for hook in HOOKS:
        base = getattr(Callback, hook)
        table[hook] = [
            getattr(cb, hook)
            for cb in callbacks
            if getattr(type(cb), hook, base) is not base and callable(getattr(cb, hook, None))
        ]
    return table


def _plain(value) -> bool:
    """Whether ``value`` is plain data (a number, a string, a flag, None, or a list of them)."""
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, bool | int | float | str)
