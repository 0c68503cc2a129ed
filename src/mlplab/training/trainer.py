"""The trainer: minibatch gradient descent over arrays, extended by callbacks.

    trainer = Trainer(net, optimizer="adam", lr=1e-3, schedule="cosine", l2=1e-4,
                      batch_size=128, epochs=20, seed=0, callbacks=[EarlyStopping()])
    history = trainer.fit(X, y, validation_split=0.1)

One epoch: a permutation of the training rows drawn from ``default_rng([seed, epoch])`` (so the
order depends on the seed and the epoch only, and a resumed run sees the same order); for each
minibatch (``_train_step``), rows are gathered by index (``np.take``; from a ``np.memmap``, the
epoch's batches are read from its file, the kernel asked for the next few while rows come from
the disk, ``training.prefetch``), then

    scores = net.forward(x, training=True)        # forward
    loss, dscores = loss_fn(scores, y)            # loss
    net.backward(dscores)                         # backward: layer.grads
    penalty = transforms(net)                     # L2, L1, clipping (training/transforms.py)
    optimizer.step()                              # the update, at the schedule's rate
                                                  # (fused: the chain folded into the update)
    for constraint in constraints: constraint(net)  # max-norm

with a finiteness check of loss + penalty before the step. With sample weights the loss is the
batch's weighted mean, Σ wᵢ ℓᵢ / Σ wᵢ (``mlplab.losses``), and each batch counts by its Σ w in
the epoch's means. At the end of the epoch: mean training loss and accuracy (``EpochTotals``:
over the minibatches as they were seen, as Keras reports them), validation loss and accuracy
in evaluation mode (``mlplab.metrics``), the history record, the schedule's plateau signal,
the callbacks.

Data-parallel (``comm``, an mpi4py communicator; ``mlplab.training.distributed``): each rank
gathers its contiguous slice of every global batch, its loss gradient is scaled by n_r/B, and
one in-place ``Allreduce`` of the packed gradient buffer right after backward gives every rank
the one-process gradient before the transforms; batch norm and dropout see the global batch;
the epoch's totals and the validation (sharded) are summed over the ranks.

The learning rate has one owner, the optimizer: ``optimizer.base_lr`` is its configured rate,
``optimizer.lr`` the rate of the next step, which the schedule sets from the base rate each
epoch (or step); ``trainer.lr`` reads it.
"""

import contextlib
import math
import sys
import time

import numpy as np

from mlplab import backend
from mlplab.data.file_rows import file_rows
from mlplab.data.validation import WIDTH_COUNT, check_features, check_labels
from mlplab.errors import ConfigError, DivergenceError, NonFiniteError
from mlplab.kernels.threads import set_threads, threads_setting
from mlplab.metrics import count_correct, evaluate_network
from mlplab.optim import get_optimizer
from mlplab.parameter_buffer import packed_buffer
from mlplab.schedules import get_schedule
from mlplab.training.callbacks import hooks_by_name
from mlplab.training.checkpoint import CheckpointData, load_latest
from mlplab.training.distributed import agree, as_communicator, first_signal, pending_flags
from mlplab.training.divergence import (
    EXPLOSION_FACTOR,
    exploded,
    first_nonfinite_layer,
    starting_loss,
)
from mlplab.training.epoch_totals import EpochTotals
from mlplab.training.history import History
from mlplab.training.interrupts import Interrupted, deferring, pending, signal_name
from mlplab.training.interrupts import clear as clear_interrupt
from mlplab.training.prefetch import batch_reader, prefetch_depth
from mlplab.training.progress import ProgressBar
from mlplab.training.transforms import chain, constraints


class Trainer:
    """Train ``net`` (a ``Sequential``) with an optimizer, a schedule and callbacks.

    optimizer: a name (``"sgd"``, ``"momentum"``, ``"nesterov"``, ``"adagrad"``, ``"rmsprop"``,
        ``"adam"``, ``"adamw"``), a config dict or an ``Optimizer``; ``optimizer_options`` are
        its hyperparameters (``{"momentum": 0.95}``); ``lr`` its base learning rate
        (``None``: the optimizer's default).
    schedule: ``None`` (constant), a spec string (``"cosine"``, ``"step:step_size=10"``,
        ``"cosine:warmup=3"``), a config dict or a ``Schedule``.
    l2, l1: penalty strengths on weights (``decay_params``) only; max_norm: a per-unit bound.
    clip_norm: scale all gradients together to global norm at most this (None: no clipping).
    check_gradients: also check every gradient for NaN/inf at every step (a pass over all
        gradients; off by default — a non-finite gradient shows up as a non-finite loss one step
        later, and weights are checked at the end of every epoch and before every checkpoint).
    quiet: no progress bar (there is none anyway when stderr is not a terminal).
    comm: None (one process) or an mpi4py communicator: data-parallel training over its ranks,
        every rank calling ``fit`` with the same data and settings (``docs/distributed.md``).
    threads: BLAS and fused-kernel threads during ``fit`` (``mlplab.set_threads``); None:
        ``MLPLAB_NUM_THREADS`` if set, else the environment's settings are left as they are.
    """

    def __init__(
        self,
        net,
        optimizer="adam",
        lr: float | None = None,
        schedule=None,
        l2: float = 0.0,
        l1: float = 0.0,
        max_norm: float | None = None,
        clip_norm: float | None = None,
        batch_size: int = 128,
        epochs: int = 10,
        seed: int = 0,
        shuffle: bool = True,
        callbacks=(),
        quiet: bool = False,
        optimizer_options: dict | None = None,
        check_gradients: bool = False,
        comm=None,
        threads: int | None = None,
    ):
        self.net = net
        self.comm = as_communicator(comm)
        #: the BLAS's and the fused kernels' threads during ``fit`` (``mlplab.set_threads``);
        #: None: ``MLPLAB_NUM_THREADS``, else the environment's settings as they are
        self.threads = threads_setting(threads, "Trainer threads")
        options = dict(optimizer_options or {})
        if lr is not None:
            options["lr"] = lr
        # the optimizer owns the rate: its base_lr, set once, here (an Optimizer object passed
        # in takes ``lr`` too); the schedule derives each step's rate from it
        self.optimizer = get_optimizer(optimizer, **options)
        self.schedule = get_schedule(schedule)
        _check_options(l2, l1, max_norm, clip_norm, batch_size, epochs)
        self.l2, self.l1, self.max_norm, self.clip_norm = float(l2), float(l1), max_norm, clip_norm
        self.batch_size, self.epochs = int(batch_size), int(epochs)
        self.seed, self.shuffle = int(seed), bool(shuffle)
        self.callbacks = list(callbacks)
        self.quiet = bool(quiet)
        self._gradient_checks = bool(check_gradients)
        self.history = History()
        # where training stands (read by callbacks, saved in checkpoints by ``state_dict``)
        self.epoch = 0
        self.batch = 0
        self.step = 0
        self.steps_per_epoch = 0
        self.end_epoch = self.epochs
        self.batch_loss = math.nan
        self.x_batch = self.y_batch = self.w_batch = None
        self.epoch_logs: dict = {}
        self.totals = EpochTotals()  # this epoch so far
        self.stop_training = False
        self.last_checkpoint = None
        #: the loss of the first minibatch, before any update (``training.divergence``)
        self.start_loss = None
        #: (X, y, training row indices) and (X_val, y_val, rows) or None, set by ``fit``
        self.train_data = self.validation_data = None
        #: the sample weights of the training and validation X's rows (None: unweighted)
        self.sample_weight = self.validation_weight = None
        #: the chain of gradient transforms and the constraints, built by ``fit`` from l2, l1,
        #: clip_norm and max_norm (``mlplab.training.transforms``)
        self.transforms, self.constraints = chain(), []
        self._epoch_done = False  # the current epoch's record is in the history
        self._epoch_start = None  # perf_counter at the epoch's first batch
        self._buffers = {}  # gather buffers by batch length
        self._reader = None  # this epoch's batches read from a memory-mapped file (prefetch)
        self._bound = False
        self._gradients = None  # the packed gradient buffer (or the arrays) summed over ranks
        self._step_signal = None  # the signal the last step's reduction found on some rank
        self.x_rows_start = 0  # where this rank's rows start in the global batch
        self._interrupted = False  # the last fit stopped on a signal: the next one finishes it

    @property
    def check_gradients(self) -> bool:
        """Whether every step checks every gradient for NaN/inf: the option, or debug mode
        (``mlplab.backend.set_debug(True)``, ``MLPLAB_DEBUG=1``)."""
        return self._gradient_checks or backend.debug

    @check_gradients.setter
    def check_gradients(self, on: bool) -> None:
        self._gradient_checks = bool(on)

    @property
    def lr(self) -> float:
        """The learning rate of the current step (the optimizer's ``lr``, set by the schedule)."""
        return self.optimizer.lr

    # -- configuration --------------------------------------------------------------------------
    def get_config(self) -> dict:
        """The training choices (not the network) as plain data."""
        return {
            "optimizer": self.optimizer.get_config(),
            "schedule": self.schedule.get_config(),
            "l2": self.l2,
            "l1": self.l1,
            "max_norm": self.max_norm,
            "clip_norm": self.clip_norm,
            "batch_size": self.batch_size,
            "epochs": self.epochs,
            "seed": self.seed,
            "shuffle": self.shuffle,
        }

    @classmethod
    def from_config(cls, net, config: dict, **kwargs) -> "Trainer":
        """A trainer from ``get_config()``'s dict; ``kwargs`` (callbacks, quiet, ...) are added."""
        config = dict(config)
        try:
            return cls(net, **config, **kwargs)
        except TypeError as e:
            raise ConfigError(f"trainer config: {e}") from None

    # -- state ----------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """Where training stands, as plain data (arrays are the live ones): ``position`` (the
        epoch and batch to continue from, the global step, the epoch's running ``sums``, the
        learning rate, the number of training rows), ``history`` (the records),
        ``optimizer`` and ``schedule`` (their ``state_dict()``), ``callbacks`` (``{index:
        state_dict()}`` of the callbacks that have one). The network's weights are not in it."""
        epoch_done = self.batch >= self.steps_per_epoch and self._epoch_done
        return {
            "position": {
                "epoch": self.epoch + 1 if epoch_done else self.epoch,
                "batch": 0 if epoch_done else self.batch,
                "step": self.step,
                "sums": self.totals.to_list(),
                "lr": self.lr,
                "train_rows": len(self.train_data[2]) if self.train_data else None,
                "start_loss": self.start_loss,
            },
            "history": self.history.records,
            "optimizer": self.optimizer.state_dict(),
            "schedule": self.schedule.state_dict(),
            "callbacks": {
                str(j): cb.state_dict()
                for j, cb in enumerate(self.callbacks)
                if hasattr(cb, "state_dict")
            },
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore a ``state_dict`` (with the network's weights restored apart): training then
        continues exactly where it stood. Callbacks are matched by their index."""
        self._bind_optimizer()
        self.optimizer.load_state_dict(state["optimizer"])
        self.schedule.load_state_dict(state["schedule"])
        for j, cb in enumerate(self.callbacks):
            saved = state["callbacks"].get(str(j))
            if saved is not None and hasattr(cb, "load_state_dict"):
                cb.load_state_dict(saved)
        position = state["position"]
        self.epoch, self.batch, self.step = position["epoch"], position["batch"], position["step"]
        self.totals = EpochTotals.from_list(position["sums"])
        self.optimizer.lr = position["lr"]
        self.history = History(state["history"])
        first = self.history.records[0].get("loss") if self.history.records else None
        self.start_loss = position.get("start_loss", first)  # older checkpoints: epoch 1's

    def _bind_optimizer(self) -> None:
        if not self._bound:
            self.optimizer.bind(self.net)
            self._bound = True

    def release_data(self) -> None:
        """Let go of the training data, the last batch and the gather buffers (a trainer kept
        after ``fit``, as by the scikit-learn estimators, then holds no data)."""
        self.train_data = self.validation_data = None
        self.sample_weight = self.validation_weight = None
        self.x_batch = self.y_batch = self.w_batch = None
        self._buffers = {}

    # -- data -----------------------------------------------------------------------------------
    def _check_arrays(self, X, y, what: str):
        """Features (N, D) in the network's dtype (a memory map is read as it is) and labels:
        class indices 0..C-1, or targets for regression (``mlplab.data.validation``). The
        NaN/inf scan is skipped for arrays already checked (a loader's, a preprocessing's)."""
        X = check_features(
            X, f"{what} X", self.net.in_features, dtype=self.net.dtype, mismatch=WIDTH_COUNT
        )
        if getattr(self.net.loss, "task", "classification") == "classification":
            y = check_labels(y, f"{what} y", len(X), n_classes=_output_units(self.net) or 0)
        else:
            y = check_labels(y, f"{what} y", len(X), dtype=self.net.dtype)
        return X, y

    def _prepare(self, X, y, validation_data, validation_split):
        X, y = self._check_arrays(X, y, "training data")
        n = len(X)
        train_idx = np.arange(n)
        val = None
        if validation_data is not None:
            Xv, yv = validation_data
            Xv, yv = self._check_arrays(Xv, yv, "validation data")
            val = (Xv, yv, np.arange(len(Xv)))
        elif validation_split:
            if not 0 < validation_split < 1:
                raise ConfigError(
                    f"trainer: validation_split must be in (0, 1), got {validation_split}"
                )
            n_val = int(round(n * validation_split))
            if n_val < 1 or n_val >= n:
                raise ConfigError(
                    f"trainer: validation_split {validation_split} of {n} samples leaves "
                    f"{n_val} for validation and {n - n_val} for training"
                )
            order = np.random.default_rng([self.seed, 2**32 - 1]).permutation(n)
            train_idx, val_idx = np.sort(order[n_val:]), np.sort(order[:n_val])
            val = (X, y, val_idx)
        return X, y, train_idx, val

    def _gather(self, X, y, idx, in_order: bool = False):
        """The rows ``idx`` of X and y as contiguous arrays in the network's dtype (and of the
        sample weights, ``w_batch``); of a memory-mapped X, the epoch's reader's next batch.
        With ``in_order`` (idx increasing: the epoch is not shuffled), consecutive rows of a
        C-contiguous X in that dtype come as a read-only view: copying them (a batch of
        256 × 3072 float32 takes about 0.3 ms) would only move bytes."""
        if self.sample_weight is not None:
            self.w_batch = self.sample_weight[idx]
        if self._reader is not None:
            return self._reader.next(), y[idx]
        dtype = self.net.dtype
        if X.dtype == dtype and not isinstance(X, np.memmap):
            if in_order and _consecutive(idx) and X.flags.c_contiguous:
                view = X[idx[0] : idx[-1] + 1]
                view.flags.writeable = False
                return view, y[idx]
            buf = self._buffers.get(len(idx))
            if buf is None:
                buf = self._buffers[len(idx)] = np.empty((len(idx), X.shape[1]), dtype)
            # mode "clip": idx is the trainer's own, in range; the default "raise" with ``out``
            # copies through a temporary (three times as slow as the gather itself)
            xb = X.take(idx, 0, buf, "clip")
        else:
            xb = np.asarray(X[idx], dtype=dtype)
        return xb, y[idx]

    def _shard(self, idx):
        """This rank's contiguous part of a global batch's rows (all of them in one process);
        dropout layers learn which rows of the global batch these are."""
        if self.comm is None:
            return idx
        part = self.comm.shard(len(idx))
        weight = self.sample_weight
        self._global_share = len(idx) if weight is None else float(weight[idx].sum())
        self.x_rows_start = part.start
        for layer in self.net.layers:
            if hasattr(layer, "rows"):
                layer.rows = (part.start, part.stop, len(idx))
        return idx[part]

    def _epoch_order(self, epoch: int, train_idx):
        if not self.shuffle:
            return train_idx
        return np.random.default_rng([self.seed, epoch]).permutation(train_idx)

    def _batch_rows(self, order, batch: int):
        """The row indices of minibatch ``batch`` of an epoch in ``order`` (the last batch takes
        the rows left)."""
        stop = len(order) if batch == self.steps_per_epoch - 1 else (batch + 1) * self.batch_size
        return order[batch * self.batch_size : stop]

    def _open_reader(self, X, order):
        """For a memory-mapped X, a reader of this epoch's batches from ``self.batch`` on,
        the kernel reading ahead from the disk (``mlplab.training.prefetch``); else None."""
        rows = None if prefetch_depth() is None else file_rows(X)
        if rows is None:
            return None
        batches = [self._batch_rows(order, b) for b in range(self.batch, self.steps_per_epoch)]
        if self.comm is not None:  # this rank's rows only, as ``_shard`` picks them each step
            batches = [idx[self.comm.shard(len(idx))] for idx in batches]
        return batch_reader(rows, batches, self.net.dtype)

    # -- the loop -------------------------------------------------------------------------------
    def fit(
        self,
        X,
        y,
        validation_data=None,
        validation_split: float = 0.0,
        resume=None,
        epochs: int | None = None,
        sample_weight=None,
    ):
        """Train; return the ``History``.

        X: (N, D) array (a ``np.memmap`` is read batch by batch); y: (N,) integer labels for
        classification, targets for regression. ``validation_data=(X_val, y_val)`` or
        ``validation_split`` (a seeded random fraction of X held out). ``resume``: a checkpoint
        path written by ``Checkpoint`` — training continues exactly where it stopped, up to the
        trainer's ``epochs`` in all. Without ``resume``, trains ``epochs`` (default: the
        trainer's) more epochs: a second ``fit`` continues from where the first ended, keeping
        the optimizer's state and the history (Keras's behaviour; ``partial_fit`` style).
        ``sample_weight``: (N,) weights >= 0 of X's rows (``mlplab.data.sample_weights``): the
        loss, the training and validation metrics (and so early stopping) are weighted means;
        ``validation_data=(X_val, y_val, w_val)`` weights the validation rows, and a
        ``validation_split`` keeps its rows' weights.

        SIGINT (Ctrl-C) stops training between two steps (``mlplab.training.interrupts``): the
        callbacks' ``on_interrupt`` run (``Checkpoint`` saves the current step), then
        ``Interrupted`` (a ``KeyboardInterrupt``) is raised; the trainer stays consistent, and a
        later ``fit`` without ``epochs`` finishes the interrupted one.
        """
        validation_data, val_weight = _split_weight(validation_data)

        def prepare():  # checked on every rank; with ``comm`` an error is agreed before training
            X_, y_, train_idx, val = self._prepare(X, y, validation_data, validation_split)
            split = val is not None and val[0] is X_
            self._set_weights(sample_weight, len(X_), val_weight, split)
            return X_, y_, train_idx, val

        X, y, train_idx, val = agree(self.comm, prepare)
        # overflow on the way to a divergence is reported once, by DivergenceError
        threads = contextlib.nullcontext() if self.threads is None else set_threads(self.threads)
        try:
            with np.errstate(over="ignore", invalid="ignore"), deferring(), threads:
                return self._fit(X, y, train_idx, val, resume, epochs)
        finally:
            if self.comm is not None:
                self._bind_layers(None)  # the network alone computes as in one process again

    def _set_weights(self, sample_weight, n_rows, val_weight, split_from_training) -> None:
        from mlplab.data.sample_weights import check_sample_weight

        self.sample_weight = check_sample_weight(sample_weight, n_rows)
        self.w_batch = None
        if split_from_training:
            val_weight = self.sample_weight
        elif val_weight is not None:
            val_weight = check_sample_weight(val_weight[1], val_weight[0], "validation weight")
        self.validation_weight = val_weight

    def _fit(self, X, y, train_idx, val, resume, epochs):
        hooks = self._begin(X, y, train_idx, val, resume, epochs)
        for hook in hooks["on_train_begin"]:
            hook(self)
        while self.epoch < self.end_epoch and not self.stop_training:
            self._check_interrupt(hooks)
            if not self._train_epoch(hooks):
                break  # stopped mid-epoch by a callback
            self._end_epoch()
            for hook in hooks["on_epoch_end"]:
                hook(self)
            self.epoch += 1
            self.batch = 0
        self._interrupted = False
        for hook in hooks["on_train_end"]:
            hook(self)
        return self.history

    def _check_interrupt(self, hooks, after_step: bool = False) -> None:
        """Between two steps: if a signal came, run ``on_interrupt`` (a checkpoint of this step)
        and raise ``Interrupted``. A second signal during ``on_interrupt`` stops it at once.

        With ``comm`` the signal is the one every rank agreed on (``_agreed_signal``), so all
        ranks stop at the same step; rank 0 first gathers the epoch's running sums, so that its
        checkpoint holds those of the global batches."""
        signum = pending() if self.comm is None else self._agreed_signal(after_step)
        if signum is None:
            return
        if self.comm is not None:
            self._gather_totals()
        saved, self.last_checkpoint = self.last_checkpoint, None
        try:
            for hook in hooks["on_interrupt"]:
                hook(self)
        finally:
            written = self.last_checkpoint
            self.last_checkpoint = written or saved
        clear_interrupt()
        self._interrupted = True
        where = f"epoch {self.epoch + 1}, step {self.step}"
        note = f"; checkpoint saved: {written}" if written else ""
        raise self._agreed(
            Interrupted(signum, f"interrupted by {signal_name(signum)} at {where}{note}")
        )

    def _agreed_signal(self, after_step: bool) -> int | None:
        """The lowest signal pending on any rank: after a step, as that step's reduction found
        it (``_train_step``); else reduced now. A signal that comes later on one rank is in the
        next reduction."""
        if after_step:
            signum, self._step_signal = self._step_signal, None
            return signum
        return first_signal(self.comm.sum(pending_flags(pending())))

    def _gather_totals(self) -> None:
        """The epoch's running sums over every rank's rows on rank 0 (zero elsewhere)."""
        sums = self._summed_totals()
        self.totals = sums if self.comm.root else EpochTotals()

    def _summed_totals(self) -> EpochTotals:
        loss_sum, penalty_sum, correct, seen = self.comm.sum(self.totals.to_list())
        if self.sample_weight is None:  # counts, not sums of weights
            correct, seen = int(correct), int(seen)
        return EpochTotals(loss_sum, penalty_sum, correct, seen)

    def _agreed(self, error):
        """``error``, marked as met by every rank at the same point when training on ranks
        (rank 0 reports it, ``mlplab.training.distributed.exit_on_error``)."""
        if self.comm is not None:
            error.agreed = True
        return error

    def _restore(self, resume) -> None:
        checkpoint = resume if isinstance(resume, CheckpointData) else load_latest(resume)
        checkpoint.restore(self)

    def _begin(self, X, y, train_idx, val, resume, epochs) -> dict:
        """Set up a ``fit``: the data, the epoch length, the optimizer's binding, the transforms,
        the checkpoint to resume from (or the pending data-driven init); return the hooks."""
        self._buffers = {}
        self.train_data, self.validation_data = (X, y, train_idx), val
        n, bs = len(train_idx), self.batch_size
        # a lone trailing row joins the batch before it (batch norm needs two rows to train)
        self.steps_per_epoch = n // bs if n > bs and n % bs == 1 else -(-n // bs)
        self.schedule.bind(self.epochs, self.steps_per_epoch)
        self._bind_optimizer()
        self.transforms = chain(self.l2, self.l1, self.clip_norm)
        self.constraints = constraints(self.max_norm)
        if resume is not None:
            agree(self.comm, lambda: self._restore(resume))
            self.end_epoch = self.epochs
        elif self._interrupted and epochs is None:
            pass  # finish the interrupted fit, to the same end
        else:
            self.end_epoch = self.epoch + (self.epochs if epochs is None else int(epochs))
            self._finish_init(X, train_idx)
        callbacks = list(self.callbacks)
        if not self.quiet and sys.stderr.isatty():
            callbacks.append(ProgressBar())
        callbacks.sort(key=lambda cb: getattr(cb, "order", 0))
        self.stop_training = False
        self._bind_ranks()
        return hooks_by_name(callbacks)

    def _bind_ranks(self) -> None:
        """Data-parallel set-up: the gradients to sum, batch norm's reduction (unset in one
        process, should the network come from a distributed fit); the epoch's running sums
        restored from a checkpoint are counted once (by rank 0)."""
        comm = self.comm
        self._bind_layers(comm)
        if comm is None:
            return
        arrays = [layer.grads[key] for _, layer, key in self.net.parameters()]
        packed = packed_buffer(arrays)
        self._gradients = [packed] if packed is not None else arrays
        if not comm.root:
            self.totals.reset()

    def _bind_layers(self, comm) -> None:
        """Batch norm's reduction over ``comm``'s ranks (none without), dropout's rows unset."""
        for layer in self.net.layers:
            if hasattr(layer, "reduce"):
                layer.reduce = None if comm is None else comm.sum_in_place
            if hasattr(layer, "rows"):
                layer.rows = None

    def _train_epoch(self, hooks) -> bool:
        """Train epoch ``self.epoch`` from batch ``self.batch`` on; False if a callback stopped
        it before its last batch."""
        X, y, train_idx = self.train_data
        order = self._epoch_order(self.epoch, train_idx)
        self._epoch_done = False
        if self.batch == 0:
            self.totals.reset()
            self._epoch_start = time.perf_counter()
            for hook in hooks["on_epoch_begin"]:
                hook(self)
        elif self._epoch_start is None:
            self._epoch_start = time.perf_counter()
        if self.schedule.unit != "step":
            self.optimizer.lr = self.schedule.lr(self.epoch, self.optimizer.base_lr)
        self._reader = self._open_reader(X, order)
        try:
            self._train_batches(hooks, X, y, order)
        finally:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
        return self.batch >= self.steps_per_epoch

    def _train_batches(self, hooks, X, y, order) -> None:
        """The epoch's minibatches from ``self.batch`` on, until its end or a stop."""
        optimizer, schedule = self.optimizer, self.schedule
        per_step_lr = schedule.unit == "step"
        on_batch_begin, on_batch_end = hooks["on_batch_begin"], hooks["on_batch_end"]
        in_order = order is self.train_data[2]  # the training rows' own increasing indices
        while self.batch < self.steps_per_epoch:
            rows = self._shard(self._batch_rows(order, self.batch))
            xb, yb = self._gather(X, y, rows, in_order)
            self.x_batch, self.y_batch = xb, yb
            if per_step_lr:
                optimizer.lr = schedule.lr(self.step, optimizer.base_lr)
            for hook in on_batch_begin:
                hook(self)
            self._train_step(xb, yb, self.w_batch)
            self.batch += 1
            self.step += 1
            for hook in on_batch_end:
                hook(self)
            self._check_interrupt(hooks, after_step=True)
            if self.stop_training:
                break

    def _train_step(self, xb, yb, wb=None) -> None:
        """One minibatch: forward, loss, backward, the gradient transforms, the update, the
        constraints; the batch's loss, penalty and correct predictions join the epoch's totals
        (weighted by the batch's sample weights ``wb`` when there are any)."""
        net, loss_fn = self.net, self.net.loss
        scores = net.forward(xb, True)
        correct = None  # the batch's right predictions, if the loss counts them in its pass
        if self.comm is None:
            loss, dscores, correct = _loss_and_correct(loss_fn, scores, yb, wb)
        else:
            loss, dscores = self._rank_loss(scores, yb, wb)
        net.backward(dscores, input_grad=False)
        rows_loss = loss  # this rank's rows' mean, for the epoch's totals
        if self.comm is not None:
            for gradients in self._gradients:
                self.comm.sum_in_place(gradients)
            loss = self._global_loss(loss, yb, wb)
        # fused: the update applies the chain in its own pass (training/transforms.py)
        folded = None if self.check_gradients else self.transforms.fold(self.optimizer)
        penalty = self.transforms(net) if folded is None else folded.penalty
        if not math.isfinite(loss + penalty):
            self._diverged(loss + penalty, "loss", xb)
        if self.start_loss is None:
            self.start_loss = float(loss)
        if self.check_gradients:
            self._check_gradients(xb)
        if folded is None:
            self.optimizer.step()
        else:
            self.optimizer.step(folded)
        for constraint in self.constraints:
            constraint(net)
        if correct is None:
            correct = count_correct(loss_fn.predict(scores), yb, wb) if _classifies(loss_fn) else 0
        self.totals.add(rows_loss, penalty, len(yb) if wb is None else float(wb.sum()), correct)
        self.batch_loss = loss

    def _rank_loss(self, scores, yb, wb):
        """This rank's loss (a mean over its rows: Σ ℓ / n_r, or Σ wℓ / Σ w) and its gradient
        scaled by n_r / B (Σ w over its rows / Σ w over the global batch's), so that the sum
        over the ranks is the gradient of the global batch's mean."""
        share = len(yb) if wb is None else float(wb.sum())
        if not share:  # none of the global batch's rows (or weight) on this rank
            return 0.0, scores * 0
        loss_fn = self.net.loss
        loss, dscores = loss_fn(scores, yb) if wb is None else loss_fn(scores, yb, weight=wb)
        dscores *= share / self._global_share
        return loss, dscores

    def _global_loss(self, loss, yb, wb) -> float:
        """The global batch's mean loss Σᵣ Lᵣ·nᵣ / B, the same on every rank (so are the
        divergence checks on it); the same reduction carries the ranks' pending signals."""
        share = len(yb) if wb is None else float(wb.sum())
        sums = self.comm.sum([loss * share, *pending_flags(pending())])
        self._step_signal = first_signal(sums[1:])
        return float(sums[0] / self._global_share) if self._global_share else 0.0

    def _finish_init(self, X, train_idx, rows: int = 256):
        """Run the data-driven init that ``build_mlp`` left pending (``--init lsuv``, ``data``,
        ``krahenbuhl``): ``mlplab.init.data_init`` on the first ``max(rows, batch_size)``
        training rows in the first epoch's order. Once per network; a resumed run has its
        weights from the checkpoint instead."""
        if getattr(self.net, "pending_data_init", None) is None:
            return
        from mlplab.network_init import data_init

        order = self._epoch_order(self.epoch, train_idx)
        idx = np.sort(order[: max(rows, self.batch_size)])  # sorted: a memmap reads forward
        data_init(self.net, np.asarray(X[idx], dtype=self.net.dtype))

    def _end_epoch(self):
        """The epoch's record: mean training loss (accuracy, penalty), validation metrics, the
        learning rate and the time; then the schedule's plateau signal."""
        totals, val = self.totals, self.validation_data
        if self.comm is not None:  # the sums of every rank's rows
            totals = self._summed_totals()
        self.check_weights_finite()
        logs = {"epoch": self.epoch + 1, "loss": totals.mean_loss()}
        self._check_explosion(logs["loss"])
        if _classifies(self.net.loss):
            logs["accuracy"] = totals.accuracy()
        if self.l2 or self.l1:
            logs["penalty"] = totals.mean_penalty()
        if val is not None:
            logs.update(
                self.evaluate(
                    val[0], val[1], rows=val[2], prefix="val_", weight=self.validation_weight
                )
            )
        logs["lr"] = self.lr
        logs["time"] = time.perf_counter() - self._epoch_start
        self.history.append(logs)
        self.epoch_logs = self.history.records[-1]
        self._epoch_done = True
        self.schedule.observe(logs.get("val_loss", logs["loss"]))

    # -- evaluation -----------------------------------------------------------------------------
    def evaluate(
        self, X, y, rows=None, prefix: str = "", batch_size: int = 2048, weight=None
    ) -> dict:
        """Mean loss (and accuracy) in evaluation mode over ``rows`` of (X, y) (default: all),
        weighted by ``weight`` (one per row of X) if given: ``mlplab.metrics.evaluate_network``."""
        rows = np.arange(len(X)) if rows is None else rows
        if self.comm is not None:
            found = self._evaluate_ranks(X, y, rows, batch_size, weight)
        else:
            found = evaluate_network(self.net, X, y, rows, batch_size, weight=weight)
        out = {f"{prefix}loss": found["loss"]}
        if "accuracy" in found:
            out[f"{prefix}accuracy"] = found["accuracy"]
        return out

    def _evaluate_ranks(self, X, y, rows, batch_size, weight=None) -> dict:
        """``evaluate_network`` of each rank's contiguous part of ``rows``; loss Σ Lᵣ·nᵣ / N and
        accuracy Σ correctᵣ / N summed over the ranks (nᵣ, N: Σ w with ``weight``), so every
        rank gets the same numbers."""
        mine = rows[self.comm.shard(len(rows))]
        found = evaluate_network(self.net, X, y, mine, batch_size, weight=weight)
        count = found["examples"] if weight is None else float(weight[mine].sum())
        correct = found.get("accuracy", 0.0) * count
        correct = round(correct) if weight is None else correct
        loss_sum, correct, total = self.comm.sum([found["loss"] * count, correct, count])
        result = {"loss": loss_sum / total}
        if "accuracy" in found:
            result["accuracy"] = correct / total
        return result

    # -- divergence -----------------------------------------------------------------------------
    def _diverged(self, value, what, xb):
        row = self._nonfinite_row(xb)
        if row is not None:
            raise self._agreed(
                NonFiniteError(
                    f"training data: non-finite value in batch {self.batch} of epoch "
                    f"{self.epoch + 1} (row {row} of the batch)"
                )
            )
        where = (
            f" The last good checkpoint is {self.last_checkpoint}." if self.last_checkpoint else ""
        )
        lr = self.optimizer.lr
        layer = first_nonfinite_layer(self.net, xb)
        value = f"{value} (first non-finite: {layer})" if layer else value
        raise self._agreed(
            DivergenceError(
                f"training diverged at epoch {self.epoch + 1}, step {self.step + 1}: the {what} is "
                f"{value} with learning rate {lr:g}. The learning rate is the usual suspect: "
                f"try a smaller one (for example {lr / 10:g}).{where}"
            )
        )

    def _nonfinite_row(self, xb) -> int | None:
        """The first row of the (global) batch holding NaN or inf, or None."""
        bad = np.argwhere(~np.isfinite(xb))
        row = int(bad[0][0]) if len(bad) else None
        if self.comm is None:
            return row
        first = None if row is None else self.x_rows_start + row
        found = [r for r in self.comm.comm.allgather(first) if r is not None]
        return min(found) if found else None

    def _check_explosion(self, mean_loss) -> None:
        """A finite loss far above its starting value is divergence too (training.divergence)."""
        if getattr(self, "y_batch", None) is None:
            return
        floor = max(1.0, self.start_loss or 0.0)  # the reference is never below it
        if self.comm is None and not exploded(mean_loss, floor):
            return  # (the usual case: no need to compute the reference)
        reference = starting_loss(self.net.loss, self.y_batch, _output_units(self.net) or 1)
        if self.comm is not None:  # the global last batch's: Σᵣ refᵣ·nᵣ / B
            rows = len(self.y_batch)
            total, seen = self.comm.sum([reference * rows, rows])
            reference = total / seen if seen else 1.0
        reference = max(reference, self.start_loss or 0.0)
        if exploded(mean_loss, reference):
            lr = self.optimizer.lr
            raise self._agreed(
                DivergenceError(
                    f"training diverged in epoch {self.epoch + 1}: the mean training loss "
                    f"{mean_loss:.3g} is over {EXPLOSION_FACTOR:g} × its starting value "
                    f"{reference:.3g} with learning rate {lr:g}. The learning rate is the usual "
                    f"suspect: try a smaller one (for example {lr / 10:g}).{self._last_good()}"
                )
            )

    def _last_good(self) -> str:
        return f" The last good checkpoint is {self.last_checkpoint}." * bool(self.last_checkpoint)

    def _check_gradients(self, xb):
        for name, layer, key in self.net.parameters():
            g = layer.grads[key]
            if not np.isfinite(g).all():
                self._diverged("non-finite", f"gradient of {name}", xb)

    def check_weights_finite(self) -> None:
        """Raise ``DivergenceError`` if any parameter holds NaN or inf."""
        for name, layer, key in self.net.parameters():
            if not np.isfinite(layer.params[key]).all():
                lr = self.optimizer.lr
                error = DivergenceError(
                    f"training diverged by epoch {self.epoch + 1}, step {self.step}: parameter "
                    f"{name} of {layer.name} holds NaN or inf (a non-finite gradient or update) "
                    f"with learning rate {lr:g}. The learning rate is the usual "
                    f"suspect: try a smaller one (for example {lr / 10:g}).{self._last_good()}"
                )
                raise self._agreed(error)


def _loss_and_correct(loss_fn, scores, yb, wb):
    """(loss, dL/ds, rows predicted right): from one pass where the loss counts them itself
    (``SoftmaxCrossEntropy.loss_and_correct``), else None for the count, made after the step."""
    counting = getattr(loss_fn, "loss_and_correct", None)
    if counting is not None:
        return counting(scores, yb, wb)
    loss, dscores = loss_fn(scores, yb) if wb is None else loss_fn(scores, yb, weight=wb)
    return loss, dscores, None


def _split_weight(validation_data):
    """``(X_val, y_val)`` and None, or ``(X_val, y_val)`` and ``(rows, w_val)`` for a triple."""
    if validation_data is None or len(validation_data) != 3:
        return validation_data, None
    xv, yv, wv = validation_data
    return (xv, yv), (len(xv), wv)


def _consecutive(idx) -> bool:
    """Whether increasing row indices ``idx`` are idx[0], idx[0] + 1, ..., idx[-1]."""
    return len(idx) > 0 and idx[-1] - idx[0] == len(idx) - 1


def _classifies(loss_fn) -> bool:
    """Whether the loss predicts classes (then accuracy is reported)."""
    return getattr(loss_fn, "task", "classification") in ("classification", "binary")


def _check_options(l2, l1, max_norm, clip_norm, batch_size, epochs) -> None:
    for label, value in (("l2", l2), ("l1", l1)):
        if not value >= 0:
            raise ConfigError(f"trainer: {label} must be >= 0, got {value}")
    for label, value in (("max_norm", max_norm), ("clip_norm", clip_norm)):
        if value is not None and not value > 0:
            raise ConfigError(f"trainer: {label} must be positive, got {value}")
    if int(batch_size) < 1:
        raise ConfigError(f"trainer: batch_size must be at least 1, got {batch_size}")
    if int(epochs) < 0:
        raise ConfigError(f"trainer: epochs must be >= 0, got {epochs}")


def _output_units(net) -> int | None:
    """The width of the network's last layer with a known width (None if unknown)."""
    for layer in reversed(net.layers):
        units = getattr(layer, "out_features", None)
        if units is not None:
            return int(units)
    return None
