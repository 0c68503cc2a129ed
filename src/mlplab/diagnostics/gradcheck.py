"""Gradient checking: analytic gradients against centered finite differences, in float64.

relative error = |a - n| / max(|a|, |n|, tiny), where a is the analytic and n the numeric
gradient from centered differences. The default is the fourth-order central stencil
n = [8 (f(θ+h) - f(θ-h)) - (f(θ+2h) - f(θ-2h))] / 12h, whose error O(h⁴) lets h be large
enough that rounding noise stays far below 1e-7 of the gradient; ``order=2`` gives the classic
n = (f(θ+h) - f(θ-h)) / 2h. A layer is checked through the scalar
f = Σ forward(x) ⊙ g for a fixed random upstream gradient g; a loss through its value; a network
through its loss. Random layers (dropout) replay the same random numbers at every evaluation.
"""

from dataclasses import dataclass

import numpy as np

from mlplab.errors import DTypeError
from mlplab.regularization import add_l2

TOLERANCE = 1e-7


@dataclass
class GradcheckResult:
    """The outcome of checking one array: what was checked, its largest relative error."""

    what: str
    parameter: str
    max_relative_error: float
    coordinates: int
    tolerance: float = TOLERANCE

    @property
    def passed(self) -> bool:
        return bool(self.max_relative_error < self.tolerance)

    def to_dict(self) -> dict:
        return {
            "what": self.what,
            "parameter": self.parameter,
            "max_relative_error": self.max_relative_error,
            "coordinates": self.coordinates,
            "passed": self.passed,
        }


def relative_error(analytic, numeric, tiny: float = 1e-5):
    """Elementwise |a - n| / max(|a|, |n|, tiny).

    ``tiny`` is the magnitude below which a coordinate is judged in absolute terms: for an
    objective of order 1, rounding leaves about 1e-13 of noise in any numeric gradient, so a
    gradient of 1e-6 can never be matched to 1e-7 relatively, while 1e-12 absolutely still
    catches any real error.
    """
    a, n = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    return np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), tiny)


def _require_float64(what, array):
    if array.dtype != np.float64:
        raise DTypeError(f"gradcheck {what}: arrays must be float64, got {array.dtype}")


def _coordinates(size, max_coords, rng):
    if size <= max_coords:
        return np.arange(size)
    return np.sort(rng.choice(size, max_coords, replace=False))


def _shifted(flat, i, f, step):
    old = flat[i]
    flat[i] = old + step
    value = f()
    flat[i] = old
    return value


def centered_difference(flat, i, f, h, order=4):
    """df/dθᵢ by a centered difference of the given order (2 or 4)."""
    first = _shifted(flat, i, f, h) - _shifted(flat, i, f, -h)
    if order == 2:
        return first / (2 * h)
    second = _shifted(flat, i, f, 2 * h) - _shifted(flat, i, f, -2 * h)
    return (8 * first - second) / (12 * h)


def _check_array(what, name, array, analytic, f, h, max_coords, rng, tolerance):
    """Compare ``analytic`` with centered differences of ``f`` over coordinates of ``array``."""
    flat = array.reshape(-1)
    coords = _coordinates(flat.size, max_coords, rng)
    numeric = np.array([centered_difference(flat, i, f, h) for i in coords])
    error = relative_error(np.asarray(analytic).reshape(-1)[coords], numeric)
    return GradcheckResult(what, name, float(error.max(initial=0.0)), len(coords), tolerance)


def _random_states(layers):
    return [
        (layer, layer.rng.bit_generator.state)
        for layer in layers
        if isinstance(getattr(layer, "rng", None), np.random.Generator)
    ]


def _restore(states):
    for layer, state in states:
        layer.rng.bit_generator.state = state


def _snapshot_buffers(layers):
    return [(layer, {k: v.copy() for k, v in layer.buffers.items()}) for layer in layers]


def _restore_buffers(snapshot):
    for layer, buffers in snapshot:
        for k, v in buffers.items():
            layer.buffers[k][...] = v


def gradcheck_layer(
    layer,
    x,
    training: bool = True,
    h: float = 5e-4,
    max_coords: int = 60,
    seed: int = 0,
    tolerance: float = TOLERANCE,
    what: str | None = None,
):
    """Check a layer's gradients with respect to its input and every parameter.

    ``layer`` must hold float64 parameters and ``x`` must be float64, shape (N, D).
    """
    what = what or type(layer).__name__
    _require_float64(what, x)
    for key, p in layer.params.items():
        _require_float64(f"{what}.{key}", p)
    rng = np.random.default_rng(seed)
    x = x.copy()
    states = _random_states([layer])
    buffers = _snapshot_buffers([layer])
    layer.needs_input_grad = True

    def f():
        _restore(states)
        return float((layer.forward(x, training) * upstream).sum())

    _restore(states)
    upstream = rng.standard_normal(layer.forward(x, training).shape)
    _restore(states)
    layer.forward(x, training)
    dx = layer.backward(upstream.copy())
    analytic = {k: g.copy() for k, g in layer.grads.items()}
    results = [_check_array(what, "input", x, dx, f, h, max_coords, rng, tolerance)]
    for key, p in layer.params.items():
        results.append(_check_array(what, key, p, analytic[key], f, h, max_coords, rng, tolerance))
    _restore_buffers(buffers)
    return results


def gradcheck_loss(
    loss,
    scores,
    y,
    h: float = 5e-4,
    max_coords: int = 60,
    seed: int = 0,
    tolerance: float = TOLERANCE,
    what: str | None = None,
):
    """Check dL/dscores of a loss ``(scores, y) -> (loss, dscores)`` at float64 ``scores``."""
    what = what or type(loss).__name__
    _require_float64(what, scores)
    scores = scores.copy()
    _, dscores = loss(scores, y)
    dscores = np.array(dscores, copy=True)
    rng = np.random.default_rng(seed)
    return [
        _check_array(
            what,
            "scores",
            scores,
            dscores,
            lambda: loss(scores, y)[0],
            h,
            max_coords,
            rng,
            tolerance,
        )
    ]


def gradcheck_network(
    net,
    x,
    y,
    l2: float = 0.0,
    training: bool = True,
    h: float = 5e-4,
    max_coords: int = 30,
    seed: int = 0,
    tolerance: float = TOLERANCE,
    what: str = "network",
):
    """Check the loss gradient of a whole network w.r.t. the input and every parameter."""
    _require_float64(what, x)
    rng = np.random.default_rng(seed)
    x = x.copy()
    states = _random_states(net.layers)
    buffers = _snapshot_buffers(net.layers)

    def loss_of_params():
        _restore(states)
        loss, _ = net.loss(net.forward(x, training), y)
        if l2:
            loss += add_l2(net, l2, gradient=False)
        return loss

    _restore(states)
    scores = net.forward(x, training)
    _, dscores = net.loss(scores, y)
    dx = net.backward(dscores, input_grad=True)
    if l2:
        net.add_l2(l2)
    analytic = {name: layer.grads[key].copy() for name, layer, key in net.parameters()}
    results = [_check_array(what, "input", x, dx, loss_of_params, h, max_coords, rng, tolerance)]
    for name, layer, key in net.parameters():
        results.append(
            _check_array(
                what,
                name,
                layer.params[key],
                analytic[name],
                loss_of_params,
                h,
                max_coords,
                rng,
                tolerance,
            )
        )
    _restore_buffers(buffers)
    return results


def kink_margin(layers, x, training: bool = True) -> float:
    """The smallest distance from a non-differentiable point over every layer's input."""
    states = _random_states(layers)
    margin = float("inf")
    for layer in layers:
        margin = min(margin, layer.distance_to_kink(x))
        x = layer.forward(x, training)
    _restore(states)
    return margin


def sample_away_from_kinks(
    layers, rng, shape, margin: float = 1e-2, training: bool = True, tries: int = 200
):
    """A standard-normal float64 input whose path through ``layers`` stays ``margin`` away from
    every kink, so that centered differences with steps of 2h ≪ margin never straddle one."""
    for _ in range(tries):
        x = rng.standard_normal(shape)
        if kink_margin(layers, x, training) > margin:
            return x
    raise RuntimeError(f"no input of shape {shape} found {margin} away from kinks")
