"""One thread setting for the BLAS and the fused kernels: set_threads, Trainer(threads=),
MLPLAB_NUM_THREADS and --threads; unset, nothing changes."""

import os
import subprocess
import sys

import numpy as np
import pytest
from threadpoolctl import threadpool_info

import mlplab
from mlplab.errors import ConfigError
from mlplab.kernels import pool
from mlplab.network import build_mlp
from mlplab.training import Trainer
from mlplab.training.callbacks import Callback


def blas_threads():
    return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]


class SeenThreads(Callback):
    def on_train_begin(self, trainer):
        self.seen = (blas_threads(), pool.threads())


def _fit(**options):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 5)), rng.integers(0, 3, 64)
    net = build_mlp({"input_size": 5, "output_size": 3, "hidden": [4]}, seed=0)
    seen = SeenThreads()
    Trainer(net, epochs=1, batch_size=32, quiet=True, callbacks=[seen], **options).fit(X, y)
    return seen.seen


def test_set_threads_sets_both_pools_and_restores_them():
    before = (blas_threads(), pool.threads())
    with mlplab.set_threads(1) as setting:
        assert setting.threads == 1
        assert set(blas_threads()) <= {1} and pool.threads() == 1
    assert (blas_threads(), pool.threads()) == before
    setting = mlplab.set_threads(10**6)  # more than the machine's cores: the kernels get them all
    try:
        assert pool.threads() == os.cpu_count()
    finally:
        setting.restore()
    assert (blas_threads(), pool.threads()) == before


@pytest.mark.parametrize("bad", [0, -1, "two", 1.5, True, ""])
def test_bad_counts_are_config_errors(bad):
    with pytest.raises(ConfigError, match="expected an integer >= 1"):
        mlplab.set_threads(bad)


def test_trainer_threads_hold_during_fit_only(monkeypatch):
    monkeypatch.delenv("MLPLAB_NUM_THREADS", raising=False)
    before = (blas_threads(), pool.threads())
    assert _fit(threads=1) == ([1] * len(before[0]), 1)
    assert (blas_threads(), pool.threads()) == before
    assert _fit() == before  # unset: the environment's settings, untouched
    monkeypatch.setenv("MLPLAB_NUM_THREADS", "1")
    assert _fit() == ([1] * len(before[0]), 1)
    monkeypatch.setenv("MLPLAB_NUM_THREADS", "none")
    with pytest.raises(ConfigError, match="MLPLAB_NUM_THREADS: expected an integer >= 1"):
        _fit()


def test_cli_bad_threads_is_one_line_and_exit_2(cli, tmp_path):
    done = cli("train", "--threads", "0", "--out", tmp_path / "run", "-q")
    assert done.returncode == 2
    assert done.stderr == "mlplab train: error: --threads: expected an integer >= 1, got '0'\n"
    done = cli("predict", "run", "x.csv", env={"MLPLAB_NUM_THREADS": "many"})
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert "MLPLAB_NUM_THREADS: expected an integer >= 1, got 'many'" in done.stderr


def test_training_starts_no_compiler_and_no_blas_but_numpys():
    """A fit loads the compiled kernels, a plain extension: no JIT compiler (Numba, LLVM) and
    no second BLAS (SciPy's) come with them."""
    code = (
        "import sys, numpy as np, mlplab\n"
        "X, y = np.random.default_rng(0).normal(size=(64, 5)), np.arange(64) % 3\n"
        "mlplab.Trainer(mlplab.build_mlp({'input_size': 5, 'output_size': 3, 'hidden': [4]}),"
        " epochs=1, quiet=True).fit(X, y)\n"
        "print(sorted(m for m in ('numba', 'llvmlite', 'scipy') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.parametrize(
    "statement",
    ["import mlplab", "from mlplab import Trainer, build_mlp, Sequential, Linear, ReLU"],
)
def test_training_imports_none_of_the_heavy_libraries(statement):
    """Training a network needs NumPy alone: scikit-learn, SciPy, pandas and matplotlib load
    only where a feature uses them (preprocessing, reports)."""
    heavy = ("sklearn", "scipy", "pandas", "matplotlib", "numba", "optuna")
    code = f"import sys; {statement}; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr


def test_thread_limits_follow_a_blas_loaded_later():
    """The cached BLAS controller is rebuilt once new modules were imported."""
    from mlplab.kernels import threads

    with mlplab.set_threads(1):
        first = threads._blas_controller
    sys.modules["mlplab_test_marker_module"] = sys  # as an import would: one module more
    try:
        with mlplab.set_threads(1):
            assert threads._blas_controller is not first
    finally:
        del sys.modules["mlplab_test_marker_module"]
