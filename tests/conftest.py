import os
import subprocess
import sys

import numpy as np
import pytest

#: ``pytest -n auto`` runs at most this many workers: each imports NumPy, PyTorch and ONNX Runtime
#: (about 400 MiB resident), and several tests train on, map or write a gigabyte of their own
MAX_WORKERS = 4


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, which the smoke environment lacks
def pytest_xdist_auto_num_workers(config):
    """The worker count for ``-n auto``: the cores this process may run on, at most
    ``MAX_WORKERS``."""
    return min(len(os.sched_getaffinity(0)), MAX_WORKERS)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def run_cli(*args, cwd=None, timeout=300, env=None):
    """Run ``python -m mlplab ARGS`` in a subprocess; return the CompletedProcess."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "mlplab", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env=full_env,
    )


@pytest.fixture
def cli():
    return run_cli
