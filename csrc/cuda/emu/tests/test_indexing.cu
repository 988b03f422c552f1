// Thread/block indexing in 1-D, 2-D and 3-D, with sizes that are not multiples of the block.
#include "emu_test.h"

namespace {

__global__ void iota_1d(int* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = 3 * i + 1;
}

__global__ void coords_2d(int* out, int width, int height) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x;
  const int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x < width && y < height) out[y * width + x] = x * 1000 + y;
}

// Every thread of a 3-D grid writes all its builtins into the slot of its global linear id.
__global__ void coords_3d(unsigned* out) {
  const unsigned block = (blockIdx.z * gridDim.y + blockIdx.y) * gridDim.x + blockIdx.x;
  const unsigned threads = blockDim.x * blockDim.y * blockDim.z;
  const unsigned thread = (threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x;
  unsigned* slot = out + 12 * (block * threads + thread);
  const unsigned values[12] = {threadIdx.x, threadIdx.y, threadIdx.z, blockIdx.x,
                               blockIdx.y,  blockIdx.z,  blockDim.x,  blockDim.y,
                               blockDim.z,  gridDim.x,   gridDim.y,   gridDim.z};
  for (int k = 0; k < 12; ++k) slot[k] = values[k];
}

}  // namespace

EMU_TEST(indexing_1d) {
  const int n = 1000;  // not a multiple of the block
  const std::vector<int> out = EMU_SAME_UNDER_EVERY_SCHEDULE([&] {
    emu_test::DeviceArray<int> d(n + 1);
    d.fill(0);
    EMBER_LAUNCH(iota_1d, (n + 127) / 128, 128, 0, 0, d.get(), n);
    return d.to_host();
  }());
  for (int i = 0; i < n; ++i) EMU_CHECK_EQ(out[i], 3 * i + 1);
  EMU_CHECK_EQ(out[n], 0);  // the guard kept the tail thread from writing
}

EMU_TEST(indexing_2d) {
  const int width = 21, height = 17;
  const dim3 block(8, 4);
  const dim3 grid((width + 7) / 8, (height + 3) / 4);
  const std::vector<int> out = EMU_SAME_UNDER_EVERY_SCHEDULE([&] {
    emu_test::DeviceArray<int> d(width * height);
    EMBER_LAUNCH(coords_2d, grid, block, 0, 0, d.get(), width, height);
    return d.to_host();
  }());
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) EMU_CHECK_EQ(out[y * width + x], x * 1000 + y);
  }
}

EMU_TEST(indexing_3d) {
  const dim3 block(4, 3, 2), grid(2, 3, 5);
  const unsigned threads = 4 * 3 * 2, blocks = 2 * 3 * 5;
  const std::vector<unsigned> out = EMU_SAME_UNDER_EVERY_SCHEDULE([&] {
    emu_test::DeviceArray<unsigned> d(12 * threads * blocks);
    EMBER_LAUNCH(coords_3d, grid, block, 0, 0, d.get());
    return d.to_host();
  }());
  for (unsigned bz = 0; bz < grid.z; ++bz)
    for (unsigned by = 0; by < grid.y; ++by)
      for (unsigned bx = 0; bx < grid.x; ++bx)
        for (unsigned tz = 0; tz < block.z; ++tz)
          for (unsigned ty = 0; ty < block.y; ++ty)
            for (unsigned tx = 0; tx < block.x; ++tx) {
              const unsigned b = (bz * grid.y + by) * grid.x + bx;
              const unsigned t = (tz * block.y + ty) * block.x + tx;
              const unsigned* slot = out.data() + 12 * (b * threads + t);
              const unsigned expect[12] = {tx, ty, tz, bx, by, bz, 4, 3, 2, 2, 3, 5};
              for (int k = 0; k < 12; ++k) EMU_CHECK_EQ(slot[k], expect[k]);
            }
}
