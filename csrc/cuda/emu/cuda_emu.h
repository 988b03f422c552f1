// The CUDA surface of the SIMT emulator: lets a .cu file compile with a host C++ compiler
// and run on the CPU with CUDA semantics. Blocks run one after another on the calling OS
// thread; every CUDA thread of a block is a fiber that is switched at __syncthreads, __syncwarp
// and warp collectives (see scheduler.cc). Include it through "cuda/launch.h" with
// EMBER_CUDA_EMULATE defined; kernels launch through EMBER_LAUNCH and declare dynamic shared
// memory through EMBER_DYNAMIC_SHARED (extern __shared__ cannot be emulated by a macro).
//
// What nvcc rejects this header may still accept (e.g. host-only calls in device code): every
// .cu is also compiled by nvcc in CI.
#pragma once

#if defined(__CUDACC__)
#error "cuda_emu.h is the CPU emulation of CUDA; nvcc builds use the real runtime"
#endif

#include <math.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#define EMBER_CUDA_EMULATED 1

// ---- qualifiers ---------------------------------------------------------------------------
#define __global__
#define __device__
#define __host__
#define __constant__
#define __managed__
#define __forceinline__ inline __attribute__((always_inline))
// __noinline__ is not defined: libstdc++ spells __attribute__((__noinline__)), which such a
// macro would break. Kernel code spells __attribute__((noinline)) instead.
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)
#define __grid_constant__
// Per block in CUDA. Blocks of one launch run one after another on one OS thread, so one
// instance per OS thread is one per running block (and concurrent launches from different host
// threads stay apart). Its content carries over between blocks, like uninitialised shared
// memory may. Do not write `static __shared__`.
#define __shared__ static thread_local

// ---- vector types (CUDA's members, alignment and make_ functions) ---------------------------
#define EMBER_EMU_VEC(T, name, a1, a2, a3, a4)                                                 \
  struct __attribute__((aligned(a1))) name##1 { T x; };                                        \
  struct __attribute__((aligned(a2))) name##2 { T x, y; };                                     \
  struct __attribute__((aligned(a3))) name##3 { T x, y, z; };                                  \
  struct __attribute__((aligned(a4))) name##4 { T x, y, z, w; };                               \
  inline name##1 make_##name##1(T x) { return {x}; }                                           \
  inline name##2 make_##name##2(T x, T y) { return {x, y}; }                                   \
  inline name##3 make_##name##3(T x, T y, T z) { return {x, y, z}; }                          \
  inline name##4 make_##name##4(T x, T y, T z, T w) { return {x, y, z, w}; }
EMBER_EMU_VEC(signed char, char, 1, 2, 1, 4)
EMBER_EMU_VEC(unsigned char, uchar, 1, 2, 1, 4)
EMBER_EMU_VEC(short, short, 2, 4, 2, 8)
EMBER_EMU_VEC(unsigned short, ushort, 2, 4, 2, 8)
EMBER_EMU_VEC(int, int, 4, 8, 4, 16)
EMBER_EMU_VEC(unsigned int, uint, 4, 8, 4, 16)
EMBER_EMU_VEC(long, long, 8, 16, 8, 16)
EMBER_EMU_VEC(unsigned long, ulong, 8, 16, 8, 16)
EMBER_EMU_VEC(long long, longlong, 8, 16, 8, 16)
EMBER_EMU_VEC(unsigned long long, ulonglong, 8, 16, 8, 16)
EMBER_EMU_VEC(float, float, 4, 8, 4, 16)
EMBER_EMU_VEC(double, double, 8, 16, 8, 16)
#undef EMBER_EMU_VEC

struct dim3 {
  unsigned int x, y, z;
  constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1)
      : x(vx), y(vy), z(vz) {}
  constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
  constexpr operator uint3() const { return uint3{x, y, z}; }
};

// ---- runtime API types ---------------------------------------------------------------------
enum cudaError {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInitializationError = 3,
  cudaErrorInvalidConfiguration = 9,
  cudaErrorInvalidSymbol = 13,
  cudaErrorInvalidDevicePointer = 17,
  cudaErrorInvalidMemcpyDirection = 21,
  cudaErrorNoDevice = 100,
  cudaErrorInvalidDevice = 101,
  cudaErrorInvalidResourceHandle = 400,
  cudaErrorNotReady = 600,
  cudaErrorIllegalAddress = 700,
  cudaErrorLaunchOutOfResources = 701,
  cudaErrorAssert = 710,
  cudaErrorLaunchFailure = 719,
  cudaErrorNotSupported = 801,
  cudaErrorUnknown = 999,
};
typedef enum cudaError cudaError_t;

enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4,
};

enum cudaFuncAttribute {
  cudaFuncAttributeMaxDynamicSharedMemorySize = 8,
  cudaFuncAttributePreferredSharedMemoryCarveout = 9,
};

enum cudaDeviceAttr {
  cudaDevAttrMaxThreadsPerBlock = 1,
  cudaDevAttrMaxBlockDimX = 2,
  cudaDevAttrMaxBlockDimY = 3,
  cudaDevAttrMaxBlockDimZ = 4,
  cudaDevAttrMaxGridDimX = 5,
  cudaDevAttrMaxGridDimY = 6,
  cudaDevAttrMaxGridDimZ = 7,
  cudaDevAttrMaxSharedMemoryPerBlock = 8,
  cudaDevAttrWarpSize = 10,
  cudaDevAttrMultiProcessorCount = 16,
  cudaDevAttrComputeCapabilityMajor = 75,
  cudaDevAttrComputeCapabilityMinor = 76,
  cudaDevAttrMaxSharedMemoryPerMultiprocessor = 81,
  cudaDevAttrMaxSharedMemoryPerBlockOptin = 97,
};

struct CUstream_st;
struct CUevent_st;
typedef CUstream_st* cudaStream_t;
typedef CUevent_st* cudaEvent_t;
#define cudaStreamLegacy ((cudaStream_t)0x1)
#define cudaStreamPerThread ((cudaStream_t)0x2)
#define cudaStreamDefault 0x00
#define cudaStreamNonBlocking 0x01
#define cudaEventDefault 0x00
#define cudaEventBlockingSync 0x01
#define cudaEventDisableTiming 0x02

// The fields of CUDA 13's cudaDeviceProp that the emulator can answer (an A100-like sm_80).
struct cudaDeviceProp {
  char name[256];
  size_t totalGlobalMem;
  size_t sharedMemPerBlock;
  int regsPerBlock;
  int warpSize;
  size_t memPitch;
  int maxThreadsPerBlock;
  int maxThreadsDim[3];
  int maxGridSize[3];
  size_t totalConstMem;
  int major;
  int minor;
  size_t textureAlignment;
  int multiProcessorCount;
  int integrated;
  int canMapHostMemory;
  int concurrentKernels;
  int ECCEnabled;
  int pciBusID;
  int pciDeviceID;
  int asyncEngineCount;
  int unifiedAddressing;
  int memoryBusWidth;
  int l2CacheSize;
  int persistingL2CacheMaxSize;
  int maxThreadsPerMultiProcessor;
  int managedMemory;
  int isMultiGpuBoard;
  int concurrentManagedAccess;
  size_t sharedMemPerMultiprocessor;
  int regsPerMultiprocessor;
  size_t sharedMemPerBlockOptin;
  size_t reservedSharedMemPerBlock;
  int maxBlocksPerMultiProcessor;
};

cudaError_t cudaMalloc(void** ptr, size_t bytes);
template <class T>
inline cudaError_t cudaMalloc(T** ptr, size_t bytes) {
  return cudaMalloc(reinterpret_cast<void**>(ptr), bytes);
}
cudaError_t cudaFree(void* ptr);
cudaError_t cudaMallocHost(void** ptr, size_t bytes);
template <class T>
inline cudaError_t cudaMallocHost(T** ptr, size_t bytes) {
  return cudaMallocHost(reinterpret_cast<void**>(ptr), bytes);
}
cudaError_t cudaFreeHost(void* ptr);
cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t stream = 0);
cudaError_t cudaMemset(void* ptr, int value, size_t bytes);
cudaError_t cudaMemsetAsync(void* ptr, int value, size_t bytes, cudaStream_t stream = 0);
cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes);

cudaError_t cudaGetDeviceCount(int* count);
cudaError_t cudaGetDevice(int* device);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device);
cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device);
cudaError_t cudaDeviceSynchronize();
cudaError_t cudaDeviceReset();

cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();
const char* cudaGetErrorString(cudaError_t error);
const char* cudaGetErrorName(cudaError_t error);

cudaError_t cudaStreamCreate(cudaStream_t* stream);
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int flags);
cudaError_t cudaStreamDestroy(cudaStream_t stream);
cudaError_t cudaStreamSynchronize(cudaStream_t stream);
cudaError_t cudaStreamQuery(cudaStream_t stream);
cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags = 0);
cudaError_t cudaEventCreate(cudaEvent_t* event);
cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned int flags);
cudaError_t cudaEventDestroy(cudaEvent_t event);
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream = 0);
cudaError_t cudaEventSynchronize(cudaEvent_t event);
cudaError_t cudaEventQuery(cudaEvent_t event);
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end);

namespace ember::emu::detail {
cudaError_t func_set_attribute(const void* func, cudaFuncAttribute attr, int value);
cudaError_t copy_symbol(void* symbol, size_t symbol_bytes, size_t offset, void* dst,
                        const void* src, size_t bytes, bool to_symbol);
}  // namespace ember::emu::detail

template <class T>
inline cudaError_t cudaFuncSetAttribute(T* entry, cudaFuncAttribute attr, int value) {
  return ember::emu::detail::func_set_attribute(reinterpret_cast<const void*>(entry), attr,
                                                value);
}
template <class T>
inline cudaError_t cudaMemcpyToSymbol(T& symbol, const void* src, size_t bytes,
                                      size_t offset = 0,
                                      cudaMemcpyKind = cudaMemcpyHostToDevice) {
  return ember::emu::detail::copy_symbol(const_cast<std::remove_cv_t<T>*>(&symbol), sizeof(T),
                                         offset, nullptr, src, bytes, true);
}
template <class T>
inline cudaError_t cudaMemcpyFromSymbol(void* dst, const T& symbol, size_t bytes,
                                        size_t offset = 0,
                                        cudaMemcpyKind = cudaMemcpyDeviceToHost) {
  return ember::emu::detail::copy_symbol(const_cast<T*>(&symbol), sizeof(T), offset, dst,
                                         nullptr, bytes, false);
}
template <class T>
inline cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessor(int* blocks, T*, int block_size,
                                                                 size_t) {
  if (blocks == nullptr || block_size <= 0) return cudaErrorInvalidValue;
  *blocks = block_size > 2048 ? 0 : (2048 / block_size < 32 ? 2048 / block_size : 32);
  return cudaSuccess;
}

// ---- emulator control and kernel-side machinery ----------------------------------------------
namespace ember::emu {

// A kernel error (failed check, bad launch) or a runtime misuse, with the CUDA error code the
// emulator reports for it.
class Error : public std::runtime_error {
 public:
  Error(cudaError_t code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  cudaError_t code() const { return code_; }

 private:
  cudaError_t code_;
};

// Order in which the blocks of a grid, and the runnable threads of a block between two
// synchronisation points, are run. A kernel that is missing a barrier computes different
// results under different orders. Default: EMBER_EMU_SCHEDULE=forward|reverse|random:SEED.
enum class Order { kForward, kReverse, kRandom };
struct Schedule {
  Order order = Order::kForward;
  uint64_t seed = 0;
};
void set_schedule(Schedule schedule);
Schedule schedule();
Schedule parse_schedule(const std::string& text);  // throws std::invalid_argument
std::string to_string(Schedule schedule);

// Fiber implementation: the hand-written x86-64 switch where available, else ucontext.
// Default: EMBER_EMU_FIBER=asm|ucontext.
enum class FiberBackend { kAsm, kUcontext };
void set_fiber_backend(FiberBackend backend);  // throws Error when kAsm is not available
FiberBackend fiber_backend();
bool asm_fibers_available();

// Stack of each fiber (default 64 KiB, 256 KiB under ASan; EMBER_EMU_STACK_SIZE in bytes).
// Stacks are allocated once per OS thread and reused by every block.
void set_stack_size(size_t bytes);
size_t stack_size();

// Human-readable detail of the last failed runtime call on this host thread (which pointer,
// which allocation), empty after a successful call.
const std::string& last_error_detail();

struct LaunchSite {
  const char* kernel;
  const char* file;
  int line;
};

namespace detail {

// What the builtins of the running CUDA thread read.
struct ThreadCoords {
  uint3 thread_idx;
  uint3 block_idx;
  dim3 block_dim;
  dim3 grid_dim;
  unsigned char* dynamic_smem;
};
// Set while a fiber runs; constant-initialised so that reads need no TLS wrapper call.
inline thread_local const ThreadCoords* current_coords = nullptr;
const ThreadCoords& coords_outside_kernel();  // throws: builtin read outside a kernel
inline const ThreadCoords& coords() {
  return current_coords != nullptr ? *current_coords : coords_outside_kernel();
}

enum class WarpOp {
  kSyncwarp, kShflIdx, kShflUp, kShflDown, kShflXor, kBallot, kAny, kAll,
  kReduceAdd, kReduceMinU, kReduceMaxU, kReduceMinI, kReduceMaxI, kReduceAnd, kReduceOr,
  kReduceXor, kMatchAny, kMatchAll,
};
enum class BarrierOp { kSync, kCount, kAnd, kOr };

int block_barrier(BarrierOp op, int predicate, const char* file, int line);
uint64_t warp_collective(WarpOp op, unsigned mask, uint64_t value, int arg, int width,
                         const char* file, int line);
unsigned active_mask();
[[noreturn]] void trap(const char* file, int line);

void launch(const LaunchSite& site, dim3 grid, dim3 block, size_t dynamic_smem,
            const void* kernel_key, void (*body)(void*), void* ctx);

template <class T>
inline T warp_shuffle(WarpOp op, unsigned mask, T var, int arg, int width, const char* file,
                      int line) {
  static_assert(sizeof(T) <= sizeof(uint64_t) && std::is_trivially_copyable_v<T>);
  uint64_t bits = 0;
  std::memcpy(&bits, &var, sizeof(T));
  bits = warp_collective(op, mask, bits, arg, width, file, line);
  T out;
  std::memcpy(&out, &bits, sizeof(T));
  return out;
}

}  // namespace detail

// The emulated kernel launch (EMBER_LAUNCH expands to it): converts the arguments to the
// kernel's parameter types once, then every CUDA thread calls the kernel with its own copy.
template <class... Params, class... Args>
void launch(const LaunchSite& site, dim3 grid, dim3 block, size_t dynamic_smem, cudaStream_t,
            void (*kernel)(Params...), Args&&... args) {
  static_assert(sizeof...(Params) == sizeof...(Args),
                "EMBER_LAUNCH: wrong number of kernel arguments");
  struct Ctx {
    void (*kernel)(Params...);
    std::tuple<std::decay_t<Params>...> params;
  };
  Ctx ctx{kernel, std::tuple<std::decay_t<Params>...>(std::forward<Args>(args)...)};
  detail::launch(
      site, grid, block, dynamic_smem, reinterpret_cast<const void*>(kernel),
      [](void* p) {
        Ctx& c = *static_cast<Ctx*>(p);
        std::apply(c.kernel, c.params);
      },
      &ctx);
}

}  // namespace ember::emu

// ---- builtins ------------------------------------------------------------------------------
#define threadIdx (::ember::emu::detail::coords().thread_idx)
#define blockIdx (::ember::emu::detail::coords().block_idx)
#define blockDim (::ember::emu::detail::coords().block_dim)
#define gridDim (::ember::emu::detail::coords().grid_dim)
static constexpr int warpSize = 32;

// ---- synchronisation (file:line of the call site name the barrier in error messages) -------
inline void __syncthreads(const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  ember::emu::detail::block_barrier(ember::emu::detail::BarrierOp::kSync, 0, file, line);
}
inline int __syncthreads_count(int predicate, const char* file = __builtin_FILE(),
                               int line = __builtin_LINE()) {
  return ember::emu::detail::block_barrier(ember::emu::detail::BarrierOp::kCount, predicate,
                                           file, line);
}
inline int __syncthreads_and(int predicate, const char* file = __builtin_FILE(),
                             int line = __builtin_LINE()) {
  return ember::emu::detail::block_barrier(ember::emu::detail::BarrierOp::kAnd, predicate, file,
                                           line);
}
inline int __syncthreads_or(int predicate, const char* file = __builtin_FILE(),
                            int line = __builtin_LINE()) {
  return ember::emu::detail::block_barrier(ember::emu::detail::BarrierOp::kOr, predicate, file,
                                           line);
}
inline void __syncwarp(unsigned mask = 0xffffffffu, const char* file = __builtin_FILE(),
                       int line = __builtin_LINE()) {
  ember::emu::detail::warp_collective(ember::emu::detail::WarpOp::kSyncwarp, mask, 0, 0, 32,
                                      file, line);
}
inline unsigned __ballot_sync(unsigned mask, int predicate, const char* file = __builtin_FILE(),
                              int line = __builtin_LINE()) {
  return static_cast<unsigned>(ember::emu::detail::warp_collective(
      ember::emu::detail::WarpOp::kBallot, mask, predicate != 0, 0, 32, file, line));
}
inline int __any_sync(unsigned mask, int predicate, const char* file = __builtin_FILE(),
                      int line = __builtin_LINE()) {
  return static_cast<int>(ember::emu::detail::warp_collective(
      ember::emu::detail::WarpOp::kAny, mask, predicate != 0, 0, 32, file, line));
}
inline int __all_sync(unsigned mask, int predicate, const char* file = __builtin_FILE(),
                      int line = __builtin_LINE()) {
  return static_cast<int>(ember::emu::detail::warp_collective(
      ember::emu::detail::WarpOp::kAll, mask, predicate != 0, 0, 32, file, line));
}
inline unsigned __activemask() { return ember::emu::detail::active_mask(); }

// sm_80 warp reductions (CUDA's overloads: add/min/max for int and unsigned, and/or/xor for
// unsigned).
#define EMBER_EMU_REDUCE(name, T, op)                                                          \
  inline T name(unsigned mask, T value, const char* file = __builtin_FILE(),                   \
                int line = __builtin_LINE()) {                                                 \
    return ember::emu::detail::warp_shuffle(ember::emu::detail::WarpOp::op, mask, value, 0,    \
                                            32, file, line);                                   \
  }
EMBER_EMU_REDUCE(__reduce_add_sync, unsigned, kReduceAdd)
EMBER_EMU_REDUCE(__reduce_add_sync, int, kReduceAdd)
EMBER_EMU_REDUCE(__reduce_min_sync, unsigned, kReduceMinU)
EMBER_EMU_REDUCE(__reduce_min_sync, int, kReduceMinI)
EMBER_EMU_REDUCE(__reduce_max_sync, unsigned, kReduceMaxU)
EMBER_EMU_REDUCE(__reduce_max_sync, int, kReduceMaxI)
EMBER_EMU_REDUCE(__reduce_and_sync, unsigned, kReduceAnd)
EMBER_EMU_REDUCE(__reduce_or_sync, unsigned, kReduceOr)
EMBER_EMU_REDUCE(__reduce_xor_sync, unsigned, kReduceXor)
#undef EMBER_EMU_REDUCE

// __match_any_sync / __match_all_sync over the bits of the value (CUDA's overload set).
#define EMBER_EMU_MATCH(T)                                                                     \
  inline unsigned __match_any_sync(unsigned mask, T value, const char* file = __builtin_FILE(), \
                                   int line = __builtin_LINE()) {                              \
    uint64_t bits = 0;                                                                         \
    std::memcpy(&bits, &value, sizeof(T));                                                     \
    return static_cast<unsigned>(ember::emu::detail::warp_collective(                          \
        ember::emu::detail::WarpOp::kMatchAny, mask, bits, 0, 32, file, line));                \
  }                                                                                            \
  inline unsigned __match_all_sync(unsigned mask, T value, int* pred,                          \
                                   const char* file = __builtin_FILE(),                        \
                                   int line = __builtin_LINE()) {                              \
    uint64_t bits = 0;                                                                         \
    std::memcpy(&bits, &value, sizeof(T));                                                     \
    const auto m = static_cast<unsigned>(ember::emu::detail::warp_collective(                  \
        ember::emu::detail::WarpOp::kMatchAll, mask, bits, 0, 32, file, line));               \
    *pred = m != 0;                                                                            \
    return m;                                                                                  \
  }
EMBER_EMU_MATCH(int)
EMBER_EMU_MATCH(unsigned int)
EMBER_EMU_MATCH(long)
EMBER_EMU_MATCH(unsigned long)
EMBER_EMU_MATCH(long long)
EMBER_EMU_MATCH(unsigned long long)
EMBER_EMU_MATCH(float)
EMBER_EMU_MATCH(double)
#undef EMBER_EMU_MATCH

// CUDA's overload set of the shuffles (non-templates, so that e.g. a short converts to int).
#define EMBER_EMU_SHFL(T)                                                                      \
  inline T __shfl_sync(unsigned mask, T var, int src_lane, int width = 32,                     \
                       const char* file = __builtin_FILE(), int line = __builtin_LINE()) {     \
    return ember::emu::detail::warp_shuffle(ember::emu::detail::WarpOp::kShflIdx, mask, var,   \
                                            src_lane, width, file, line);                      \
  }                                                                                            \
  inline T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = 32,                \
                          const char* file = __builtin_FILE(), int line = __builtin_LINE()) {  \
    return ember::emu::detail::warp_shuffle(ember::emu::detail::WarpOp::kShflUp, mask, var,    \
                                            static_cast<int>(delta), width, file, line);       \
  }                                                                                            \
  inline T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = 32,              \
                            const char* file = __builtin_FILE(), int line = __builtin_LINE()) { \
    return ember::emu::detail::warp_shuffle(ember::emu::detail::WarpOp::kShflDown, mask, var,  \
                                            static_cast<int>(delta), width, file, line);       \
  }                                                                                            \
  inline T __shfl_xor_sync(unsigned mask, T var, int lane_mask, int width = 32,                \
                           const char* file = __builtin_FILE(), int line = __builtin_LINE()) { \
    return ember::emu::detail::warp_shuffle(ember::emu::detail::WarpOp::kShflXor, mask, var,   \
                                            lane_mask, width, file, line);                     \
  }
EMBER_EMU_SHFL(int)
EMBER_EMU_SHFL(unsigned int)
EMBER_EMU_SHFL(long)
EMBER_EMU_SHFL(unsigned long)
EMBER_EMU_SHFL(long long)
EMBER_EMU_SHFL(unsigned long long)
EMBER_EMU_SHFL(float)
EMBER_EMU_SHFL(double)
#undef EMBER_EMU_SHFL

inline void __threadfence() {}
inline void __threadfence_block() {}
inline void __threadfence_system() {}
inline void __nanosleep(unsigned) {}
[[noreturn]] inline void __trap(const char* file = __builtin_FILE(),
                                int line = __builtin_LINE()) {
  ember::emu::detail::trap(file, line);
}
long long clock64();  // clock() is left to <time.h>, whose clock() it would clash with

// ---- atomics: exactly CUDA's overloads (fibers are never preempted, so plain RMW is atomic) -
#define EMBER_EMU_ATOMIC(name, T, expr)                                                        \
  inline T name(T* address, T val) {                                                           \
    T old = *address;                                                                          \
    *address = (expr);                                                                         \
    return old;                                                                                \
  }                                                                                            \
  inline T name##_block(T* address, T val) { return name(address, val); }                      \
  inline T name##_system(T* address, T val) { return name(address, val); }
EMBER_EMU_ATOMIC(atomicAdd, int, old + val)
EMBER_EMU_ATOMIC(atomicAdd, unsigned int, old + val)
EMBER_EMU_ATOMIC(atomicAdd, unsigned long long, old + val)
EMBER_EMU_ATOMIC(atomicAdd, float, old + val)
EMBER_EMU_ATOMIC(atomicAdd, double, old + val)
EMBER_EMU_ATOMIC(atomicSub, int, old - val)
EMBER_EMU_ATOMIC(atomicSub, unsigned int, old - val)
EMBER_EMU_ATOMIC(atomicExch, int, val)
EMBER_EMU_ATOMIC(atomicExch, unsigned int, val)
EMBER_EMU_ATOMIC(atomicExch, unsigned long long, val)
EMBER_EMU_ATOMIC(atomicExch, float, val)
EMBER_EMU_ATOMIC(atomicMin, int, val < old ? val : old)
EMBER_EMU_ATOMIC(atomicMin, unsigned int, val < old ? val : old)
EMBER_EMU_ATOMIC(atomicMin, unsigned long long, val < old ? val : old)
EMBER_EMU_ATOMIC(atomicMin, long long, val < old ? val : old)
EMBER_EMU_ATOMIC(atomicMax, int, val > old ? val : old)
EMBER_EMU_ATOMIC(atomicMax, unsigned int, val > old ? val : old)
EMBER_EMU_ATOMIC(atomicMax, unsigned long long, val > old ? val : old)
EMBER_EMU_ATOMIC(atomicMax, long long, val > old ? val : old)
EMBER_EMU_ATOMIC(atomicAnd, int, old & val)
EMBER_EMU_ATOMIC(atomicAnd, unsigned int, old & val)
EMBER_EMU_ATOMIC(atomicAnd, unsigned long long, old & val)
EMBER_EMU_ATOMIC(atomicOr, int, old | val)
EMBER_EMU_ATOMIC(atomicOr, unsigned int, old | val)
EMBER_EMU_ATOMIC(atomicOr, unsigned long long, old | val)
EMBER_EMU_ATOMIC(atomicXor, int, old ^ val)
EMBER_EMU_ATOMIC(atomicXor, unsigned int, old ^ val)
EMBER_EMU_ATOMIC(atomicXor, unsigned long long, old ^ val)
EMBER_EMU_ATOMIC(atomicInc, unsigned int, old >= val ? 0u : old + 1u)
EMBER_EMU_ATOMIC(atomicDec, unsigned int, (old == 0u || old > val) ? val : old - 1u)
#undef EMBER_EMU_ATOMIC
#define EMBER_EMU_ATOMIC_CAS(T)                                                                \
  inline T atomicCAS(T* address, T compare, T val) {                                           \
    T old = *address;                                                                          \
    if (old == compare) *address = val;                                                        \
    return old;                                                                                \
  }                                                                                            \
  inline T atomicCAS_block(T* address, T compare, T val) {                                     \
    return atomicCAS(address, compare, val);                                                   \
  }                                                                                            \
  inline T atomicCAS_system(T* address, T compare, T val) {                                    \
    return atomicCAS(address, compare, val);                                                   \
  }
EMBER_EMU_ATOMIC_CAS(int)
EMBER_EMU_ATOMIC_CAS(unsigned int)
EMBER_EMU_ATOMIC_CAS(unsigned long long)
EMBER_EMU_ATOMIC_CAS(unsigned short)
#undef EMBER_EMU_ATOMIC_CAS

// ---- loads through the read-only / streaming caches ------------------------------------------
template <class T>
inline T __ldg(const T* p) { return *p; }
template <class T>
inline T __ldcg(const T* p) { return *p; }
template <class T>
inline T __ldca(const T* p) { return *p; }
template <class T>
inline T __ldcs(const T* p) { return *p; }
template <class T>
inline T __ldlu(const T* p) { return *p; }
template <class T>
inline void __stcg(T* p, T v) { *p = v; }
template <class T>
inline void __stcs(T* p, T v) { *p = v; }
template <class T>
inline void __stwb(T* p, T v) { *p = v; }

// ---- math and bit intrinsics -------------------------------------------------------------------
#define EMBER_EMU_MINMAX(T)                                                                    \
  inline T min(T a, T b) { return b < a ? b : a; }                                             \
  inline T max(T a, T b) { return a < b ? b : a; }
EMBER_EMU_MINMAX(int)
EMBER_EMU_MINMAX(unsigned int)
EMBER_EMU_MINMAX(long)
EMBER_EMU_MINMAX(unsigned long)
EMBER_EMU_MINMAX(long long)
EMBER_EMU_MINMAX(unsigned long long)
#undef EMBER_EMU_MINMAX
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }
inline double min(double a, double b) { return fmin(a, b); }
inline double max(double a, double b) { return fmax(a, b); }
inline double min(float a, double b) { return fmin(a, b); }
inline double max(float a, double b) { return fmax(a, b); }
inline double min(double a, float b) { return fmin(a, b); }
inline double max(double a, float b) { return fmax(a, b); }

inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }
inline float rcbrtf(float x) { return 1.0f / cbrtf(x); }
inline double rcbrt(double x) { return 1.0 / cbrt(x); }
inline float normcdff(float x) { return 0.5f * erfcf(-x * 0.70710678118654752f); }
inline double normcdf(double x) { return 0.5 * erfc(-x * 0.70710678118654752); }
inline float __expf(float x) { return expf(x); }
inline float __exp10f(float x) { return exp10f(x); }
inline float __logf(float x) { return logf(x); }
inline float __log2f(float x) { return log2f(x); }
inline float __log10f(float x) { return log10f(x); }
inline float __powf(float x, float y) { return powf(x, y); }
inline float __sinf(float x) { return sinf(x); }
inline float __cosf(float x) { return cosf(x); }
inline float __tanf(float x) { return tanf(x); }
inline void __sincosf(float x, float* s, float* c) { sincosf(x, s, c); }
inline float __tanhf(float x) { return tanhf(x); }
inline float __fdividef(float x, float y) { return x / y; }
inline float __saturatef(float x) {
  return x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f;  // NaN -> 0, as on the GPU
}
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __frcp_rn(float a) { return 1.0f / a; }
inline float __fsqrt_rn(float a) { return sqrtf(a); }
inline float __frsqrt_rn(float a) { return 1.0f / sqrtf(a); }
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __fma_rn(double a, double b, double c) { return fma(a, b, c); }

template <class To, class From>
inline To ember_emu_bit_cast(From v) {
  static_assert(sizeof(To) == sizeof(From));
  To out;
  std::memcpy(&out, &v, sizeof(To));
  return out;
}
inline float __int_as_float(int v) { return ember_emu_bit_cast<float>(v); }
inline int __float_as_int(float v) { return ember_emu_bit_cast<int>(v); }
inline float __uint_as_float(unsigned int v) { return ember_emu_bit_cast<float>(v); }
inline unsigned int __float_as_uint(float v) { return ember_emu_bit_cast<unsigned int>(v); }
inline double __longlong_as_double(long long v) { return ember_emu_bit_cast<double>(v); }
inline long long __double_as_longlong(double v) { return ember_emu_bit_cast<long long>(v); }
inline int __float2int_rn(float x) { return static_cast<int>(nearbyintf(x)); }
inline int __float2int_rz(float x) { return static_cast<int>(x); }
inline int __float2int_rd(float x) { return static_cast<int>(floorf(x)); }
inline int __float2int_ru(float x) { return static_cast<int>(ceilf(x)); }
inline unsigned int __float2uint_rn(float x) { return static_cast<unsigned int>(nearbyintf(x)); }
inline float __int2float_rn(int x) { return static_cast<float>(x); }
inline int __double2int_rn(double x) { return static_cast<int>(nearbyint(x)); }
inline float __double2float_rn(double x) { return static_cast<float>(x); }

inline int __popc(unsigned int x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz(static_cast<unsigned int>(x)); }
inline int __clzll(long long x) {
  return x == 0 ? 64 : __builtin_clzll(static_cast<unsigned long long>(x));
}
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __ffsll(long long x) { return __builtin_ffsll(x); }
inline unsigned int __brev(unsigned int x) {
  x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
  x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
  x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
  return __builtin_bswap32(x);
}
inline unsigned long long __brevll(unsigned long long x) {
  return (static_cast<unsigned long long>(__brev(static_cast<unsigned int>(x))) << 32) |
         __brev(static_cast<unsigned int>(x >> 32));
}
inline unsigned int __byte_perm(unsigned int x, unsigned int y, unsigned int s) {
  const unsigned long long v = (static_cast<unsigned long long>(y) << 32) | x;
  unsigned int out = 0;
  for (int i = 0; i < 4; ++i) out |= ((v >> (8 * ((s >> (4 * i)) & 7))) & 0xffu) << (8 * i);
  return out;
}
inline long long ember_emu_low24(int x) {  // the low 24 bits, sign-extended
  const long long v = x & 0xffffff;
  return v >= 0x800000 ? v - 0x1000000 : v;
}
inline int __mul24(int x, int y) {
  return static_cast<int>(ember_emu_low24(x) * ember_emu_low24(y));
}
inline unsigned int __umul24(unsigned int x, unsigned int y) {
  return (x & 0xffffffu) * (y & 0xffffffu);
}
inline int __mulhi(int x, int y) {
  return static_cast<int>((static_cast<long long>(x) * y) >> 32);
}
inline unsigned int __umulhi(unsigned int x, unsigned int y) {
  return static_cast<unsigned int>((static_cast<unsigned long long>(x) * y) >> 32);
}
inline long long __mul64hi(long long x, long long y) {
  return static_cast<long long>((static_cast<__int128>(x) * y) >> 64);
}
inline unsigned long long __umul64hi(unsigned long long x, unsigned long long y) {
  return static_cast<unsigned long long>((static_cast<unsigned __int128>(x) * y) >> 64);
}
inline unsigned int __funnelshift_l(unsigned int lo, unsigned int hi, unsigned int shift) {
  const unsigned long long v = (static_cast<unsigned long long>(hi) << 32) | lo;
  return static_cast<unsigned int>((v << (shift & 31)) >> 32);
}
inline unsigned int __funnelshift_r(unsigned int lo, unsigned int hi, unsigned int shift) {
  const unsigned long long v = (static_cast<unsigned long long>(hi) << 32) | lo;
  return static_cast<unsigned int>(v >> (shift & 31));
}
