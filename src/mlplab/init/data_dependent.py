"""Data-dependent initialization [Krähenbühl et al., 2015]: the base weights.

The passes over a batch that finish it (``data_init``) act on a built network and live above the
layers, in ``mlplab.network_init.krahenbuhl``.
"""

from mlplab.init.spec import INITIALIZERS
from mlplab.init.variance_scaling import lecun_normal


@INITIALIZERS.register("data", "data_dependent")
def data_dependent():
    """Gaussian weights N(0, 1/fan_in), to be scaled and shifted on a batch by ``data_init``.

    "Data-dependent initializations of convolutional neural networks" [Krähenbühl et al., 2015],
    within-layer step: for each unit j of each layer, from the input upwards, with z = xW + b its
    pre-activation on the batch, W[:, j] ← W[:, j] / σⱼ and b[j] ← (b[j] − μⱼ) / σⱼ, so that every
    pre-activation has zero mean and unit variance on the batch.
    """
    return _lecun_base("data")


@INITIALIZERS.register("krahenbuhl")
def krahenbuhl():
    """Gaussian weights N(0, 1/fan_in), then both of Krähenbühl et al.'s steps on a batch
    (``data_init``): the within-layer step of ``data``, then ``equalize_change_rates``."""
    return _lecun_base("krahenbuhl")


def _lecun_base(method: str):
    """N(0, 1/fan_in) weights marked to finish with the data pass ``method`` (``data_init``)."""
    init = lecun_normal()

    def base(shape, fan_in, fan_out, dtype, rng):
        return init(shape, fan_in, fan_out, dtype, rng)

    base.data_init = method
    return base
