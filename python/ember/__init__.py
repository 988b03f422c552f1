"""ember: a small deep-learning library with hand-written C++ and CUDA kernels and PyTorch's API.

    import ember
    x = ember.randn(3, 4)
    y = (x @ x.T).relu().sum(dim=1)
"""
from __future__ import annotations

import os as _os

# Bound OpenMP's busy-waiting: on a shared 2-core machine, workers spinning at the default
# count steal the cores from the next library's threads (and from ours). Set before the
# runtime loads; a user's own setting wins.
_os.environ.setdefault("GOMP_SPINCOUNT", "20000")

from . import _C  # noqa: E402
from ._device import device  # noqa: E402
from ._dtype import (  # noqa: E402
    dtype, bool_ as bool, uint8, int32, int64, float32, float64,
    get_default_dtype, set_default_dtype, promote_types,
)
from ._tensor import Size, Tensor, tensor, from_numpy  # noqa: E402
from ._runtime import (  # noqa: E402
    __version__, show_config, cmake_prefix_path, get_num_threads, set_num_threads,
    memory_stats, empty_cache,
)
from . import cuda  # noqa: E402
from . import autograd  # noqa: E402
from . import optim  # noqa: E402
from .autograd import no_grad, enable_grad, set_grad_enabled, is_grad_enabled  # noqa: E402

# Each family module lists its public functions in __all__.
from ._elementwise import *  # noqa: E402,F401,F403
from ._reduction import *  # noqa: E402,F401,F403
from ._views import *  # noqa: E402,F401,F403
from ._creation import *  # noqa: E402,F401,F403
from ._random import *  # noqa: E402,F401,F403
from ._dlpack import *  # noqa: E402,F401,F403
from . import nn  # noqa: E402,F401
from .nn.functional.activation import heaviside  # noqa: E402,F401

float = float32
double = float64
long = int64
int = int32

__all__ = [
    "Tensor", "Size", "device", "dtype", "tensor", "from_numpy",
    "bool", "uint8", "int32", "int64", "float32", "float64", "float", "double", "long", "int",
    "get_default_dtype", "set_default_dtype", "promote_types",
    "show_config", "cmake_prefix_path", "get_num_threads", "set_num_threads",
    "memory_stats", "empty_cache", "cuda",
    "autograd", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
]
from . import data, utils  # noqa: E402
from .serialization import save, load  # noqa: E402
