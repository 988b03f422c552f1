// Device memory and copies, as the core sees them: host-only declarations (no CUDA headers),
// defined in device.cu, which is built only with a CUDA backend (real or emulated). The public
// device queries are in ember/cuda.h.
#pragma once

#include <cstddef>

#include "ember/cuda.h"

namespace ember::cuda {

// Device memory through a caching allocator per device.
void* allocate(size_t nbytes, int device);
void deallocate(void* ptr, size_t nbytes, int device);

enum class CopyKind { HostToDevice, DeviceToHost, DeviceToDevice };
void memcpy(void* dst, const void* src, size_t nbytes, CopyKind kind, int device);

}  // namespace ember::cuda
