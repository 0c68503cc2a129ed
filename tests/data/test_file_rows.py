"""Rows of memory-mapped files read with pread (``mlplab.data.file_rows``): the same values as
indexing the map, for slices and strided views too; arrays it cannot read from the file are
left to the map; a file truncated under it is a one-line FileFormatError."""

from pathlib import Path

import numpy as np
import pytest

import mlplab.data.validation as validation
from mlplab.data.file_rows import file_rows
from mlplab.data.validation import first_nonfinite, row_blocks
from mlplab.errors import FileFormatError


@pytest.fixture
def mapped(tmp_path):
    x = np.arange(40 * 6, dtype=np.float32).reshape(40, 6)
    np.save(tmp_path / "x.npy", x)
    return x, np.load(tmp_path / "x.npy", mmap_mode="r"), tmp_path / "x.npy"


@pytest.mark.parametrize(
    "view",
    [
        lambda m: m,
        lambda m: m[7:31],
        lambda m: m[::3],
        lambda m: m[5:][2:20],
        lambda m: m[:, 1:4],
        np.asarray,
    ],
    ids=["whole", "slice", "strided", "slice-of-slice", "columns", "ndarray-view"],
)
@pytest.mark.parametrize("path", ["fused", "numpy"])
def test_reads_the_rows_the_map_holds(mapped, view, path, monkeypatch):
    """The same rows from the compiled reader (one call, no GIL) and from the Python loop."""
    from mlplab import kernels

    monkeypatch.setattr("mlplab.kernels.runtime._choice", path)
    _, m, _ = mapped
    x = view(m)
    rows = file_rows(x)
    assert rows is not None
    idx = np.array([len(x) - 1, 0, 3, 3, 1])
    out = np.empty((len(idx), x.shape[1]), x.dtype)
    np.testing.assert_array_equal(rows.read(idx, out), x[idx])
    np.testing.assert_array_equal(rows[2:9], x[2:9])
    np.testing.assert_array_equal(rows.read_span(1, np.empty((4, x.shape[1]), x.dtype)), x[1:5])
    rows.close()
    assert kernels.fused() == (path == "fused" and kernels.runtime.compiled() is not None)


def test_in_memory_copy_on_write_and_column_major_arrays_are_left_to_the_map(mapped, tmp_path):
    x, _, path = mapped
    assert file_rows(x) is None
    assert file_rows(np.load(path, mmap_mode="c")) is None
    np.save(tmp_path / "f.npy", np.asfortranarray(x))
    assert file_rows(np.load(tmp_path / "f.npy", mmap_mode="r")) is None


def test_row_blocks_scan_a_map_in_chunks_from_its_file(mapped, monkeypatch):
    x, m, _ = mapped
    monkeypatch.setattr(validation, "CHUNK_BYTES", 7 * 6 * 4)  # 7 rows a chunk
    blocks = list((rows, part.copy()) for rows, part in row_blocks(m))
    assert [rows.stop - rows.start for rows, _ in blocks] == [7] * 5 + [5]
    np.testing.assert_array_equal(np.concatenate([part for _, part in blocks]), x)


def test_nonfinite_scan_of_a_map_names_the_row(tmp_path, monkeypatch):
    x = np.ones((30, 4), np.float32)
    x[17, 2] = np.nan
    np.save(tmp_path / "x.npy", x)
    monkeypatch.setattr(validation, "CHUNK_BYTES", 5 * 4 * 4)
    assert first_nonfinite(np.load(tmp_path / "x.npy", mmap_mode="r")) == (17, 2)


@pytest.mark.parametrize("kernels_path", ["fused", "numpy"])
def test_a_file_truncated_under_the_reader_is_a_one_line_error(mapped, kernels_path, monkeypatch):
    monkeypatch.setattr("mlplab.kernels.runtime._choice", kernels_path)
    _, m, path = mapped
    rows = file_rows(m)
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size - 6 * 4 * 5)  # the last 5 rows gone
    with pytest.raises(FileFormatError, match=r"x\.npy: truncated while in use: row 39") as e:
        rows.read(np.array([0, 39]), np.empty((2, 6), np.float32))
    assert "\n" not in str(e.value)
    rows.close()


def test_a_file_replaced_or_removed_since_it_was_mapped_is_left_to_the_map(mapped, tmp_path):
    x, m, path = mapped
    np.save(tmp_path / "other.npy", x + 1)
    (tmp_path / "other.npy").replace(path)  # an atomic rewrite: the map keeps the old file
    if Path("/proc/self/maps").exists():
        assert file_rows(m) is None
    path.unlink()
    assert file_rows(m) is None
    np.testing.assert_array_equal(m, x)
