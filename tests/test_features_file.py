"""Reading the features to predict on: CSV, NPY, NPZ, and their errors (one line each)."""

import numpy as np
import pytest

from mlplab.errors import FileFormatError, NonFiniteError, ShapeError
from mlplab.features_file import read_features
from mlplab.model import Model
from mlplab.network import build_mlp


def test_csv_with_and_without_header(tmp_path, rng):
    x = rng.standard_normal((5, 3))
    plain = tmp_path / "plain.csv"
    np.savetxt(plain, x, delimiter=",")
    np.testing.assert_allclose(read_features(plain), x)
    named = tmp_path / "named.csv"
    np.savetxt(named, x, delimiter=",", header="a,b,c", comments="")
    np.testing.assert_allclose(read_features(named), x)


def test_csv_drops_the_training_label_column(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text("a,species,b\n1,setosa,2\n3,virginica,4\n")
    np.testing.assert_array_equal(read_features(path, label_column="species"), [[1, 2], [3, 4]])


@pytest.mark.parametrize(
    "text, match",
    [
        ("a,b\n1,2\n3,x\n", "row 3, column 'b': 'x' is not a number"),
        ("1,2\n3\n", "row 2 has 1 columns, expected 2"),
        ("", "empty CSV file"),
        ("a,b\n", "no rows"),
    ],
)
def test_bad_csv(tmp_path, text, match):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises((FileFormatError, ShapeError), match=match) as error:
        read_features(path)
    assert "\n" not in str(error.value)


def test_npy_images_are_flattened_and_npz_keys(tmp_path, rng):
    images = rng.standard_normal((4, 2, 3))
    np.save(tmp_path / "x.npy", images)
    assert read_features(tmp_path / "x.npy").shape == (4, 6)
    np.savez(tmp_path / "named.npz", x_test=images[:, 0], y_test=np.arange(4))
    np.testing.assert_array_equal(read_features(tmp_path / "named.npz"), images[:, 0])
    np.savez(tmp_path / "single.npz", anything=images[:, 1])
    np.testing.assert_array_equal(read_features(tmp_path / "single.npz"), images[:, 1])
    np.savez(tmp_path / "two.npz", a=images, b=images)
    with pytest.raises(FileFormatError, match="expected an array named x"):
        read_features(tmp_path / "two.npz")


def test_corrupt_missing_and_unknown_files(tmp_path, rng):
    np.save(tmp_path / "x.npy", rng.standard_normal((50, 4)))
    blob = (tmp_path / "x.npy").read_bytes()
    (tmp_path / "x.npy").write_bytes(blob[:100])
    with pytest.raises(FileFormatError, match="x.npy"):
        read_features(tmp_path / "x.npy")
    (tmp_path / "x.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(FileFormatError, match="corrupt NPZ"):
        read_features(tmp_path / "x.npz")
    with pytest.raises(FileFormatError, match="no such file"):
        read_features(tmp_path / "none.csv")
    (tmp_path / "x.parquet").write_bytes(b"PAR1")
    with pytest.raises(FileFormatError, match="unknown input format"):
        read_features(tmp_path / "x.parquet")
    np.save(tmp_path / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(FileFormatError, match="not a plain NPY"):
        read_features(tmp_path / "objects.npy")


def test_model_input_is_checked_at_the_boundary(tmp_path):
    model = Model(build_mlp({"input_size": 4, "hidden": [3], "output_size": 2}))
    with pytest.raises(ShapeError, match=r"expected shape \(N, 4\)"):
        model.predict(np.ones((2, 5)))
    path = tmp_path / "nan.csv"
    path.write_text("1,2,3,4\n1,nan,3,4\n")
    with pytest.raises(NonFiniteError, match="row 1, column 1"):
        model.predict(read_features(path))


def test_csv_label_column_is_recognized_without_being_named(tmp_path):
    last = tmp_path / "last.csv"
    last.write_text("a,b,kind\n1,2,cat\n3,4,dog\n")
    np.testing.assert_array_equal(read_features(last, n_features=2), [[1, 2], [3, 4]])
    named = tmp_path / "named.csv"
    named.write_text("label,a,b\n0,1,2\n1,3,4\n")
    np.testing.assert_array_equal(read_features(named, n_features=2), [[1, 2], [3, 4]])
    assert read_features(named, n_features=3).shape == (2, 3)  # as wide as the model: keep all


def test_a_hinge_model_refuses_probabilities():
    from mlplab.errors import ConfigError

    model = Model(build_mlp({"input_size": 4, "hidden": [3], "output_size": 2, "loss": "svm"}))
    assert model.predict(np.ones((2, 4))).shape == (2,)
    with pytest.raises(ConfigError, match="gives scores, not probabilities"):
        model.predict_proba(np.ones((2, 4)))
