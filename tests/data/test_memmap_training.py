"""The memory-mapped loader trains an epoch over a file of at least 1 GiB while the process's
anonymous resident memory (RssAnon: heap, not file-backed pages) stays far below the file size.

The epoch is the ``Trainer``'s (shuffled minibatches gathered row by row from the memory map);
a callback samples RssAnon after every minibatch.
"""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

GIB = 2**30
FEATURES = 512

EPOCH_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np

    def rss_anon_bytes():
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError("no RssAnon in /proc/self/status")

    from mlplab.data import load_data
    from mlplab.network import build_mlp
    from mlplab.training import Callback, Trainer

    class RssAnonPeak(Callback):
        def __init__(self):
            self.peak, self.seen = rss_anon_bytes(), 0

        def on_batch_end(self, trainer):
            self.peak = max(self.peak, rss_anon_bytes())
            self.seen += len(trainer.y_batch)

    # the library's own code (the compiled kernels, the BLAS buffers) loads on a first fit: the
    # measure below is what the data costs
    rng = np.random.default_rng(0)
    warm = build_mlp({"input_size": 512, "hidden": [32], "output_size": 10}, seed=0)
    Trainer(warm, optimizer="sgd", lr=0.1, batch_size=2048, epochs=1, seed=0, quiet=True).fit(
        rng.standard_normal((4096, 512), dtype=np.float32), rng.integers(0, 10, 4096))
    before = rss_anon_bytes()
    data = load_data(sys.argv[1], val_fraction=0.02)
    assert isinstance(data.x_train, np.memmap), type(data.x_train)
    net = build_mlp({"input_size": data.n_features, "hidden": [32], "output_size": 10}, seed=0)
    monitor = RssAnonPeak()
    trainer = Trainer(net, optimizer="sgd", lr=0.1, batch_size=2048, epochs=1, seed=0,
                      callbacks=[monitor], quiet=True)
    history = trainer.fit(data.x_train, data.y_train, validation_data=(data.x_val, data.y_val))
    record = history.records[-1]
    print(json.dumps({"before": before, "peak": monitor.peak, "seen": monitor.seen,
                      "train": len(data.x_train), "loss": record["loss"],
                      "val": record["val_accuracy"]}))
    """
)


def write_large_npy_pair(directory, rows, features):
    """x_train.npy (rows, features) float32 written in chunks (never whole in memory) and
    learnable labels: the class is the argmax of the first 10 features."""
    x = np.lib.format.open_memmap(
        directory / "x_train.npy", mode="w+", dtype=np.float32, shape=(rows, features)
    )
    y = np.empty(rows, dtype=np.int64)
    rng = np.random.default_rng(0)
    chunk = 32768
    for start in range(0, rows, chunk):
        block = rng.standard_normal((min(chunk, rows - start), features), dtype=np.float32)
        x[start : start + len(block)] = block
        y[start : start + len(block)] = block[:, :10].argmax(axis=1)
    x.flush()
    del x
    np.save(directory / "y_train.npy", y)
    np.save(directory / "x_test.npy", np.zeros((10, features), np.float32))
    np.save(directory / "y_test.npy", np.arange(10))


@pytest.mark.slow
def test_memory_mapped_epoch_over_a_gigabyte_keeps_anonymous_memory_low(tmp_path):
    rows = GIB // (FEATURES * 4)
    data_dir = tmp_path / "big"
    data_dir.mkdir()
    try:
        write_large_npy_pair(data_dir, rows, FEATURES)
        size = (data_dir / "x_train.npy").stat().st_size
        assert size >= GIB
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        result = subprocess.run(
            [sys.executable, "-c", EPOCH_SCRIPT, str(data_dir)],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        for f in data_dir.glob("*.npy"):
            f.unlink()
    print(
        f"file {size / 2**20:.0f} MiB, RssAnon before load {report['before'] / 2**20:.0f} MiB, "
        f"peak {report['peak'] / 2**20:.0f} MiB, validation accuracy {report['val']:.2f}"
    )
    assert report["seen"] == report["train"] == rows - round(0.02 * rows)
    # what the epoch adds to the library's own memory (measured after a first fit in memory,
    # so the fused kernels' code is in "before"): far below the file size
    assert report["peak"] - report["before"] < size / 16, report
    assert report["loss"] < np.log(10)  # below the initial loss: it learned something
    assert report["val"] > 0.2  # chance is 0.1
