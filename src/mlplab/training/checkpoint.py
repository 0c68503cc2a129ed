"""Checkpoints: everything needed to resume a run exactly, in one safetensors file.

Tensors (safetensors): ``param/<layer>.<key>`` (weights), ``buffer/<layer>.<key>`` (batch-norm
running statistics), ``optim/<param>.<slot>`` (optimizer state), ``callback/<i>/<key>``
(callback arrays, e.g. early stopping's best weights). Everything else is one JSON document in
the safetensors metadata under ``"mlplab"``: format and version, the trainer's config, the
optimizer's step count, the schedule's config and state, every ``layer.rng`` state, the position
(epoch, batch within the epoch, global step, the epoch's running sums, whether training was
stopped) and the history; ``extra`` holds what the caller adds (a run's config). One file written
atomically (temp file, fsync, rename): a crash leaves the previous checkpoint intact. The
``Checkpoint`` callback also keeps the one before (``previous_path``): a latest file found
corrupt is replaced by it on resume (``load_latest``), with a warning naming the bad file.
Never pickle.
"""

import json
import os
import secrets
import time
import warnings
from pathlib import Path

from mlplab.errors import ConfigError, FileFormatError
from mlplab.files.atomic import atomic_write
from mlplab.files.envelope import pack, read_envelope
from mlplab.files.records_json import RecordsEncoder
from mlplab.training.callbacks import Callback
from mlplab.training.history import History
from mlplab.version import __version__

FORMAT = "mlplab-checkpoint"
#: 2 added the arrays' SHA-256 (verified on load) and named the version ``format_version``.
VERSION = 2


#: the settings that must not change on resume, besides seed, batch_size and shuffle (which fix
#: the batch order): a changed rate or penalty would apply to the rest of the run only
TRAINING_SETTINGS = ("optimizer", "schedule", "l2", "l1", "max_norm", "clip_norm")


class CheckpointWarning(UserWarning):
    """A checkpoint could not be used and an earlier one was (the message names both)."""


def trainer_state(trainer, extra: dict | None = None) -> tuple[dict, dict]:
    """(tensors, metadata) describing ``trainer`` now, between two steps: the network's weights,
    buffers and random states, and ``trainer.state_dict()`` with its arrays as tensors;
    ``extra`` (plain data) is stored as is."""
    net = trainer.net
    tensors = {}
    for name, layer, key in net.parameters():
        tensors[f"param/{name}"] = layer.params[key]
    rngs = {}
    for i, layer in enumerate(net.layers):
        for key, value in getattr(layer, "buffers", {}).items():
            tensors[f"buffer/{i}.{key}"] = value
        rng = getattr(layer, "rng", None)
        if rng is not None:
            rngs[str(i)] = rng.bit_generator.state
    state = trainer.state_dict()
    callbacks = {}
    for j, cb_state in state["callbacks"].items():
        scalars = _split_arrays(cb_state, f"callback/{j}/", tensors)
        callbacks[j] = {"type": type(trainer.callbacks[int(j)]).__name__, "state": scalars}
    meta = {
        "format": FORMAT,
        "format_version": VERSION,
        "mlplab_version": __version__,
        "trainer": trainer.get_config(),
        "optimizer": {
            "config": trainer.optimizer.get_config(),
            "state": _split_arrays(state["optimizer"], "optim/", tensors),
        },
        "schedule": {"config": trainer.schedule.get_config(), "state": state["schedule"]},
        "rng": {"seed": trainer.seed, "layers": rngs},
        "position": state["position"],
        "history": state["history"],
        "callbacks": callbacks,
        "layers": [type(layer).__name__ for layer in net.layers],
    }
    if extra:
        meta["extra"] = extra
    return tensors, meta


def _split_arrays(state: dict, prefix: str, tensors: dict) -> dict:
    """Move ``state``'s arrays into ``tensors`` under ``prefix``; return the other values."""
    scalars = {}
    for key, value in state.items():
        if hasattr(value, "shape"):
            tensors[f"{prefix}{key}"] = value
        else:
            scalars[key] = value
    return scalars


def _join_arrays(scalars: dict, prefix: str, tensors: dict) -> dict:
    """``_split_arrays`` undone: the values and the tensors under ``prefix``, in one dict."""
    state = dict(scalars)
    state.update({k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)})
    return state


def save_checkpoint(
    trainer, path, extra: dict | None = None, keep_previous: bool = False, encode=json.dumps
) -> Path:
    """Write ``trainer``'s full state to ``path`` atomically (after checking weights are finite).

    ``keep_previous``: the file already at ``path`` is kept as ``previous_path(path)`` first
    (a hard link, so that ``path`` is a complete checkpoint at every moment). ``encode``: the
    document's JSON encoder (``Checkpoint`` passes a ``RecordsEncoder``'s)."""
    trainer.check_weights_finite()
    tensors, meta = trainer_state(trainer, extra)
    data = pack(tensors, meta, FORMAT, encode)
    path = Path(path)
    if keep_previous and path.is_file():
        _keep_previous(path)
    return atomic_write(path, data)


def _keep_previous(path: Path) -> None:
    """Make ``previous_path(path)`` the file now at ``path``: a hard link under a temporary
    name of ``atomic_write``'s pattern, renamed over the old one (a copy where links fail)."""
    previous = previous_path(path)
    if previous.is_file() and os.path.samefile(path, previous):
        return  # already kept (the write after the last keep did not happen)
    link = previous.with_name(f".{previous.name}.{secrets.token_hex(4)}.tmp")
    try:
        os.link(path, link)
    except OSError:
        atomic_write(previous, path.read_bytes())
        return
    os.replace(link, previous)


def previous_path(path) -> Path:
    """Where the checkpoint before ``path`` is kept: ``last.safetensors`` ->
    ``last.previous.safetensors``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.previous{path.suffix}")


class CheckpointData:
    """A loaded checkpoint: ``tensors`` (name -> array) and ``meta`` (the JSON document)."""

    def __init__(self, tensors: dict, meta: dict, path: str = "checkpoint"):
        self.tensors, self.meta, self.path = tensors, meta, path

    @property
    def epoch(self) -> int:
        return int(self.meta["position"]["epoch"])

    @property
    def step(self) -> int:
        return int(self.meta["position"]["step"])

    @property
    def history(self) -> History:
        return History(self.meta["history"])

    def restore_weights(self, net) -> None:
        """Copy the parameters and buffers into ``net`` (same architecture), in place."""
        for name, layer, key in net.parameters():
            _copy_into(layer.params, key, self._tensor(f"param/{name}"), self.path, name)
        for i, layer in enumerate(net.layers):
            for key in getattr(layer, "buffers", {}):
                _copy_into(layer.buffers, key, self._tensor(f"buffer/{i}.{key}"), self.path, key)

    @property
    def extra(self) -> dict:
        """What the writer added (``save_checkpoint(..., extra=)``); {} if nothing."""
        extra = self.meta.get("extra")
        return extra if isinstance(extra, dict) else {}

    def restore(self, trainer) -> None:
        """Put ``trainer`` (bound to the same network and optimizer kind) back where it was:
        the weights and random states, then ``trainer.load_state_dict``."""
        meta = self.meta
        self._check_compatible(trainer)
        self.restore_weights(trainer.net)
        for i, layer in enumerate(trainer.net.layers):
            state = meta["rng"]["layers"].get(str(i))
            if state is not None and getattr(layer, "rng", None) is not None:
                layer.rng.bit_generator.state = state
        saved = meta["optimizer"]["config"]["name"]
        if saved != trainer.optimizer.name:
            raise FileFormatError(
                f"{self.path}: checkpoint was written with optimizer {saved!r}, "
                f"the trainer uses {trainer.optimizer.name!r}"
            )
        callbacks = {
            j: _join_arrays(saved_cb["state"], f"callback/{j}/", self.tensors)
            for j, saved_cb in meta["callbacks"].items()
        }
        trainer.load_state_dict(
            {
                "position": meta["position"],
                "history": meta["history"],
                "optimizer": _join_arrays(meta["optimizer"]["state"], "optim/", self.tensors),
                "schedule": meta["schedule"]["state"],
                "callbacks": callbacks,
            }
        )
        trainer.last_checkpoint = self.path

    def _check_compatible(self, trainer) -> None:
        """The batch order depends on the seed, the batch size, shuffling and the training rows:
        a resume with other values would not continue the same run."""
        saved = self.meta["trainer"]
        now = trainer.get_config()
        for key in ("seed", "batch_size", "shuffle"):
            if saved.get(key) != now.get(key):
                raise ConfigError(
                    f"{self.path}: checkpoint was written with {key}={saved.get(key)!r}, the "
                    f"trainer has {key}={now.get(key)!r}; resume with the run's settings"
                )
        changed = [k for k in TRAINING_SETTINGS if k in saved and saved[k] != now.get(k)]
        if changed:
            details = ", ".join(f"{k} {saved[k]!r} -> {now.get(k)!r}" for k in changed)
            raise ConfigError(
                f"{self.path}: the trainer's settings differ from the checkpoint's ({details}); "
                "resume with the run's settings"
            )
        rows = self.meta["position"].get("train_rows")
        if rows is not None and trainer.train_data is not None:
            given = len(trainer.train_data[2])
            if given != rows:
                raise ConfigError(
                    f"{self.path}: checkpoint was written for {rows} training rows, "
                    f"got {given}; resume with the same data and validation split"
                )

    def _tensor(self, key):
        if key not in self.tensors:
            raise FileFormatError(f"{self.path}: checkpoint has no array {key!r}")
        return self.tensors[key]


def _copy_into(store: dict, key, value, path, label) -> None:
    current = store[key]
    if hasattr(current, "shape"):
        if tuple(current.shape) != tuple(value.shape):
            raise FileFormatError(
                f"{path}: {label} has shape {tuple(value.shape)} in the checkpoint, "
                f"the network expects {tuple(current.shape)}"
            )
        current[...] = value
    else:
        store[key] = value.item() if value.ndim == 0 else value


def load_checkpoint(path) -> CheckpointData:
    """Read a checkpoint written by ``save_checkpoint``; ``FileFormatError`` if it is missing,
    truncated, corrupt or not a checkpoint."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileFormatError(f"{path}: no such checkpoint file") from None
    except OSError as e:
        raise FileFormatError(f"{path}: cannot read checkpoint ({e.strerror})") from None
    meta, tensors = read_envelope(path, data, FORMAT, VERSION, "checkpoint", checked_from=2)
    return CheckpointData(tensors, meta, str(path))


def load_latest(path) -> CheckpointData:
    """The checkpoint at ``path`` or, when it is missing, truncated or corrupt, the previous one
    kept beside it (``previous_path``) with a ``CheckpointWarning`` naming the bad file; a
    ``FileFormatError`` naming both when neither can be read. Never a silent start over."""
    path = Path(path)
    try:
        return load_checkpoint(path)
    except FileFormatError as error:
        previous = previous_path(path)
        if not previous.is_file():
            raise
        try:
            checkpoint = load_checkpoint(previous)
        except FileFormatError as second:
            raise FileFormatError(f"{error}; the previous one is unusable too: {second}") from None
        warnings.warn(
            f"{error}; resuming from the previous checkpoint {previous} "
            f"(epoch {checkpoint.epoch + 1}, step {checkpoint.step})",
            CheckpointWarning,
            stacklevel=2,
        )
        return checkpoint


class Checkpoint(Callback):
    """Write ``directory/last.safetensors`` every ``every_epochs`` epochs and/or every
    ``every_steps`` optimizer steps; with ``keep_epochs`` also ``epoch-0001.safetensors`` ...
    (snapshot ensembles read those). ``trainer.last_checkpoint`` names the latest file; the one
    before it is kept as ``last.previous.safetensors`` (``load_latest`` falls back on it). An
    interruption (SIGINT, SIGTERM) saves the current step, whatever the period. ``extra``:
    plain data stored in every checkpoint (a run's config).

    ``max_overhead`` f (0 = off) bounds the share of the time that the epoch-end saves take:
    a due save is put off while less than c / f seconds have passed since the last one ended,
    c being how long that one took (so saving takes at most about f of the time, and a crash
    loses at most about c / f seconds of training more than the period would). The epoch that
    ends training (the last, or one where a callback stops it) always saves. A 10 ms save
    after epochs of 25 ms (the built-in digits) is 40% of the time; epochs of seconds never
    put a save off.
    Resume with ``Trainer(...).fit(X, y, resume=directory / "last.safetensors")``.
    """

    order = 100  # after every other callback, so their state for this epoch is saved too

    def __init__(
        self,
        directory,
        every_epochs: int | None = 1,
        every_steps: int | None = None,
        keep_epochs: bool = False,
        filename: str = "last.safetensors",
        extra: dict | None = None,
        max_overhead: float = 0.0,
    ):
        if not 0.0 <= max_overhead < 1.0:
            raise ConfigError(f"Checkpoint: max_overhead must be in [0, 1), got {max_overhead}")
        self.directory = Path(directory)
        self.every_epochs, self.every_steps = every_epochs, every_steps
        self.keep_epochs, self.filename = keep_epochs, filename
        self.extra = extra
        self.max_overhead = float(max_overhead)
        self._json = RecordsEncoder()  # an epoch's records are encoded once, not at every save
        self._saved_at: float | None = None  # when the last save ended (time.perf_counter)
        self._save_seconds = 0.0  # how long it took

    @property
    def path(self) -> Path:
        return self.directory / self.filename

    def save(self, trainer) -> None:
        """Write the latest checkpoint now, keeping the one before."""
        start = time.perf_counter()
        path = save_checkpoint(
            trainer, self.path, self.extra, keep_previous=True, encode=self._json.encode
        )
        trainer.last_checkpoint = str(path)
        self._saved_at = time.perf_counter()
        self._save_seconds = self._saved_at - start

    def on_batch_end(self, trainer):
        if self.every_steps and trainer.step % self.every_steps == 0:
            self.save(trainer)

    def on_epoch_end(self, trainer):
        due = self.every_epochs and (trainer.epoch + 1) % self.every_epochs == 0
        if due and not self._put_off(trainer):
            self.save(trainer)
        if self.keep_epochs:
            path = self.directory / f"epoch-{trainer.epoch + 1:04d}.safetensors"
            save_checkpoint(trainer, path, self.extra, encode=self._json.encode)

    def _put_off(self, trainer) -> bool:
        """Whether this epoch's due save waits (``max_overhead``)."""
        if not self.max_overhead or self._saved_at is None:
            return False
        if trainer.stop_training or trainer.epoch + 1 >= trainer.end_epoch:
            return False
        waited = time.perf_counter() - self._saved_at
        return waited < self._save_seconds / self.max_overhead

    def on_interrupt(self, trainer):
        self.save(trainer)
