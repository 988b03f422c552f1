// Convolution on CUDA as implicit GEMMs: the register-blocked GEMM of the `register` rung
// (cuda/gemm_kernels.cuh), whose B operand is gathered from the image on the fly into shared
// memory instead of being read from a materialized column (im2col) buffer. Padding, stride,
// dilation and groups live in the gathers; group g is one GEMM of the grid's z dimension.
// Written for 3-D (ConvShape); the positions below drop the depth axis (d, td, od, id) for
// brevity, and a 2-D shape (depth 1) runs gathers compiled without it (kDepth = false).
//   input (n, c_in, d, h, w), weight (c_out, cig, kd, kh, kw), bias (c_out) or null,
//   output / grad_output (n, c_out, out_d, out_h, out_w); all contiguous; cig = c_in / groups,
//   cog = c_out / groups, taps = kd * kh * kw.
//   forward      C = output[b, g*cog + co, oh, ow]   M = cog, N = n*out_vol, K = cig*taps
//                A = weight[g*cog + co][c, i, j]     B = input[b, g*cig + c, ih, iw] (gathered)
//   grad_input   C = grad_input[b, g*cig + c, ih, iw] M = cig, N = n*in_vol, K = cog*taps
//                A = weight[g*cog + co, c, i, j]     B = grad_output[b, g*cog + co, oh, ow],
//                zero where ih + pad - i*dil is not a multiple of the stride (gathered)
//   grad_weight  C = grad_weight[g*cog + co][c, i, j] M = cog, N = cig*taps, K = n*out_vol
//                A = grad_output[b, g*cog + co][oh, ow]  B = input[b, g*cig + c, ih, iw] (gathered)
// grad_weight's long K is split over the grid (split-K) into a partial buffer of
// (splits, c_out, cig, kd, kh, kw) summed by sum_splits in split order: deterministic, no
// atomics.
#include "cuda/conv_implicit_gemm.h"

#include <algorithm>
#include <cstdint>

#include "cuda/gemm_kernels.cuh"
#include "cuda/launch.h"
#include "cuda/reduce_kernels.cuh"

namespace ember::cuda {
namespace {

// ---- the three GEMMs: sizes, operand loads and the store of C ---------------------------------
// Each view gives m(), n(), k() of one group's GEMM; load_a(g, i, p) = A[i, p]; column(g, j)
// the per-column part of B's gather (computed once per thread, outside the K loop) and
// load_b(col, p) = B[p, j]; store(g, split, i, j, acc) writes C[i, j] (of split `split`).
// kBAlongK: whether consecutive threads stage B along K rather than N, the direction in which
// the gather reads consecutive addresses (the image's x runs along N in the forward and
// grad_input GEMMs, along K in grad_weight's).
// The loads inside the K loop decode indices with 32-bit divisions, several times cheaper on a
// GPU than 64-bit ones: implicit_gemm_fits (checked by the host) keeps them below 2^31.

struct QuotRem {
  int q, r;
};
// x = q * d + r, for 0 <= x < 2^31 and 0 < d < 2^31.
__device__ inline QuotRem divmod(int64_t x, int64_t d) {
  const int q = int(x) / int(d);
  return {q, int(x) - q * int(d)};
}

// kDepth: whether the gathers decode a depth axis (conv3d); without it (a 2-D shape, depth 1)
// the depth terms compile away and the 2-D gathers do no more work than before the fold.
template <class T, bool kDepth>
struct ForwardGemm {
  ConvShape s;
  const T* input;
  const T* weight;
  const T* bias;
  T* output;

  struct Column {
    int64_t base;      // input offset of (b, g*cig, 0, 0, 0)
    int id0, ih0, iw0; // the input position of tap (0, 0, 0)
  };
  static constexpr bool kBAlongK = false;
  __host__ __device__ int64_t m() const { return s.c_out_group(); }
  __host__ __device__ int64_t n() const { return s.n * s.out_volume(); }
  __host__ __device__ int64_t k() const { return s.c_in_group() * s.taps(); }

  __device__ T load_a(int64_t g, int64_t i, int64_t p) const {
    return weight[(g * s.c_out_group() + i) * k() + p];
  }
  __device__ Column column(int64_t g, int64_t j) const {
    const int64_t ow = j % s.out[2], oh = j / s.out[2] % s.out[1];
    const int64_t od = kDepth ? j / (s.out[2] * s.out[1]) % s.out[0] : 0, b = j / s.out_volume();
    return {(b * s.c_in + g * s.c_in_group()) * s.in_volume(), int(od * s.stride[0] - s.pad[0]),
            int(oh * s.stride[1] - s.pad[1]), int(ow * s.stride[2] - s.pad[2])};
  }
  __device__ T load_b(const Column& col, int64_t p) const {
    const QuotRem c_tap = divmod(p, s.taps());
    const QuotRem dij = kDepth ? divmod(c_tap.r, s.k[1] * s.k[2]) : QuotRem{0, c_tap.r};
    const QuotRem ij = divmod(dij.r, s.k[2]);
    const int ih = col.ih0 + ij.q * int(s.dil[1]), iw = col.iw0 + ij.r * int(s.dil[2]);
    if (ih < 0 || ih >= s.in[1] || iw < 0 || iw >= s.in[2]) return T(0);
    int64_t plane = c_tap.q;  // (c, id) of the input plane read
    if constexpr (kDepth) {
      const int id = col.id0 + dij.q * int(s.dil[0]);
      if (id < 0 || id >= s.in[0]) return T(0);
      plane = plane * s.in[0] + id;
    }
    return input[col.base + (plane * s.in[1] + ih) * s.in[2] + iw];
  }
  __device__ void store(int64_t g, int64_t, int64_t i, int64_t j, T acc) const {
    const int64_t co = g * s.c_out_group() + i, vol = s.out_volume();
    output[(j / vol * s.c_out + co) * vol + j % vol] = bias ? acc + bias[co] : acc;
  }
};

template <class T, bool kDepth>
struct BackwardInputGemm {
  ConvShape s;
  const T* grad_output;
  const T* weight;
  T* grad_input;

  struct Column {
    int64_t base;      // grad_output offset of (b, g*cog, 0, 0, 0)
    int td0, th0, tw0; // id + pad, ih + pad, iw + pad: o * stride + t * dil for the outputs read
  };
  static constexpr bool kBAlongK = false;
  __host__ __device__ int64_t m() const { return s.c_in_group(); }
  __host__ __device__ int64_t n() const { return s.n * s.in_volume(); }
  __host__ __device__ int64_t k() const { return s.c_out_group() * s.taps(); }

  __device__ T load_a(int64_t g, int64_t i, int64_t p) const {
    const int64_t taps = s.taps();
    const QuotRem co_tap = divmod(p, taps);
    return weight[((g * s.c_out_group() + co_tap.q) * s.c_in_group() + i) * taps + co_tap.r];
  }
  __device__ Column column(int64_t g, int64_t j) const {
    const int64_t iw = j % s.in[2], ih = j / s.in[2] % s.in[1];
    const int64_t id = kDepth ? j / (s.in[2] * s.in[1]) % s.in[0] : 0, b = j / s.in_volume();
    return {(b * s.c_out + g * s.c_out_group()) * s.out_volume(), int(id + s.pad[0]),
            int(ih + s.pad[1]), int(iw + s.pad[2])};
  }
  __device__ T load_b(const Column& col, int64_t p) const {
    const QuotRem co_tap = divmod(p, s.taps());
    const QuotRem dij = kDepth ? divmod(co_tap.r, s.k[1] * s.k[2]) : QuotRem{0, co_tap.r};
    const QuotRem ij = divmod(dij.r, s.k[2]);
    const int th = col.th0 - ij.q * int(s.dil[1]), tw = col.tw0 - ij.r * int(s.dil[2]);
    if (th < 0 || tw < 0) return T(0);
    const QuotRem oh = divmod(th, s.stride[1]), ow = divmod(tw, s.stride[2]);
    if (oh.r != 0 || ow.r != 0 || oh.q >= s.out[1] || ow.q >= s.out[2]) return T(0);
    int64_t plane = co_tap.q;  // (co, od) of the grad_output plane read
    if constexpr (kDepth) {
      const int td = col.td0 - dij.q * int(s.dil[0]);
      if (td < 0) return T(0);
      const QuotRem od = divmod(td, s.stride[0]);
      if (od.r != 0 || od.q >= s.out[0]) return T(0);
      plane = plane * s.out[0] + od.q;
    }
    return grad_output[col.base + (plane * s.out[1] + oh.q) * s.out[2] + ow.q];
  }
  __device__ void store(int64_t g, int64_t, int64_t i, int64_t j, T acc) const {
    const int64_t vol = s.in_volume();
    grad_input[(j / vol * s.c_in + g * s.c_in_group() + i) * vol + j % vol] = acc;
  }
};

template <class T, bool kDepth>
struct BackwardWeightGemm {
  ConvShape s;
  const T* grad_output;
  const T* input;
  T* partial;  // (splits, c_out, cig, kd, kh, kw): grad_weight itself when there is one split

  struct Column {
    int64_t base;      // input offset of (0, g*cig + c, 0, 0, 0)
    int dd, dh, dw;    // id - od * stride_d, ih - oh * stride_h, iw - ow * stride_w of the tap
  };
  static constexpr bool kBAlongK = true;
  __host__ __device__ int64_t m() const { return s.c_out_group(); }
  __host__ __device__ int64_t n() const { return s.c_in_group() * s.taps(); }
  __host__ __device__ int64_t k() const { return s.n * s.out_volume(); }

  __device__ T load_a(int64_t g, int64_t i, int64_t p) const {
    const int64_t vol = s.out_volume();
    const QuotRem b_pos = divmod(p, vol);
    return grad_output[(b_pos.q * s.c_out + g * s.c_out_group() + i) * vol + b_pos.r];
  }
  __device__ Column column(int64_t g, int64_t j) const {
    const int64_t taps = s.taps(), c = j / taps, t = j % taps;
    const int64_t td = t / (s.k[1] * s.k[2]), th = t / s.k[2] % s.k[1], tw = t % s.k[2];
    return {(g * s.c_in_group() + c) * s.in_volume(), int(td * s.dil[0] - s.pad[0]),
            int(th * s.dil[1] - s.pad[1]), int(tw * s.dil[2] - s.pad[2])};
  }
  __device__ T load_b(const Column& col, int64_t p) const {
    const QuotRem row_ow = divmod(p, s.out[2]), rest_oh = divmod(row_ow.q, s.out[1]);
    const int ih = rest_oh.r * int(s.stride[1]) + col.dh;
    const int iw = row_ow.r * int(s.stride[2]) + col.dw;
    if (ih < 0 || ih >= s.in[1] || iw < 0 || iw >= s.in[2]) return T(0);
    int64_t b = rest_oh.q, id = 0;  // without kDepth, rest_oh.q is the sample
    if constexpr (kDepth) {
      const QuotRem b_od = divmod(rest_oh.q, s.out[0]);
      id = b_od.r * int(s.stride[0]) + col.dd;
      if (id < 0 || id >= s.in[0]) return T(0);
      b = b_od.q;
    }
    return input[b * s.c_in * s.in_volume() + col.base + (id * s.in[1] + ih) * s.in[2] + iw];
  }
  __device__ void store(int64_t g, int64_t split, int64_t i, int64_t j, T acc) const {
    partial[(split * s.c_out + g * s.c_out_group() + i) * n() + j] = acc;
  }
};

// ---- the kernel ---------------------------------------------------------------------------------
//   grid (ceil(N / BN), ceil(M / BM), groups_in_launch * splits), block NT = (BM/TM)*(BN/TN)
//   group g = g0 + blockIdx.z / splits sums K in [split * k_chunk, (split + 1) * k_chunk)
//   shared As[BK][BM + pad] = A[i0 + r, p0 + kk] at [kk][r] (consecutive threads along K),
//          Bs[BK][BN + pad] = B[p0 + kk, j0 + c] at [kk][c] (consecutive threads along N, or
//          along K when Gemm::kBAlongK)
//   registers acc[TM][TN] = C[i0 + ty * TM + r, j0 + tx * TN + c], tx = tid % (BN / TN)
//   A thread stages the same columns of every B tile (one along N, BK * BN / NT along K), so
//   its gather's per-column part (the (b, oh, ow) or (c, i, j) decoding) is computed once,
//   before the K loop.
//   Launch bounds of two blocks per SM: at most 128 registers a thread (ptxas reports no spills
//   for sm_80 / sm_90; with one block it takes up to 168, for the index state of the gathers).
template <class T, class Gemm, int BM, int BN, int BK, int TM, int TN>
__global__ void __launch_bounds__((BM / TM) * (BN / TN), 2)
    implicit_gemm(Gemm gemm, int64_t g0, int64_t splits, int64_t k_chunk) {
  constexpr int NT = (BM / TM) * (BN / TN);
  constexpr int LDA = BM + gemm_kernels::kPad<T>, LDB = BN + gemm_kernels::kPad<T>;
  constexpr bool kAlongK = Gemm::kBAlongK;
  constexpr int kPerThread = BK * BN / NT, kColumns = kAlongK ? kPerThread : 1;
  static_assert(kAlongK ? NT % BK == 0 && BN % (NT / BK) == 0
                        : NT % BN == 0 && BK % (NT / BN) == 0,
                "every thread stages whole rows (along K) or columns (along N) of B");
  __shared__ __align__(16) T As[BK * LDA];
  __shared__ __align__(16) T Bs[BK * LDB];
  const int64_t g = g0 + blockIdx.z / splits, split = blockIdx.z % splits;
  const int64_t m = gemm.m(), n = gemm.n();
  const int64_t k_begin = split * k_chunk;
  const int64_t k_end = k_begin + k_chunk < gemm.k() ? k_begin + k_chunk : gemm.k();
  const int tx = threadIdx.x % (BN / TN), ty = threadIdx.x / (BN / TN);
  const int64_t i0 = int64_t(blockIdx.y) * BM, j0 = int64_t(blockIdx.x) * BN;
  // The q-th B element a thread stages, at [b_row(q)][b_col(q)] of the tile.
  const int tid = threadIdx.x;
  const auto b_row = [tid](int q) { return kAlongK ? tid % BK : tid / BN + q * (NT / BN); };
  const auto b_col = [tid](int q) { return kAlongK ? tid / BK + q * (NT / BK) : tid % BN; };
  typename Gemm::Column columns[kColumns];
  bool inside[kColumns];
#pragma unroll
  for (int q = 0; q < kColumns; ++q) {
    inside[q] = j0 + b_col(q) < n;
    columns[q] = gemm.column(g, inside[q] ? j0 + b_col(q) : 0);
  }
  T acc[TM][TN] = {};
  for (int64_t p0 = k_begin; p0 < k_end; p0 += BK) {
    for (int e = threadIdx.x; e < BM * BK; e += NT) {
      const int r = e / BK, kk = e % BK;
      const int64_t i = i0 + r, p = p0 + kk;
      As[kk * LDA + r] = i < m && p < k_end ? gemm.load_a(g, i, p) : T(0);
    }
#pragma unroll
    for (int q = 0; q < kPerThread; ++q) {
      const int64_t p = p0 + b_row(q);
      const int cq = kAlongK ? q : 0;
      Bs[b_row(q) * LDB + b_col(q)] =
          inside[cq] && p < k_end ? gemm.load_b(columns[cq], p) : T(0);
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < BK; ++kk)
      gemm_kernels::multiply_step<T, TM, TN, LDA, LDB>(As, Bs, kk, tx, ty, acc);
    __syncthreads();
  }
#pragma unroll
  for (int r = 0; r < TM; ++r) {
#pragma unroll
    for (int c = 0; c < TN; ++c) {
      const int64_t i = i0 + ty * TM + r, j = j0 + tx * TN + c;
      if (i < m && j < n) gemm.store(g, split, i, j, acc[r][c]);
    }
  }
}

// out[idx] = sum over s = 0, 1, ..., splits - 1 of partial[s * total + idx], in that order.
//   partial (splits, total), out (total); one thread per element in a grid-stride loop.
template <class T>
__global__ void sum_splits(const T* partial, int64_t splits, int64_t total, T* out) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < total;
       idx += step) {
    T acc = partial[idx];
    for (int64_t q = 1; q < splits; ++q) acc += partial[q * total + idx];
    out[idx] = acc;
  }
}

// ---- the host side ---------------------------------------------------------------------------

int64_t ceil_div(int64_t x, int64_t y) { return (x + y - 1) / y; }

// Block tiles BM x BN x BK of TM x TN outputs per thread, 256 threads either way: the GEMM
// ladder's register rung (64 x 64), and a narrow one (32 x 128) for GEMMs of few rows (M <= 32:
// few channels per group), where half of a 64-row tile would compute padding.
template <int BM_, int BN_, int BK_, int TM_, int TN_>
struct Tiles {
  static constexpr int BM = BM_, BN = BN_, BK = BK_, TM = TM_, TN = TN_;
  static constexpr int kThreads = (BM / TM) * (BN / TN);
};
using SquareTiles = Tiles<64, 64, 8, 4, 4>;
using NarrowTiles = Tiles<32, 128, 8, 2, 8>;

// Calls run(tiles) with the tiles for a GEMM of m rows.
template <class Run>
void with_tiles(int64_t m, Run run) {
  if (m <= NarrowTiles::BM) run(NarrowTiles{});
  else run(SquareTiles{});
}

// grid.z holds groups * splits, at most 65535: more groups go in several launches.
constexpr int64_t kMaxGridZ = 65535;

// Runs every group's GEMM, each with its K cut into `splits` chunks of k_chunk (a multiple of
// BK) that write their own partial C.
template <class T, class Tl, class Gemm>
void run(const Gemm& gemm, int64_t groups, int64_t splits, int64_t k_chunk) {
  if (gemm.m() == 0 || gemm.n() == 0) return;
  const int64_t per_launch = kMaxGridZ / splits;
  for (int64_t g0 = 0; g0 < groups; g0 += per_launch) {
    const dim3 grid(unsigned(ceil_div(gemm.n(), Tl::BN)), unsigned(ceil_div(gemm.m(), Tl::BM)),
                    unsigned(std::min(per_launch, groups - g0) * splits));
    EMBER_LAUNCH((implicit_gemm<T, Gemm, Tl::BM, Tl::BN, Tl::BK, Tl::TM, Tl::TN>), grid,
                 dim3(Tl::kThreads), 0, 0, gemm, g0, splits, k_chunk);
  }
}

template <class T, class Gemm>
void run_unsplit(const Gemm& gemm, int64_t groups) {
  with_tiles(gemm.m(), [&](auto tiles) {
    run<T, decltype(tiles)>(gemm, groups, 1, std::max<int64_t>(gemm.k(), 1));
  });
}

// Split-K of grad_weight: its GEMMs are small (c_out x cig*kh*kw) with a long K (n*out_h*out_w),
// so K is split until the grid has about kTargetBlocks blocks, each chunk at least kMinChunkTiles
// k-tiles long. The count depends on the shape only: the same result on every run and device.
constexpr int64_t kTargetBlocks = 512, kMinChunkTiles = 32, kMaxSplits = 64;

struct SplitK {
  int64_t splits, chunk;
};

template <class Tl>
SplitK split_k(int64_t m, int64_t n, int64_t k, int64_t groups) {
  const int64_t tiles = ceil_div(m, Tl::BM) * ceil_div(n, Tl::BN) * groups;
  const int64_t splits = std::max<int64_t>(
      1, std::min({ceil_div(kTargetBlocks, tiles), ceil_div(k, kMinChunkTiles * Tl::BK),
                   kMaxSplits}));
  const int64_t chunk = std::max<int64_t>(ceil_div(ceil_div(k, splits), Tl::BK) * Tl::BK, Tl::BK);
  return {ceil_div(std::max<int64_t>(k, 1), chunk), chunk};
}

bool below_2_31(int64_t x) { return x < (int64_t(1) << 31); }

template <class T>
const T* typed(const void* p) { return static_cast<const T*>(p); }
template <class T>
T* typed(void* p) { return static_cast<T*>(p); }

// Calls f(gemm) with the view Gemm<T, kDepth>{s, buffers as T...}: the 2-D gathers when the
// depth axis is trivial, the 3-D ones otherwise.
template <template <class, bool> class Gemm, class T, class F, class... Buffers>
void with_gemm(const ConvShape& s, const F& f, Buffers... buffers) {
  if (s.is_2d()) f(Gemm<T, false>{s, typed<T>(buffers)...});
  else f(Gemm<T, true>{s, typed<T>(buffers)...});
}

}  // namespace

bool implicit_gemm_fits(const ConvShape& s) {
  bool fits = below_2_31(s.n * s.out_volume()) && below_2_31(s.n * s.in_volume()) &&
              below_2_31(s.c_in * s.taps()) && below_2_31(s.c_out * s.taps());
  for (int a = 0; a < ConvShape::kDims; ++a)
    fits = fits && below_2_31(s.out[a] * s.stride[a] + s.in[a] + s.pad[a]);
  return fits;
}

void conv_forward_implicit_gemm(const ConvShape& s, DType dtype, const void* input,
                                const void* weight, const void* bias, void* output) {
  EMBER_DISPATCH_FLOATING(dtype, "conv", [&] {
    const auto run_gemm = [&](const auto& gemm) { run_unsplit<scalar_t>(gemm, s.groups); };
    with_gemm<ForwardGemm, scalar_t>(s, run_gemm, input, weight, bias, output);
  });
}

void conv_backward_input_implicit_gemm(const ConvShape& s, DType dtype, const void* grad_output,
                                       const void* weight, void* grad_input) {
  EMBER_DISPATCH_FLOATING(dtype, "conv_backward_input", [&] {
    const auto run_gemm = [&](const auto& gemm) { run_unsplit<scalar_t>(gemm, s.groups); };
    with_gemm<BackwardInputGemm, scalar_t>(s, run_gemm, grad_output, weight, grad_input);
  });
}

void conv_backward_weight_implicit_gemm(const ConvShape& s, DType dtype, const void* grad_output,
                                        const void* input, void* grad_weight) {
  EMBER_DISPATCH_FLOATING(dtype, "conv_backward_weight", [&] {
    using T = scalar_t;
    const auto run_split = [&](auto gemm) {
      with_tiles(gemm.m(), [&](auto tiles) {
        using Tl = decltype(tiles);
        const SplitK sk = split_k<Tl>(gemm.m(), gemm.n(), gemm.k(), s.groups);
        if (sk.splits == 1) return run<T, Tl>(gemm, s.groups, 1, sk.chunk);
        const int64_t total = s.c_out * gemm.n();
        reduce_impl::Scratch partial(sk.splits * total * sizeof(T));
        gemm.partial = static_cast<T*>(partial.get());
        run<T, Tl>(gemm, s.groups, sk.splits, sk.chunk);
        const int blocks = blocks_for(total, 256, 65535);
        EMBER_LAUNCH(sum_splits<T>, blocks, 256, 0, 0, gemm.partial, sk.splits, total,
                     static_cast<T*>(grad_weight));
      });
    };
    with_gemm<BackwardWeightGemm, T>(s, run_split, grad_output, input, grad_weight);
  });
}

}  // namespace ember::cuda
