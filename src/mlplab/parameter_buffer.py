"""One flat buffer for all of a network's parameters, and one for their gradients.

``build_mlp`` packs every learnable array of the network it builds into a single contiguous
array, in ``net.parameters()`` order, and each layer keeps a view of its part under the same
name. Nothing about a layer changes; an optimizer that finds the parameters packed updates all
of them with one NumPy call per operation instead of one per operation and parameter (for a
small network, most of a step's time is such calls). Shapes: buffer (P,), P = Σ sizes.
"""

import numpy as np

#: values per block of an update over a packed buffer: the blocks of a few float32 arrays fit a
#: core's L2 cache (1–2 MiB)
BLOCK = 1 << 17


def pack_parameters(net) -> bool:
    """Move ``net``'s parameters and gradients into one buffer each; False if they differ in
    dtype or are not NumPy arrays (then nothing changes). Call it before anyone holds on to a
    parameter array: afterwards the layers hold views of the buffers instead."""
    entries = list(net.parameters())
    arrays = [layer.params[key] for _, layer, key in entries]
    if not arrays or any(type(a) is not np.ndarray or a.dtype != arrays[0].dtype for a in arrays):
        return False
    total = sum(a.size for a in arrays)
    params = np.empty(total, arrays[0].dtype)
    grads = np.zeros(total, arrays[0].dtype)
    offset = 0
    for (_, layer, key), a in zip(entries, arrays, strict=True):
        part = slice(offset, offset + a.size)
        offset += a.size
        p_view, g_view = params[part].reshape(a.shape), grads[part].reshape(a.shape)
        p_view[...] = a
        if key in layer.grads:
            g_view[...] = layer.grads[key]
        layer.params[key], layer.grads[key] = p_view, g_view
    return True


def packed_buffer(arrays):
    """The flat NumPy array that ``arrays`` tile end to end in this order, or None."""
    if not arrays or type(arrays[0]) is not np.ndarray:
        return None
    buffer = arrays[0].base
    if type(buffer) is not np.ndarray or buffer.ndim != 1:
        return None
    address, step = buffer.ctypes.data, buffer.itemsize
    for a in arrays:
        if (
            type(a) is not np.ndarray
            or a.base is not buffer
            or a.dtype != buffer.dtype
            or not a.flags.c_contiguous
            or a.ctypes.data != address
        ):
            return None
        address += a.size * step
    return buffer if address == buffer.ctypes.data + buffer.size * step else None


def blocks(size: int, block: int | None = None) -> list[slice]:
    """The slices that cut a packed buffer of ``size`` values into consecutive blocks of
    ``block`` values (default ``BLOCK``); ``[slice(None)]`` when one block holds them all.

    An optimizer step makes 4 to 12 passes over every parameter (Adam: 12). Over the 2.5M
    values of the lecture's 10 × 500 tanh net each pass streams 10 MB per array through memory;
    block by block, all passes over a block run while it sits in a core's L2 cache. Each value
    goes through the same operations, so the result is bit for bit the same. Measured on a
    2-core machine (``benchmarks/``' ``deep`` net, Adam, A/B within one process): 29.7 → 28.6 ms
    per step with two BLAS threads, 47.9 → 46.9 ms with one. Sharing the blocks among threads
    halves the update alone (4.8 → 3.0 ms) but gains nothing within a step: between matrix
    products the BLAS's own worker threads keep spinning on the other cores.
    """
    block = block or BLOCK
    if size <= block:
        return [slice(None)]
    return [slice(start, min(start + block, size)) for start in range(0, size, block)]
