"""Every preprocessing step names its outputs and returns pandas on request, as scikit-learn's
transformers do; PolarTransform on two columns and image shapes with -1."""

import numpy as np
import pytest

from mlplab.data.preprocessing import (
    PCA,
    MeanImage,
    PerChannelMean,
    PolarTransform,
    Standardize,
    ZCAWhitening,
    ZeroCenter,
)
from mlplab.errors import ConfigError, ShapeError

pd = pytest.importorskip("pandas")

STEPS = [
    (ZeroCenter(), None),
    (Standardize(), None),
    (PCA(n_components=2), ["pca0", "pca1"]),
    (PCA(n_components=2, whiten=True), ["pca0", "pca1"]),
    (ZCAWhitening(), None),
    (MeanImage(), None),
    (PerChannelMean(image_shape=(1, 2, 2)), None),
    (PolarTransform(columns=(1, 3)), ["a", "r", "c", "theta"]),
]


@pytest.mark.parametrize("step, names", STEPS, ids=lambda s: repr(s))
def test_feature_names_and_pandas_output(rng, step, names):
    frame = pd.DataFrame(rng.standard_normal((30, 4)), columns=list("abcd"))
    fitted = step.set_output(transform="pandas").fit(frame)
    assert list(fitted.feature_names_in_) == list("abcd")
    expected = names or list("abcd")
    assert list(fitted.get_feature_names_out()) == expected
    out = fitted.transform(frame)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == expected
    assert out.index.equals(frame.index)
    plain = step.set_output(transform="default").fit(frame.to_numpy())
    np.testing.assert_allclose(out.to_numpy(), plain.transform(frame.to_numpy()))
    unnamed = [n if n not in "abcd" else f"x{'abcd'.index(n)}" for n in expected]
    assert list(plain.get_feature_names_out()) == unnamed


def test_renamed_columns_are_refused_at_transform(rng):
    frame = pd.DataFrame(rng.standard_normal((30, 2)), columns=["x", "y"])
    step = Standardize().fit(frame)
    with pytest.raises(ValueError, match="feature names"):
        step.transform(frame.rename(columns={"x": "u"}))


def test_polar_columns_convert_in_place(rng):
    x = rng.standard_normal((50, 3))
    z = PolarTransform(columns=(2, 0)).fit(x).transform(x)
    np.testing.assert_allclose(z[:, 2], np.hypot(x[:, 2], x[:, 0]))
    np.testing.assert_allclose(z[:, 0], np.arctan2(x[:, 0], x[:, 2]))
    np.testing.assert_array_equal(z[:, 1], x[:, 1])
    step = PolarTransform(columns=(2, 0)).fit(x)
    np.testing.assert_allclose(step.inverse_transform(z), x, atol=1e-12)
    with pytest.raises(ShapeError, match="1 feature"):
        PolarTransform(columns=(0, 1)).fit(x[:, :1])
    with pytest.raises(ConfigError, match="two distinct"):
        PolarTransform(columns=(1, 1)).fit(x)


def test_image_shape_may_leave_one_size_to_the_width(rng):
    images = rng.integers(0, 256, (20, 4, 5, 3)).astype(np.float64)
    flat = images.reshape(20, -1)
    exact = PerChannelMean(image_shape=(4, 5, 3)).fit(flat)
    inferred = PerChannelMean(image_shape=(-1, 5, 3)).fit(flat)
    np.testing.assert_array_equal(inferred.channel_mean_, exact.channel_mean_)
    assert inferred.fitted_image_shape_ == [4, 5, 3]
    with pytest.raises(ShapeError, match="does not hold 60 features"):
        PerChannelMean(image_shape=(-1, 7, 3)).fit(flat)
    # the mean image of flattened rows needs no shape: it is their column mean
    np.testing.assert_allclose(MeanImage().fit(flat).mean_image_.reshape(-1), flat.mean(axis=0))
