import json

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.decomposition import PCA as SklearnPCA
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlplab.data import (
    PCA,
    MeanImage,
    PerChannelMean,
    PolarTransform,
    Preprocessing,
    Standardize,
    ZCAWhitening,
    ZeroCenter,
    make_preprocessor,
)
from mlplab.errors import ConfigError, NonFiniteError, ShapeError


def correlated(rng, n=2000, d=5):
    """Gaussian data with an offset and a strongly non-diagonal covariance."""
    mixing = rng.standard_normal((d, d)) + 2 * np.eye(d)
    return rng.standard_normal((n, d)) @ mixing + rng.uniform(-5, 5, d)


def all_steps():
    return [
        ZeroCenter(),
        Standardize(),
        PCA(),
        PCA(n_components=3),
        PCA(n_components=0.9),
        PCA(whiten=True),
        PCA(n_components=2, whiten=True, eps=1e-3),
        ZCAWhitening(),
        ZCAWhitening(eps=1e-2),
    ]


def test_zero_centering_gives_zero_training_means_not_test_means(rng):
    x = correlated(rng)
    train, test = x[:1500], x[1500:] + 1.0
    step = ZeroCenter().fit(train)
    np.testing.assert_allclose(step.transform(train).mean(axis=0), 0, atol=1e-12)
    test_means = step.transform(test).mean(axis=0)
    assert np.abs(test_means).min() > 0.5  # the shifted test set keeps its offset
    np.testing.assert_allclose(test_means, test.mean(axis=0) - train.mean(axis=0), atol=1e-12)


def test_standardize_matches_scikit_learn(rng):
    x = correlated(rng)
    x[:, 2] = 4.0  # a constant feature stays finite
    ours = Standardize().fit(x[:1000]).transform(x[1000:])
    theirs = StandardScaler().fit(x[:1000]).transform(x[1000:])
    np.testing.assert_allclose(ours, theirs, atol=1e-10)


@pytest.mark.parametrize("k", [None, 3, 0.95])
def test_pca_matches_scikit_learn_up_to_sign(rng, k):
    x = correlated(rng)
    ours = PCA(n_components=k).fit(x)
    theirs = SklearnPCA(n_components=k, svd_solver="full").fit(x)
    assert ours.n_components_ == theirs.n_components_
    np.testing.assert_allclose(ours.explained_variance_, theirs.explained_variance_, rtol=1e-9)
    np.testing.assert_allclose(
        ours.explained_variance_ratio_, theirs.explained_variance_ratio_, rtol=1e-9
    )
    signs = np.sign((ours.components_ * theirs.components_).sum(axis=1))
    np.testing.assert_allclose(ours.components_, theirs.components_ * signs[:, None], atol=1e-9)
    np.testing.assert_allclose(ours.transform(x), theirs.transform(x) * signs, atol=1e-8)


def test_pca_variance_fraction_keeps_the_fewest_components(rng):
    x = correlated(rng, d=8)
    step = PCA(n_components=0.9).fit(x)
    ratio = np.cumsum(PCA().fit(x).explained_variance_ratio_)
    assert ratio[step.n_components_ - 1] >= 0.9 > ratio[step.n_components_ - 2]


@pytest.mark.parametrize("step", [PCA(whiten=True, eps=0.0), ZCAWhitening(eps=0.0)])
def test_whitened_training_data_has_identity_covariance(rng, step):
    x = correlated(rng)
    cov = np.cov(step.fit_transform(x), rowvar=False)
    np.testing.assert_allclose(cov, np.eye(x.shape[1]), atol=1e-10)


def test_whitening_with_eps_is_close_to_identity(rng):
    x = correlated(rng) * 10
    for step in (PCA(whiten=True), ZCAWhitening()):
        cov = np.cov(step.fit_transform(x), rowvar=False)
        np.testing.assert_allclose(cov, np.eye(x.shape[1]), atol=1e-5)


def test_zca_matrix_is_symmetric_and_stays_close_to_the_input(rng):
    x = correlated(rng)
    zca = ZCAWhitening().fit(x)
    np.testing.assert_allclose(zca.whitening_, zca.whitening_.T, atol=1e-12)
    np.testing.assert_allclose(zca.whitening_ @ zca.coloring_, np.eye(x.shape[1]), atol=1e-9)
    # among whitening transforms ZCA moves the data least (PCA whitening rotates it away)
    centered = x - x.mean(axis=0)
    zca_distance = np.linalg.norm(zca.transform(x) - centered / centered.std())
    pca_distance = np.linalg.norm(PCA(whiten=True).fit_transform(x) - centered / centered.std())
    assert zca_distance < pca_distance


@pytest.mark.parametrize("step", all_steps(), ids=repr)
def test_inverse_transform_round_trips(rng, step):
    x = correlated(rng)
    step = clone(step).fit(x)
    z = step.transform(x)
    if z.shape[1] == x.shape[1]:
        np.testing.assert_allclose(step.inverse_transform(z), x, atol=1e-8)
    else:  # a projection: the reconstruction is the best rank-k approximation
        back = step.inverse_transform(z)
        np.testing.assert_allclose(step.transform(back), z, atol=1e-8)


@pytest.mark.parametrize("step", all_steps(), ids=repr)
def test_state_round_trips_through_plain_arrays_and_json(rng, step, tmp_path):
    x = correlated(rng)
    step = clone(step).fit(x[:1500])
    arrays, meta = step.to_state()
    assert all(isinstance(a, np.ndarray) and a.dtype != object for a in arrays.values())
    np.savez(tmp_path / "state.npz", **arrays)
    with np.load(tmp_path / "state.npz", allow_pickle=False) as saved:
        restored = type(step).from_state(dict(saved), json.loads(json.dumps(meta)))
    np.testing.assert_array_equal(restored.transform(x[1500:]), step.transform(x[1500:]))


def test_inconsistent_or_incomplete_state_is_refused(rng):
    arrays, meta = ZCAWhitening().fit(correlated(rng)).to_state()
    with pytest.raises(ConfigError, match="zca: incomplete or invalid saved state"):
        ZCAWhitening.from_state({"mean_": arrays["mean_"]}, meta)
    arrays["whitening_"] = arrays["whitening_"][:3, :3]
    with pytest.raises(ConfigError, match="zca: saved state is inconsistent"):
        ZCAWhitening.from_state(arrays, meta)


def test_chain_fits_in_order_and_round_trips(rng):
    x = correlated(rng, d=6)
    chain = Preprocessing.from_specs("standardize,pca_whiten:0.9").fit(x[:1500])
    assert chain.output_features(6) == chain.steps[1].n_components_ < 6
    manual = PCA(n_components=0.9, whiten=True).fit(Standardize().fit_transform(x[:1500]))
    expected = manual.transform(Standardize().fit(x[:1500]).transform(x[1500:]))
    np.testing.assert_allclose(chain.transform(x[1500:]), expected, atol=1e-12)
    arrays, meta = chain.to_state()
    restored = Preprocessing.from_state(arrays, json.loads(json.dumps(meta)))
    np.testing.assert_array_equal(restored.transform(x[1500:]), chain.transform(x[1500:]))
    assert len(Preprocessing.from_specs("none")) == 0


def test_specs_build_the_right_steps():
    assert isinstance(make_preprocessor("normalize"), Standardize)
    assert make_preprocessor("pca:50").n_components == 50
    assert make_preprocessor("pca:0.99").n_components == 0.99
    assert make_preprocessor("pca_whiten").whiten is True
    assert make_preprocessor("zca:0.1").eps == 0.1
    assert make_preprocessor("mean_image", (32, 32, 3)).image_shape == (32, 32, 3)
    for bad, message in [
        ("pca:many", "not a number"),
        ("center:3", "takes no argument"),
        ("mean_image", "needs images"),
        ("sharpen", "unknown preprocessing step 'sharpen'; choose one of"),
    ]:
        with pytest.raises(ConfigError, match=message):
            make_preprocessor(bad, (64,))
    with pytest.raises(ConfigError, match="n_components"):
        PCA(n_components=99).fit(np.ones((5, 3)) + np.arange(15).reshape(5, 3) ** 2)


@pytest.mark.parametrize("step", all_steps(), ids=repr)
def test_feature_count_mismatch_and_nan_at_transform(rng, step):
    x = correlated(rng)
    step = clone(step).fit(x)
    with pytest.raises(
        ShapeError, match=r"X has 4 features, but \w+ is expecting 5 features as input"
    ):
        step.transform(x[:, :4])
    bad = x[:10].copy()
    bad[7, 3] = np.nan
    with pytest.raises(NonFiniteError, match="row 7, column 3"):
        step.transform(bad)
    bad[7, 3] = np.inf
    with pytest.raises(NonFiniteError, match=r"inf \(NaN or inf\) at row 7, column 3"):
        step.fit(bad)


def test_float32_stays_float32_and_works_in_a_scikit_learn_pipeline(rng):
    x = correlated(rng).astype(np.float32)
    assert ZCAWhitening().fit_transform(x).dtype == np.float32
    pipeline = make_pipeline(Standardize(), PCA(n_components=2)).fit(x)
    assert pipeline.transform(x).shape == (len(x), 2)
    assert clone(PCA(n_components=3, whiten=True)).get_params()["n_components"] == 3


def test_mean_image_and_per_channel_mean(rng):
    images = rng.integers(0, 256, (50, 4, 5, 3)).astype(np.uint8)
    mean_image = MeanImage().fit(images)
    assert mean_image.mean_image_.shape == (4, 5, 3)
    np.testing.assert_allclose(mean_image.mean_image_, images.mean(axis=0))
    out = mean_image.transform(images)
    assert out.shape == images.shape and out.dtype == np.float32
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-4)
    channel = PerChannelMean().fit(images)
    np.testing.assert_allclose(channel.channel_mean_, images.mean(axis=(0, 1, 2)))
    np.testing.assert_allclose(
        channel.inverse_transform(channel.transform(images)), images, atol=1e-3
    )
    # flattened input with a given image shape gives the same numbers, flattened
    flat = images.reshape(50, -1)
    flat_channel = PerChannelMean(image_shape=(4, 5, 3)).fit(flat)
    np.testing.assert_allclose(
        flat_channel.transform(flat), channel.transform(images).reshape(50, -1)
    )
    np.testing.assert_allclose(
        MeanImage(image_shape=(4, 5, 3)).fit(flat).transform(flat), out.reshape(50, -1)
    )
    with pytest.raises(ConfigError, match="needs image_shape"):
        PerChannelMean().fit(flat)
    with pytest.raises(ShapeError, match=r"image_shape \(4, 4, 3\) does not hold 60 features"):
        MeanImage(image_shape=(4, 4, 3)).fit(flat)
    with pytest.raises(ShapeError, match="expecting 60 features"):
        channel.transform(images[:, :3])


def test_polar_transform_and_inverse(rng):
    points = rng.standard_normal((100, 2))
    polar = PolarTransform().fit(points)
    z = polar.transform(points)
    np.testing.assert_allclose(z[:, 0], np.linalg.norm(points, axis=1))
    np.testing.assert_allclose(np.cos(z[:, 1]) * z[:, 0], points[:, 0], atol=1e-12)
    np.testing.assert_allclose(polar.inverse_transform(z), points, atol=1e-12)
    with pytest.raises(ShapeError, match=r"\(N, 2\)"):
        PolarTransform().fit(rng.standard_normal((10, 3)))


def test_fit_needs_enough_examples():
    with pytest.raises(ShapeError, match="at least 2 training examples"):
        PCA().fit(np.ones((1, 3)))


@pytest.mark.parametrize(
    "step",
    [
        ZeroCenter(),
        Standardize(),
        PCA(n_components=2, whiten=True),
        ZCAWhitening(),
        MeanImage(),
        # flattened rows of any width: one-channel pixels (the channel count cannot be guessed)
        PerChannelMean(image_shape=(-1, 1)),
        # the checks use 1 to 10 features; the points (x, y) are the first two columns
        PolarTransform(columns=(0, 1)),
    ],
    ids=repr,
)
def test_passes_scikit_learns_estimator_checks(step):
    import warnings

    from sklearn.exceptions import SkipTestWarning
    from sklearn.utils.estimator_checks import check_estimator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkipTestWarning)  # array-API checks need SCIPY_ARRAY_API
        results = check_estimator(step, on_fail=None)
    failed = [r for r in results if r["status"] == "failed"]
    assert not failed, [(r["check_name"], str(r["exception"])[:200]) for r in failed]


@pytest.mark.parametrize("step", all_steps(), ids=repr)
def test_fitting_on_a_memory_map_in_chunks_matches_fitting_in_memory(
    rng, tmp_path, monkeypatch, step
):
    import mlplab.data.validation

    x = correlated(rng, n=300)
    np.save(tmp_path / "x.npy", x)
    mapped = np.load(tmp_path / "x.npy", mmap_mode="r")
    monkeypatch.setattr(mlplab.data.validation, "CHUNK_BYTES", 7 * 8 * 5)  # chunks of 7 rows
    chunked = clone(step).fit(mapped)
    monkeypatch.undo()
    whole = clone(step).fit(x)
    np.testing.assert_allclose(chunked.transform(x), whole.transform(x), atol=1e-9)


@pytest.mark.parametrize(
    "step", [MeanImage(), PerChannelMean(), MeanImage(image_shape=(4, 5, 3))], ids=repr
)
def test_image_steps_state_round_trips(rng, step):
    images = rng.integers(0, 256, (20, 4, 5, 3)).astype(np.uint8)
    x = images if step.image_shape is None else images.reshape(20, -1)
    step = step.fit(x)
    arrays, meta = step.to_state()
    restored = type(step).from_state(arrays, json.loads(json.dumps(meta)))
    np.testing.assert_array_equal(restored.transform(x), step.transform(x))
    polar = PolarTransform().fit(rng.standard_normal((5, 2)))
    assert PolarTransform.from_state(*polar.to_state()).n_features_in_ == 2
