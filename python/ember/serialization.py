"""``ember.save`` / ``ember.load``: checkpoints in the safetensors format.

A safetensors file is: 8 bytes (little-endian uint64) giving the header's length; the header,
UTF-8 JSON mapping each tensor's name to ``{"dtype", "shape", "data_offsets": [begin, end]}``
(offsets into the data section that follows) plus an optional ``"__metadata__"`` map of string
to string, padded with spaces to a multiple of 8 bytes; then the tensors' bytes, little-endian
and C-ordered, one after another. It holds no code, so loading a file cannot run anything.

A model's ``state_dict()`` (a flat ``{name: tensor}``) is stored as exactly those tensors, so
``safetensors.torch.load_file`` and ``safetensors.numpy.load_file`` open the file directly, and
``ember.load`` opens files that they wrote. Anything else (an optimizer's
``{'state': {0: {'exp_avg': t, 'step': 3}}, 'param_groups': [...]}``, lists, tuples, numbers,
strings, None) is stored with its tensors under dotted keys (``state.0.exp_avg``) and the rest
of the structure as JSON in ``__metadata__["ember.structure"]``.
"""
from __future__ import annotations

import json
import os
import struct
import tempfile

import numpy as np

from ._tensor import Tensor, from_numpy
from . import _device

__all__ = ["save", "load"]

_STRUCTURE_KEY = "ember.structure"
_DTYPE_CODES = {"bool": "BOOL", "uint8": "U8", "int32": "I32", "int64": "I64",
                "float32": "F32", "float64": "F64"}
_NUMPY_OF_CODE = {code: np.dtype(name).newbyteorder("<") for name, code in _DTYPE_CODES.items()}
# Markers in the JSON structure; every dict is written as {"__dict__": [[key, value], ...]} so
# that int keys (optimizer state) and key order survive and no user key can look like a marker.
_TENSOR, _DICT, _TUPLE = "__tensor__", "__dict__", "__tuple__"


def save(obj, f) -> None:
    """Write ``obj`` (a state dict, a tensor, or nested dicts/lists/tuples of tensors, numbers,
    strings and None) to ``f`` (a path, written atomically: a temporary file in the same folder
    replaces ``f`` only once complete; or a binary file object)."""
    tensors, metadata = _flatten(obj)
    data = _encode(tensors, metadata)
    if hasattr(f, "write"):
        f.write(data)
        return
    path = os.fspath(f)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def load(f, map_location=None, weights_only: bool = True):
    """Read what ``save`` wrote (or any safetensors file) from a path or binary file object.
    Tensors are placed on ``map_location`` (a device or its name; default the CPU). Raises
    ValueError naming the file when it is truncated, corrupt or not safetensors."""
    if not weights_only:
        raise ValueError("load: weights_only=False is not supported; safetensors files hold "
                         "only tensors and plain data")
    device = None if map_location is None else _device.parse(map_location)
    if hasattr(f, "read"):
        name, raw = getattr(f, "name", "<file object>"), f.read()
    else:
        name = os.fspath(f)
        with open(name, "rb") as fh:
            raw = fh.read()
    entries, metadata, data_start = _parse_header(raw, name)
    tensors = {}
    # Data-offset order is the order in which save() wrote the tensors: the state dict's order.
    for key, entry in sorted(entries.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        t = _read_tensor(raw, data_start, key, entry, name)
        tensors[key] = t if device is None or device.type == "cpu" else t.to(device)
    if _STRUCTURE_KEY not in metadata:
        return tensors
    try:
        structure = json.loads(metadata[_STRUCTURE_KEY])
        return _unflatten(structure, tensors)
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"load: {name}: corrupt {_STRUCTURE_KEY} metadata ({e})") from None


# ---------------------------------------------------------------------------------- writing

def _is_flat_state_dict(obj) -> bool:
    return (isinstance(obj, dict) and bool(obj)
            and all(isinstance(k, str) and isinstance(v, Tensor) for k, v in obj.items()))


def _flatten(obj):
    """``(tensors, metadata)``: the tensors to write by name, and the ``__metadata__`` map."""
    if _is_flat_state_dict(obj):
        return dict(obj), {}
    tensors = {}

    def encode(value, path):
        if isinstance(value, Tensor):
            key = ".".join(path) or "tensor"
            while key in tensors:  # dotted paths of different structures can coincide
                key += "_"
            tensors[key] = value
            return {_TENSOR: key}
        if isinstance(value, dict):
            items = []
            for k, v in value.items():
                if isinstance(k, bool) or not isinstance(k, (str, int)):
                    raise TypeError(f"save: dict keys must be str or int, got "
                                    f"{type(k).__name__} at {'.'.join(path) or 'top level'}")
                items.append([k, encode(v, path + [str(k)])])
            return {_DICT: items}
        if isinstance(value, (list, tuple)):
            items = [encode(v, path + [str(i)]) for i, v in enumerate(value)]
            return {_TUPLE: items} if isinstance(value, tuple) else items
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, (np.integer, np.floating, np.bool_)):
            return value.item()
        raise TypeError(f"save: cannot store a {type(value).__name__} "
                        f"(at {'.'.join(path) or 'top level'}); checkpoints hold tensors, "
                        f"numbers, strings, None and dicts/lists/tuples of them")

    structure = encode(obj, [])
    return tensors, {_STRUCTURE_KEY: json.dumps(structure, separators=(",", ":"))}


def _encode(tensors: dict, metadata: dict) -> bytes:
    header = {"__metadata__": metadata} if metadata else {}
    blobs, offset = [], 0
    for key, t in tensors.items():
        a = t.detach().cpu().contiguous().numpy()
        code = _DTYPE_CODES[a.dtype.name]
        blob = np.ascontiguousarray(a, dtype=_NUMPY_OF_CODE[code]).tobytes()
        header[key] = {"dtype": code, "shape": list(a.shape),
                       "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return b"".join([struct.pack("<Q", len(text)), text, *blobs])


def _unflatten(node, tensors: dict):
    if isinstance(node, list):
        return [_unflatten(v, tensors) for v in node]
    if isinstance(node, dict):
        if _TENSOR in node:
            return tensors[node[_TENSOR]]
        if _TUPLE in node:
            return tuple(_unflatten(v, tensors) for v in node[_TUPLE])
        return {k: _unflatten(v, tensors) for k, v in node[_DICT]}
    return node


# ---------------------------------------------------------------------------------- reading

def _parse_header(raw: bytes, name: str):
    """``(entries, metadata, data_start)`` of the file's bytes, or ValueError naming it."""
    if raw[:4] == b"PK\x03\x04":
        raise ValueError(f"load: {name} is a zip archive (a torch.save .pt file?), not a "
                         f"safetensors file")
    if len(raw) < 8:
        raise ValueError(f"load: {name} is not a safetensors file: only {len(raw)} bytes, "
                         f"fewer than the 8-byte header length")
    (length,) = struct.unpack("<Q", raw[:8])
    if length > len(raw) - 8:
        raise ValueError(f"load: {name}: header length {length} exceeds the {len(raw) - 8} "
                         f"bytes after it (truncated file, or not a safetensors file)")
    try:
        header = json.loads(raw[8:8 + length].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ValueError(f"load: {name}: the header is not valid JSON ({e}); not a "
                         f"safetensors file, or a corrupt one") from None
    if not isinstance(header, dict):
        raise ValueError(f"load: {name}: the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise ValueError(f"load: {name}: __metadata__ must map strings to strings")
    for key, entry in header.items():
        ok = (isinstance(entry, dict) and isinstance(entry.get("dtype"), str)
              and isinstance(entry.get("shape"), list)
              and all(isinstance(d, int) and d >= 0 for d in entry["shape"])
              and isinstance(entry.get("data_offsets"), list) and len(entry["data_offsets"]) == 2
              and all(isinstance(o, int) and o >= 0 for o in entry["data_offsets"]))
        if not ok:
            raise ValueError(f"load: {name}: malformed header entry for tensor {key!r}: {entry!r}")
    return header, metadata, 8 + length


def _read_tensor(raw: bytes, data_start: int, key: str, entry: dict, name: str) -> Tensor:
    code, shape = entry["dtype"], tuple(entry["shape"])
    begin, end = entry["data_offsets"]
    dtype = _NUMPY_OF_CODE.get(code)
    if dtype is None:
        raise ValueError(f"load: {name}: tensor {key!r} has dtype {code}, which ember does not "
                         f"support (supported: {', '.join(_NUMPY_OF_CODE)})")
    available = len(raw) - data_start
    if end > available or begin > end:
        raise ValueError(f"load: {name}: tensor {key!r} data_offsets [{begin}, {end}] lie outside "
                         f"the {available}-byte data section (truncated file?)")
    count = int(np.prod(shape, dtype=np.int64))
    if (end - begin) != count * dtype.itemsize:
        raise ValueError(f"load: {name}: tensor {key!r} of shape {shape} and dtype {code} needs "
                         f"{count * dtype.itemsize} bytes, but its data_offsets give {end - begin}")
    native = dtype.newbyteorder("=")
    if count == 0:
        return from_numpy(np.empty(shape, dtype=native))
    a = np.frombuffer(raw, dtype=dtype, count=count, offset=data_start + begin).reshape(shape)
    # A private, writable, native-order copy: the tensor must not alias the file's bytes.
    return from_numpy(a.astype(native, copy=True))
