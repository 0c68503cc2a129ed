"""``load_data(spec)``: one entry for every source, a built-in name or a path, by format."""

from pathlib import Path

import numpy as np

from mlplab.data.builtin import DATASETS
from mlplab.data.dataset import Dataset
from mlplab.data.from_arrays import TEST_FRACTION, VAL_FRACTION, dataset_from_arrays
from mlplab.errors import ConfigError, FileFormatError

FORMATS = ("npz", "npy", "csv", "mnist", "cifar10")


def load_data(
    spec,
    *,
    seed: int = 0,
    val_fraction: float = VAL_FRACTION,
    test_fraction: float = TEST_FRACTION,
    label_column=None,
    format: str | None = None,
    allow_nonfinite: bool = False,
    weight_column=None,
    delimiter: str = ",",
    targets: str = "classes",
) -> Dataset:
    """A ``Dataset`` from a built-in name or a file or directory.

    ``spec``: ``"digits"``, ``"spiral:classes=5,noise=0.1"`` (a built-in and its options), or a
    path: ``.npz`` (x_train, y_train, x_test, y_test[, x_val, y_val]); ``.npy`` features with a
    ``y`` labels file beside them, or a directory of ``x_train.npy``, ``y_train.npy``, …
    (memory-mapped); ``.csv`` with a header (``label_column`` by name or index); a directory (or
    file) of MNIST IDX files, gzipped or not; a directory of CIFAR-10 binary batches.
    ``format`` forces one of ``npz, npy, csv, mnist, cifar10``. Missing validation/test splits
    are cut from the training data (``val_fraction``, ``test_fraction``, seeded by ``seed``).
    ``allow_nonfinite`` keeps NaN and inf (for inspection) instead of refusing them.
    ``weight_column``: the sample weights — a CSV column (by name or index; it is then not a
    feature) or, in an NPZ file, the arrays ``<name>_train``, ``<name>_test`` (and
    ``<name>_val``) (``mlplab.data.sample_weights``).
    ``delimiter``: the CSV field separator (one character; ``"\\t"`` for tab).
    ``targets``: what the loss takes (``mlplab.data.targets.TARGETS``): ``"classes"``,
    ``"binary"`` (one yes/no column, or several 0/1 columns: multi-label, ``label_column="a,b"``
    in a CSV, y of shape (N, K) in an NPZ file) or ``"values"`` (regression: numeric labels).
    """
    if isinstance(spec, Dataset):
        return spec
    spec = str(spec)
    options = {
        "seed": seed,
        "val_fraction": val_fraction,
        "test_fraction": test_fraction,
    }
    path = Path(spec)
    name = spec.split(":", 1)[0]
    if format is None and not path.exists() and name in DATASETS:
        factory = DATASETS.get(name)
        try:
            return factory(**options, **_builtin_options(spec))
        except TypeError as e:
            raise ConfigError(f"dataset {spec!r}: {e}") from None
    fmt = format or detect_format(path)
    common = {"source": str(path), "allow_nonfinite": allow_nonfinite, "targets": targets}
    common.update(options)
    if weight_column and fmt not in ("npz", "csv"):
        raise ConfigError(f"{path}: a weight column needs a CSV or NPZ file, not {fmt}")
    if fmt == "npz":
        from mlplab.data.npz_file import read_npz

        weights = _npz_weights(path, weight_column) if weight_column else None
        return dataset_from_arrays(path.stem, **read_npz(path), **common, weights=weights)
    if fmt == "npy":
        from mlplab.data.npy_pair import read_npy_pairs

        return dataset_from_arrays(path.stem, **read_npy_pairs(path), **common)
    if fmt == "csv":
        return _load_csv(path, label_column, weight_column, delimiter, common)
    if fmt == "mnist":
        from mlplab.data.idx_file import read_mnist

        return dataset_from_arrays(path.name, **read_mnist(path), **common)
    if fmt == "cifar10":
        return _load_cifar10(path, common)
    raise ConfigError(f"unknown data format {fmt!r}; choose one of: {', '.join(FORMATS)}")


def _load_csv(path, label_column, weight_column, delimiter, common) -> Dataset:
    """A CSV file: features, labels (one column or several), weights, feature names."""
    from mlplab.data.csv_file import label_names, read_csv

    numeric = common["targets"] == "values"
    allow_nonfinite = common["allow_nonfinite"]
    x, y, names = read_csv(
        path, label_column, allow_nonfinite, delimiter=delimiter, numeric=numeric
    )
    weights = None
    if weight_column:
        x, weights, names = _csv_weights(path, x, names, weight_column)
    labelled = label_names(path, label_column, delimiter) if np.ndim(y) == 2 else ()
    dataset = dataset_from_arrays(path.stem, x, y, **common, weights=weights, label_names=labelled)
    dataset.feature_names = tuple(names)
    return dataset


def _load_cifar10(path, common) -> Dataset:
    """CIFAR-10 binary batches, with the class names of batches.meta as labels."""
    from mlplab.data.cifar_binary import read_cifar10

    arrays, names = read_cifar10(path)
    if names is not None:
        arrays["y_train"] = np.asarray(names)[arrays["y_train"]]
        arrays["y_test"] = np.asarray(names)[arrays["y_test"]]
    return dataset_from_arrays("cifar10", **arrays, **common)


def _csv_weights(path, x, names, column):
    """Take the weight column (a name or an index into the feature columns) out of x."""
    names = list(names)
    if str(column) in names:
        index = names.index(str(column))
    else:
        try:
            index = int(column)
            names[index]
        except (ValueError, IndexError):
            raise ConfigError(
                f"{path}: no weight column {column!r} among the features "
                f"({', '.join(names[:10])}{', ...' if len(names) > 10 else ''})"
            ) from None
    weights = np.asarray(x[:, index], dtype=np.float64)
    del names[index]
    return np.delete(x, index, axis=1), {"train": weights}, names


def _npz_weights(path, name) -> dict:
    """The arrays ``<name>_train``, ``<name>_test`` and ``<name>_val`` of an NPZ file."""
    from mlplab.data.npz_file import open_npz, read_array

    with open_npz(path) as archive:
        keys = set(archive.files)
        if f"{name}_train" not in keys:
            raise FileFormatError(
                f"{path}: no weight array {name}_train (with {name}_test and {name}_val for the "
                f"splits the file has); found {', '.join(sorted(keys))}"
            )
        return {
            which: read_array(path, archive, f"{name}_{which}")
            for which in ("train", "test", "val")
            if f"{name}_{which}" in keys
        }


def detect_format(path: Path) -> str:
    """The format of a file or directory from its name (and, for directories, its contents)."""
    from mlplab.data.cifar_binary import is_cifar
    from mlplab.data.idx_file import is_mnist
    from mlplab.data.npy_pair import is_npy_dir

    if not path.exists():
        raise FileFormatError(
            f"{path}: no such file, directory or built-in dataset "
            f"(built-ins: {', '.join(DATASETS.names())})"
        )
    if path.is_dir():
        if is_npy_dir(path):
            return "npy"
        if is_mnist(path):
            return "mnist"
        if is_cifar(path):
            return "cifar10"
        raise FileFormatError(
            f"{path}: directory holds no x_train.npy/x.npy, MNIST IDX files or CIFAR-10 batches"
        )
    name = path.name.lower()
    suffix = name.removesuffix(".gz").rsplit(".", 1)[-1] if "." in name else ""
    if suffix in ("npz", "npy", "csv"):
        return suffix
    if "idx" in name or "ubyte" in name:
        return "mnist"
    if suffix == "bin":
        return "cifar10"
    raise FileFormatError(
        f"{path}: cannot tell the format from the name; expected .npz, .npy, .csv, MNIST IDX "
        "files or CIFAR-10 .bin batches"
    )


def _builtin_options(spec: str) -> dict:
    """``"spiral:classes=5,noise=0.1"`` -> {"classes": 5, "noise": 0.1}."""
    if ":" not in spec:
        return {}
    options = {}
    for item in spec.split(":", 1)[1].split(","):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"dataset {spec!r}: expected options as key=value, got {item!r}")
        try:
            options[key.strip()] = int(value)
        except ValueError:
            try:
                options[key.strip()] = float(value)
            except ValueError:
                raise ConfigError(
                    f"dataset {spec!r}: option {key.strip()} must be a number, got {value!r}"
                ) from None
    return options
