// A shared-memory tiled matrix multiply (template kernel, sizes not multiples of the tile).
#include "emu_test.h"

namespace {

template <class T, int kTile>
__global__ void matmul_tiled(const T* a, const T* b, T* c, int m, int n, int k) {
  __shared__ T ta[kTile][kTile];
  __shared__ T tb[kTile][kTile];
  const int row = blockIdx.y * kTile + threadIdx.y;
  const int col = blockIdx.x * kTile + threadIdx.x;
  T acc = 0;
  for (int k0 = 0; k0 < k; k0 += kTile) {
    const int ka = k0 + threadIdx.x, kb = k0 + threadIdx.y;
    ta[threadIdx.y][threadIdx.x] = row < m && ka < k ? a[row * k + ka] : T(0);
    tb[threadIdx.y][threadIdx.x] = kb < k && col < n ? b[kb * n + col] : T(0);
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < kTile; ++kk) acc += ta[threadIdx.y][kk] * tb[kk][threadIdx.x];
    __syncthreads();
  }
  if (row < m && col < n) c[row * n + col] = acc;
}

template <class T, int kTile>
void check_matmul(int m, int n, int k) {
  std::vector<T> a(m * k), b(k * n);
  for (int i = 0; i < m * k; ++i) a[i] = static_cast<T>((i * 7) % 11) - 5;
  for (int i = 0; i < k * n; ++i) b[i] = static_cast<T>((i * 5) % 13) - 6;
  const dim3 block(kTile, kTile), grid((n + kTile - 1) / kTile, (m + kTile - 1) / kTile);
  const std::vector<T> c = EMU_SAME_UNDER_EVERY_SCHEDULE([&] {
    emu_test::DeviceArray<T> da(a), db(b), dc(m * n);
    EMBER_LAUNCH((matmul_tiled<T, kTile>), grid, block, 0, 0, da.get(), db.get(), dc.get(), m,
                 n, k);
    return dc.to_host();
  }());
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      T expect = 0;  // small integers: exact, so FMA contraction cannot change it
      for (int p = 0; p < k; ++p) expect += a[i * k + p] * b[p * n + j];
      EMU_CHECK_EQ(c[i * n + j], expect);
    }
  }
}

}  // namespace

EMU_TEST(matmul_tiled_float) { check_matmul<float, 16>(37, 29, 45); }
EMU_TEST(matmul_tiled_double) { check_matmul<double, 8>(13, 7, 20); }
