// Static and dynamic shared memory, barriers with predicates, and a block reduction.
#include <cmath>

#include "emu_test.h"

namespace {

constexpr int kBlock = 128;

// Reverses each block's slice through a static shared buffer.
__global__ void reverse_static(const float* in, float* out, int n) {
  __shared__ float buf[kBlock];
  const int i = blockIdx.x * kBlock + threadIdx.x;
  buf[threadIdx.x] = i < n ? in[i] : -1.0f;
  __syncthreads();
  const int j = blockIdx.x * kBlock + (kBlock - 1 - static_cast<int>(threadIdx.x));
  if (j < n) out[j] = buf[threadIdx.x];
}

// Same through dynamic shared memory sized by the launch, with a second array after the
// first (both declarations alias the same bytes, as in CUDA).
__global__ void reverse_dynamic(const float* in, float* out, int* counts, int n) {
  EMBER_DYNAMIC_SHARED(float, buf);
  EMBER_DYNAMIC_SHARED(int, words);
  int* hits = words + blockDim.x;
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  buf[threadIdx.x] = i < n ? in[i] : -1.0f;
  hits[threadIdx.x] = 1;
  __syncthreads();
  const int j = blockIdx.x * blockDim.x + (blockDim.x - 1 - threadIdx.x);
  if (j < n) out[j] = buf[threadIdx.x];
  if (threadIdx.x == 0) {
    int total = 0;
    for (unsigned k = 0; k < blockDim.x; ++k) total += hits[k];
    counts[blockIdx.x] = total;
  }
}

// Tree reduction in shared memory: one partial sum per block.
__global__ void block_sum(const float* in, float* partial, int n) {
  EMBER_DYNAMIC_SHARED(float, s);
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  s[threadIdx.x] = i < n ? in[i] : 0.0f;
  __syncthreads();
  for (unsigned stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) s[threadIdx.x] += s[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0) partial[blockIdx.x] = s[0];
}

__global__ void barrier_predicates(int* out) {
  const int t = static_cast<int>(threadIdx.x);
  const int count = __syncthreads_count(t % 3 == 0);
  const int all = __syncthreads_and(t < 1000);
  const int any = __syncthreads_or(t == 17);
  const int none = __syncthreads_or(t < 0);
  if (t == 0) {
    out[0] = count;
    out[1] = all;
    out[2] = any;
    out[3] = none;
  }
}

std::vector<float> ramp(int n) {
  std::vector<float> v(n);
  for (int i = 0; i < n; ++i) v[i] = static_cast<float>(i % 251) - 100.0f;
  return v;
}

}  // namespace

EMU_TEST(shared_static) {
  const int n = 3 * kBlock;
  const std::vector<float> host = ramp(n);
  const std::vector<float> out = EMU_SAME_UNDER_EVERY_SCHEDULE([&] {
    emu_test::DeviceArray<float> in(host), d(n);
    EMBER_LAUNCH(reverse_static, n / kBlock, kBlock, 0, 0, in.get(), d.get(), n);
    return d.to_host();
  }());
  for (int b = 0; b < n / kBlock; ++b) {
    for (int t = 0; t < kBlock; ++t) {
      EMU_CHECK_EQ(out[b * kBlock + t], host[b * kBlock + kBlock - 1 - t]);
    }
  }
}

EMU_TEST(shared_dynamic) {
  for (const unsigned block : {96u, 200u}) {
    const int blocks = 3, n = static_cast<int>(block) * blocks;
    const std::vector<float> host = ramp(n);
    const size_t smem = 2 * block * sizeof(float);
    const std::vector<float> out = EMU_SAME_UNDER_EVERY_SCHEDULE([&] {
      emu_test::DeviceArray<float> in(host), d(n);
      emu_test::DeviceArray<int> counts(blocks);
      EMBER_LAUNCH(reverse_dynamic, blocks, block, smem, 0, in.get(), d.get(), counts.get(), n);
      for (int c : counts.to_host()) EMU_CHECK_EQ(c, static_cast<int>(block));
      return d.to_host();
    }());
    for (int b = 0; b < blocks; ++b) {
      for (unsigned t = 0; t < block; ++t) {
        EMU_CHECK_EQ(out[b * block + t], host[b * block + block - 1 - t]);
      }
    }
  }
}

EMU_TEST(block_reduction) {
  const int n = 1000, block = 256, blocks = (n + block - 1) / block;
  const std::vector<float> host = ramp(n);
  const std::vector<float> partial = EMU_SAME_UNDER_EVERY_SCHEDULE([&] {
    emu_test::DeviceArray<float> in(host), d(blocks);
    EMBER_LAUNCH(block_sum, blocks, block, block * sizeof(float), 0, in.get(), d.get(), n);
    return d.to_host();
  }());
  for (int b = 0; b < blocks; ++b) {
    double expect = 0;  // small integers: every order of summation is exact
    for (int i = b * block; i < std::min(n, (b + 1) * block); ++i) expect += host[i];
    EMU_CHECK_EQ(partial[b], static_cast<float>(expect));
  }
}

EMU_TEST(barrier_count_and_or) {
  const std::vector<int> out = EMU_SAME_UNDER_EVERY_SCHEDULE([&] {
    emu_test::DeviceArray<int> d(4);
    EMBER_LAUNCH(barrier_predicates, 1, 100, 0, 0, d.get());
    return d.to_host();
  }());
  EMU_CHECK_EQ(out[0], 34);  // 0, 3, ..., 99
  EMU_CHECK_EQ(out[1], 1);
  EMU_CHECK_EQ(out[2], 1);
  EMU_CHECK_EQ(out[3], 0);
}

#if defined(EMBER_CUDA_EMULATED)
namespace {
__global__ void read_uninitialised_dynamic(float* out) {
  EMBER_DYNAMIC_SHARED(float, s);
  out[threadIdx.x] = s[threadIdx.x];
}
}  // namespace

EMU_TEST(unwritten_memory_reads_nan) {
  emu_test::DeviceArray<float> d(64);
  for (float v : d.to_host()) EMU_CHECK(std::isnan(v));  // fresh cudaMalloc memory
  EMBER_LAUNCH(read_uninitialised_dynamic, 1, 64, 64 * sizeof(float), 0, d.get());
  for (float v : d.to_host()) EMU_CHECK(std::isnan(v));  // fresh dynamic shared memory
}
#endif
