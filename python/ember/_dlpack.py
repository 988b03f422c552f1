"""DLPack: zero-copy exchange with numpy, PyTorch, JAX, CuPy ... (``ember.from_dlpack`` and
``Tensor.__dlpack__``), following the Python array API's ``__dlpack__`` protocol."""
from __future__ import annotations

from . import _C
from . import _device
from . import cuda

__all__ = ["from_dlpack"]

_KDL_CPU, _KDL_CUDA, _KDL_CUDA_HOST = 1, 2, 3
# The newest DLPack this consumer asks producers for (any 1.x capsule is read correctly).
_MAX_VERSION = (1, 0)


def _is_capsule(obj) -> bool:
    return type(obj).__name__ == "PyCapsule"


def from_dlpack(ext_tensor, *, device=None, copy=None):
    """A tensor sharing the memory of ``ext_tensor``: any object with ``__dlpack__`` (numpy
    arrays, PyTorch tensors, ...) or a DLPack capsule. Writes through either show in the other;
    the producer's memory stays alive while the tensor does. ``copy=True`` copies instead."""
    from . import _tensor
    from ._random import device_args
    if device is not None:
        device_args(device, "from_dlpack")  # raises for a CUDA device this build lacks
    if hasattr(ext_tensor, "__dlpack__"):
        if hasattr(ext_tensor, "__dlpack_device__"):
            kind, index = ext_tensor.__dlpack_device__()
            if int(kind) == _KDL_CUDA:
                cuda._require("from_dlpack", int(index))
            elif int(kind) not in (_KDL_CPU, _KDL_CUDA_HOST):
                raise RuntimeError(f"from_dlpack: DLPack device ({int(kind)}, {index}) is not "
                                   "available (ember has the CPU and CUDA)")
        try:
            capsule = ext_tensor.__dlpack__(max_version=_MAX_VERSION)
        except TypeError:  # a producer older than DLPack 1.0's protocol
            capsule = ext_tensor.__dlpack__()
    elif _is_capsule(ext_tensor):
        capsule = ext_tensor
    else:
        raise TypeError(f"from_dlpack: expected an object with __dlpack__ or a DLPack capsule, "
                        f"got {type(ext_tensor).__name__}")
    out = _tensor.wrap(_C.from_dlpack(capsule))
    if device is not None and _device.parse(device) != out.device:
        if copy is False:
            raise BufferError(f"from_dlpack: a tensor on {out.device} cannot be viewed on "
                              f"{_device.parse(device)} without a copy")
        return out.to(device)
    return out.clone() if copy else out


class DLPackMethods:
    """``Tensor.__dlpack__`` and ``Tensor.__dlpack_device__``."""

    __slots__ = ()

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        """A DLPack capsule viewing this tensor (versioned when the consumer's ``max_version``
        is 1.0 or newer, else the legacy form). ``copy=True`` exports a copy."""
        if self.requires_grad:
            raise RuntimeError("__dlpack__: can't export a tensor that requires grad; use "
                               "tensor.detach()")
        if self.device.type == "cpu":
            if stream is not None:
                raise RuntimeError(f"__dlpack__: stream must be None for a CPU tensor, got "
                                   f"{stream!r}")
        elif stream != -1:
            # ember queues its kernels on the legacy default stream: whatever stream the consumer
            # reads on (None, 1, 2 or its own), the tensor is ready once the device is idle.
            cuda.synchronize(self.device)
        if dl_device is not None and tuple(dl_device) != self.__dlpack_device__():
            raise BufferError(f"__dlpack__: cannot export to DLPack device {tuple(dl_device)} "
                              f"from {self.__dlpack_device__()}")
        versioned = max_version is not None and max_version[0] >= 1
        impl = _C.clone(self._impl) if copy else self._impl
        return _C.to_dlpack(impl, versioned, bool(copy))

    def __dlpack_device__(self) -> tuple:
        """(DLPack device type, device index): (1, 0) for the CPU, (2, index) for CUDA (kDLCUDA;
        in an emulated build the memory is host memory labelled as CUDA)."""
        dev = self.device
        return (_KDL_CPU, 0) if dev.type == "cpu" else (_KDL_CUDA, dev.index)
