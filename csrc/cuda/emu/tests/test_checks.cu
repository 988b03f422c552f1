// Planted bugs: each check of the emulator must fire, with coordinates and file:line, and leave
// the emulator usable for the next launch. Emulator only (a GPU gives none of these errors).
#include "emu_test.h"

#if defined(EMBER_CUDA_EMULATED)

namespace {


// Neighbour exchange through shared memory; `with_barrier` false is the planted bug.
__global__ void rotate(const float* in, float* out, bool with_barrier) {
  EMBER_DYNAMIC_SHARED(float, s);
  const unsigned t = threadIdx.x;
  s[t] = in[t];
  if (with_barrier) __syncthreads();
  out[t] = s[(t + 1) % blockDim.x];
}

constexpr int kEarlyReturnBarrierLine = __LINE__ + 4;
__global__ void early_return(float* out) {
  if (blockIdx.x == 1 && threadIdx.x == 5) return;
  out[threadIdx.x] = 1.0f;
  __syncthreads();
  out[threadIdx.x] = 2.0f;
}

constexpr int kDivergentLine = __LINE__ + 5;
__global__ void divergent_barriers(float* out) {
  if (threadIdx.x < 16) {
    __syncthreads();
  } else {
    __syncthreads();
  }
  out[threadIdx.x] = 0.0f;
}

constexpr int kMismatchLine = __LINE__ + 7;
__global__ void mismatched_collectives(unsigned* out) {
  const unsigned lane = threadIdx.x;
  unsigned v = lane;
  if (lane < 16) {
    v = __shfl_sync(0xffffffffu, v, 0);
  } else {
    v = __ballot_sync(0xffffffffu, 1);
  }
  out[lane] = v;
}

__global__ void shuffle_from_outside_mask(int* out) {
  if (threadIdx.x < 16) out[threadIdx.x] = __shfl_sync(0x0000ffffu, 1, 20);
}

__global__ void lane_not_in_mask(int* out) {
  out[threadIdx.x] = __shfl_sync(0x1u, 1, 0);
}

constexpr int kDeadlockBarrierLine = __LINE__ + 6;
__global__ void deadlock(int* out) {
  if (threadIdx.x < 16) {
    __syncwarp();
    out[threadIdx.x] = 1;
  } else {
    __syncthreads();
  }
}

constexpr int kTrapLine = __LINE__ + 2;
__global__ void traps(int* out) {
  if (threadIdx.x == 3) __trap();
  out[threadIdx.x] = 1;
}

__global__ void noop(int* out) { out[threadIdx.x] = static_cast<int>(threadIdx.x); }

std::string at_line(int line) { return "test_checks.cu:" + std::to_string(line); }

// The error a launch throws, checked to be an ember::cuda::CudaError with `code`.
template <class F>
std::string launch_error(F f, cudaError_t code, const char* file, int line) {
  try {
    f();
  } catch (const ember::cuda::CudaError& e) {
    if (e.code != code) {
      emu_test::fail(file, line, std::string("wrong error code ") + cudaGetErrorName(e.code));
    }
    return e.what();
  }
  emu_test::fail(file, line, "expected ember::cuda::CudaError, none was thrown");
}
#define LAUNCH_ERROR(code, ...) launch_error([&] { __VA_ARGS__; }, code, __FILE__, __LINE__)

// After a failed block, the same stacks must run a correct kernel.
void check_still_usable() {
  emu_test::DeviceArray<int> d(64);
  EMBER_LAUNCH(noop, 1, 64, 0, 0, d.get());
  const std::vector<int> out = d.to_host();
  for (int t = 0; t < 64; ++t) EMU_CHECK_EQ(out[t], t);
}

}  // namespace

EMU_TEST(check_missing_barrier_differs_between_orders) {
  const unsigned n = 64;
  std::vector<float> host(n);
  for (unsigned i = 0; i < n; ++i) host[i] = static_cast<float>(i);
  auto run = [&](ember::emu::Schedule s, bool with_barrier) {
    emu_test::ScheduleScope scope(s);
    emu_test::DeviceArray<float> in(host), out(n);
    EMBER_LAUNCH(rotate, 1, n, n * sizeof(float), 0, in.get(), out.get(), with_barrier);
    return out.to_host();
  };
  std::vector<std::vector<float>> correct, buggy;
  for (const ember::emu::Schedule& s : emu_test::all_schedules()) {
    correct.push_back(run(s, true));
    buggy.push_back(run(s, false));
  }
  for (const auto& c : correct) EMU_CHECK(emu_test::same_bits(c, correct[0]));
  for (unsigned t = 0; t < n; ++t) EMU_CHECK_EQ(correct[0][t], static_cast<float>((t + 1) % n));
  bool differs = false;
  for (const auto& b : buggy) differs = differs || !emu_test::same_bits(b, buggy[0]);
  EMU_CHECK(differs);
}

EMU_TEST(check_barrier_not_reached_after_early_return) {
  emu_test::DeviceArray<float> d(32);
  const std::string m = LAUNCH_ERROR(cudaErrorLaunchFailure,
                                     EMBER_LAUNCH(early_return, 2, 32, 0, 0, d.get()));
  EMU_CHECK_CONTAINS(m, "kernel 'early_return'");
  EMU_CHECK_CONTAINS(m, "__syncthreads() at ");
  EMU_CHECK_CONTAINS(m, at_line(kEarlyReturnBarrierLine));
  EMU_CHECK_CONTAINS(m, "not reached by every thread of block (1,0,0)");
  EMU_CHECK_CONTAINS(m, "thread (5,0,0)");
  EMU_CHECK_CONTAINS(m, "1 of 32 threads exited");
  check_still_usable();
}

EMU_TEST(check_divergent_barriers) {
  emu_test::DeviceArray<float> d(32);
  const std::string m = LAUNCH_ERROR(cudaErrorLaunchFailure,
                                     EMBER_LAUNCH(divergent_barriers, 1, 32, 0, 0, d.get()));
  EMU_CHECK_CONTAINS(m, "different barriers");
  EMU_CHECK_CONTAINS(m, at_line(kDivergentLine - 2));
  EMU_CHECK_CONTAINS(m, at_line(kDivergentLine));
  check_still_usable();
}

EMU_TEST(check_mismatched_warp_collectives) {
  emu_test::DeviceArray<unsigned> d(32);
  const std::string m = LAUNCH_ERROR(cudaErrorLaunchFailure,
                                     EMBER_LAUNCH(mismatched_collectives, 1, 32, 0, 0, d.get()));
  EMU_CHECK_CONTAINS(m, "mismatched warp collectives");
  EMU_CHECK_CONTAINS(m, "thread (0,0,0) is at __shfl_sync() at ");
  EMU_CHECK_CONTAINS(m, at_line(kMismatchLine - 2));
  EMU_CHECK_CONTAINS(m, "thread (16,0,0) is at __ballot_sync() at ");
  EMU_CHECK_CONTAINS(m, at_line(kMismatchLine));
  check_still_usable();
}

EMU_TEST(check_shuffle_from_lane_outside_mask) {
  emu_test::DeviceArray<int> d(32);
  const std::string m = LAUNCH_ERROR(
      cudaErrorLaunchFailure, EMBER_LAUNCH(shuffle_from_outside_mask, 1, 32, 0, 0, d.get()));
  EMU_CHECK_CONTAINS(m, "reads lane 20, which does not take part");
  EMU_CHECK_CONTAINS(m, "thread (0,0,0)");
  const std::string own = LAUNCH_ERROR(cudaErrorLaunchFailure,
                                       EMBER_LAUNCH(lane_not_in_mask, 1, 2, 0, 0, d.get()));
  EMU_CHECK_CONTAINS(own, "thread (1,0,0)");
  EMU_CHECK_CONTAINS(own, "the calling lane 1 is not in mask 0x1");
  check_still_usable();
}

EMU_TEST(check_deadlock) {
  emu_test::DeviceArray<int> d(32);
  const std::string m =
      LAUNCH_ERROR(cudaErrorLaunchFailure, EMBER_LAUNCH(deadlock, 1, 32, 0, 0, d.get()));
  EMU_CHECK_CONTAINS(m, "deadlock");
  EMU_CHECK_CONTAINS(m, "__syncwarp()");
  EMU_CHECK_CONTAINS(m, "thread (16,0,0), which waits at __syncthreads() at ");
  EMU_CHECK_CONTAINS(m, at_line(kDeadlockBarrierLine));
  check_still_usable();
}

EMU_TEST(check_trap) {
  emu_test::DeviceArray<int> d(32);
  const std::string m =
      LAUNCH_ERROR(cudaErrorLaunchFailure, EMBER_LAUNCH(traps, 1, 32, 0, 0, d.get()));
  EMU_CHECK_CONTAINS(m, "thread (3,0,0): __trap() at ");
  EMU_CHECK_CONTAINS(m, at_line(kTrapLine));
  check_still_usable();
}

EMU_TEST(check_launch_configuration) {
  emu_test::DeviceArray<int> d(2048);
  std::string m = LAUNCH_ERROR(cudaErrorInvalidConfiguration,
                               EMBER_LAUNCH(noop, 1, 1025, 0, 0, d.get()));
  EMU_CHECK_CONTAINS(m, "block (1025,1,1) exceeds the per-dimension limit (1024,1024,64)");
  m = LAUNCH_ERROR(cudaErrorInvalidConfiguration,
                   EMBER_LAUNCH(noop, 1, dim3(32, 32, 2), 0, 0, d.get()));
  EMU_CHECK_CONTAINS(m, "block (32,32,2) has 2048 threads, more than the limit of 1024");
  m = LAUNCH_ERROR(cudaErrorInvalidConfiguration,
                   EMBER_LAUNCH(noop, 1, dim3(1, 1, 65), 0, 0, d.get()));
  EMU_CHECK_CONTAINS(m, "block (1,1,65) exceeds the per-dimension limit");
  m = LAUNCH_ERROR(cudaErrorInvalidConfiguration, EMBER_LAUNCH(noop, 0, 32, 0, 0, d.get()));
  EMU_CHECK_CONTAINS(m, "grid (0,1,1)");
  m = LAUNCH_ERROR(cudaErrorInvalidValue,
                   EMBER_LAUNCH(noop, 1, 32, 48 * 1024 + 1, 0, d.get()));
  EMU_CHECK_CONTAINS(m, "49153 bytes of dynamic shared memory, more than its limit of 49152");
  EMU_CHECK_CONTAINS(m, "launch of kernel 'noop' at ");
  check_still_usable();
}

EMU_TEST(check_schedule_parsing) {
  EMU_CHECK(ember::emu::parse_schedule("random:42").order == ember::emu::Order::kRandom);
  EMU_CHECK_EQ(ember::emu::parse_schedule("random:42").seed, 42u);
  EMU_CHECK(ember::emu::parse_schedule("reverse").order == ember::emu::Order::kReverse);
  const std::string m = EMU_ERROR_OF(ember::emu::parse_schedule("backwards"));
  EMU_CHECK_CONTAINS(m, "forward, reverse or random:SEED");
}

EMU_TEST(check_builtin_outside_kernel) {
  const std::string m = EMU_ERROR_OF((void)threadIdx.x);
  EMU_CHECK_CONTAINS(m, "outside a kernel");
  const std::string b = EMU_ERROR_OF(__syncthreads());
  EMU_CHECK_CONTAINS(b, "__syncthreads() at ");
}

#endif  // EMBER_CUDA_EMULATED
