"""The compiled kernels check what they are given: a wrong type, size, row range, chunk or
label is a TypeError or ValueError naming the function or argument, never a write outside an
array (the Python wrappers pass valid arguments; these calls bypass them)."""

import numpy as np
import pytest

from mlplab.kernels.runtime import compiled

F32 = np.float32


@pytest.fixture
def c():
    return compiled()


def _buffers(n=10, dtype=F32):
    return [np.zeros(n, dtype) for _ in range(4)]


def test_updates_reject_chunks_outside_the_buffer(c):
    p, g, m, v = _buffers()
    for chunk in ([0, 11, 1], [-1, 5, 1], [6, 5, 1]):
        chunks = np.array([chunk], np.int64)
        with pytest.raises(ValueError, match="adam: .*chunks outside"):
            c.adam(
                p, g, m, v, chunks, 0, 1, 0, 0.0, 0.0, 1.0, 1.0, 0.9, 0.1, 0.999, 0.001, 1e-8, -1e-3
            )
    chunks = np.array([[0, 10, 1]], np.int64)
    with pytest.raises(ValueError, match="chunks outside"):  # chunk rows past the table
        c.momentum(p, g, v, chunks, 0, 2, 0, 0.0, 0.0, 1.0, 1, 0.9, -0.1)
    with pytest.raises(ValueError, match="different sizes"):
        c.mean_square(p, g, np.zeros(9, F32), chunks, 0, 1, 0, 0.0, 0.0, 1.0, 0.9, 0.1, 1e-8, -0.1)


def test_mixed_or_wrong_types_are_type_errors(c):
    p, g, m, v = _buffers()
    chunks = np.array([[0, 10, 1]], np.int64)
    with pytest.raises(TypeError, match="g: expected float32"):
        c.momentum(p, g.astype(np.float64), v, chunks, 0, 1, 0, 0.0, 0.0, 1.0, 1, 0.9, -0.1)
    with pytest.raises(TypeError, match="chunks: expected int64"):
        c.momentum(p, g, v, chunks.astype(np.int32), 0, 1, 0, 0.0, 0.0, 1.0, 1, 0.9, -0.1)
    with pytest.raises(TypeError, match="p: expected a C-contiguous writable"):
        c.momentum(np.zeros(20, F32)[::2], g, v, chunks, 0, 1, 0, 0.0, 0.0, 1.0, 1, 0.9, -0.1)
    frozen = p.copy()
    frozen.flags.writeable = False
    with pytest.raises(TypeError, match="writable"):
        c.momentum(frozen, g, v, chunks, 0, 1, 0, 0.0, 0.0, 1.0, 1, 0.9, -0.1)
    with pytest.raises(TypeError):
        c.momentum(p, g, v, chunks, 0, 1, 0, "l2", 0.0, 1.0, 1, 0.9, -0.1)
    with pytest.raises(TypeError, match="expected 13 arguments"):
        c.momentum(p, g, v)


def test_row_kernels_reject_rows_and_shapes_outside(c):
    z = np.zeros((4, 3), F32)
    with pytest.raises(ValueError, match="bias_activation"):
        c.bias_activation(z, None, 1, 0.0, 0, 5)
    with pytest.raises(ValueError, match="bias_activation"):
        c.bias_activation(z, np.zeros(4, F32), 1, 0.0, 0, 4)
    with pytest.raises(ValueError, match="activation_backward"):
        c.activation_backward(z, z, np.zeros((4, 2), F32), 1, 0.0, None, 0, 4, None)
    with pytest.raises(ValueError, match="activation_backward"):
        c.activation_backward(z, z, np.empty_like(z), 1, 0.0, np.zeros(4, F32), 0, 4, None)
    with pytest.raises(ValueError, match="bn_moments"):
        c.bn_moments(z, 2, 1, np.zeros(3), np.zeros(3))
    with pytest.raises(TypeError, match="mean: expected float64"):
        c.bn_moments(z, 0, 4, np.zeros(3, F32), np.zeros(3))
    with pytest.raises(ValueError, match="affine_columns"):
        c.affine_columns(z, np.ones(2, F32), np.zeros(3, F32), np.empty_like(z), 0, 4)


def test_softmax_cross_entropy_rejects_labels_out_of_range(c):
    s = np.zeros((3, 4), F32)
    share = np.full(3, 1 / 3, F32)
    for bad in (4, -1):
        labels = np.array([0, bad, 1], np.int64)
        with pytest.raises(ValueError, match="label outside"):
            c.softmax_cross_entropy(s, labels, share, np.empty_like(s))
    with pytest.raises(ValueError, match="labels and share"):
        c.softmax_cross_entropy(s, np.zeros(2, np.int64), share, np.empty_like(s))


def test_dropout_checks_sizes_seed_offset_and_threshold(c):
    x = np.ones(6, np.float64)
    with pytest.raises(TypeError, match="y: expected float64"):
        c.dropout(x, 1, 0, 2**31, 2.0, np.empty(6, F32))
    with pytest.raises(ValueError, match="one size"):
        c.dropout(x, 1, 0, 2**31, 2.0, np.empty(5))
    with pytest.raises(ValueError, match="offset >= 0 and threshold < 2\\*\\*32"):
        c.dropout(x, 1, -1, 2**31, 2.0, np.empty_like(x))
    with pytest.raises(ValueError, match="threshold < 2"):
        c.dropout(x, 1, 0, 2**32, 2.0, np.empty_like(x))
    with pytest.raises(OverflowError):
        c.dropout(x, -1, 0, 2**31, 2.0, np.empty_like(x))
    with pytest.raises(TypeError):
        c.dropout(x, 1.5, 0, 2**31, 2.0, np.empty_like(x))


@pytest.mark.skipif(not hasattr(compiled(), "read_rows"), reason="no pread here")
def test_read_rows_checks_its_order_and_output_and_reports_a_short_file(c, tmp_path):
    path = tmp_path / "rows.bin"
    path.write_bytes(bytes(range(40)))
    out = bytearray(20)
    offsets = np.array([30, 0], np.int64)
    with open(path, "rb") as f:
        fd = f.fileno()
        with pytest.raises(ValueError, match="order holds an index outside"):
            c.read_rows(fd, offsets, np.array([0, 2], np.int64), 10, out)
        with pytest.raises(ValueError, match="out of N rows"):
            c.read_rows(fd, offsets, np.array([1, 0], np.int64), 11, out)
        # every row read: how many were not in the page cache (-1 where that cannot be told)
        assert c.read_rows(fd, offsets, np.array([1, 0], np.int64), 10, out) in (0, -1)
        assert bytes(out) == bytes(range(30, 40)) + bytes(range(10))
        # row 0 at byte 35 runs past the end: (row, bytes read before the end)
        assert c.read_rows(
            fd, np.array([35, 0], np.int64), np.array([1, 0], np.int64), 10, out
        ) == (0, 5)
    with pytest.raises(TypeError):
        c.read_rows("not a descriptor", offsets, np.array([1, 0], np.int64), 10, out)


@pytest.mark.skipif(not hasattr(compiled(), "advise_rows"), reason="no posix_fadvise here")
def test_advise_rows_is_a_hint_whose_errors_are_ignored(c, tmp_path):
    path = tmp_path / "rows.bin"
    path.write_bytes(bytes(40))
    with open(path, "rb") as f:
        assert c.advise_rows(f.fileno(), np.array([0, 30], np.int64), 10) is None
    assert c.advise_rows(-1, np.array([0], np.int64), 10) is None  # a bad descriptor: ignored
    with pytest.raises(TypeError, match="offsets: expected int64"):
        c.advise_rows(0, np.array([0.0]), 10)
