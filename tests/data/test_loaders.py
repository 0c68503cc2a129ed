import gzip
import json

import numpy as np
import pytest

from mlplab.data import load_data
from mlplab.data.csv_file import read_csv
from mlplab.data.idx_file import read_idx
from mlplab.errors import ConfigError, FileFormatError, LabelError, NonFiniteError, ShapeError
from tests.data.conftest import write_cifar_batch, write_idx


def one_line(error) -> str:
    message = str(error.value)
    assert "\n" not in message
    return message


# -- NPZ -------------------------------------------------------------------------------------


def test_npz_round_trip_with_and_without_validation(tmp_path, rng):
    x = rng.standard_normal((60, 3, 4)).astype(np.float32)
    y = np.arange(60) % 3
    path = tmp_path / "mnist.npz"
    np.savez_compressed(
        path, x_train=x[:40], y_train=y[:40] * 10, x_test=x[40:], y_test=y[40:] * 10
    )
    data = load_data(path, val_fraction=0.25)
    assert data.feature_shape == (3, 4) and data.classes == [0, 10, 20]
    np.testing.assert_array_equal(data.x_test, x[40:].reshape(20, 12))
    np.testing.assert_array_equal(data.labels.inverse_transform(data.y_test), y[40:] * 10)
    # stratified: a quarter of each class (14, 13, 13 training examples) is held out
    assert np.bincount(data.y_val).tolist() == [round(c / 4) for c in np.bincount(y[:40])]
    assert len(data.y_train) + len(data.y_val) == 40
    np.savez(
        path,
        x_train=x[:30],
        y_train=y[:30],
        x_val=x[30:45],
        y_val=y[30:45],
        x_test=x[45:],
        y_test=y[45:],
    )
    data = load_data(path)
    np.testing.assert_array_equal(data.x_val, x[30:45].reshape(15, 12))
    np.testing.assert_array_equal(data.x_train, x[:30].reshape(30, 12))


def test_npz_errors(tmp_path, rng):
    path = tmp_path / "d.npz"
    np.savez(path, x_train=np.ones((4, 2)), y_train=[0, 1, 0, 1])
    with pytest.raises(FileFormatError, match="missing key.*x_test, y_test") as e:
        load_data(path)
    one_line(e)
    np.savez(
        path,
        x_train=np.ones((4, 2)),
        y_train=np.array([0, 1, 0, 1], dtype=object),
        x_test=np.ones((2, 2)),
        y_test=[0, 1],
    )
    with pytest.raises(FileFormatError, match="holds Python objects"):
        load_data(path)
    np.savez(
        path,
        x_train=rng.standard_normal((4, 2)),
        y_train=[0, 1, 0, 1],
        x_test=np.ones((2, 3)),
        y_test=[0, 1],
    )
    with pytest.raises(ShapeError, match=r"d.npz x_test: X has 3 features, but .* expecting 2"):
        load_data(path)
    np.savez(
        path,
        x_train=rng.standard_normal((4, 2)),
        y_train=[0, 1, 0, 1],
        x_test=np.ones((2, 2)),
        y_test=[0, 1, 1],
    )
    with pytest.raises(ShapeError, match="d.npz test: 2 feature rows but 3 labels"):
        load_data(path)
    np.savez(
        path,
        x_train=rng.standard_normal((4, 2)),
        y_train=[0, 1, 0, 1],
        x_test=np.ones((2, 2)),
        y_test=[0, 7],
    )
    with pytest.raises(LabelError, match="label 7 at row 1 is not one of the 2 training classes"):
        load_data(path)
    np.savez(
        path,
        x_train=rng.standard_normal((4, 2)),
        y_train=[1, 1, 1, 1],
        x_test=np.ones((2, 2)),
        y_test=[1, 1],
    )
    with pytest.raises(LabelError, match="d.npz y_train: every label is 1, a single class"):
        load_data(path)
    x_bad = rng.standard_normal((4, 2))
    x_bad[2, 1] = np.inf
    np.savez(path, x_train=x_bad, y_train=[0, 1, 0, 1], x_test=np.ones((2, 2)), y_test=[0, 1])
    with pytest.raises(
        NonFiniteError, match=r"d.npz x_train: non-finite value inf .* row 2, column 1"
    ):
        load_data(path)
    assert load_data(path, allow_nonfinite=True).summary()["splits"]["train"]["nonfinite"] == 1


def test_npz_truncated_or_empty(tmp_path, rng):
    path = tmp_path / "d.npz"
    np.savez(
        path,
        x_train=rng.standard_normal((400, 20)),
        y_train=np.arange(400) % 2,
        x_test=rng.standard_normal((10, 20)),
        y_test=np.arange(10) % 2,
    )
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FileFormatError, match="d.npz: not a readable NPZ archive") as e:
        load_data(path)
    one_line(e)
    path.write_bytes(b"")
    with pytest.raises(FileFormatError, match="d.npz: empty file"):
        load_data(path)


# -- NPY pairs (memory-mapped) -----------------------------------------------------------------


def test_npy_directory_round_trip_is_memory_mapped(tmp_path, rng):
    x = rng.standard_normal((100, 6)).astype(np.float32)
    y = np.array(["a", "b"])[np.arange(100) % 2]
    np.save(tmp_path / "x_train.npy", x[:80])
    np.save(tmp_path / "y_train.npy", y[:80])
    np.save(tmp_path / "x_test.npy", x[80:])
    np.save(tmp_path / "y_test.npy", y[80:])
    data = load_data(tmp_path, val_fraction=0.25)
    for split in ("train", "val", "test"):
        assert isinstance(data.split(split)[0], np.memmap)
    np.testing.assert_array_equal(data.x_train, x[:60])
    np.testing.assert_array_equal(data.x_val, x[60:80])  # the last rows: still a memory map
    np.testing.assert_array_equal(data.labels.inverse_transform(data.y_test), y[80:])
    # a path to the features file finds its labels beside it
    single = load_data(tmp_path / "x_test.npy", val_fraction=0.2, test_fraction=0.2)
    assert len(single.y_train) == 12 and isinstance(single.x_train, np.memmap)


def test_npy_errors(tmp_path, rng):
    x_path, y_path = tmp_path / "x.npy", tmp_path / "y.npy"
    np.save(x_path, rng.standard_normal((50, 4)))
    np.save(y_path, np.arange(50) % 2)
    data = x_path.read_bytes()
    x_path.write_bytes(data[:-17])
    with pytest.raises(
        FileFormatError, match=r"x.npy: truncated: header declares shape \(50, 4\)"
    ) as e:
        load_data(tmp_path)
    one_line(e)
    x_path.write_bytes(data + b"\0" * 32)
    with pytest.raises(FileFormatError, match="header and data disagree"):
        load_data(tmp_path)
    x_path.write_bytes(b"not a numpy file at all")
    with pytest.raises(FileFormatError, match="x.npy: not a .npy file"):
        load_data(tmp_path)
    np.save(x_path, rng.standard_normal((50, 4)))
    np.save(y_path, np.linspace(0, 1, 50))
    with pytest.raises(LabelError, match=r"y_train: labels must be integers or strings, got 0\.02"):
        load_data(tmp_path)
    y_path.unlink()
    with pytest.raises(FileFormatError, match="labels file y.npy not found"):
        load_data(tmp_path)


# -- CSV -------------------------------------------------------------------------------------


def test_csv_label_column_by_name_index_and_default(tmp_path):
    path = tmp_path / "flowers.csv"
    path.write_text("width,species,length\n1.5,setosa,2\n2.5,virginica,3\n3.5,setosa,4\n")
    x, y, names = read_csv(path, label_column="species")
    np.testing.assert_array_equal(x, [[1.5, 2], [2.5, 3], [3.5, 4]])
    assert y.tolist() == ["setosa", "virginica", "setosa"] and names == ["width", "length"]
    with pytest.raises(
        FileFormatError,
        match=r"row 1 \(line 2\), column 1 'species': non-numeric value 'setosa'",
    ):
        read_csv(path, label_column=-1)
    path.write_text("width,length,kind\n1.5,2,0\n2.5,3,1\n")
    x, y, names = read_csv(path, label_column=0)
    assert y.tolist() == [1.5, 2.5] and names == ["length", "kind"]
    np.testing.assert_array_equal(x, [[2, 0], [3, 1]])
    assert read_csv(path)[1].dtype == np.int64  # the last column by default
    path.write_text("a,b,target,c\n1,2,x,3\n4,5,y,6\n")
    assert read_csv(path)[1].tolist() == ["x", "y"]
    with pytest.raises(ConfigError, match="no column named 'kind'; columns are a, b, target, c"):
        read_csv(path, label_column="kind")
    with pytest.raises(ConfigError, match="label column index 9 out of range for 4 columns"):
        read_csv(path, label_column=9)


def test_csv_round_trip_through_load_data(tmp_path, rng):
    x = np.round(rng.standard_normal((90, 3)), 6)
    labels = np.array(["low", "mid", "high"])[np.arange(90) % 3]
    path = tmp_path / "table.csv"
    lines = ["f0,f1,f2,grade"] + [
        f"{a},{b},{c},{g}" for (a, b, c), g in zip(x, labels, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    data = load_data(path, seed=5)
    assert data.classes == ["high", "low", "mid"] and data.n_features == 3
    every = np.concatenate([data.x_train, data.x_val, data.x_test])
    back = data.labels.inverse_transform(np.concatenate([data.y_train, data.y_val, data.y_test]))
    order = np.lexsort(every.T[::-1])
    reference = np.lexsort(x.T[::-1])
    np.testing.assert_array_equal(every[order], x[reference])
    np.testing.assert_array_equal(back[order], labels[reference])
    for y in (data.y_train, data.y_val, data.y_test):
        counts = np.bincount(y, minlength=3)
        assert counts.max() - counts.min() <= 1  # stratified: 30 of each class


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("", FileFormatError, "empty file"),
        ("\n\n", FileFormatError, "empty file"),
        ("a,b,label\n", FileFormatError, "a header but no data rows"),
        (
            "a,b,label\n1,2,0\n3,,1\n",
            FileFormatError,
            r"row 2 \(line 3\), column 1 'b': missing value",
        ),
        (
            "a,b,label\n1,2,0\n3,x4,1\n",
            FileFormatError,
            r"row 2 \(line 3\), column 1 'b': non-numeric value 'x4'",
        ),
        (
            "a,b,label\n1,2,0\n3,nan,1\n",
            NonFiniteError,
            r"row 2 \(line 3\), column 1 'b': non-finite value 'nan'",
        ),
        ("a,b,label\n1,2,0\n3,inf,1\n", NonFiniteError, r"column 1 'b': non-finite value 'inf'"),
        (
            "a,b,label\n1,2,0\n3,4\n",
            FileFormatError,
            r"row 2 \(line 3\): expected 3 fields as in the header, got 2",
        ),
        (
            "a,b,label\n1,2,0\n3,4,\n",
            FileFormatError,
            r"row 2 \(line 3\), column 2 'label': missing label",
        ),
        ("a,b,label\n1,2,0\n3,4,0\n", LabelError, "every label is 0, a single class"),
        (
            "a,b,label\n1,2,0\n3,4,0.5\n",
            LabelError,
            r"labels must be integers or strings, got 0\.5 at row 1 .*regression target",
        ),
        ("label\n1\n", FileFormatError, "header has 1 column"),
    ],
)
def test_csv_bad_input_names_row_and_column(tmp_path, text, error, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(error, match=message) as e:
        load_data(path, val_fraction=0, test_fraction=0.5)
    assert "bad.csv" in one_line(e)


def test_csv_nan_is_counted_for_inspection(tmp_path):
    path = tmp_path / "holes.csv"
    path.write_text(
        "a,b,label\n" + "".join(f"{i},{'' if i % 5 == 0 else i},{i % 2}\n" for i in range(20))
    )
    data = load_data(path, allow_nonfinite=True)
    assert sum(s["nonfinite"] for s in data.summary()["splits"].values()) == 4


# -- MNIST IDX -------------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True])
def test_idx_round_trip(tmp_path, rng, gz):
    suffix = ".gz" if gz else ""
    images = rng.integers(0, 256, (30, 28, 28), dtype=np.uint8)
    labels = (np.arange(30) % 10).astype(np.uint8)
    test_images = rng.integers(0, 256, (10, 28, 28), dtype=np.uint8)
    write_idx(tmp_path / f"train-images-idx3-ubyte{suffix}", images, gz)
    write_idx(tmp_path / f"train-labels-idx1-ubyte{suffix}", labels, gz)
    write_idx(tmp_path / f"t10k-images-idx3-ubyte{suffix}", test_images, gz)
    write_idx(tmp_path / f"t10k-labels-idx1-ubyte{suffix}", labels[:10], gz)
    data = load_data(tmp_path, val_fraction=1 / 3)
    assert data.feature_shape == (28, 28) and data.x_train.dtype == np.uint8
    np.testing.assert_array_equal(data.images("test"), test_images)
    assert len(data.y_val) == 10 and data.n_classes == 10
    floats = rng.standard_normal((3, 2, 5)).astype(np.float32)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "f.idx", floats, gz)), floats)


def test_idx_errors(tmp_path, rng):
    path = write_idx(
        tmp_path / "train-images-idx3-ubyte", rng.integers(0, 256, (5, 4, 4), dtype=np.uint8)
    )
    data = path.read_bytes()
    path.write_bytes(data[:-3])
    with pytest.raises(
        FileFormatError,
        match=r"truncated: header declares shape \(5, 4, 4\) \(80 bytes of data\), file holds 77",
    ) as e:
        read_idx(path)
    one_line(e)
    path.write_bytes(data[:10])
    with pytest.raises(FileFormatError, match="truncated IDX header"):
        read_idx(path)
    path.write_bytes(
        data[:4] + (9).to_bytes(4, "big") + data[8:]
    )  # header says 9 images, file has 5
    with pytest.raises(FileFormatError, match=r"declares shape \(9, 4, 4\)"):
        read_idx(path)
    path.write_bytes(data[:4] + (3).to_bytes(4, "big") + data[8:])  # header says 3, file has 5
    with pytest.raises(FileFormatError, match="header and data disagree"):
        read_idx(path)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + data)
    with pytest.raises(FileFormatError, match="not an IDX file"):
        read_idx(path)
    gz = tmp_path / "train-labels-idx1-ubyte.gz"
    gz.write_bytes(gzip.compress(data)[:-10])
    with pytest.raises(FileFormatError, match="corrupt or truncated gzip"):
        read_idx(gz)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.arange(4, dtype=np.uint8))
    write_idx(tmp_path / "train-images-idx3-ubyte", rng.integers(0, 256, (5, 4, 4), dtype=np.uint8))
    write_idx(tmp_path / "t10k-images-idx3-ubyte", rng.integers(0, 256, (5, 4, 4), dtype=np.uint8))
    with pytest.raises(FileFormatError, match="t10k-labels-idx1-ubyte.*not found"):
        load_data(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.arange(5, dtype=np.uint8))
    with pytest.raises(
        ShapeError,
        match="train-images-idx3-ubyte: 5 images but train-labels-idx1-ubyte has 4 labels",
    ):
        load_data(tmp_path)


# -- CIFAR-10 binary -------------------------------------------------------------------------


def test_cifar_round_trip_keeps_pixel_layout(tmp_path, rng):
    images = rng.integers(0, 256, (25, 32, 32, 3), dtype=np.uint8)
    labels = np.arange(25) % 10
    for i in range(5):
        write_cifar_batch(
            tmp_path / f"data_batch_{i + 1}.bin",
            images[i * 4 : i * 4 + 4],
            labels[i * 4 : i * 4 + 4],
        )
    write_cifar_batch(tmp_path / "test_batch.bin", images[20:], labels[20:])
    data = load_data(tmp_path, val_fraction=0.2)
    assert data.feature_shape == (32, 32, 3) and data.n_classes == 10
    np.testing.assert_array_equal(data.images("test"), images[20:])
    # red plane first in the file: pixel (row 0, col 1) red is byte 1 + 1 of the record
    record = (tmp_path / "test_batch.bin").read_bytes()[:3073]
    assert record[2] == images[20, 0, 1, 0] and record[1 + 1024] == images[20, 0, 0, 1]
    names = [
        "airplane",
        "automobile",
        "bird",
        "cat",
        "deer",
        "dog",
        "frog",
        "horse",
        "ship",
        "truck",
    ]
    (tmp_path / "batches.meta.txt").write_text("\n".join(names) + "\n")
    named = load_data(tmp_path / "test_batch.bin")
    assert named.classes == names
    np.testing.assert_array_equal(named.y_test, labels[20:])


def test_cifar_errors(tmp_path, rng):
    path = write_cifar_batch(
        tmp_path / "test_batch.bin", rng.integers(0, 256, (3, 32, 32, 3)), [1, 2, 3]
    )
    write_cifar_batch(
        tmp_path / "data_batch_1.bin", rng.integers(0, 256, (3, 32, 32, 3)), [1, 2, 3]
    )
    data = path.read_bytes()
    path.write_bytes(data[:-100])
    with pytest.raises(FileFormatError, match="not a whole number of 3073-byte records") as e:
        load_data(tmp_path)
    one_line(e)
    path.write_bytes(data[:3073] + bytes([200]) + data[3074:])
    with pytest.raises(FileFormatError, match="record 1: label byte 200 is not a CIFAR-10 class"):
        load_data(tmp_path)
    path.unlink()
    with pytest.raises(FileFormatError, match="test_batch.bin not found"):
        load_data(tmp_path)


# -- dispatch --------------------------------------------------------------------------------


def test_load_data_dispatch_errors(tmp_path):
    with pytest.raises(FileFormatError, match="no such file, directory or built-in dataset"):
        load_data(tmp_path / "missing.npz")
    (tmp_path / "data.parquet").write_bytes(b"PAR1")
    with pytest.raises(FileFormatError, match="cannot tell the format"):
        load_data(tmp_path / "data.parquet")
    with pytest.raises(FileFormatError, match="directory holds no"):
        load_data(tmp_path)
    with pytest.raises(ConfigError, match="unknown data format 'hdf5'"):
        load_data(tmp_path / "data.parquet", format="hdf5")


def test_label_mapping_of_a_loaded_file_serializes(tmp_path, rng):
    path = tmp_path / "d.npz"
    np.savez(
        path,
        x_train=rng.standard_normal((6, 2)),
        y_train=[5, 9, 5, 9, 5, 9],
        x_test=rng.standard_normal((2, 2)),
        y_test=[9, 5],
    )
    data = load_data(path, val_fraction=0)
    state = json.loads(json.dumps(data.labels.to_state()))
    assert state == {"kind": "int", "classes": [5, 9]}


def test_sorted_npy_file_warns_that_held_out_rows_hold_a_class(tmp_path, rng):
    np.save(tmp_path / "x.npy", rng.standard_normal((100, 2)))
    np.save(tmp_path / "y.npy", np.repeat([0, 1, 2], [50, 40, 10]))  # sorted by class
    data = load_data(tmp_path)
    assert any("class(es) 2 only occur in the held-out last rows" in n for n in data.notes)
    assert len(data.y_test) == 15 and len(data.y_val) == 15
