"""Assemble a ``Dataset`` from arrays: validate once, encode labels, make the missing splits."""

import numpy as np

from mlplab.data.dataset import Dataset
from mlplab.data.labels import LabelEncoder
from mlplab.data.sample_weights import check_sample_weight
from mlplab.data.splits import random_split, stratified_split
from mlplab.data.targets import labels_for
from mlplab.data.validation import check_features, check_labels, mark_checked
from mlplab.errors import ShapeError

VAL_FRACTION = 0.15
TEST_FRACTION = 0.15


def dataset_from_arrays(
    name,
    x_train,
    y_train,
    x_test=None,
    y_test=None,
    x_val=None,
    y_val=None,
    *,
    source="",
    feature_shape=None,
    seed=0,
    val_fraction=VAL_FRACTION,
    test_fraction=TEST_FRACTION,
    allow_nonfinite=False,
    weights=None,
    targets="classes",
    label_names=(),
):
    """A ``Dataset`` from (N, ...) feature arrays and (N,) labels of any values.

    ``weights``: ``{"train": w, "test": w, "val": w}`` sample weights of the given splits (a
    split cut from the training data takes its rows' weights); checked by
    ``mlplab.data.sample_weights.check_sample_weight``.
    ``targets`` (``mlplab.data.targets.TARGETS``): ``"classes"`` encodes labels of any values;
    ``"binary"`` the same for one label column, and (N, K) 0/1 labels (multi-label) for several;
    ``"values"`` takes numbers (regression). ``label_names`` name the label columns.

    Features of more than two dimensions are flattened to (N, D) and their trailing shape kept as
    ``feature_shape``. A missing test or validation split is cut from the training data with a
    seeded stratified split; for memory-mapped features it is the last rows instead (a contiguous
    slice stays a memory map, a scattered selection would be read into memory).
    """
    where = source or name
    x_train, shape = _flatten(x_train, f"{where} x_train")
    feature_shape = tuple(feature_shape or shape)
    if int(np.prod(feature_shape)) != x_train.shape[1]:
        raise ShapeError(
            f"{where}: feature shape {feature_shape} does not hold {x_train.shape[1]} features"
        )
    given = {"train": (x_train, y_train), "test": (x_test, y_test), "val": (x_val, y_val)}
    labels = labels_for(targets, y_train, f"{where} y_train")
    numeric = not isinstance(labels, LabelEncoder)
    splits = _checked_splits(given, where, x_train.shape[1], allow_nonfinite, numeric)
    weights = _check_weights(weights, splits, where)
    if label_names and numeric:
        labels.names = [str(n) for n in label_names]
    labels.fit(splits["train"][1], f"{where} y_train")
    encoded = {
        which: (x, labels.transform(y, f"{where} y_{which}")) for which, (x, y) in splits.items()
    }
    fractions = {"val": val_fraction, "test": test_fraction}
    notes = _cut_missing_splits(encoded, weights, fractions, labels, seed)
    if not allow_nonfinite:  # every split is a part of checked features: no second scan
        for features, _ in encoded.values():
            mark_checked(features)
    return Dataset(
        name=name,
        x_train=encoded["train"][0],
        y_train=encoded["train"][1],
        x_val=encoded["val"][0],
        y_val=encoded["val"][1],
        x_test=encoded["test"][0],
        y_test=encoded["test"][1],
        labels=labels,
        feature_shape=feature_shape,
        source=source,
        notes=notes,
        weights=weights if weights["train"] is not None else None,
    )


def _checked_splits(given, where, n_features, allow_nonfinite, numeric=False) -> dict:
    """The splits given (x and y together), features flattened and validated, labels one per
    row: {which: (x, y)}."""
    splits = {}
    for which, (x, y) in given.items():
        if (x is None) != (y is None):
            raise ShapeError(f"{where}: x_{which} and y_{which} must be given together")
        if x is not None:
            x = _flatten(x, f"{where} x_{which}")[0]
            check_features(x, f"{where} x_{which}", n_features, allow_nonfinite=allow_nonfinite)
            numbers = numeric and np.asarray(y).dtype.kind in "fiub"
            dtype = np.float64 if numbers else None  # targets: (N,) or (N, K) numbers
            splits[which] = (x, check_labels(y, f"{where} {which}", len(x), dtype=dtype))
    return splits


def _cut_missing_splits(encoded, weights, fractions, labels, seed) -> list[str]:
    """Cut the missing validation/test splits from the training split (and its weights), in
    place in ``encoded`` and ``weights``; return notes on how. A memory map gives up its last
    rows (a contiguous slice stays a memory map); in memory, a seeded stratified split."""
    notes = []
    missing = [w for w in ("val", "test") if w not in encoded]
    x, y = encoded["train"]
    if isinstance(x, np.memmap):
        end = len(x)
        for which in missing[::-1]:
            start = end - int(round(fractions[which] * len(x)))
            encoded[which] = (x[start:end], y[start:end])
            weights[which] = _rows(weights["train"], slice(start, end))
            notes.append(f"{which} split: training rows {start}..{end - 1} (kept memory-mapped)")
            end = start
        x, y = x[:end], y[:end]
        weights["train"] = _rows(weights["train"], slice(0, end))
        absent = np.setdiff1d(np.arange(labels.n_classes), y)
        if missing and absent.size and isinstance(labels, LabelEncoder):
            names = ", ".join(str(labels.classes_[c]) for c in absent[:5])
            notes.append(
                f"warning: class(es) {names} only occur in the held-out last rows; "
                "shuffle the file or supply x_val.npy/x_test.npy"
            )
    elif missing:
        cut = stratified_split if isinstance(labels, LabelEncoder) else random_split
        parts = cut(y, [fractions[w] for w in missing], seed=seed)
        for which, part in zip(missing, parts[1:], strict=True):
            encoded[which] = (x[part], y[part])
            weights[which] = _rows(weights["train"], part)
        x, y = x[parts[0]], y[parts[0]]
        weights["train"] = _rows(weights["train"], parts[0])
        shares = ", ".join(f"{w} {fractions[w]:.0%}" for w in missing)
        whole = "all examples" if len(missing) == 2 else "the training data"
        kind = "stratified" if cut is stratified_split else "random"
        notes.append(f"{kind} split of {whole} ({shares}), seed {seed}")
    encoded["train"] = (x, y)
    return notes


def _check_weights(weights, splits, where) -> dict:
    """{split: checked (N,) weights or None}; given splits must all have weights or none."""
    weights = dict(weights or {})
    if weights and {k for k, v in weights.items() if v is not None} != set(splits):
        given = ", ".join(sorted(splits))
        raise ShapeError(f"{where}: sample weights are needed for every split given ({given})")
    return {
        which: check_sample_weight(weights.get(which), len(splits[which][0]), f"{where} w_{which}")
        if which in splits and weights
        else None
        for which in ("train", "test", "val")
    }


def _rows(weight, part):
    return None if weight is None else weight[part]


def _flatten(x, where):
    """(N, d1, d2, ...) -> (N, d1*d2*...) view, and the trailing shape."""
    if not hasattr(x, "ndim"):
        x = np.asarray(x)
    if x.ndim == 1:
        raise ShapeError(f"{where}: expected features of shape (N, D), got shape {x.shape}")
    if x.ndim == 0 or x.shape[0] == 0:
        raise ShapeError(f"{where}: no examples (shape {x.shape})")
    shape = x.shape[1:]
    return (x.reshape(len(x), -1) if x.ndim > 2 else x), shape
