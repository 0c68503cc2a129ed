"""One thread count for the BLAS (matrix products) and the fused kernels together.

A step alternates between the two: the BLAS's products, then the kernels' elementwise passes.
``set_threads(n)`` gives both ``n`` threads: the BLAS through threadpoolctl, the kernels
through ``pool.set_count``. It applies at once and undoes itself as a context manager:

    mlplab.set_threads(2)              # from now on
    with mlplab.set_threads(1):        # inside the block only
        trainer.fit(X, y)

Where no count is given (``--threads``, ``Trainer(threads=)``, ``MLPLAB_NUM_THREADS``) nothing
is changed: the BLAS keeps what the environment set (``OPENBLAS_NUM_THREADS``, ...), and the
kernels use the cores this process may use.
"""

import os
import sys

from mlplab.errors import ConfigError
from mlplab.kernels import pool

ENVIRONMENT = "MLPLAB_NUM_THREADS"


def parse_threads(value, where: str = "threads") -> int | None:
    """A thread count >= 1 from an int or a string (None or "" for none); ConfigError naming
    ``where`` otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, (bool, float)):
            raise ValueError
        n = int(value)
    except (TypeError, ValueError):
        n = 0
    if n < 1:
        raise ConfigError(f"{where}: expected an integer >= 1, got {value!r}")
    return n


def threads_setting(value=None, where: str = "threads") -> int | None:
    """The count to use: ``value`` if given, else ``MLPLAB_NUM_THREADS``, else None (leave the
    environment's settings alone)."""
    if value is not None:
        return parse_threads(value, where)
    return parse_threads(os.environ.get(ENVIRONMENT), ENVIRONMENT)


_blas_controller = None
_modules_seen = -1


def _blas_pools():
    """threadpoolctl's controller of the loaded BLAS libraries, made once and again only after
    new modules were imported (a new extension may bring its own BLAS): finding the libraries
    walks every loaded shared object, about 1.5 ms, too slow to pay on each ``fit``."""
    global _blas_controller, _modules_seen
    if _blas_controller is None or len(sys.modules) != _modules_seen:
        from threadpoolctl import ThreadpoolController  # here: ``import mlplab`` stays light

        _blas_controller = ThreadpoolController().select(user_api="blas")
        _modules_seen = len(sys.modules)
    return _blas_controller


class set_threads:
    """Run the BLAS and the fused kernels on ``n`` threads; restore the previous counts on
    leaving a ``with`` block (or on ``restore()``). A class named as a function: it is called
    like one, and is a context manager too (threadpoolctl's ``threadpool_limits`` is the same)."""

    def __init__(self, n):
        self.threads = parse_threads(n)
        if self.threads is None:
            raise ConfigError(f"threads: expected an integer >= 1, got {n!r}")
        blas = _blas_pools()
        # limiting and restoring cost ~20 µs a ``fit``: skipped when the BLAS has the count
        same = all(lib.num_threads == self.threads for lib in blas.lib_controllers)
        self._blas = None if same else blas.limit(limits=self.threads)
        self._kernels_before = pool.threads()
        pool.set_count(self.threads)

    def restore(self) -> None:
        """Put back the counts in force before."""
        if self._blas is not None:
            self._blas.restore_original_limits()
            self._blas = None
        if self._kernels_before is not None:
            pool.set_count(self._kernels_before)
            self._kernels_before = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.restore()
