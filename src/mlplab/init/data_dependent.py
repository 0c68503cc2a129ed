"""Data-dependent initialization [Krähenbühl et al., 2015]."""

import numpy as np

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
    init = lecun_normal()

    def data_base(shape, fan_in, fan_out, dtype, rng):
        return init(shape, fan_in, fan_out, dtype, rng)

    data_base.data_init = "data"
    return data_base


def standardize_layer(layer, x):
    """Scale (and shift, if the layer has a bias) each output unit to zero mean, unit variance.

    x (N, D) is the layer's input; W (D, H) and b (H,) change in place. A layer without a bias
    can only be scaled: its outputs get unit std about their (unchanged) mean. A unit that is
    constant on the batch (σ = 0) keeps its scale. Returns {"mean", "std"} of the outputs after.
    """
    W = layer.params["W"]
    z = x.astype(np.float64) @ W.astype(np.float64)
    if "b" in layer.params:
        z += layer.params["b"]
    mu, sigma = z.mean(axis=0), z.std(axis=0)
    scale = np.divide(1.0, sigma, out=np.ones_like(sigma), where=sigma > 0)
    W[...] = W * scale.astype(W.dtype)
    if "b" in layer.params:
        b = layer.params["b"]
        b[...] = ((b - mu) * scale).astype(b.dtype)
    after = layer.forward(x, training=False)
    return {"mean": float(after.mean()), "std": float(after.std())}
