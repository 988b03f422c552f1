// Warp collectives: shuffle reductions (xor, down), scans (up), broadcasts (idx) with width,
// ballot/any/all, __syncwarp, __reduce_*_sync, __match_*_sync, and a block reduction built from
// warp shuffles.
#include "emu_test.h"

namespace {

constexpr unsigned kFull = 0xffffffffu;

__device__ float warp_sum_xor(float v) {
  for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(kFull, v, offset);
  return v;
}

// Block sum: shuffle-down inside each warp, warp totals through shared memory, then the first
// warp reduces them with xor shuffles. Block size a multiple of 32, at most 1024.
__global__ void block_sum_shuffle(const float* in, float* out, int n) {
  __shared__ float warp_totals[32];
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  float v = i < n ? in[i] : 0.0f;
  for (int offset = 16; offset > 0; offset /= 2) v += __shfl_down_sync(kFull, v, offset);
  const unsigned lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0) warp_totals[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < blockDim.x / 32 ? warp_totals[lane] : 0.0f;
    v = warp_sum_xor(v);
    if (lane == 0) out[blockIdx.x] = v;
  }
}

// Per-lane results of the shuffle variants with sub-warp widths.
__global__ void shuffle_widths(int* out) {
  const int lane = static_cast<int>(threadIdx.x);
  int* row = out + 6 * lane;
  row[0] = __shfl_sync(kFull, lane * 10, 3);            // broadcast lane 3
  row[1] = __shfl_sync(kFull, lane * 10, 11, 8);        // lane 11 % 8 of each 8-lane segment
  int scan = lane;                                      // inclusive scan in segments of 8
  for (unsigned d = 1; d < 8; d *= 2) {
    const int up = __shfl_up_sync(kFull, scan, d, 8);
    if (lane % 8 >= static_cast<int>(d)) scan += up;
  }
  row[2] = scan;
  int seg = lane;                                       // sum of each 16-lane segment
  for (unsigned d = 8; d > 0; d /= 2) seg += __shfl_down_sync(kFull, seg, d, 16);
  row[3] = seg;
  row[4] = __shfl_xor_sync(kFull, lane, 1);
  row[5] = __shfl_down_sync(kFull, lane, 5, 8);         // past the segment end: own value
}

__global__ void votes(unsigned* out) {
  const unsigned lane = threadIdx.x % 32;
  const unsigned warp_base = threadIdx.x - lane;
  const unsigned width = blockDim.x - warp_base < 32 ? blockDim.x - warp_base : 32;
  const unsigned mask = width == 32 ? kFull : (1u << width) - 1;  // only existing lanes
  const unsigned ballot = __ballot_sync(mask, lane % 3 == 0);
  const int any = __any_sync(mask, lane == width - 1);
  const int all = __all_sync(mask, lane < width);
  const int not_all = __all_sync(mask, lane + 1 < width);
  if (lane == 0) {
    unsigned* row = out + 4 * (threadIdx.x / 32);
    row[0] = ballot;
    row[1] = static_cast<unsigned>(any);
    row[2] = static_cast<unsigned>(all);
    row[3] = static_cast<unsigned>(not_all);
  }
}

// Lanes exchange values through shared memory, ordered by __syncwarp only.
__global__ void syncwarp_exchange(int* out) {
  __shared__ int s[64];
  const unsigned t = threadIdx.x;
  s[t] = static_cast<int>(t) * 7;
  __syncwarp();
  out[t] = s[(t & ~31u) | ((t + 1) & 31u)];
}

// sm_80 warp reductions and the match intrinsics, one row of results per lane.
__global__ void reduce_and_match(int* out) {
  const int lane = static_cast<int>(threadIdx.x);
  int* row = out + 10 * lane;
  row[0] = __reduce_add_sync(kFull, lane - 10);
  row[1] = __reduce_min_sync(kFull, lane - 10);
  row[2] = static_cast<int>(__reduce_max_sync(kFull, static_cast<unsigned>(lane) * 3u));
  row[3] = static_cast<int>(__reduce_or_sync(kFull, 1u << (lane % 8)));
  row[4] = static_cast<int>(__reduce_and_sync(kFull, 0xF0u | static_cast<unsigned>(lane)));
  row[5] = static_cast<int>(__match_any_sync(kFull, lane % 4));
  int same = -1, differ = -1;
  row[6] = static_cast<int>(__match_all_sync(kFull, 7.0f, &same));
  row[7] = same;
  row[8] = static_cast<int>(__match_all_sync(kFull, lane, &differ));
  row[9] = differ;
}

}  // namespace

EMU_TEST(warp_reduce_and_match) {
  const std::vector<int> out = EMU_SAME_UNDER_EVERY_SCHEDULE([&] {
    emu_test::DeviceArray<int> d(10 * 32);
    EMBER_LAUNCH(reduce_and_match, 1, 32, 0, 0, d.get());
    return d.to_host();
  }());
  for (int lane = 0; lane < 32; ++lane) {
    const int* row = out.data() + 10 * lane;
    EMU_CHECK_EQ(row[0], 32 * 31 / 2 - 320);
    EMU_CHECK_EQ(row[1], -10);
    EMU_CHECK_EQ(row[2], 93);
    EMU_CHECK_EQ(row[3], 0xFF);
    EMU_CHECK_EQ(row[4], 0xF0);
    EMU_CHECK_EQ(static_cast<unsigned>(row[5]), 0x11111111u << (lane % 4));
    EMU_CHECK_EQ(static_cast<unsigned>(row[6]), kFull);
    EMU_CHECK_EQ(row[7], 1);
    EMU_CHECK_EQ(row[8], 0);
    EMU_CHECK_EQ(row[9], 0);
  }
}

EMU_TEST(warp_shuffle_block_reduction) {
  const int n = 5000, block = 256, blocks = (n + block - 1) / block;
  std::vector<float> host(n);
  for (int i = 0; i < n; ++i) host[i] = static_cast<float>((i * 37) % 101) - 50.0f;
  const std::vector<float> out = EMU_SAME_UNDER_EVERY_SCHEDULE([&] {
    emu_test::DeviceArray<float> in(host), d(blocks);
    EMBER_LAUNCH(block_sum_shuffle, blocks, block, 0, 0, in.get(), d.get(), n);
    return d.to_host();
  }());
  for (int b = 0; b < blocks; ++b) {
    double expect = 0;  // small integers: exact in any order
    for (int i = b * block; i < std::min(n, (b + 1) * block); ++i) expect += host[i];
    EMU_CHECK_EQ(out[b], static_cast<float>(expect));
  }
}

EMU_TEST(warp_shuffle_widths) {
  const std::vector<int> out = EMU_SAME_UNDER_EVERY_SCHEDULE([&] {
    emu_test::DeviceArray<int> d(6 * 32);
    EMBER_LAUNCH(shuffle_widths, 1, 32, 0, 0, d.get());
    return d.to_host();
  }());
  for (int lane = 0; lane < 32; ++lane) {
    const int* row = out.data() + 6 * lane;
    const int seg8 = lane / 8 * 8, seg16 = lane / 16 * 16;
    EMU_CHECK_EQ(row[0], 30);
    EMU_CHECK_EQ(row[1], (seg8 + 3) * 10);
    int scan = 0;
    for (int k = seg8; k <= lane; ++k) scan += k;
    EMU_CHECK_EQ(row[2], scan);
    if (lane % 16 == 0) {
      int sum = 0;
      for (int k = seg16; k < seg16 + 16; ++k) sum += k;
      EMU_CHECK_EQ(row[3], sum);
    }
    EMU_CHECK_EQ(row[4], lane ^ 1);
    EMU_CHECK_EQ(row[5], lane % 8 + 5 < 8 ? lane + 5 : lane);
  }
}

EMU_TEST(warp_votes) {
  const unsigned block = 72;  // two full warps and one of 8 lanes
  const std::vector<unsigned> out = EMU_SAME_UNDER_EVERY_SCHEDULE([&] {
    emu_test::DeviceArray<unsigned> d(4 * 3);
    EMBER_LAUNCH(votes, 1, block, 0, 0, d.get());
    return d.to_host();
  }());
  for (unsigned w = 0; w < 3; ++w) {
    const unsigned width = w < 2 ? 32 : 8;
    unsigned ballot = 0;
    for (unsigned l = 0; l < width; ++l) ballot |= (l % 3 == 0 ? 1u : 0u) << l;
    EMU_CHECK_EQ(out[4 * w + 0], ballot);
    EMU_CHECK_EQ(out[4 * w + 1], 1u);
    EMU_CHECK_EQ(out[4 * w + 2], 1u);
    EMU_CHECK_EQ(out[4 * w + 3], 0u);
  }
}

EMU_TEST(warp_syncwarp) {
  const std::vector<int> out = EMU_SAME_UNDER_EVERY_SCHEDULE([&] {
    emu_test::DeviceArray<int> d(64);
    EMBER_LAUNCH(syncwarp_exchange, 1, 64, 0, 0, d.get());
    return d.to_host();
  }());
  for (int t = 0; t < 64; ++t) EMU_CHECK_EQ(out[t], ((t & ~31) | ((t + 1) & 31)) * 7);
}
