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
// reads start inside grad_output), so it runs through the same code. grad_weight is
//   G^T [ sum over tiles of (A go A^T) .* (B^T d B) ] G
// (go the tile's 2x2 of grad_output): the same input transform, a grad_output transform and,
// per position, one GEMM summing over the block's tiles into each thread's partial sum.
//
// Error: F(2x2, 3x3)'s transforms add a few roundings per term (the 1/2 of G is exact, the
// other coefficients are +-1). In float32, against the float64 sum, max |error| / sum of |term|
// measured 8e-8 to 1.4e-7 (17 to 256 input channels), the naive direct sum's 1.8e-7 to 2.9e-7;
// grad_input 1.3e-7 and grad_weight 6e-8 on (16, 32->64, 14x14) (naive 2.8e-7, 2.6e-7);
// tests/test_conv_winograd.py bounds it by 1e-6. F(4x4, 3x3) (fewer multiplies, larger
// coefficients and error) is not implemented.
#include "cpu/conv_winograd.h"

#include <algorithm>
#include <mutex>
#include <vector>

#include "cpu/gemm/gemm.h"
#include "ember/parallel.h"

namespace ember::cpu {

EMBER_DEFINE_DISPATCH(WinogradInputFn<float>, winograd_input_f32_stub);
EMBER_DEFINE_DISPATCH(WinogradInputFn<double>, winograd_input_f64_stub);
EMBER_DEFINE_DISPATCH(WinogradOutputFn<float>, winograd_output_f32_stub);
EMBER_DEFINE_DISPATCH(WinogradOutputFn<double>, winograd_output_f64_stub);
EMBER_DEFINE_DISPATCH(WinogradGradOutputFn<float>, winograd_grad_output_f32_stub);
EMBER_DEFINE_DISPATCH(WinogradGradOutputFn<double>, winograd_grad_output_f64_stub);

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
WinogradGradOutputFn<float> grad_output_kernel(float*) {
  return winograd_grad_output_f32_stub.get();
}
WinogradGradOutputFn<double> grad_output_kernel(double*) {
  return winograd_grad_output_f64_stub.get();
}

// The blocks of tiles and each thread's scratch: v (16, cig, P), m (16, cog, P), rows (as
// cpu/conv_winograd.h's transforms ask) and `extra` more elements.
struct Blocks {
  Blocks(const WinogradGeometry& geo, int64_t element_size)
      : tiles(geo.n * geo.tiles_per_sample()) {
    const int64_t budget = kBlockBytes / element_size / (kPositions * (geo.cig() + geo.cog()));
    const int64_t threads = std::max(1, get_num_threads());
    size = std::max<int64_t>(
        1, std::min(std::max(budget, kMinBlockTiles), (tiles + threads - 1) / threads));
    count = (tiles + size - 1) / size;
    rows_size = std::max(5 * (2 * std::min(size, geo.tiles_w()) + 2), 4 * size);
  }
  int64_t tiles, size, count, rows_size;
};

// One thread's scratch (see Blocks): it grows to the largest request seen and is kept for the
// next calls (no allocation or page faults per call); every element used is written first.
template <class T>
struct Scratch {
  Scratch(const WinogradGeometry& geo, const Blocks& blocks, int64_t extra) {
    thread_local std::vector<T> buffer;
    const size_t size = static_cast<size_t>(
        kPositions * (geo.cig() + geo.cog()) * blocks.size + blocks.rows_size + extra);
    if (buffer.size() < size) buffer.resize(size);
    v = buffer.data();
    m = v + kPositions * geo.cig() * blocks.size;
    rows = m + kPositions * geo.cog() * blocks.size;
    rest = rows + blocks.rows_size;
  }
  T *v, *m, *rows, *rest;
};

// output (n, c_out, out_h, out_w) = the correlation of input (n, c_in, in_h, in_w) with the
// transformed kernels u (groups, 16, cog, cig) (+ bias), block by block of P tiles.
template <class T>
void correlate(const WinogradGeometry& geo, const T* input, const T* u, const T* bias,
               T* output) {
  const int64_t cig = geo.cig(), cog = geo.cog();
  const Blocks blocks(geo, sizeof(T));
  const int64_t ld = blocks.size;
  const auto transform_input = input_kernel(output);
  const auto transform_output = output_kernel(output);
  parallel_for(0, blocks.count, 1, [&](int64_t k0, int64_t k1) {
    const Scratch<T> buf(geo, blocks, 0);
    for (int64_t k = k0; k < k1; ++k) {
      const int64_t p0 = k * ld, p1 = std::min(blocks.tiles, p0 + ld);
      for (int64_t g = 0; g < geo.groups; ++g) {
        transform_input(geo, input, g, p0, p1, buf.v, ld, buf.rows);
        for (int xi = 0; xi < kPositions; ++xi) {
          GemmArgs<T> a;
          a.m = cog;
          a.n = p1 - p0;
          a.k = cig;
          a.a = u + (g * kPositions + xi) * cog * cig;
          a.lda = std::max<int64_t>(cig, 1);
          a.b = buf.v + xi * cig * ld;
          a.ldb = ld;
          a.c = buf.m + xi * cog * ld;
          a.ldc = ld;
          gemm(a);
        }
        transform_output(geo, buf.m, ld, bias ? bias + g * cog : nullptr, g, p0, p1, output,
                         buf.rows);
      }
    }
  });
}

// w (groups, 16, cog, cig) = the sum over the tiles of (A go A^T) (cog) x (B^T d B) (cig) at
// each position, block by block: per thread a partial sum (in its scratch), added into w under
// a lock at the end.
template <class T>
void correlate_weight_grad(const WinogradGeometry& geo, const T* input, const T* grad_output,
                           T* w) {
  const int64_t cig = geo.cig(), cog = geo.cog(), size = geo.groups * kPositions * cog * cig;
  const Blocks blocks(geo, sizeof(T));
  const int64_t ld = blocks.size;
  const auto transform_input = input_kernel(w);
  const auto transform_grad_output = grad_output_kernel(w);
  std::fill(w, w + size, T(0));
  std::mutex sum_lock;
  parallel_for(0, blocks.count, 1, [&](int64_t k0, int64_t k1) {
    const Scratch<T> buf(geo, blocks, size);
    for (int64_t k = k0; k < k1; ++k) {
      const int64_t p0 = k * ld, p1 = std::min(blocks.tiles, p0 + ld);
      for (int64_t g = 0; g < geo.groups; ++g) {
        transform_input(geo, input, g, p0, p1, buf.v, ld, buf.rows);
        transform_grad_output(geo, grad_output, g, p0, p1, buf.m, ld, buf.rows);
        for (int xi = 0; xi < kPositions; ++xi) {
          GemmArgs<T> a;
          a.trans_b = true;
          a.m = cog;
          a.n = cig;
          a.k = p1 - p0;
          a.a = buf.m + xi * cog * ld;
          a.lda = ld;
          a.b = buf.v + xi * cig * ld;
          a.ldb = ld;
          a.beta = k == k0 ? T(0) : T(1);
          a.c = buf.rest + (g * kPositions + xi) * cog * cig;
          a.ldc = std::max<int64_t>(cig, 1);
          gemm(a);
        }
      }
    }
    std::lock_guard<std::mutex> hold(sum_lock);
    for (int64_t e = 0; e < size; ++e) w[e] += buf.rest[e];
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

template <class T>
void conv_backward_weight_winograd(const ConvShape& s, const T* grad_output, const T* input,
                                   T* grad_weight) {
  const WinogradGeometry geo{s.n,       s.c_in,    s.c_out,   s.groups, s.in[1],
                             s.in[2],   s.out[1],  s.out[2],  s.pad[1], s.pad[2]};
  const int64_t cig = s.c_in_group(), cog = s.c_out_group();
  std::vector<T> w(static_cast<size_t>(s.groups * kPositions * cog * cig));
  correlate_weight_grad(geo, input, grad_output, w.data());
  // grad_weight[co, ci] = G^T W G, G^T = [1 1/2 1/2 0; 0 1/2 -1/2 0; 0 1/2 1/2 1]
  const auto gt_rows = [](const T x[4], T out[3]) {
    out[0] = x[0] + T(0.5) * (x[1] + x[2]);
    out[1] = T(0.5) * (x[1] - x[2]);
    out[2] = T(0.5) * (x[1] + x[2]) + x[3];
  };
  for (int64_t co = 0; co < s.c_out; ++co)
    for (int64_t ci = 0; ci < cig; ++ci) {
      const T* wc = w.data() + ((co / cog) * kPositions * cog + co % cog) * cig + ci;
      T gw[3][4];  // G^T W
      for (int b = 0; b < 4; ++b) {
        const T col[4] = {wc[(0 * 4 + b) * cog * cig], wc[(1 * 4 + b) * cog * cig],
                          wc[(2 * 4 + b) * cog * cig], wc[(3 * 4 + b) * cog * cig]};
        T out[3];
        gt_rows(col, out);
        for (int i = 0; i < 3; ++i) gw[i][b] = out[i];
      }
      for (int i = 0; i < 3; ++i) gt_rows(gw[i], grad_weight + (co * cig + ci) * 9 + i * 3);
    }
}

template void conv_forward_winograd<float>(const ConvShape&, const float*, const float*,
                                           const float*, float*);
template void conv_forward_winograd<double>(const ConvShape&, const double*, const double*,
                                            const double*, double*);
template void conv_backward_input_winograd<float>(const ConvShape&, const float*, const float*,
                                                  float*);
template void conv_backward_input_winograd<double>(const ConvShape&, const double*,
                                                   const double*, double*);
template void conv_backward_weight_winograd<float>(const ConvShape&, const float*, const float*,
                                                   float*);
template void conv_backward_weight_winograd<double>(const ConvShape&, const double*,
                                                    const double*, double*);

}  // namespace ember::cpu
