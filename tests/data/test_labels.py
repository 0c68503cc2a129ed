import json

import numpy as np
import pytest

from mlplab.data import LabelEncoder
from mlplab.errors import LabelError


@pytest.mark.parametrize(
    "labels",
    [["cat", "dog", "cat", "bird"], [10, 3, 10, 7, 3], [2.0, 5.0, 2.0], [True, False, True]],
)
def test_labels_round_trip_through_json(labels):
    encoder = LabelEncoder()
    index = encoder.fit_transform(labels)
    assert index.dtype == np.int64 and index.min() == 0 and index.max() == encoder.n_classes - 1
    restored = LabelEncoder.from_state(json.loads(json.dumps(encoder.to_state())))
    np.testing.assert_array_equal(restored.transform(labels), index)
    np.testing.assert_array_equal(restored.inverse_transform(index), encoder.classes_[index])
    assert (
        restored.inverse_transform(index).tolist()
        == np.asarray(labels).astype(encoder.classes_.dtype).tolist()
    )


def test_non_contiguous_integers_map_in_order():
    encoder = LabelEncoder().fit([7, 3, 100])
    assert encoder.transform([3, 7, 100]).tolist() == [0, 1, 2]
    assert not encoder.is_identity and LabelEncoder().fit([0, 1, 2]).is_identity


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ([0.0, 0.5, 1.0], r"0\.5 at row 1"),
        ([0.0, np.nan, 1.0], "row 1 is nan"),
        (np.array([1, "a"], dtype=object), "all be integers or all strings"),
        ([4, 4, 4], "single class"),
        ([], "no labels"),
        (np.zeros((3, 2)), r"shape \(3, 2\)"),
        (np.array([1 + 2j, 3j]), "complex"),
    ],
)
def test_bad_labels_are_one_line_label_errors(labels, message):
    with pytest.raises(LabelError, match=message) as info:
        LabelEncoder().fit(labels, where="train.csv")
    assert "train.csv" in str(info.value) and "\n" not in str(info.value)


def test_unknown_or_wrong_type_label_at_transform():
    encoder = LabelEncoder().fit(["a", "b"])
    with pytest.raises(LabelError, match="'c' at row 2 is not one of the 2 training classes"):
        encoder.transform(["a", "b", "c"], where="test")
    with pytest.raises(LabelError, match="labels are int but the classes seen in training are str"):
        encoder.transform([0, 1])
    with pytest.raises(LabelError, match="out of range"):
        encoder.inverse_transform([2])
