"""Build configuration, threads and memory."""
from __future__ import annotations

import os

from . import _C

__version__ = _C.build_config()["version"]


def show_config() -> None:
    """Print how this ember was built and what it runs on."""
    c = _C.build_config()
    print(f"ember {c['version']}")
    print(f"  compiler:   {c['compiler']}")
    from . import cuda
    devices = (f"{cuda.device_count()} device(s)" if cuda.is_available()
               else cuda.unavailable_reason())
    print(f"  CUDA:       {c['cuda']} ({devices})")
    print(f"  OpenMP:     {c['openmp']}")
    print(f"  CPU:        detected {c['cpu_detected']}, kernels in use {_C.cpu_capability()}")
    print(f"  threads:    {_C.get_num_threads()}")
    print(f"  C++ package: {cmake_prefix_path()}")


def cmake_prefix_path() -> str:
    """The folder to put on CMAKE_PREFIX_PATH so that a C++ program's find_package(ember)
    finds the core library, its headers and its CMake package config in this installation."""
    return os.path.join(os.path.dirname(os.path.abspath(_C.__file__)), "lib", "cmake")


def get_num_threads() -> int:
    """Threads that ember's CPU kernels use."""
    return _C.get_num_threads()


def set_num_threads(n: int) -> None:
    """Use ``n`` threads in ember's CPU kernels (n >= 1)."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"set_num_threads: expected an int, got {type(n).__name__}")
    _C.set_num_threads(n)


def memory_stats() -> dict:
    """What the CPU caching allocator holds: ``allocated_bytes`` (in live tensors),
    ``cached_bytes`` (freed, kept for reuse), ``peak_allocated_bytes``, and counts of
    allocations, cache hits and system allocations."""
    return _C.cpu_memory_stats()


def empty_cache() -> None:
    """Give every cached (freed) CPU block back to the operating system."""
    _C.cpu_empty_cache()
