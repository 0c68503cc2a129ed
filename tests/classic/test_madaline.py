import numpy as np
import pytest

from mlplab.classic.adaline import Adaline
from mlplab.classic.madaline import Madaline
from mlplab.errors import ConfigError, LabelError, MlplabError, ShapeError

XOR_X = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


@pytest.mark.parametrize("logic, adalines", [("or", 2), ("and", 2), ("majority", 3)])
@pytest.mark.parametrize("seed", range(6))
def test_madaline_learns_xor(logic, adalines, seed):
    model = Madaline(adalines, logic, epochs=200, seed=seed).fit(XOR_X, XOR_Y)
    assert model.converged_
    assert model.score(XOR_X, XOR_Y) == 1.0
    assert model.mistakes_[-1] == 0


@pytest.mark.parametrize("seed", range(6))
def test_madaline_learns_xor_on_zero_one_inputs(seed):
    x = (XOR_X + 1) / 2
    assert Madaline(seed=seed, epochs=200).fit(x, XOR_Y).score(x, XOR_Y) == 1.0


@pytest.mark.parametrize("mode", ["online", "batch"])
def test_one_adaline_stays_at_most_three_of_four(mode):
    t = np.where(XOR_Y == 1, 1.0, -1.0)
    adaline = Adaline(lr=0.05, epochs=300, mode=mode).fit(XOR_X, t)
    accuracy = np.mean(np.where(adaline.predict(XOR_X) > 0, 1, 0) == XOR_Y)
    assert accuracy <= 0.75


def fixed(logic, adalines, W, b, lr=1.0):
    model = Madaline(adalines, logic, lr=lr)
    model.W, model.b = np.array(W, dtype=float), np.array(b, dtype=float)
    return model


def test_mri_flips_only_the_adaline_closest_to_zero():
    # s = (−0.2, −0.9) on x = (1, 0): OR says −1 but d = +1; the first is nearer zero.
    model = fixed("or", 2, [[-0.2, -0.9], [0.0, 0.0]], [0.0, 0.0])
    x = np.array([1.0, 0.0])
    assert model.update(x, 1.0)
    # α = 1: w ← w + (d − s) x̃ / ‖x̃‖², ‖x̃‖² = 2, so s moves exactly to d = 1.
    np.testing.assert_allclose(model.W[:, 0], [-0.2 + 0.6, 0.0])
    np.testing.assert_allclose(model.b, [0.6, 0.0])
    assert x @ model.W[:, 0] + model.b[0] == pytest.approx(1.0)
    np.testing.assert_array_equal(model.W[:, 1], [-0.9, 0.0])  # the other is not disturbed


def test_mri_leaves_weights_alone_when_the_output_is_right():
    model = fixed("or", 2, [[0.3, -0.5]], [0.0, 0.0])
    before = model.W.copy()
    assert not model.update(np.array([1.0]), 1.0)
    np.testing.assert_array_equal(model.W, before)


@pytest.mark.parametrize(
    "logic, adalines, s, d, flipped",
    [
        ("or", 3, [-0.5, -0.1, -2.0], 1.0, [1]),  # one +1 is enough, the nearest to zero
        ("or", 3, [0.5, 0.1, -2.0], -1.0, [1, 0]),  # every +1 must go, nearest first
        ("and", 3, [0.5, -0.1, -2.0], 1.0, [1, 2]),  # every −1 must go
        ("and", 3, [0.5, 0.1, 2.0], -1.0, [1]),  # one −1 is enough
        ("majority", 5, [-0.3, -0.1, -0.2, 0.4, -1.0], 1.0, [1, 2]),  # 1 → 3 of 5
        ("majority", 4, [0.3, 0.1, 0.2, -0.4], -1.0, [1]),  # a 2–2 tie is −1
    ],
)
def test_minimal_disturbance_picks_the_fewest_closest_to_zero(logic, adalines, s, d, flipped):
    model = Madaline(adalines, logic)
    np.testing.assert_array_equal(model.adalines_to_flip(np.array(s), d), flipped)


def test_alpha_below_one_moves_part_of_the_way():
    model = fixed("or", 1, [[0.0]], [-0.5], lr=0.5)
    model.update(np.array([1.0]), 1.0)
    # s = −0.5, d = 1, ‖x̃‖² = 2: step 0.5 · 1.5 / 2 = 0.375 on w and b; s becomes +0.25.
    np.testing.assert_allclose([model.W[0, 0], model.b[0]], [0.375, -0.125])


def test_same_seed_same_weights_and_labels_kept():
    y = np.array(["even", "odd", "odd", "even"])
    a = Madaline(seed=3).fit(XOR_X, y)
    b = Madaline(seed=3).fit(XOR_X, y)
    np.testing.assert_array_equal(a.W, b.W)
    assert list(a.predict(XOR_X)) == list(y)


def test_bad_input_is_refused():
    with pytest.raises(ConfigError, match="logic"):
        Madaline(logic="xor")
    with pytest.raises(ConfigError, match=r"\(0, 2\)"):
        Madaline(lr=2.0)
    with pytest.raises(ConfigError, match="n_adalines"):
        Madaline(n_adalines=0)
    with pytest.raises(LabelError, match="2 classes"):
        Madaline().fit(np.eye(3), [0, 1, 2])
    with pytest.raises(MlplabError, match="not fitted"):
        Madaline().predict(XOR_X)
    with pytest.raises(ShapeError, match="2 input features"):
        Madaline().fit(XOR_X, XOR_Y).predict(np.ones((2, 3)))
