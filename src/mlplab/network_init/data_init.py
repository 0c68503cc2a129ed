"""Data-driven initialization of a built network: LSUV and the data-dependent scheme."""

import numpy as np

from mlplab.data.validation import check_features
from mlplab.errors import ConfigError, ShapeError
from mlplab.init.lsuv import DEFAULT_MAX_ITERATIONS, DEFAULT_TOLERANCE
from mlplab.init.spec import parse_init_spec
from mlplab.layers.linear import Linear
from mlplab.network_init.krahenbuhl import equalize_change_rates, standardize_layer
from mlplab.network_init.lsuv import lsuv_layer


def data_init(net, x, method=None, max_iterations=DEFAULT_MAX_ITERATIONS):
    """Rescale (and shift) the affine layers of ``net`` in place, from the input upwards.

    ``net`` is a ``Sequential`` (or any object with ``.layers``, or a list of layers); ``x``
    (N, D), N ≥ 2, is a batch of its inputs. ``method`` is ``"lsuv"``, ``"lsuv:TOL"``,
    ``"data"`` or ``"krahenbuhl"`` (``"data"``, then the between-layer step
    ``equalize_change_rates`` with a random direction from a generator seeded 0; its report is
    the last dict). By default: the one ``build_mlp`` left in ``net.pending_data_init`` (the
    ``Trainer`` calls this before its first step); with neither, nothing happens and None is
    returned. Each layer is adjusted on the output of the layers below it, already adjusted,
    run in evaluation mode. LSUV rescales every layer with a weight ``W`` (Linear, Maxout); the
    data-dependent scheme standardizes ``Linear`` layers only. Clears
    ``net.pending_data_init``. Returns one dict per adjusted layer: {"layer", ...}.
    """
    layers = getattr(net, "layers", net)
    method = method if method is not None else getattr(net, "pending_data_init", None)
    if method is None:
        return None
    name, arg = parse_init_spec(method)
    name = name.lower()
    if name == "lsuv":
        tolerance = DEFAULT_TOLERANCE if arg is None else arg
        if tolerance <= 0:
            raise ConfigError(f"data init {method!r}: the tolerance must be > 0")

        def adjust(layer, h):
            return lsuv_layer(layer, h, tolerance, max_iterations)

        def applies(layer):  # any layer whose output scales with its weight W (Linear, Maxout)
            return "W" in layer.params

    elif name in ("data", "data_dependent", "krahenbuhl") and arg is None:
        adjust = standardize_layer

        def applies(layer):
            return isinstance(layer, Linear)

    else:
        raise ConfigError(
            f"unknown data init {method!r}; choose one of: lsuv, lsuv:TOL, data, krahenbuhl"
        )
    x = h = _check_batch(net, layers, x)
    report = []
    for i, layer in enumerate(layers):
        if applies(layer):
            report.append({"layer": i, **adjust(layer, h)})
        h = layer.forward(h, training=False)
    if name == "krahenbuhl":
        report.append(equalize_change_rates(list(layers), x, np.random.default_rng(0)))
    if hasattr(net, "layers"):
        net.pending_data_init = None
    return report


def _check_batch(net, layers, x):
    """The batch, validated as the network's input (or, for a list of layers, as features in
    the first weight's dtype); at least 2 rows."""
    if hasattr(net, "check_input"):
        x = net.check_input(x)
    else:
        dtype = next(layer.params["W"].dtype for layer in layers if "W" in layer.params)
        x = np.asarray(check_features(x, "data init", dtype=dtype), dtype=dtype)
    if len(x) < 2:
        raise ShapeError(f"data init: needs a batch of at least 2 rows, got {len(x)}")
    return x
