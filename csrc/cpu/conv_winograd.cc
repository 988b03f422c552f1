// Winograd F(2x2, 3x3) convolution (Lavin & Gray 2015) for 2-D, 3x3, stride-1, dilation-1
// layers. Each 2x2 block of outputs (a "tile") of each output channel is
//   Y = A^T [ sum over input channels c of (G w_c G^T) .* (B^T d_c B) ] A
// with d_c the 4x4 input window under the tile (zero outside the input) and w_c the 3x3 kernel:
// 16 multiplies per tile and channel pair instead of the direct 36. The sum over channels at each
// of the 16 positions of the 4x4 transform is a GEMM, so a block of P tiles costs
//   V (16, c_in_group, P)   = B^T d B of every tile and input channel    (input transform)
//   M[xi] (c_out_group, P)  = U[xi] (c_out_group, c_in_group) @ V[xi]    (16 packed GEMMs)
//   output                  = A^T M A of every tile and output channel   (output transform)
// with U (groups, 16, c_out_group, c_in_group) = G w G^T transformed once per call.
//
// The tiles of all samples are numbered one after another (sample, tile row, tile column) and
// cut into blocks of P tiles, so V and M stay in L2 (kBlockBytes) between the transforms and the
// GEMMs whatever the image size, and a batch of one still fills the GEMMs' columns. Blocks are
// split over the threads, each with its own scratch (bounded: one block's V and M).
//
// grad_input of such a layer is the same correlation of grad_output with the kernels rotated by
// 180 degrees, input and output channels swapped, padding 2 - pad (negative when pad > 2: the
// reads start inside grad_output), so it runs through the same code. grad_weight is im2col's
// (cpu/conv.cc): a Winograd one, G^T [sum over tiles of (A go A^T) .* (B^T d B)] G with one
// GEMM per position summing over a block's tiles (M = c_out, N = c_in, K = the tiles), measured
// no faster (branch history, commit fefb949): 24.8 vs 25.4 ms on 64->128 32x32, 3.75 vs 3.26 ms
// on 32->64 14x14 (one thread).
//
// Error: F(2x2, 3x3)'s transforms add a few roundings per term (the 1/2 of G is exact, the
// other coefficients are +-1). In float32, against the float64 sum, max |error| / sum of |term|
// measured 8e-8 to 1.4e-7 (17 to 256 input channels), the naive direct sum's 1.8e-7 to 2.9e-7,
// and 1.3e-7 for grad_input on (16, 32->64, 14x14) (naive 2.8e-7);
// tests/test_conv_winograd.py bounds it by 1e-6. F(4x4, 3x3) (fewer multiplies, larger
// coefficients and error) is not implemented.
#include "cpu/conv_winograd.h"

#include <algorithm>
#include <vector>

#include "cpu/gemm/gemm.h"
#include "ember/parallel.h"

namespace ember::cpu {

EMBER_DEFINE_DISPATCH(WinogradInputFn<float>, winograd_input_f32_stub);
EMBER_DEFINE_DISPATCH(WinogradInputFn<double>, winograd_input_f64_stub);
EMBER_DEFINE_DISPATCH(WinogradOutputFn<float>, winograd_output_f32_stub);
EMBER_DEFINE_DISPATCH(WinogradOutputFn<double>, winograd_output_f64_stub);

namespace {

constexpr int kPositions = 16;  // of the 4x4 transformed tile

// Bytes of V and M per block: the 1 MiB L2 of a core (AMD EPYC, L3 32 MiB behind it). Measured
// single-threaded on conv 64->128 k3 32x32 (batch 32): 512 KiB blocks (61 tiles) 19.6 ms,
// 1 to 4 MiB 17.3 to 19 ms (within the noise of each other); 128 KiB 39 ms. Fewer, wider GEMMs
// outweigh the spill to L3, up to L2's size.
constexpr int64_t kBlockBytes = 1 << 20;
// Fewest tiles per block (GEMM columns): below, the GEMMs cost more per column than L2 saves.
constexpr int64_t kMinBlockTiles = 16;

// u (groups, 16, cog, cig) = G w G^T of each kernel w[i][j] = tap(co, ci, i, j), co the
// global output channel, ci the input channel within its group; G = [1 0 0; 1/2 1/2 1/2;
// 1/2 -1/2 1/2; 0 0 1].
template <class T, class Tap>
std::vector<T> transform_weights(const WinogradGeometry& geo, const Tap& tap) {
  const int64_t cig = geo.cig(), cog = geo.cog();
  std::vector<T> u(static_cast<size_t>(geo.groups * kPositions * cog * cig));
  const auto g_rows = [](const T w[3], T out[4]) {
    out[0] = w[0];
    out[1] = T(0.5) * (w[0] + w[1] + w[2]);
    out[2] = T(0.5) * (w[0] - w[1] + w[2]);
    out[3] = w[2];
  };
  for (int64_t co = 0; co < geo.c_out; ++co)
    for (int64_t ci = 0; ci < cig; ++ci) {
      T gw[4][3];  // G w
      for (int j = 0; j < 3; ++j) {
        const T col[3] = {tap(co, ci, 0, j), tap(co, ci, 1, j), tap(co, ci, 2, j)};
        T out[4];
        g_rows(col, out);
        for (int a = 0; a < 4; ++a) gw[a][j] = out[a];
      }
      const int64_t g = co / cog, co_g = co % cog;
      for (int a = 0; a < 4; ++a) {
        T out[4];
        g_rows(gw[a], out);
        for (int b = 0; b < 4; ++b)
          u[static_cast<size_t>(((g * kPositions + a * 4 + b) * cog + co_g) * cig + ci)] = out[b];
      }
    }
  return u;
}

WinogradInputFn<float> input_kernel(float*) { return winograd_input_f32_stub.get(); }
WinogradInputFn<double> input_kernel(double*) { return winograd_input_f64_stub.get(); }
WinogradOutputFn<float> output_kernel(float*) { return winograd_output_f32_stub.get(); }
WinogradOutputFn<double> output_kernel(double*) { return winograd_output_f64_stub.get(); }

// output (n, c_out, out_h, out_w) = the correlation of input (n, c_in, in_h, in_w) with the
// transformed kernels u (groups, 16, cog, cig) (+ bias), block by block of P tiles:
//   v (16, cig, P), m (16, cog, P), rows (as cpu/conv_winograd.h's transforms ask) per thread.
template <class T>
void correlate(const WinogradGeometry& geo, const T* input, const T* u, const T* bias,
               T* output) {
  const int64_t cig = geo.cig(), cog = geo.cog();
  const int64_t tiles = geo.n * geo.tiles_per_sample();
  const int64_t budget =
      kBlockBytes / static_cast<int64_t>(sizeof(T)) / (kPositions * (cig + cog));
  const int64_t threads = std::max(1, get_num_threads());
  const int64_t block = std::max<int64_t>(
      1, std::min(std::max(budget, kMinBlockTiles), (tiles + threads - 1) / threads));
  const int64_t blocks = (tiles + block - 1) / block;
  const auto transform_input = input_kernel(output);
  const auto transform_output = output_kernel(output);
  parallel_for(0, blocks, 1, [&](int64_t k0, int64_t k1) {
    const int64_t rows_size = std::max(5 * (2 * std::min(block, geo.tiles_w()) + 2), 4 * block);
    // Each thread's scratch grows to the largest block it has seen and is kept for the next
    // calls (no allocation or page faults per call); every element used is written first.
    thread_local std::vector<T> scratch;
    const size_t size = static_cast<size_t>(kPositions * (cig + cog) * block + rows_size);
    if (scratch.size() < size) scratch.resize(size);
    T* v = scratch.data();
    T* m = v + kPositions * cig * block;
    T* rows = m + kPositions * cog * block;
    for (int64_t k = k0; k < k1; ++k) {
      const int64_t p0 = k * block, p1 = std::min(tiles, p0 + block);
      for (int64_t g = 0; g < geo.groups; ++g) {
        transform_input(geo, input, g, p0, p1, v, block, rows);
        for (int xi = 0; xi < kPositions; ++xi) {
          GemmArgs<T> a;
          a.m = cog;
          a.n = p1 - p0;
          a.k = cig;
          a.a = u + (g * kPositions + xi) * cog * cig;
          a.lda = std::max<int64_t>(cig, 1);
          a.b = v + xi * cig * block;
          a.ldb = block;
          a.c = m + xi * cog * block;
          a.ldc = block;
          gemm(a);
        }
        transform_output(geo, m, block, bias ? bias + g * cog : nullptr, g, p0, p1, output,
                         rows);
      }
    }
  });
}

}  // namespace

template <class T>
void conv_forward_winograd(const ConvShape& s, const T* input, const T* weight, const T* bias,
                           T* output) {
  const WinogradGeometry geo{s.n,       s.c_in,    s.c_out,   s.groups, s.in[1],
                             s.in[2],   s.out[1],  s.out[2],  s.pad[1], s.pad[2]};
  const int64_t cig = s.c_in_group();
  const std::vector<T> u = transform_weights<T>(geo, [&](int64_t co, int64_t ci, int i, int j) {
    return weight[(co * cig + ci) * 9 + i * 3 + j];
  });
  correlate(geo, input, u.data(), bias, output);
}

template <class T>
void conv_backward_input_winograd(const ConvShape& s, const T* grad_output, const T* weight,
                                  T* grad_input) {
  // grad_input[b, ci, y, x] = sum over co, i, j of
  //   grad_output[b, co, y - (2 - pad_h) + i, x - (2 - pad_w) + j] * w[co, ci, 2 - i, 2 - j]
  const WinogradGeometry geo{s.n,       s.c_out,  s.c_in,  s.groups,     s.out[1],
                             s.out[2],  s.in[1],  s.in[2], 2 - s.pad[1], 2 - s.pad[2]};
  const int64_t cig = s.c_in_group(), cog = s.c_out_group();
  // tap(ci, co_g, i, j): ci the global input channel (this correlation's output channel).
  const std::vector<T> u = transform_weights<T>(geo, [&](int64_t ci, int64_t co_g, int i, int j) {
    const int64_t co = ci / cig * cog + co_g;
    return weight[(co * cig + ci % cig) * 9 + (2 - i) * 3 + (2 - j)];
  });
  correlate(geo, grad_output, u.data(), static_cast<const T*>(nullptr), grad_input);
}

template void conv_forward_winograd<float>(const ConvShape&, const float*, const float*,
                                           const float*, float*);
template void conv_forward_winograd<double>(const ConvShape&, const double*, const double*,
                                            const double*, double*);
template void conv_backward_input_winograd<float>(const ConvShape&, const float*, const float*,
                                                  float*);
template void conv_backward_input_winograd<double>(const ConvShape&, const double*,
                                                   const double*, double*);

}  // namespace ember::cpu
