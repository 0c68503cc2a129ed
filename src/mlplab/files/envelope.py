"""The envelope of mlplab binary files: arrays in safetensors, the rest as one JSON document.

Layout (safetensors): 8 bytes, the little-endian length N of the header; N bytes of JSON header,
one entry per array ``{"dtype", "shape", "data_offsets": [begin, end]}`` plus ``__metadata__``;
then the arrays' bytes. mlplab's metadata holds ``"format"`` (the kind of file) and ``"mlplab"``:
a JSON document ``{"format": NAME, "format_version": N, "mlplab_version": ..., ...,
"sha256": ...}``, the digest taken over every array's name, dtype, shape and bytes.

Models and checkpoints are written and read here (ensemble members are model files). Every file
read is untrusted (DESIGN.md 12): the header is parsed by this module, every declared size and
offset is checked against the file before an array is allocated, and anything wrong is one
``FileFormatError`` line naming the file.
"""

import hashlib
import json
import math
import struct

import numpy as np

from mlplab.backend import to_numpy
from mlplab.errors import FileFormatError
from mlplab.version import __version__

#: a header longer than this is not one mlplab wrote (safetensors' own limit).
HEADER_LIMIT = 100_000_000
#: bytes per element of each safetensors dtype.
DTYPE_SIZES = {
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1,
    "U16": 2, "I16": 2, "F16": 2, "BF16": 2,
    "U32": 4, "I32": 4, "F32": 4,
    "U64": 8, "I64": 8, "F64": 8,
}  # fmt: skip


# -- writing ----------------------------------------------------------------------------------
def checksum(tensors: dict) -> str:
    """SHA-256 over the arrays in name order: name, dtype, shape and bytes of each."""
    digest = hashlib.sha256()
    for name in sorted(tensors):
        array = tensors[name]
        digest.update(f"{name}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def pack(tensors: dict, document: dict, format: str, encode=json.dumps) -> bytes:
    """The file's bytes: ``tensors`` (name -> array, on any backend) and ``document`` (plain
    JSON, written by ``encode``) with the arrays' ``sha256`` added at its end."""
    from safetensors.numpy import save

    # C-contiguous NumPy copies: safetensors 0.8 writes wrong bytes for strided arrays.
    arrays = {k: np.ascontiguousarray(to_numpy(v)) for k, v in tensors.items()}
    document = {**document, "sha256": checksum(arrays)}
    return save(arrays, metadata={"format": format, "mlplab": encode(document)})


# -- reading ----------------------------------------------------------------------------------
def read_envelope(path, blob: bytes, format: str, version: int, what: str, checked_from=1):
    """(document, tensors) of the file ``path`` whose bytes are ``blob``.

    ``format``/``version``: the format name expected and the newest version this mlplab reads;
    ``what`` names the kind of file in messages ("model", "checkpoint"). The checksum is
    verified when the document has one, and required from format version ``checked_from``.
    """
    from safetensors.numpy import load

    header = read_header(path, blob, what)
    metadata = header.get("__metadata__") or {}
    if metadata.get("format", format) != format or "mlplab" not in metadata:
        raise FileFormatError(f"{path}: a safetensors file, but not an mlplab {what}")
    try:
        document = json.loads(metadata["mlplab"])
    except (json.JSONDecodeError, TypeError):
        raise FileFormatError(f"{path}: corrupt {what} description (invalid JSON)") from None
    found = check_format(path, document, format, version, what)
    try:
        tensors = load(blob)
    except Exception as e:  # safetensors raises its own error types for bad bytes
        raise FileFormatError(f"{path}: corrupt {_arrays(what)} ({e})") from None
    if (found >= checked_from or "sha256" in document) and checksum(tensors) != document.get(
        "sha256"
    ):
        raise FileFormatError(f"{path}: corrupt {_arrays(what)} (checksum mismatch)")
    return document, tensors


def _arrays(what: str) -> str:
    return "weights" if what == "model" else f"{what} arrays"


def read_header(path, blob: bytes, what: str) -> dict:
    """The safetensors header of ``blob``, every array entry checked against the file's size."""
    if len(blob) < 8:
        raise FileFormatError(f"{path}: not a {what} file ({len(blob)} bytes, too short)")
    (size,) = struct.unpack("<Q", blob[:8])
    if size > HEADER_LIMIT or not blob[8:9] == b"{":
        raise FileFormatError(f"{path}: not a {what} file (no safetensors header)")
    if 8 + size > len(blob):
        raise FileFormatError(
            f"{path}: truncated {what} file (header needs {8 + size} bytes, file has {len(blob)})"
        )
    try:
        header = json.loads(blob[8 : 8 + size])
    except (json.JSONDecodeError, UnicodeDecodeError):
        header = None
    if not isinstance(header, dict) or not isinstance(header.get("__metadata__", {}), dict):
        raise FileFormatError(f"{path}: corrupt {what} file (unreadable header)")
    data_size = len(blob) - 8 - size
    for name, entry in header.items():
        if name != "__metadata__":
            _check_entry(path, what, name, entry, data_size, len(blob) - data_size)
    return header


def _check_entry(path, what: str, name: str, entry, data_size: int, data_start: int) -> None:
    """One array's declared dtype, shape and byte span must agree with each other and the file."""

    def corrupt(problem):
        return FileFormatError(f"{path}: corrupt {what} file (array {name!r}: {problem})")

    if not isinstance(entry, dict):
        raise corrupt("no description")
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in DTYPE_SIZES:
        raise corrupt(f"unknown dtype {dtype!r}")
    if not isinstance(shape, list) or not all(_is_count(d) for d in shape):
        raise corrupt(f"bad shape {shape!r}")
    if not isinstance(offsets, list) or len(offsets) != 2 or not all(map(_is_count, offsets)):
        raise corrupt(f"bad data_offsets {offsets!r}")
    begin, end = offsets
    if begin > end:
        raise corrupt(f"bad data_offsets {offsets!r}")
    if end > data_size:
        raise FileFormatError(
            f"{path}: truncated {what} file (expected {data_start + end} bytes, "
            f"found {data_start + data_size})"
        )
    needed = math.prod(shape) * DTYPE_SIZES[dtype]
    if end - begin != needed:
        raise corrupt(f"shape {shape} of {dtype} needs {needed} bytes, its span has {end - begin}")


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def check_format(where, document, name: str, version: int, what: str) -> int:
    """The format version of ``document`` (the parsed JSON read from ``where``), after checking
    that its ``format`` is ``name`` and the version an integer no newer than ``version``.

    A reader takes any version up to its own and refuses a newer one, saying which mlplab wrote
    it. The version is ``format_version`` (checkpoints of format 1 called it ``version``).
    """
    if not isinstance(document, dict) or document.get("format") != name:
        raise FileFormatError(f"{where}: not an mlplab {what} description")
    found = document.get("format_version", document.get("version"))
    if not isinstance(found, int) or isinstance(found, bool):
        raise FileFormatError(f"{where}: corrupt {what} description (no format version)")
    if found > version:
        raise FileFormatError(
            f"{where}: {what} format version {found} was written by mlplab "
            f"{document.get('mlplab_version', '?')}; this mlplab {__version__} reads up to "
            f"version {version} (upgrade mlplab)"
        )
    return found
