// Launches from several host threads at once (each OS thread has its own fibers and its own
// instance of every __shared__ variable), and the configurable fiber stack size.
#include <thread>

#include "emu_test.h"

namespace {

constexpr int kBlock = 64;

__global__ void rotate_static(const int* in, int* out) {
  __shared__ int s[kBlock];
  const int base = blockIdx.x * kBlock;
  s[threadIdx.x] = in[base + threadIdx.x];
  __syncthreads();
  out[base + threadIdx.x] = s[(threadIdx.x + 1) % kBlock];
}

}  // namespace

EMU_TEST(host_threads_launch_concurrently) {
  const int blocks = 20, n = blocks * kBlock, workers = 3, rounds = 10;
  int mismatches[workers] = {};
  std::string errors[workers];
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] {
      try {
        std::vector<int> host(n);
        for (int i = 0; i < n; ++i) host[i] = i * (w + 1);
        emu_test::DeviceArray<int> in(host), out(n);
        for (int r = 0; r < rounds; ++r) {
          EMBER_LAUNCH(rotate_static, blocks, kBlock, 0, 0, in.get(), out.get());
          const std::vector<int> got = out.to_host();
          for (int i = 0; i < n; ++i) {
            const int b = i / kBlock * kBlock;
            mismatches[w] += got[i] != host[b + (i - b + 1) % kBlock];
          }
        }
      } catch (const std::exception& e) {
        errors[w] = e.what();
      }
    });
  }
  for (std::thread& t : pool) t.join();
  for (int w = 0; w < workers; ++w) {
    EMU_CHECK_EQ(errors[w], std::string());
    EMU_CHECK_EQ(mismatches[w], 0);
  }
}

#if defined(EMBER_CUDA_EMULATED)
namespace {

constexpr int kLocal = 48 * 1024;  // 192 KiB of locals per thread: more than the default stack

__global__ void big_frame(int* out) {
  volatile int local[kLocal];
  for (int i = 0; i < kLocal; ++i) local[i] = i + static_cast<int>(threadIdx.x);
  __syncthreads();
  long long sum = 0;
  for (int i = 0; i < kLocal; ++i) sum += local[i];
  out[threadIdx.x] = static_cast<int>(sum % 1000003);
}

}  // namespace

EMU_TEST(configurable_stack_size) {
  const size_t saved = ember::emu::stack_size();
  ember::emu::set_stack_size(1 << 20);
  std::string error;
  std::vector<int> got;
  try {
    emu_test::DeviceArray<int> d(8);
    EMBER_LAUNCH(big_frame, 1, 8, 0, 0, d.get());
    got = d.to_host();
  } catch (const std::exception& e) {
    error = e.what();
  }
  ember::emu::set_stack_size(saved);
  EMU_CHECK_EQ(error, std::string());
  for (int t = 0; t < 8; ++t) {
    long long sum = 0;
    for (int i = 0; i < kLocal; ++i) sum += i + t;
    EMU_CHECK_EQ(got[t], static_cast<int>(sum % 1000003));
  }
  const std::string m = EMU_ERROR_OF(ember::emu::set_stack_size(100));
  EMU_CHECK_CONTAINS(m, "16 KiB");
}
#endif
