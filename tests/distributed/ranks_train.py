"""Run under mpirun (or alone, for the one-process reference): train a tiny float64 network
on synthetic data with ``Trainer(comm=...)`` and save the weights (rank 0) to ``OUT.npz``.

    mpirun -n 2 python ranks_train.py OUT [--norm batch] [--dropout P] [--fault raise|kill|sigint]
    python ranks_train.py OUT --alone ...

Every rank also writes ``OUT.rank<r>.npz`` with its own weights, the last epoch's logs and the
rows of the memory-mapped training file it read, so the test can check that all ranks agree.
"""

import argparse
import os
import signal
import sys

import numpy as np

from mlplab.network import build_mlp
from mlplab.training import Callback, Trainer


class RowLog(np.memmap):
    """A memmap that records every row index it is asked for (``X[idx]``)."""

    seen: list = []

    def __getitem__(self, index):
        if isinstance(index, np.ndarray):
            RowLog.seen.append(np.array(index))
        return super().__getitem__(index)


def log_file_reads():
    """Record the rows gathered from the file too (memory-mapped batches and evaluation rows
    are read there, not through the map). The NaN scan's ``read_span`` streams the file in
    chunks of at most 8 MiB and is left out."""
    from mlplab.data.file_rows import FileRows

    read = FileRows.read

    def logged_read(self, rows, out):
        RowLog.seen.append(np.array(rows))
        return read(self, rows, out)

    FileRows.read = logged_read


class Fault(Callback):
    """At epoch 2, rank 1 raises or kills itself; or (``sigint``) after step 5 rank 1 alone
    gets SIGINT, once."""

    def __init__(self, kind, rank):
        self.kind, self.rank = kind, rank

    def on_batch_end(self, trainer):
        if self.kind == "sigint" and trainer.step == 5 and self.rank == 1:
            self.kind = "sent"
            os.kill(os.getpid(), signal.SIGINT)

    def on_epoch_end(self, trainer):
        if trainer.epoch == 1 and self.rank == 1 and self.kind in ("raise", "kill"):
            if self.kind == "raise":
                raise RuntimeError("rank 1 fails on purpose")
            os.kill(os.getpid(), 9)


def data(directory, n=203, d=6):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, d))
    y = (x[:, 0] + x[:, 1] ** 2 > 0.5).astype(np.int64) + (x[:, 2] > 0)
    path = os.path.join(directory, "x.f64")
    if not os.path.exists(path):  # rank 0 of a job may write it while others map it: write once
        x.tofile(path + f".{os.getpid()}")
        os.replace(path + f".{os.getpid()}", path)
    return RowLog(path, dtype=np.float64, mode="r", shape=(n, d)), y


def main():
    log_file_reads()
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--alone", action="store_true")
    p.add_argument("--norm", default="none")
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--fault", default="")
    p.add_argument("--weighted", action="store_true", help="random sample weights in [0, 2)")
    a = p.parse_args()
    comm, rank = None, 0
    if not a.alone:
        from mlplab.training.distributed import world

        comm = world()
        rank = comm.rank
    x, y = data(os.path.dirname(os.path.abspath(a.out)))
    config = {"input_size": 6, "output_size": 3, "hidden": [16, 16], "norm": a.norm}
    net = build_mlp({**config, "dropout": a.dropout, "dtype": "float64"}, seed=3)
    callbacks = [Fault(a.fault, rank)] if a.fault else []
    trainer = Trainer(
        net, "adam", lr=0.01, l2=1e-3, clip_norm=5.0, batch_size=a.batch, epochs=a.epochs,
        seed=5, quiet=True, callbacks=callbacks, comm=comm,
    )  # fmt: skip
    weight = np.random.default_rng(7).uniform(0, 2, len(y)) if a.weighted else None
    stopped = []
    try:
        trainer.fit(x, y, validation_split=0.2, sample_weight=weight)
    except KeyboardInterrupt:  # every rank stops at the step after the signal, then finishes
        stopped.append(trainer.step)
        trainer.fit(x, y, validation_split=0.2, sample_weight=weight)
    weights = {name: layer.params[key] for name, layer, key in net.parameters()}
    for i, layer in enumerate(net.layers):
        for key, value in getattr(layer, "buffers", {}).items():
            weights[f"buffer/{i}.{key}"] = value
    logs = trainer.history.records[-1]
    extra = {"logs": np.array([logs["loss"], logs["accuracy"], logs["val_loss"]])}
    reads = np.array([len(rows) for rows in RowLog.seen], np.int64)
    stops = {"stopped": np.array(stopped, np.int64)}
    np.savez(f"{a.out}.rank{rank}.npz", reads=reads, **stops, **weights, **extra)
    if rank == 0:
        np.savez(a.out + ".npz", **weights, **extra)
        np.save(a.out + ".reads.npy", reads)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
