"""Writers for the real file formats, independent of the loaders under test."""

import gzip
import struct

import numpy as np

IDX_CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D}


def write_idx(path, array, gz=False):
    """IDX: 0, 0, type code, ndim, big-endian uint32 dims, big-endian data."""
    array = np.asarray(array)
    code = IDX_CODES[array.dtype.type]
    header = struct.pack(">BBBB", 0, 0, code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    (gzip.open if gz else open)(path, "wb").write(data)
    return path


def write_cifar_batch(path, images, labels):
    """CIFAR-10 binary records: label byte, then the red, green and blue 32×32 planes."""
    with open(path, "wb") as f:
        for image, label in zip(images, labels, strict=True):
            f.write(struct.pack("B", int(label)))
            for channel in range(3):
                f.write(np.ascontiguousarray(image[:, :, channel], dtype=np.uint8).tobytes())
    return path
