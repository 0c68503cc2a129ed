"""Layer-sequential unit-variance initialization, LSUV [Mishkin & Matas, 2015]: the base weights.

The rescaling on a batch (``data_init``) lives above the layers, in ``mlplab.network_init.lsuv``.
"""

from mlplab.init.orthogonal import orthogonal
from mlplab.init.spec import INITIALIZERS, check_positive

#: the variance tolerance and iteration cap of the paper's Algorithm 1.
DEFAULT_TOLERANCE = 0.1
DEFAULT_MAX_ITERATIONS = 10


@INITIALIZERS.register("lsuv")
def lsuv(tolerance: float = DEFAULT_TOLERANCE):
    """Orthonormal weights, to be rescaled on a batch of data by ``data_init`` (``lsuv:TOL``).

    "All you need is a good init" [Mishkin & Matas, 2015]: start from an orthonormal W
    [Saxe et al., 2013], then, layer by layer from the input, divide W by √Var(B) where B is the
    layer's output on a batch, until |Var(B) − 1| < TOL (default 0.1).
    """
    tolerance = check_positive("LSUV tolerance", tolerance)
    init = orthogonal(1.0)

    def lsuv_base(shape, fan_in, fan_out, dtype, rng):
        return init(shape, fan_in, fan_out, dtype, rng)

    lsuv_base.data_init = f"lsuv:{tolerance:g}"
    return lsuv_base
