"""Weight initializers, by name and as callables.

An initializer is a callable ``init(shape, fan_in, fan_out, dtype, rng) -> array``. Names resolve
through ``INITIALIZERS``; a spec string is ``NAME`` or ``NAME:ARG`` (``normal:0.01``, ``he``,
``orthogonal:1.4``, ``lsuv``). For a weight of shape (in, out), fan_in = in and fan_out = out.

Data-driven methods (``lsuv``, ``data``, ``krahenbuhl``) draw a base initialization here and
finish on a batch of inputs with ``mlplab.network_init.data_init(net, x)``, above the layers.
See ``docs/initialization.md``.
"""

from mlplab.init import data_dependent as _data_dependent  # noqa: F401  (registers)
from mlplab.init import lsuv as _lsuv  # noqa: F401
from mlplab.init import maxout as _maxout  # noqa: F401
from mlplab.init import orthogonal as _orthogonal  # noqa: F401
from mlplab.init import random_walk as _random_walk  # noqa: F401
from mlplab.init import simple as _simple  # noqa: F401
from mlplab.init import variance_scaling as _variance_scaling  # noqa: F401
from mlplab.init.orthogonal import orthogonal_matrix
from mlplab.init.random_walk import random_walk_gain
from mlplab.init.spec import (
    DATA_DRIVEN,
    INITIALIZERS,
    data_init_method,
    gain,
    get_initializer,
    initialize,
    parse_init_spec,
)

__all__ = [
    "DATA_DRIVEN",
    "INITIALIZERS",
    "data_init_method",
    "gain",
    "get_initializer",
    "initialize",
    "orthogonal_matrix",
    "parse_init_spec",
    "random_walk_gain",
]
