"""Data-dependent initialization [Krähenbühl et al., 2015]: the passes over a batch.

The base weights (``--init data``, ``krahenbuhl``) are drawn by ``mlplab.init.data_dependent``;
``data_init`` then runs the within-layer step (``standardize_layer``) and, for ``krahenbuhl``,
the between-layer step (``equalize_change_rates``).
"""

import numpy as np

from mlplab.layers.linear import Linear


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


def change_rates(layers, x, direction) -> list[float]:
    """Each Linear layer's change rate √(mean((∂ℓ/∂W)²) / mean(W²)) on the batch x (N, D), for
    ∂ℓ/∂scores = ``direction`` (N, outputs) backpropagated through the network in evaluation
    mode (the paper draws it at random: no labels needed)."""
    h = x
    for layer in layers:
        h = layer.forward(h, training=False)
    d = direction.astype(h.dtype)
    layers[0].needs_input_grad = False
    for layer in reversed(layers):
        d = layer.backward(d)
    return [
        float(
            np.sqrt(
                np.mean(np.square(layer.grads["W"], dtype=np.float64))
                / np.mean(np.square(layer.params["W"], dtype=np.float64))
            )
        )
        for layer in layers
        if isinstance(layer, Linear)
    ]


def equalize_change_rates(layers, x, rng, max_iterations: int = 10, tolerance: float = 0.01):
    """Between-layer step [Krähenbühl et al., 2015]: rescale the Linear layers so that all of
    their weights change at the same rate under gradient descent.

    With r_k the change rate of layer k (``change_rates``), r̄ their geometric mean and σ the
    mean std of the network's L-layer outputs on the batch, W_k and b_k are multiplied by
    √(r_k / r̄) / σ^(1/2L); each bias is first multiplied by the change in the mean absolute
    value of its layer's input. For positively homogeneous activations (ReLU, leaky ReLU,
    maxout) the network's function then keeps its shape while the rates move together and the
    output std toward 1; for others (tanh, sigmoid) the step is approximate. Repeated until every
    rate is within ``tolerance`` (relative) of r̄, at most ``max_iterations`` times; on a batch
    with constant outputs or zero gradients, or a round that overflows, it stops and says why
    under "stopped", leaving finite weights. Returns {"rates_before", "rates_after",
    "output_std", "iterations"[, "stopped"]}.
    """
    linear = [layer for layer in layers if isinstance(layer, Linear)]
    input_scale, output_std, outputs = _forward_statistics(layers, x)
    direction = rng.standard_normal(outputs.shape)  # one direction throughout: rates free of noise
    before = rates = change_rates(layers, x, direction)
    iterations, stopped = 0, None
    while iterations < max_iterations:
        if not (np.all(np.isfinite(rates)) and min(rates) > 0 and 0 < output_std < np.inf):
            stopped = "the batch gives constant outputs or zero gradients: nothing to equalize"
            break
        log_rates = np.log(rates)
        if np.max(np.abs(log_rates - log_rates.mean())) < np.log1p(tolerance):
            break
        saved = [{k: v.copy() for k, v in layer.params.items()} for layer in linear]
        scales = np.exp((log_rates - log_rates.mean()) / 2 - np.log(output_std) / (2 * len(linear)))
        h = x
        for layer in layers:
            if isinstance(layer, Linear):
                k = linear.index(layer)
                scale_now = float(np.mean(np.abs(h)))
                if layer.bias:
                    layer.params["b"] *= layer.params["b"].dtype.type(scale_now / input_scale[k])
                input_scale[k] = scale_now
                for value in layer.params.values():
                    value *= value.dtype.type(scales[k])
            h = layer.forward(h, training=False)
        if not all(np.isfinite(v).all() for layer in linear for v in layer.params.values()):
            for layer, params in zip(linear, saved, strict=True):
                for key, value in params.items():
                    layer.params[key][...] = value
            stopped = "a round overflowed; its weights were put back"
            break
        output_std = float(np.mean(np.std(h, axis=0)))
        rates = change_rates(layers, x, direction)
        iterations += 1
    report = {
        "rates_before": before,
        "rates_after": rates,
        "output_std": output_std,
        "iterations": iterations,
    }
    return report if stopped is None else {**report, "stopped": stopped}


def _forward_statistics(layers, x):
    """On the batch: the mean |input| of each Linear layer, the outputs' mean std, the outputs."""
    scales, h = [], x
    for layer in layers:
        if isinstance(layer, Linear):
            scales.append(float(np.mean(np.abs(h))))
        h = layer.forward(h, training=False)
    return scales, float(np.mean(np.std(h, axis=0))), h
