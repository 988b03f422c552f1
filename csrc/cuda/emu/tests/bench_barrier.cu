// Cost of the emulator's barrier: ns per thread per __syncthreads for a block of 256 threads
// doing 100 barriers, with each fiber backend; best of 5, in CPU time of the calling thread
// (the machines are shared: wall time would count other processes). Usage: emu_bench [blocks]
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "cuda/launch.h"

namespace {

constexpr int kBarriers = 100;

__global__ void barriers(int* out) {
  int acc = 0;
  for (int i = 0; i < kBarriers; ++i) {
    acc += i;
    __syncthreads();
  }
  out[blockIdx.x * blockDim.x + threadIdx.x] = acc;
}

double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double seconds_per_launch(int blocks, int threads, int* out) {
  double best = 1e30;
  for (int rep = 0; rep < 5; ++rep) {
    const double t0 = cpu_seconds();
    EMBER_LAUNCH(barriers, blocks, threads, 0, 0, out);
    EMBER_CUDA_CHECK(cudaDeviceSynchronize());
    best = std::min(best, cpu_seconds() - t0);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int blocks = argc > 1 ? std::atoi(argv[1]) : 16;
  const int threads = 256;
  int* out = nullptr;
  EMBER_CUDA_CHECK(cudaMalloc(&out, sizeof(int) * blocks * threads));
#if defined(EMBER_CUDA_EMULATED)
  std::printf("%-10s %8s %8s %10s %16s\n", "backend", "blocks", "threads", "barriers",
              "ns/thread/barrier");
  for (auto backend : {ember::emu::FiberBackend::kAsm, ember::emu::FiberBackend::kUcontext}) {
    if (backend == ember::emu::FiberBackend::kAsm && !ember::emu::asm_fibers_available()) continue;
    ember::emu::set_fiber_backend(backend);
    const double s = seconds_per_launch(blocks, threads, out);
    // (barriers + 1) switch-in/switch-out rounds per thread: one per barrier plus the final run.
    const double ns = s * 1e9 / (double(blocks) * threads * (kBarriers + 1));
    std::printf("%-10s %8d %8d %10d %16.1f\n",
                backend == ember::emu::FiberBackend::kAsm ? "asm" : "ucontext", blocks, threads,
                kBarriers, ns);
  }
#else
  std::printf("%.3f ms per launch\n", 1e3 * seconds_per_launch(blocks, threads, out));
#endif
  EMBER_CUDA_CHECK(cudaFree(out));
  return 0;
}
