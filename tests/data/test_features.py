"""Features to predict on (``load_features``): CSV with or without a header, NPY, NPZ, and their
errors (one line each)."""

import numpy as np
import pytest

from mlplab.data import load_features
from mlplab.errors import FileFormatError, NonFiniteError, ShapeError
from mlplab.model import Model
from mlplab.network import build_mlp


def test_csv_with_and_without_header(tmp_path, rng):
    x = rng.standard_normal((5, 3))
    plain = tmp_path / "plain.csv"
    np.savetxt(plain, x, delimiter=",")
    np.testing.assert_allclose(load_features(plain), x)
    named = tmp_path / "named.csv"
    np.savetxt(named, x, delimiter=",", header="a,b,c", comments="")
    np.testing.assert_allclose(load_features(named), x)


def test_csv_drops_the_training_label_column(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text("a,species,b\n1,setosa,2\n3,virginica,4\n")
    np.testing.assert_array_equal(load_features(path, label_column="species"), [[1, 2], [3, 4]])


@pytest.mark.parametrize(
    "text, match",
    [
        ("a,b\n1,2\n3,x\n", r"row 2 \(line 3\), column 1 'b': non-numeric value 'x'"),
        ("1,2\n3\n", r"row 2 \(line 2\): expected 2 fields as in the first row, got 1"),
        ("a,b\n1,2\n3\n", r"row 2 \(line 3\): expected 2 fields as in the header, got 1"),
        ("", r"empty file \(0 bytes\)"),
        ("\n \n", "no rows in the CSV file"),
        ("a,b\n", "a header but no data rows"),
        ("a,b\n1,\n", r"row 1 \(line 2\), column 1 'b': missing value"),
    ],
)
def test_bad_csv(tmp_path, text, match):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises((FileFormatError, ShapeError), match=match) as error:
        load_features(path)
    assert "\n" not in str(error.value)


def test_npy_images_are_flattened_and_npz_keys(tmp_path, rng):
    images = rng.standard_normal((4, 2, 3))
    np.save(tmp_path / "x.npy", images)
    assert load_features(tmp_path / "x.npy").shape == (4, 6)
    np.savez(tmp_path / "named.npz", x_test=images[:, 0], y_test=np.arange(4))
    np.testing.assert_array_equal(load_features(tmp_path / "named.npz"), images[:, 0])
    np.savez(tmp_path / "single.npz", anything=images[:, 1])
    np.testing.assert_array_equal(load_features(tmp_path / "single.npz"), images[:, 1])
    np.savez(tmp_path / "two.npz", a=images, b=images)
    with pytest.raises(FileFormatError, match="no features array; expected one of x, X"):
        load_features(tmp_path / "two.npz")


def test_corrupt_missing_and_unknown_files(tmp_path, rng):
    np.save(tmp_path / "x.npy", rng.standard_normal((50, 4)))
    blob = (tmp_path / "x.npy").read_bytes()
    (tmp_path / "x.npy").write_bytes(blob[:100])
    with pytest.raises(FileFormatError, match="x.npy"):
        load_features(tmp_path / "x.npy")
    (tmp_path / "x.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(FileFormatError, match="not a readable NPZ archive"):
        load_features(tmp_path / "x.npz")
    with pytest.raises(FileFormatError, match="no such file"):
        load_features(tmp_path / "none.csv")
    (tmp_path / "x.parquet").write_bytes(b"PAR1")
    with pytest.raises(FileFormatError, match="unknown input format"):
        load_features(tmp_path / "x.parquet")
    np.save(tmp_path / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(FileFormatError, match="Python objects"):
        load_features(tmp_path / "objects.npy")


def test_model_input_is_checked_at_the_boundary(tmp_path):
    model = Model(build_mlp({"input_size": 4, "hidden": [3], "output_size": 2}))
    with pytest.raises(ShapeError, match=r"expected shape \(N, 4\)"):
        model.predict(np.ones((2, 5)))
    path = tmp_path / "nan.csv"
    path.write_text("1,2,3,4\n1,nan,3,4\n")
    with pytest.raises(
        NonFiniteError, match=r"nan.csv: row 2 \(line 2\), column 1: non-finite value 'nan'"
    ):
        load_features(path)


def test_csv_label_column_is_recognized_without_being_named(tmp_path):
    last = tmp_path / "last.csv"
    last.write_text("a,b,kind\n1,2,cat\n3,4,dog\n")
    np.testing.assert_array_equal(load_features(last, n_features=2), [[1, 2], [3, 4]])
    named = tmp_path / "named.csv"
    named.write_text("label,a,b\n0,1,2\n1,3,4\n")
    np.testing.assert_array_equal(load_features(named, n_features=2), [[1, 2], [3, 4]])
    assert load_features(named, n_features=3).shape == (2, 3)  # as wide as the model: keep all


def test_a_hinge_model_refuses_probabilities():
    from mlplab.errors import ConfigError

    model = Model(build_mlp({"input_size": 4, "hidden": [3], "output_size": 2, "loss": "svm"}))
    assert model.predict(np.ones((2, 4))).shape == (2,)
    with pytest.raises(ConfigError, match="gives scores, not probabilities"):
        model.predict_proba(np.ones((2, 4)))


def test_load_features_for_prediction(tmp_path, rng):
    x = np.round(rng.standard_normal((5, 3)), 4)
    plain = tmp_path / "in.csv"
    plain.write_text("a,b,c\n" + "".join(",".join(map(str, r)) + "\n" for r in x))
    np.testing.assert_array_equal(load_features(plain, n_features=3), x)
    labelled = tmp_path / "labelled.csv"
    labelled.write_text("a,label,b,c\n" + "".join(f"{r[0]},cat,{r[1]},{r[2]}\n" for r in x))
    np.testing.assert_array_equal(load_features(labelled, n_features=3), x)
    np.save(tmp_path / "in.npy", x.reshape(5, 3, 1))
    assert isinstance(load_features(tmp_path / "in.npy", 3), np.memmap)
    np.savez(tmp_path / "in.npz", x_test=x, y_test=np.arange(5))
    np.testing.assert_array_equal(load_features(tmp_path / "in.npz", 3), x)
    with pytest.raises(ShapeError, match=r"in.csv: X has 3 features, but the model is expecting 4"):
        load_features(plain, n_features=4)
    np.savez(tmp_path / "two.npz", a=x, b=x)
    with pytest.raises(FileFormatError, match="no features array"):
        load_features(tmp_path / "two.npz")
    x[2, 1] = np.nan
    np.save(tmp_path / "nan.npy", x)
    with pytest.raises(NonFiniteError, match="nan.npy: non-finite value nan .* row 2, column 1"):
        load_features(tmp_path / "nan.npy", 3)


def test_headerless_csv_drops_the_extra_last_column_and_one_feature_npy(tmp_path):
    named = tmp_path / "named-labels.csv"
    named.write_text("1,2,cat\n3,4,dog\n")  # no header: the first row is data
    np.testing.assert_array_equal(load_features(named, n_features=2), [[1, 2], [3, 4]])
    path = tmp_path / "plain.csv"
    path.write_text("1,2,0\n3,4,1\n")
    np.testing.assert_array_equal(load_features(path, n_features=2), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(load_features(path, n_features=3), [[1, 2, 0], [3, 4, 1]])
    with pytest.raises(
        ShapeError, match="plain.csv: X has 3 features, but the model is expecting 5"
    ):
        load_features(path, n_features=5)
    np.save(tmp_path / "one.npy", np.arange(3.0))
    assert load_features(tmp_path / "one.npy", n_features=1).shape == (3, 1)
    with pytest.raises(ShapeError, match=r"one.npy: expected features of shape \(N, D\)"):
        load_features(tmp_path / "one.npy")


def test_header_is_matched_to_the_training_columns_by_name(tmp_path):
    path = tmp_path / "swapped.csv"
    path.write_text("b,label,a\n2,cat,1\n4,dog,3\n")
    x = load_features(path, n_features=2, label_column="label", feature_names=["a", "b"])
    np.testing.assert_array_equal(x, [[1, 2], [3, 4]])
    with pytest.raises(ShapeError, match=r"missing training column\(s\) 'c'; unknown column"):
        load_features(path, n_features=2, label_column="label", feature_names=["a", "c"])
