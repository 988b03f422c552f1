// The subset of the CUDA runtime API the backend uses. Device memory is host memory, tracked
// in an allocation table so that frees and copies are checked the way a GPU does not check
// them kindly: a double or foreign cudaFree and a copy past the end of an allocation fail with
// cudaErrorInvalidValue and a detail message (last_error_detail()). Fresh device memory is
// filled with 0xFF, so that an output the kernel forgot to write reads as NaN. Streams and
// events exist as handles; work is synchronous, so they order nothing.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "scheduler.h"

struct CUstream_st {
  unsigned flags;
};
struct CUevent_st {
  unsigned flags;
  bool recorded;
  std::chrono::steady_clock::time_point when;
};

namespace ember::emu {
namespace {

constexpr size_t kTotalMemory = size_t{16} << 30;  // what the emulated device reports

thread_local cudaError_t last_error = cudaSuccess;
thread_local std::string last_detail;

cudaError_t ok() {
  last_detail.clear();
  return cudaSuccess;
}

cudaError_t failed(cudaError_t code, const std::string& detail) {
  last_error = code;
  last_detail = detail;
  return code;
}

std::string ptr_str(const void* p) {
  std::ostringstream out;
  out << p;
  return out.str();
}

struct Allocation {
  size_t bytes;
  bool host;  // cudaMallocHost
};

// Live allocations by base address, and freed base addresses not handed out again by
// cudaMalloc (for the "double free" diagnosis; forgotten beyond kMaxFreed). Shared by all host
// threads.
constexpr size_t kMaxFreed = 1 << 16;
struct Memory {
  std::mutex mu;
  std::map<uintptr_t, Allocation> live;
  std::set<uintptr_t> freed;
  size_t device_bytes = 0;
  std::set<const CUstream_st*> streams;
  std::set<const CUevent_st*> events;
};

Memory& memory() {
  static Memory* m = new Memory;
  return *m;
}

// Why [p, p + bytes) is not inside one device allocation, or "" when it is.
std::string range_problem(Memory& m, const void* p, size_t bytes, const char* role) {
  const auto addr = reinterpret_cast<uintptr_t>(p);
  auto it = m.live.upper_bound(addr);
  if (it != m.live.begin()) {
    --it;
    const uintptr_t base = it->first;
    const size_t size = it->second.bytes;
    if (addr < base + size && !it->second.host) {
      if (bytes <= size - (addr - base)) return "";
      return std::string(role) + " range of " + std::to_string(bytes) + " bytes at offset " +
             std::to_string(addr - base) + " overruns the device allocation of " +
             std::to_string(size) + " bytes at " + ptr_str(reinterpret_cast<void*>(base));
    }
  }
  std::string why = std::string(role) + " " + ptr_str(p) + " is not device memory from cudaMalloc";
  if (m.freed.count(addr)) why += " (an allocation at that address was freed with cudaFree)";
  return why;
}

cudaError_t allocate(void** ptr, size_t bytes, bool host, const char* api) {
  if (ptr == nullptr) return failed(cudaErrorInvalidValue, std::string(api) + ": null pointer");
  *ptr = nullptr;
  if (bytes == 0) return ok();
  void* p = nullptr;
  Memory& m = memory();
  std::lock_guard<std::mutex> lock(m.mu);
  if (!host && m.device_bytes + bytes > kTotalMemory) {
    return failed(cudaErrorMemoryAllocation, std::string(api) + " of " + std::to_string(bytes) +
                                                 " bytes exceeds the emulated device memory");
  }
  // Exactly `bytes` (no rounding), so that ASan's redzone starts right at the end.
  if (posix_memalign(&p, 256, bytes) != 0) {
    return failed(cudaErrorMemoryAllocation,
                  std::string(api) + " of " + std::to_string(bytes) + " bytes: out of memory");
  }
  if (!host) {
    std::memset(p, 0xFF, bytes);
    m.device_bytes += bytes;
  }
  m.live[reinterpret_cast<uintptr_t>(p)] = Allocation{bytes, host};
  m.freed.erase(reinterpret_cast<uintptr_t>(p));
  *ptr = p;
  return ok();
}

cudaError_t release(void* p, bool host, const char* api) {
  if (p == nullptr) return ok();
  Memory& m = memory();
  std::lock_guard<std::mutex> lock(m.mu);
  const auto addr = reinterpret_cast<uintptr_t>(p);
  auto it = m.live.find(addr);
  if (it == m.live.end() || it->second.host != host) {
    if (m.freed.count(addr)) {
      return failed(cudaErrorInvalidValue, std::string("double ") + api + " of " + ptr_str(p));
    }
    std::string why = range_problem(m, p, 1, "pointer");
    if (why.empty()) why = "pointer " + ptr_str(p) + " is inside, not at the start of, an allocation";
    if (it != m.live.end()) why = "pointer " + ptr_str(p) + " was not allocated by this API";
    return failed(cudaErrorInvalidValue, std::string(api) + ": " + why);
  }
  if (!host) m.device_bytes -= it->second.bytes;
  m.live.erase(it);
  if (m.freed.size() >= kMaxFreed) m.freed.clear();
  m.freed.insert(addr);
  std::free(p);
  return ok();
}

bool is_device(Memory& m, const void* p) {
  const auto addr = reinterpret_cast<uintptr_t>(p);
  auto it = m.live.upper_bound(addr);
  if (it == m.live.begin()) return false;
  --it;
  return !it->second.host && addr < it->first + it->second.bytes;
}

cudaError_t copy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind) {
  if (bytes == 0) return ok();
  if (dst == nullptr || src == nullptr) {
    return failed(cudaErrorInvalidValue, "cudaMemcpy: null pointer");
  }
  if (kind < cudaMemcpyHostToHost || kind > cudaMemcpyDefault) {
    return failed(cudaErrorInvalidMemcpyDirection, "cudaMemcpy: invalid cudaMemcpyKind");
  }
  Memory& m = memory();
  {
    std::lock_guard<std::mutex> lock(m.mu);
    const bool dst_dev = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice ||
                         (kind == cudaMemcpyDefault && is_device(m, dst));
    const bool src_dev = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice ||
                         (kind == cudaMemcpyDefault && is_device(m, src));
    std::string why = dst_dev ? range_problem(m, dst, bytes, "destination") : "";
    if (why.empty() && src_dev) why = range_problem(m, src, bytes, "source");
    if (!why.empty()) return failed(cudaErrorInvalidValue, "cudaMemcpy: " + why);
  }
  std::memmove(dst, src, bytes);
  return ok();
}

cudaError_t set(void* p, int value, size_t bytes) {
  if (bytes == 0) return ok();
  Memory& m = memory();
  {
    std::lock_guard<std::mutex> lock(m.mu);
    const std::string why = range_problem(m, p, bytes, "destination");
    if (!why.empty()) return failed(cudaErrorInvalidValue, "cudaMemset: " + why);
  }
  std::memset(p, value, bytes);
  return ok();
}

bool valid_stream(cudaStream_t s) {
  if (s == nullptr || s == cudaStreamLegacy || s == cudaStreamPerThread) return true;
  Memory& m = memory();
  std::lock_guard<std::mutex> lock(m.mu);
  return m.streams.count(s) != 0;
}

CUevent_st* live_event(cudaEvent_t e) {
  Memory& m = memory();
  std::lock_guard<std::mutex> lock(m.mu);
  return m.events.count(e) ? e : nullptr;
}

cudaError_t bad_stream(const char* api, cudaStream_t s) {
  return failed(cudaErrorInvalidResourceHandle,
                std::string(api) + ": " + ptr_str(s) + " is not a live stream");
}

cudaError_t bad_event(const char* api, cudaEvent_t e) {
  return failed(cudaErrorInvalidResourceHandle,
                std::string(api) + ": " + ptr_str(e) + " is not a live event");
}

cudaDeviceProp make_properties() {
  cudaDeviceProp p{};
  std::snprintf(p.name, sizeof(p.name), "ember SIMT emulator (sm_80)");
  p.totalGlobalMem = kTotalMemory;
  p.sharedMemPerBlock = detail::kDefaultDynamicSmem;
  p.regsPerBlock = 65536;
  p.warpSize = 32;
  p.memPitch = 2147483647;
  p.maxThreadsPerBlock = static_cast<int>(detail::kMaxThreadsPerBlock);
  for (int d = 0; d < 3; ++d) {
    p.maxThreadsDim[d] = static_cast<int>(detail::kMaxBlockDim[d]);
    p.maxGridSize[d] = static_cast<int>(detail::kMaxGridDim[d]);
  }
  p.totalConstMem = 65536;
  p.major = 8;
  p.minor = 0;
  p.textureAlignment = 512;
  p.multiProcessorCount = 108;
  p.canMapHostMemory = 1;
  p.concurrentKernels = 1;
  p.asyncEngineCount = 2;
  p.unifiedAddressing = 1;
  p.memoryBusWidth = 5120;
  p.l2CacheSize = 40 * 1024 * 1024;
  p.maxThreadsPerMultiProcessor = 2048;
  p.managedMemory = 1;
  p.sharedMemPerMultiprocessor = 167936;
  p.regsPerMultiprocessor = 65536;
  p.sharedMemPerBlockOptin = detail::kMaxDynamicSmemOptin;
  p.reservedSharedMemPerBlock = 1024;
  p.maxBlocksPerMultiProcessor = 32;
  return p;
}

}  // namespace

const std::string& last_error_detail() { return last_detail; }

namespace detail {

cudaError_t func_set_attribute(const void* func, cudaFuncAttribute attr, int value) {
  if (func == nullptr) return failed(cudaErrorInvalidValue, "cudaFuncSetAttribute: null kernel");
  if (attr == cudaFuncAttributePreferredSharedMemoryCarveout) {
    if (value < -1 || value > 100) {
      return failed(cudaErrorInvalidValue, "cudaFuncSetAttribute: carveout must be in [-1, 100]");
    }
    return ok();
  }
  if (attr != cudaFuncAttributeMaxDynamicSharedMemorySize) {
    return failed(cudaErrorInvalidValue, "cudaFuncSetAttribute: unsupported attribute");
  }
  if (value < 0 || static_cast<size_t>(value) > kMaxDynamicSmemOptin) {
    return failed(cudaErrorInvalidValue,
                  "cudaFuncSetAttribute: MaxDynamicSharedMemorySize " + std::to_string(value) +
                      " is outside [0, " + std::to_string(kMaxDynamicSmemOptin) + "]");
  }
  set_dynamic_smem_limit(func, static_cast<size_t>(value));
  return ok();
}

cudaError_t copy_symbol(void* symbol, size_t symbol_bytes, size_t offset, void* dst,
                        const void* src, size_t bytes, bool to_symbol) {
  if (offset > symbol_bytes || bytes > symbol_bytes - offset) {
    return failed(cudaErrorInvalidValue,
                  std::string(to_symbol ? "cudaMemcpyToSymbol" : "cudaMemcpyFromSymbol") + ": " +
                      std::to_string(bytes) + " bytes at offset " + std::to_string(offset) +
                      " overrun the symbol of " + std::to_string(symbol_bytes) + " bytes");
  }
  char* s = static_cast<char*>(symbol) + offset;
  if (to_symbol) {
    std::memcpy(s, src, bytes);
  } else {
    std::memcpy(dst, s, bytes);
  }
  return ok();
}

}  // namespace detail
}  // namespace ember::emu

using ember::emu::failed;
using ember::emu::ok;

cudaError_t cudaMalloc(void** ptr, size_t bytes) {
  return ember::emu::allocate(ptr, bytes, false, "cudaMalloc");
}
cudaError_t cudaFree(void* ptr) { return ember::emu::release(ptr, false, "cudaFree"); }
cudaError_t cudaMallocHost(void** ptr, size_t bytes) {
  return ember::emu::allocate(ptr, bytes, true, "cudaMallocHost");
}
cudaError_t cudaFreeHost(void* ptr) { return ember::emu::release(ptr, true, "cudaFreeHost"); }

cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind) {
  return ember::emu::copy(dst, src, bytes, kind);
}
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t stream) {
  if (!ember::emu::valid_stream(stream)) return ember::emu::bad_stream("cudaMemcpyAsync", stream);
  return ember::emu::copy(dst, src, bytes, kind);
}
cudaError_t cudaMemset(void* ptr, int value, size_t bytes) {
  return ember::emu::set(ptr, value, bytes);
}
cudaError_t cudaMemsetAsync(void* ptr, int value, size_t bytes, cudaStream_t stream) {
  if (!ember::emu::valid_stream(stream)) return ember::emu::bad_stream("cudaMemsetAsync", stream);
  return ember::emu::set(ptr, value, bytes);
}
cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes) {
  if (free_bytes == nullptr || total_bytes == nullptr) {
    return failed(cudaErrorInvalidValue, "cudaMemGetInfo: null pointer");
  }
  auto& m = ember::emu::memory();
  std::lock_guard<std::mutex> lock(m.mu);
  *total_bytes = ember::emu::kTotalMemory;
  *free_bytes = ember::emu::kTotalMemory - m.device_bytes;
  return ok();
}

cudaError_t cudaGetDeviceCount(int* count) {
  if (count == nullptr) return failed(cudaErrorInvalidValue, "cudaGetDeviceCount: null pointer");
  *count = 1;
  return ok();
}
cudaError_t cudaGetDevice(int* device) {
  if (device == nullptr) return failed(cudaErrorInvalidValue, "cudaGetDevice: null pointer");
  *device = 0;
  return ok();
}
cudaError_t cudaSetDevice(int device) {
  if (device != 0) {
    return failed(cudaErrorInvalidDevice,
                  "cudaSetDevice(" + std::to_string(device) + "): the emulator has device 0 only");
  }
  return ok();
}
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device) {
  if (prop == nullptr) return failed(cudaErrorInvalidValue, "cudaGetDeviceProperties: null");
  if (device != 0) return failed(cudaErrorInvalidDevice, "cudaGetDeviceProperties: no such device");
  *prop = ember::emu::make_properties();
  return ok();
}
cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device) {
  if (value == nullptr) return failed(cudaErrorInvalidValue, "cudaDeviceGetAttribute: null");
  if (device != 0) return failed(cudaErrorInvalidDevice, "cudaDeviceGetAttribute: no such device");
  const cudaDeviceProp p = ember::emu::make_properties();
  switch (attr) {
    case cudaDevAttrMaxThreadsPerBlock: *value = p.maxThreadsPerBlock; break;
    case cudaDevAttrMaxBlockDimX: *value = p.maxThreadsDim[0]; break;
    case cudaDevAttrMaxBlockDimY: *value = p.maxThreadsDim[1]; break;
    case cudaDevAttrMaxBlockDimZ: *value = p.maxThreadsDim[2]; break;
    case cudaDevAttrMaxGridDimX: *value = p.maxGridSize[0]; break;
    case cudaDevAttrMaxGridDimY: *value = p.maxGridSize[1]; break;
    case cudaDevAttrMaxGridDimZ: *value = p.maxGridSize[2]; break;
    case cudaDevAttrMaxSharedMemoryPerBlock: *value = static_cast<int>(p.sharedMemPerBlock); break;
    case cudaDevAttrWarpSize: *value = p.warpSize; break;
    case cudaDevAttrMultiProcessorCount: *value = p.multiProcessorCount; break;
    case cudaDevAttrComputeCapabilityMajor: *value = p.major; break;
    case cudaDevAttrComputeCapabilityMinor: *value = p.minor; break;
    case cudaDevAttrMaxSharedMemoryPerMultiprocessor:
      *value = static_cast<int>(p.sharedMemPerMultiprocessor);
      break;
    case cudaDevAttrMaxSharedMemoryPerBlockOptin:
      *value = static_cast<int>(p.sharedMemPerBlockOptin);
      break;
    default: return failed(cudaErrorInvalidValue, "cudaDeviceGetAttribute: unsupported attribute");
  }
  return ok();
}
cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }
cudaError_t cudaDeviceReset() { return cudaSuccess; }

cudaError_t cudaGetLastError() {
  const cudaError_t e = ember::emu::last_error;
  ember::emu::last_error = cudaSuccess;
  return e;
}
cudaError_t cudaPeekAtLastError() { return ember::emu::last_error; }

const char* cudaGetErrorName(cudaError_t error) {
  switch (error) {
#define EMBER_EMU_NAME(e) \
  case e: return #e;
    EMBER_EMU_NAME(cudaSuccess)
    EMBER_EMU_NAME(cudaErrorInvalidValue)
    EMBER_EMU_NAME(cudaErrorMemoryAllocation)
    EMBER_EMU_NAME(cudaErrorInitializationError)
    EMBER_EMU_NAME(cudaErrorInvalidConfiguration)
    EMBER_EMU_NAME(cudaErrorInvalidSymbol)
    EMBER_EMU_NAME(cudaErrorInvalidDevicePointer)
    EMBER_EMU_NAME(cudaErrorInvalidMemcpyDirection)
    EMBER_EMU_NAME(cudaErrorNoDevice)
    EMBER_EMU_NAME(cudaErrorInvalidDevice)
    EMBER_EMU_NAME(cudaErrorInvalidResourceHandle)
    EMBER_EMU_NAME(cudaErrorNotReady)
    EMBER_EMU_NAME(cudaErrorIllegalAddress)
    EMBER_EMU_NAME(cudaErrorLaunchOutOfResources)
    EMBER_EMU_NAME(cudaErrorAssert)
    EMBER_EMU_NAME(cudaErrorLaunchFailure)
    EMBER_EMU_NAME(cudaErrorNotSupported)
    EMBER_EMU_NAME(cudaErrorUnknown)
#undef EMBER_EMU_NAME
  }
  return "cudaErrorUnknown";
}

// CUDA's own wording, so that messages read the same emulated and on a GPU.
const char* cudaGetErrorString(cudaError_t error) {
  switch (error) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInitializationError: return "initialization error";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
    case cudaErrorInvalidSymbol: return "invalid device symbol";
    case cudaErrorInvalidDevicePointer: return "invalid device pointer";
    case cudaErrorInvalidMemcpyDirection: return "invalid copy direction for memcpy";
    case cudaErrorNoDevice: return "no CUDA-capable device is detected";
    case cudaErrorInvalidDevice: return "invalid device ordinal";
    case cudaErrorInvalidResourceHandle: return "invalid resource handle";
    case cudaErrorNotReady: return "device not ready";
    case cudaErrorIllegalAddress: return "an illegal memory access was encountered";
    case cudaErrorLaunchOutOfResources: return "too many resources requested for launch";
    case cudaErrorAssert: return "device-side assert triggered";
    case cudaErrorLaunchFailure: return "unspecified launch failure";
    case cudaErrorNotSupported: return "operation not supported";
    case cudaErrorUnknown: return "unknown error";
  }
  return "unrecognized error code";
}

cudaError_t cudaStreamCreate(cudaStream_t* stream) {
  return cudaStreamCreateWithFlags(stream, cudaStreamDefault);
}
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int flags) {
  if (stream == nullptr) return failed(cudaErrorInvalidValue, "cudaStreamCreate: null pointer");
  auto& m = ember::emu::memory();
  std::lock_guard<std::mutex> lock(m.mu);
  *stream = new CUstream_st{flags};
  m.streams.insert(*stream);
  return ok();
}
cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  auto& m = ember::emu::memory();
  std::lock_guard<std::mutex> lock(m.mu);
  if (m.streams.erase(stream) == 0) {
    return failed(cudaErrorInvalidResourceHandle,
                  "cudaStreamDestroy: " + ember::emu::ptr_str(stream) + " is not a live stream");
  }
  delete stream;
  return ok();
}
cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
  if (!ember::emu::valid_stream(stream)) {
    return ember::emu::bad_stream("cudaStreamSynchronize", stream);
  }
  return ok();
}
cudaError_t cudaStreamQuery(cudaStream_t stream) {
  if (!ember::emu::valid_stream(stream)) return ember::emu::bad_stream("cudaStreamQuery", stream);
  return ok();
}
cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int) {
  if (!ember::emu::valid_stream(stream)) {
    return ember::emu::bad_stream("cudaStreamWaitEvent", stream);
  }
  if (!ember::emu::live_event(event)) return ember::emu::bad_event("cudaStreamWaitEvent", event);
  return ok();
}

cudaError_t cudaEventCreate(cudaEvent_t* event) {
  return cudaEventCreateWithFlags(event, cudaEventDefault);
}
cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned int flags) {
  if (event == nullptr) return failed(cudaErrorInvalidValue, "cudaEventCreate: null pointer");
  auto& m = ember::emu::memory();
  std::lock_guard<std::mutex> lock(m.mu);
  *event = new CUevent_st{flags, false, {}};
  m.events.insert(*event);
  return ok();
}
cudaError_t cudaEventDestroy(cudaEvent_t event) {
  auto& m = ember::emu::memory();
  std::lock_guard<std::mutex> lock(m.mu);
  if (m.events.erase(event) == 0) {
    return failed(cudaErrorInvalidResourceHandle,
                  "cudaEventDestroy: " + ember::emu::ptr_str(event) + " is not a live event");
  }
  delete event;
  return ok();
}
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
  CUevent_st* e = ember::emu::live_event(event);
  if (!e) return ember::emu::bad_event("cudaEventRecord", event);
  if (!ember::emu::valid_stream(stream)) return ember::emu::bad_stream("cudaEventRecord", stream);
  e->recorded = true;
  e->when = std::chrono::steady_clock::now();
  return ok();
}
cudaError_t cudaEventSynchronize(cudaEvent_t event) {
  if (!ember::emu::live_event(event)) return ember::emu::bad_event("cudaEventSynchronize", event);
  return ok();
}
cudaError_t cudaEventQuery(cudaEvent_t event) {
  if (!ember::emu::live_event(event)) return ember::emu::bad_event("cudaEventQuery", event);
  return ok();
}
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  if (ms == nullptr) return failed(cudaErrorInvalidValue, "cudaEventElapsedTime: null pointer");
  CUevent_st* a = ember::emu::live_event(start);
  CUevent_st* b = ember::emu::live_event(end);
  if (!a || !b) return ember::emu::bad_event("cudaEventElapsedTime", a ? end : start);
  if (!a->recorded || !b->recorded || (a->flags | b->flags) & cudaEventDisableTiming) {
    return failed(cudaErrorInvalidResourceHandle,
                  "cudaEventElapsedTime: both events must be recorded and have timing enabled");
  }
  *ms = std::chrono::duration<float, std::milli>(b->when - a->when).count();
  return ok();
}
