"""Reading IDX files (the format of MNIST and Fashion-MNIST), plain or gzip-compressed."""
from __future__ import annotations

import gzip
import os
import zlib

import numpy as np

__all__ = ["read_idx"]

# The third byte of the magic number names the element type; IDX stores big-endian values.
_IDX_DTYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
               0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(path) -> np.ndarray:
    """The array stored in the IDX file ``path`` (gzip-compressed when it ends in ``.gz``).
    A truncated, corrupt or non-IDX file raises ValueError naming the file."""
    path = os.fspath(path)
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                raw = f.read()
        else:
            with open(path, "rb") as f:
                raw = f.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise ValueError(f"read_idx: {path} is a corrupt or truncated gzip file ({e})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(f"read_idx: {path} is not an IDX file (bad magic number "
                         f"{raw[:4].hex() or 'in an empty file'})")
    dtype, ndim = _IDX_DTYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"read_idx: {path} is truncated: {len(raw)} bytes, shorter than its "
                         f"{header}-byte header")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(f"read_idx: {path} has {len(raw)} bytes but its header (shape {shape}, "
                         f"{dtype.name}) needs {expected}: the file is truncated or corrupt")
    # A writable, native-order copy: tensors made over it may be written to.
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(
        dtype.newbyteorder("="), copy=True)
