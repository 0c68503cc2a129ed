"""The kernel threads: every span runs, the first on the calling thread, errors reach the
caller, and a forked child (a search's or a loader's worker) starts its own pool."""

import os
import signal
import threading
import time

import numpy as np
import pytest

from mlplab.kernels import eligibility, pool
from mlplab.kernels.activations import bias_activation_forward


def test_run_calls_every_function_the_first_here():
    seen = {}

    def call(i):
        return lambda: seen.setdefault(i, threading.get_ident())

    pool.run([call(i) for i in range(3)])
    assert sorted(seen) == [0, 1, 2]
    assert seen[0] == threading.get_ident()


def test_an_error_on_a_pool_thread_reaches_the_caller():
    def fail():
        raise ValueError("in a span")

    with pytest.raises(ValueError, match="in a span"):
        pool.run([lambda: None, fail])


def test_count_is_at_least_one_and_at_most_the_cores():
    before = pool.threads()
    try:
        pool.set_count(0)
        assert pool.threads() == 1
        pool.set_count(10**6)
        assert pool.threads() == pool.CORES
    finally:
        pool.set_count(before)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_runs_split_kernels(monkeypatch):
    monkeypatch.setattr(eligibility, "PARALLEL_MIN_ELEMENTS", 0)
    before = pool.threads()
    pool.set_count(2)
    try:
        z = np.linspace(-1, 1, 40, dtype=np.float32).reshape(8, 5)
        expected = np.maximum(z, 0)
        bias_activation_forward(z.copy(), None, "relu")  # the parent's pool now has a thread
        child = os.fork()
        if child == 0:  # the child inherits the pool object but not its thread
            ok = np.array_equal(bias_activation_forward(z.copy(), None, "relu"), expected)
            os._exit(0 if ok else 1)
        deadline = time.monotonic() + 30
        while (done := os.waitpid(child, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        if done[0] == 0:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            pytest.fail("the forked child's split kernel hung (it waited for the parent's thread)")
        assert os.waitstatus_to_exitcode(done[1]) == 0
    finally:
        pool.set_count(before)
