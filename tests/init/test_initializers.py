"""Each initializer's defining property, checked on large seeded draws (float64).

Variance tolerances: with n = 120 000 entries the sample variance of a normal draw has relative
std √(2/n) ≈ 0.4% (uniform ≈ 0.26%), so 3% is far outside chance for a fixed seed, yet catches a
wrong formula (the smallest factor between two formulas here is 1/0.96 for he:0.2).
"""

import math

import numpy as np
import pytest

from mlplab.errors import ConfigError
from mlplab.init import (
    INITIALIZERS,
    gain,
    get_initializer,
    initialize,
    parse_init_spec,
    random_walk_gain,
)
from mlplab.layers import Linear

FAN_IN, FAN_OUT = 400, 300
RTOL = 0.03


def rw_relu(n):
    return 2.0 * math.exp(2.4 / (max(n, 6) - 2.4)) / n


#: spec -> (variance as a function of the fans, distribution)
VARIANCES = {
    "normal": (lambda i, o: 0.01**2, "normal"),
    "normal:1.0": (lambda i, o: 1.0, "normal"),
    "uniform:0.2": (lambda i, o: 0.2**2 / 3, "uniform"),
    "xavier": (lambda i, o: 1.0 / i, "normal"),
    "xavier:2": (lambda i, o: 4.0 / i, "normal"),
    "glorot_normal": (lambda i, o: 2.0 / (i + o), "normal"),
    "glorot_uniform": (lambda i, o: 2.0 / (i + o), "uniform"),
    "glorot_uniform:1.5": (lambda i, o: 2.25 * 2.0 / (i + o), "uniform"),
    "he": (lambda i, o: 2.0 / i, "normal"),
    "he:0.2": (lambda i, o: 2.0 / (1.04 * i), "normal"),
    "he_uniform": (lambda i, o: 2.0 / i, "uniform"),
    "he_uniform:0.2": (lambda i, o: 2.0 / (1.04 * i), "uniform"),
    "lecun": (lambda i, o: 1.0 / i, "normal"),
    "lecun_uniform": (lambda i, o: 1.0 / i, "uniform"),
    "random_walk": (lambda i, o: rw_relu(i), "normal"),
    "random_walk:1.5": (lambda i, o: 2.25 / i, "normal"),
    "random_walk_linear": (lambda i, o: math.exp(1.0 / i) / i, "normal"),
    "random_walk_tanh": (lambda i, o: 1.13**2 / i, "normal"),
    "data": (lambda i, o: 1.0 / i, "normal"),
}


def draw(spec, shape=(FAN_IN, FAN_OUT), dtype=np.float64, seed=0):
    return initialize(spec, shape, dtype=dtype, rng=np.random.default_rng(seed))


@pytest.mark.parametrize("spec", sorted(VARIANCES))
def test_variance_matches_formula(spec):
    variance, distribution = VARIANCES[spec]
    expected = variance(FAN_IN, FAN_OUT)
    w = draw(spec)
    assert w.var() == pytest.approx(expected, rel=RTOL)
    assert abs(w.mean()) < 4 * math.sqrt(expected / w.size)
    if distribution == "uniform":
        limit = math.sqrt(3 * expected)
        assert np.abs(w).max() <= limit
        assert np.abs(w).max() > 0.999 * limit
    else:  # a normal draw of 120 000 reaches beyond 4 std; a uniform one never exceeds √3
        assert np.abs(w).max() > 4 * math.sqrt(expected)


def test_he_is_the_lectures_xavier_over_half_fan_in():
    """The lecture: randn / sqrt(fan_in / 2) is He; randn / sqrt(fan_in) is Xavier."""
    he, xavier = draw("he"), draw("xavier")
    np.testing.assert_allclose(he, xavier * math.sqrt(2.0), rtol=1e-12)
    np.testing.assert_allclose(draw("normal:0.01"), draw("normal:1") * 0.01, rtol=1e-12)


@pytest.mark.parametrize("spec", ["zeros", "constant:0.5", "constant:-2"])
def test_constant_initializers(spec):
    value = 0.0 if spec == "zeros" else float(spec.split(":")[1])
    w = draw(spec, dtype=np.float32)
    assert w.dtype == np.float32 and (w == np.float32(value)).all()


@pytest.mark.parametrize(
    "shape", [(FAN_IN, FAN_OUT), (FAN_OUT, FAN_IN), (200, 200)], ids=["tall", "wide", "square"]
)
@pytest.mark.parametrize("spec, g", [("orthogonal", 1.0), ("orthogonal:2.5", 2.5), ("lsuv", 1.0)])
def test_orthogonal_gram_matrix_is_gain_squared_identity(spec, g, shape):
    """Saxe et al.: Wᵀ W = g² I (tall or square W), W Wᵀ = g² I (wide W)."""
    w = draw(spec, shape)
    gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
    np.testing.assert_allclose(gram, g**2 * np.eye(len(gram)), atol=1e-12)
    sv = np.linalg.svd(w, compute_uv=False)
    np.testing.assert_allclose(sv, g, rtol=1e-12)


def test_orthogonal_is_not_biased_towards_one_sign():
    """Sign-corrected QR: the diagonal of Q is symmetric around 0 (plain QR makes R's positive)."""
    diagonals = np.concatenate([np.diag(draw("orthogonal", (50, 50), seed=s)) for s in range(40)])
    assert abs((diagonals > 0).mean() - 0.5) < 0.1


def test_gain_matches_pytorch():
    torch = pytest.importorskip("torch")
    for name in ("linear", "sigmoid", "tanh", "relu"):
        assert gain(name) == pytest.approx(torch.nn.init.calculate_gain(name), rel=1e-12)
    assert gain("leaky_relu", 0.2) == pytest.approx(
        torch.nn.init.calculate_gain("leaky_relu", 0.2), rel=1e-12
    )
    with pytest.raises(ConfigError, match="softplus"):
        gain("softplus")


def test_he_with_slope_equals_gain_over_sqrt_fan_in():
    w, unit = draw("he:0.3"), draw("normal:1")
    np.testing.assert_allclose(w, unit * gain("leaky_relu", 0.3) / math.sqrt(FAN_IN), rtol=1e-12)


def test_random_walk_gain_formulas():
    assert random_walk_gain("linear", 100) == pytest.approx(math.exp(0.005))
    assert random_walk_gain("relu", 100) == pytest.approx(math.sqrt(2) * math.exp(1.2 / 97.6))
    assert random_walk_gain("relu", 3) == random_walk_gain("relu", 6)


def test_random_walk_keeps_the_backpropagated_log_norm_unbiased():
    """Sussillo & Abbott: with g = exp(1/(2N)) the log-norm of a vector multiplied by D random
    N×N matrices W ~ N(0, g²/N) has zero drift; with g = 1 (the lecture's Xavier) it drifts by
    −D/(2N). N = 20, D = 100: drift −2.5 for Xavier, per-trial std √(D/(2N)) ≈ 1.6, 200 trials."""
    n, depth, trials = 20, 100, 200
    rng = np.random.default_rng(0)
    results = {}
    for spec in ("random_walk_linear", "xavier"):
        v = rng.standard_normal((trials, n))
        log_norm0 = np.log(np.linalg.norm(v, axis=1))
        for _ in range(depth):
            w = np.stack([initialize(spec, (n, n), np.float64, rng) for _ in range(trials)])
            v = np.einsum("ti,tij->tj", v, w)
        results[spec] = float((np.log(np.linalg.norm(v, axis=1)) - log_norm0).mean())
    assert abs(results["random_walk_linear"]) < 0.5
    assert results["xavier"] == pytest.approx(-depth / (2 * n), abs=0.5)


@pytest.mark.parametrize("name", INITIALIZERS.names())
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_initializer_keeps_dtype_shape_and_is_finite(name, dtype):
    spec = f"{name}:0.5" if name == "constant" else name
    w = initialize(spec, (30, 20), dtype=dtype, rng=np.random.default_rng(0))
    assert w.shape == (30, 20) and w.dtype == dtype and np.isfinite(w).all()


def test_every_initializer_is_a_callable_with_the_shared_signature():
    for name in INITIALIZERS.names():
        init = get_initializer(f"{name}:0.5" if name == "constant" else name)
        w = init((7, 5), 7, 5, np.dtype(np.float64), np.random.default_rng(1))
        assert w.shape == (7, 5)
    assert get_initializer(np.zeros) is np.zeros


def test_same_seed_same_weights_and_linear_uses_the_spec():
    a = Linear(40, 30, init="orthogonal", dtype=np.float64, rng=np.random.default_rng(3))
    b = draw("orthogonal", (40, 30), seed=3)
    np.testing.assert_array_equal(a.params["W"], b)


@pytest.mark.parametrize(
    "spec, message",
    [
        ("nope", "unknown initializer 'nope'"),
        ("normal:abc", "'abc' is not a number"),
        ("normal:nan", "must be finite"),
        ("normal:-1", "std must be a finite number >= 0"),
        ("uniform:0", "limit must be a finite number > 0"),
        ("orthogonal:0", "gain must be"),
        ("he:-0.1", "negative slope"),
        ("constant", "needs an argument"),
        ("zeros:1", "takes no argument"),
        ("", "NAME or NAME:ARG"),
        ("lsuv:-1", "tolerance"),
    ],
)
def test_bad_specs_raise_config_errors(spec, message):
    with pytest.raises(ConfigError, match=message):
        get_initializer(spec)


def test_parse_init_spec():
    assert parse_init_spec("normal:0.01") == ("normal", 0.01)
    assert parse_init_spec("he") == ("he", None)
    assert parse_init_spec(" xavier:2 ") == ("xavier", 2.0)


def test_orthogonal_weight_of_three_dimensions_is_orthogonal_as_a_matrix():
    """Maxout's W (in, out, pieces) multiplies x as the (in, out · pieces) matrix."""
    w = draw("orthogonal", (40, 10, 2)).reshape(40, 20)
    np.testing.assert_allclose(w.T @ w, np.eye(20), atol=1e-12)
