// Devices, memory and copies on the CUDA runtime (or the SIMT emulator's, which has the same
// API). Every runtime call is checked; a failure raises ember::Error naming the call.
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "core/caching_allocator.h"
#include "cuda/device.h"
#include "cuda/launch.h"

namespace ember::cuda {
namespace {

class DeviceGuard {  // makes `device` current for the guard's lifetime
 public:
  explicit DeviceGuard(int device) {
    EMBER_CUDA_CHECK(cudaGetDevice(&previous_));
    if (previous_ != device) EMBER_CUDA_CHECK(cudaSetDevice(device));
  }
  ~DeviceGuard() { cudaSetDevice(previous_); }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = 0;
};

struct DeviceMemory {  // the current device's memory
  static void* allocate(size_t bytes) {
    void* p = nullptr;
    if (cudaMalloc(&p, bytes) != cudaSuccess) {
      cudaGetLastError();  // out of memory is not sticky; clear it so the retry is judged alone
      return nullptr;
    }
    return p;
  }
  static void release(void* p, size_t) { cudaFree(p); }
};

using DeviceAllocator = CachingAllocator<DeviceMemory>;

DeviceAllocator& allocator(int device) {
  static std::mutex mutex;
  static auto* allocators = new std::vector<std::unique_ptr<DeviceAllocator>>();
  std::lock_guard<std::mutex> lock(mutex);
  const int count = device_count();
  EMBER_CHECK(device >= 0 && device < count, RuntimeError, "cuda: invalid device ", device,
              " (", count, " CUDA devices available)");
  if (allocators->size() < static_cast<size_t>(count)) allocators->resize(count);
  auto& slot = (*allocators)[device];
  if (!slot) slot = std::make_unique<DeviceAllocator>(SIZE_MAX);
  return *slot;
}

}  // namespace

bool is_available() { return device_count() > 0; }

int device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // no driver / no device: not an error for the caller
    return 0;
  }
  return count;
}

std::string device_name(int device) {
  cudaDeviceProp prop;
  EMBER_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  return prop.name;
}

void synchronize(int device) {
  DeviceGuard guard(device);
  EMBER_CUDA_CHECK(cudaDeviceSynchronize());
}

void* allocate(size_t nbytes, int device) {
  DeviceAllocator& a = allocator(device);
  DeviceGuard guard(device);
  return a.allocate(nbytes, ("cuda:" + std::to_string(device)).c_str());
}

void deallocate(void* ptr, size_t nbytes, int device) { allocator(device).deallocate(ptr, nbytes); }

MemoryStats memory_stats(int device) { return allocator(device).stats(); }

void empty_cache() {
  for (int d = 0; d < device_count(); ++d) {
    DeviceGuard guard(d);
    allocator(d).empty_cache();
  }
}

void memcpy(void* dst, const void* src, size_t nbytes, CopyKind kind, int device) {
  if (nbytes == 0) return;
  DeviceGuard guard(device);
  const cudaMemcpyKind k = kind == CopyKind::HostToDevice   ? cudaMemcpyHostToDevice
                           : kind == CopyKind::DeviceToHost ? cudaMemcpyDeviceToHost
                                                            : cudaMemcpyDeviceToDevice;
  EMBER_CUDA_CHECK(cudaMemcpy(dst, src, nbytes, k));
}

}  // namespace ember::cuda
