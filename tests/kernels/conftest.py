"""Fused kernels against the NumPy reference: tolerances and shape classes shared by the tests."""

import contextlib
import shutil
import sysconfig

import numpy as np
import pytest

from mlplab import kernels
from mlplab.kernels import runtime

#: float32 within 1e-6 relative, float64 within 1e-12 (issue #15).
RTOL = {np.float32: 1e-6, np.float64: 1e-12}

#: one row, odd sizes, wide, tall, and the benchmark's small shape.
SHAPES = [(1, 7), (5, 13), (3, 1000), (1000, 3), (64, 100)]


def assert_close(fused, reference, dtype, scale=None):
    """|fused - reference| <= rtol · scale, where ``scale`` (default max |reference|, at least 1)
    is the size of the numbers being combined, e.g. Σ|terms| for a column sum."""
    reference = np.asarray(reference)
    if scale is None:
        scale = max(1.0, float(np.abs(reference).max(initial=0.0)))
    assert fused.dtype == reference.dtype
    np.testing.assert_allclose(fused, reference, rtol=RTOL[dtype], atol=RTOL[dtype] * scale)


def compiler_present() -> bool:
    """Whether this machine has the C compiler Python's build would use."""
    command = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(command) is not None


@pytest.fixture(autouse=True)
def compiled_kernels():
    """The kernel tests need the compiled extension. Where a C compiler is present, its absence
    is a failed build, not a skip."""
    if runtime.compiled() is None:
        if compiler_present():
            pytest.fail("mlplab.kernels._compiled is missing though a C compiler is present")
        pytest.skip("mlplab was installed without its compiled kernels (no C compiler)")


@pytest.fixture(params=["serial", "parallel"])
def threading(request, monkeypatch):
    """Run a test with the serial twins and with the parallel kernels, whatever the size."""
    from mlplab.kernels import eligibility

    threshold = 1 << 62 if request.param == "serial" else 0
    monkeypatch.setattr(eligibility, "PARALLEL_MIN_ELEMENTS", threshold)
    return request.param


@contextlib.contextmanager
def kernels_path(name):
    """Run the block on ``name`` ("fused" or "numpy"), then restore the session's choice."""
    before = runtime._choice
    kernels.set_kernels(name)
    try:
        yield
    finally:
        runtime._choice = before
