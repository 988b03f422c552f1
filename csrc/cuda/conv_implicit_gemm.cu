// 2-D convolution on CUDA as implicit GEMMs: the register-blocked GEMM of the `register` rung
// (cuda/gemm_kernels.cuh), whose B operand is gathered from the image on the fly into shared
// memory instead of being read from a materialized column (im2col) buffer. Padding, stride,
// dilation and groups live in the gathers; group g is one GEMM of the grid's z dimension.
//   input (n, c_in, h, w), weight (c_out, cig, kh, kw), bias (c_out) or null,
//   output / grad_output (n, c_out, out_h, out_w); all contiguous; cig = c_in / groups,
//   cog = c_out / groups, taps = kh * kw.
//   forward      C = output[b, g*cog + co, oh, ow]   M = cog, N = n*out_h*out_w, K = cig*taps
//                A = weight[g*cog + co][c, i, j]     B = input[b, g*cig + c, ih, iw] (gathered)
//   grad_input   C = grad_input[b, g*cig + c, ih, iw] M = cig, N = n*h*w, K = cog*taps
//                A = weight[g*cog + co, c, i, j]     B = grad_output[b, g*cog + co, oh, ow],
//                zero where ih + pad - i*dil is not a multiple of the stride (gathered)
//   grad_weight  C = grad_weight[g*cog + co][c, i, j] M = cog, N = cig*taps, K = n*out_h*out_w
//                A = grad_output[b, g*cog + co][oh, ow]  B = input[b, g*cig + c, ih, iw] (gathered)
// grad_weight's long K is split over the grid (split-K) into a partial buffer of
// (splits, c_out, cig, kh, kw) summed by sum_splits in split order: deterministic, no atomics.
#include "cuda/conv_implicit_gemm.h"

#include <algorithm>
#include <cstdint>

#include "cuda/launch.h"
#include "cuda/reduce_kernels.cuh"

namespace ember::cuda {
namespace {

// ---- the three GEMMs: sizes, operand loads and the store of C ---------------------------------
// Each view gives m(), n(), k() of one group's GEMM; load_a(g, i, p) = A[i, p]; column(g, j)
// the per-column part of B's gather (computed once per thread, outside the K loop) and
// load_b(col, p) = B[p, j]; store(g, split, i, j, acc) writes C[i, j] (of split `split`).

template <class T>
struct ForwardGemm {
  Conv2dShape s;
  const T* input;
  const T* weight;
  const T* bias;
  T* output;

  struct Column {
    int64_t base;      // input offset of (b, g*cig, 0, 0)
    int64_t ih0, iw0;  // the input position of tap (0, 0)
  };
  __host__ __device__ int64_t m() const { return s.c_out_group(); }
  __host__ __device__ int64_t n() const { return s.n * s.out_h * s.out_w; }
  __host__ __device__ int64_t k() const { return s.c_in_group() * s.kh * s.kw; }

  __device__ T load_a(int64_t g, int64_t i, int64_t p) const {
    return weight[(g * s.c_out_group() + i) * k() + p];
  }
  __device__ Column column(int64_t g, int64_t j) const {
    const int64_t ow = j % s.out_w, oh = j / s.out_w % s.out_h, b = j / (s.out_w * s.out_h);
    return {(b * s.c_in + g * s.c_in_group()) * s.h * s.w, oh * s.stride_h - s.pad_h,
            ow * s.stride_w - s.pad_w};
  }
  __device__ T load_b(const Column& col, int64_t p) const {
    const int64_t taps = s.kh * s.kw, c = p / taps, i = p % taps / s.kw, j = p % s.kw;
    const int64_t ih = col.ih0 + i * s.dil_h, iw = col.iw0 + j * s.dil_w;
    if (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w) return T(0);
    return input[col.base + (c * s.h + ih) * s.w + iw];
  }
  __device__ void store(int64_t g, int64_t, int64_t i, int64_t j, T acc) const {
    const int64_t co = g * s.c_out_group() + i, plane = s.out_h * s.out_w;
    output[(j / plane * s.c_out + co) * plane + j % plane] = bias ? acc + bias[co] : acc;
  }
};

template <class T>
struct BackwardInputGemm {
  Conv2dShape s;
  const T* grad_output;
  const T* weight;
  T* grad_input;

  struct Column {
    int64_t base;      // grad_output offset of (b, g*cog, 0, 0)
    int64_t th0, tw0;  // ih + pad_h, iw + pad_w: oh * stride_h + i * dil_h for the outputs read
  };
  __host__ __device__ int64_t m() const { return s.c_in_group(); }
  __host__ __device__ int64_t n() const { return s.n * s.h * s.w; }
  __host__ __device__ int64_t k() const { return s.c_out_group() * s.kh * s.kw; }

  __device__ T load_a(int64_t g, int64_t i, int64_t p) const {
    const int64_t taps = s.kh * s.kw, co = g * s.c_out_group() + p / taps;
    return weight[(co * s.c_in_group() + i) * taps + p % taps];
  }
  __device__ Column column(int64_t g, int64_t j) const {
    const int64_t iw = j % s.w, ih = j / s.w % s.h, b = j / (s.w * s.h);
    return {(b * s.c_out + g * s.c_out_group()) * s.out_h * s.out_w, ih + s.pad_h, iw + s.pad_w};
  }
  __device__ T load_b(const Column& col, int64_t p) const {
    const int64_t taps = s.kh * s.kw, co = p / taps, i = p % taps / s.kw, j = p % s.kw;
    const int64_t th = col.th0 - i * s.dil_h, tw = col.tw0 - j * s.dil_w;
    if (th < 0 || tw < 0 || th % s.stride_h != 0 || tw % s.stride_w != 0) return T(0);
    const int64_t oh = th / s.stride_h, ow = tw / s.stride_w;
    if (oh >= s.out_h || ow >= s.out_w) return T(0);
    return grad_output[col.base + (co * s.out_h + oh) * s.out_w + ow];
  }
  __device__ void store(int64_t g, int64_t, int64_t i, int64_t j, T acc) const {
    const int64_t plane = s.h * s.w;
    grad_input[(j / plane * s.c_in + g * s.c_in_group() + i) * plane + j % plane] = acc;
  }
};

template <class T>
struct BackwardWeightGemm {
  Conv2dShape s;
  const T* grad_output;
  const T* input;
  T* partial;  // (splits, c_out, cig, kh, kw): grad_weight itself when there is one split

  struct Column {
    int64_t base;      // input offset of (0, g*cig + c, 0, 0)
    int64_t dh, dw;    // ih - oh * stride_h and iw - ow * stride_w of tap (i, j)
  };
  __host__ __device__ int64_t m() const { return s.c_out_group(); }
  __host__ __device__ int64_t n() const { return s.c_in_group() * s.kh * s.kw; }
  __host__ __device__ int64_t k() const { return s.n * s.out_h * s.out_w; }

  __device__ T load_a(int64_t g, int64_t i, int64_t p) const {
    const int64_t plane = s.out_h * s.out_w;
    return grad_output[(p / plane * s.c_out + g * s.c_out_group() + i) * plane + p % plane];
  }
  __device__ Column column(int64_t g, int64_t j) const {
    const int64_t taps = s.kh * s.kw, c = j / taps, i = j % taps / s.kw, jj = j % s.kw;
    return {(g * s.c_in_group() + c) * s.h * s.w, i * s.dil_h - s.pad_h,
            jj * s.dil_w - s.pad_w};
  }
  __device__ T load_b(const Column& col, int64_t p) const {
    const int64_t ow = p % s.out_w, oh = p / s.out_w % s.out_h, b = p / (s.out_w * s.out_h);
    const int64_t ih = oh * s.stride_h + col.dh, iw = ow * s.stride_w + col.dw;
    if (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w) return T(0);
    return input[b * s.c_in * s.h * s.w + col.base + ih * s.w + iw];
  }
  __device__ void store(int64_t g, int64_t split, int64_t i, int64_t j, T acc) const {
    partial[(split * s.c_out + g * s.c_out_group() + i) * n() + j] = acc;
  }
};

// ---- the kernel ---------------------------------------------------------------------------------
//   grid (ceil(N / BN), ceil(M / BM), groups_in_launch * splits), block NT = (BM/TM)*(BN/TN)
//   group g = g0 + blockIdx.z / splits sums K in [split * k_chunk, (split + 1) * k_chunk)
//   shared As[BK][BM + pad] = A[i0 + r, p0 + kk] at [kk][r] (consecutive threads along K),
//          Bs[BK][BN + pad] = B[p0 + kk, j0 + c] at [kk][c] (consecutive threads along N)
//   registers acc[TM][TN] = C[i0 + ty * TM + r, j0 + tx * TN + c], tx = tid % (BN / TN)
//   A thread stages one column c = tid % BN of every B tile, so its gather's per-column part
//   (the (b, oh, ow) or (c, i, j) decoding) is computed once, before the K loop.
//   Launch bounds of one block per SM, as the GEMM ladder's register rung (no spills).
template <class T, class Gemm, int BM, int BN, int BK, int TM, int TN>
__global__ void __launch_bounds__((BM / TM) * (BN / TN), 1)
    implicit_gemm(Gemm gemm, int64_t g0, int64_t splits, int64_t k_chunk) {
  constexpr int NT = (BM / TM) * (BN / TN), kPad = 16 / sizeof(T);
  constexpr int LDA = BM + kPad, LDB = BN + kPad;
  static_assert(NT % BN == 0 && BK % (NT / BN) == 0, "each thread stages one column of B");
  __shared__ __align__(16) T As[BK * LDA];
  __shared__ __align__(16) T Bs[BK * LDB];
  const int64_t g = g0 + blockIdx.z / splits, split = blockIdx.z % splits;
  const int64_t m = gemm.m(), n = gemm.n();
  const int64_t k_begin = split * k_chunk;
  const int64_t k_end = k_begin + k_chunk < gemm.k() ? k_begin + k_chunk : gemm.k();
  const int tx = threadIdx.x % (BN / TN), ty = threadIdx.x / (BN / TN);
  const int64_t i0 = int64_t(blockIdx.y) * BM, j0 = int64_t(blockIdx.x) * BN;
  const int jb = threadIdx.x % BN;
  const bool column_inside = j0 + jb < n;
  const typename Gemm::Column column = gemm.column(g, column_inside ? j0 + jb : 0);
  T acc[TM][TN] = {};
  for (int64_t p0 = k_begin; p0 < k_end; p0 += BK) {
    for (int e = threadIdx.x; e < BM * BK; e += NT) {
      const int r = e / BK, kk = e % BK;
      const int64_t i = i0 + r, p = p0 + kk;
      As[kk * LDA + r] = i < m && p < k_end ? gemm.load_a(g, i, p) : T(0);
    }
    for (int kk = threadIdx.x / BN; kk < BK; kk += NT / BN) {
      const int64_t p = p0 + kk;
      Bs[kk * LDB + jb] = column_inside && p < k_end ? gemm.load_b(column, p) : T(0);
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < BK; ++kk) {
      T a[TM], b[TN];
#pragma unroll
      for (int r = 0; r < TM; ++r) a[r] = As[kk * LDA + ty * TM + r];
#pragma unroll
      for (int c = 0; c < TN; ++c) b[c] = Bs[kk * LDB + tx * TN + c];
#pragma unroll
      for (int r = 0; r < TM; ++r)
#pragma unroll
        for (int c = 0; c < TN; ++c) acc[r][c] += a[r] * b[c];
    }
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

// 64 x 64 x 8 block tiles of 4 x 4 outputs per thread (256 threads), the GEMM ladder's register
// rung: float and double alike keep their accumulators in registers.
constexpr int kBM = 64, kBN = 64, kBK = 8, kTM = 4, kTN = 4;
constexpr int kThreads = (kBM / kTM) * (kBN / kTN);
// grid.z holds groups * splits, at most 65535: more groups go in several launches.
constexpr int64_t kMaxGridZ = 65535;

// Runs every group's GEMM, each with its K cut into `splits` chunks of k_chunk (a multiple of
// the tile's BK) that write their own partial C.
template <class T, class Gemm>
void run(const Gemm& gemm, int64_t groups, int64_t splits, int64_t k_chunk) {
  if (gemm.m() == 0 || gemm.n() == 0) return;
  const int64_t per_launch = kMaxGridZ / splits;
  for (int64_t g0 = 0; g0 < groups; g0 += per_launch) {
    const dim3 grid(unsigned(ceil_div(gemm.n(), kBN)), unsigned(ceil_div(gemm.m(), kBM)),
                    unsigned(std::min(per_launch, groups - g0) * splits));
    EMBER_LAUNCH((implicit_gemm<T, Gemm, kBM, kBN, kBK, kTM, kTN>), grid, dim3(kThreads), 0, 0,
                 gemm, g0, splits, k_chunk);
  }
}

template <class T, class Gemm>
void run_unsplit(const Gemm& gemm, int64_t groups) {
  run<T>(gemm, groups, 1, std::max<int64_t>(gemm.k(), 1));
}

// Split-K of grad_weight: its GEMMs are small (c_out x cig*kh*kw) with a long K (n*out_h*out_w),
// so K is split until the grid has about kTargetBlocks blocks, each chunk at least kMinChunk
// long. The count depends on the shape only, so the result is the same on every run and device.
constexpr int64_t kTargetBlocks = 512, kMinChunk = 32 * kBK, kMaxSplits = 64;

struct SplitK {
  int64_t splits, chunk;
};

SplitK split_k(int64_t m, int64_t n, int64_t k, int64_t groups) {
  const int64_t tiles = ceil_div(m, kBM) * ceil_div(n, kBN) * groups;
  int64_t splits = std::min({ceil_div(kTargetBlocks, tiles), ceil_div(k, kMinChunk), kMaxSplits});
  splits = std::max<int64_t>(splits, 1);
  const int64_t chunk = std::max<int64_t>(ceil_div(ceil_div(k, splits), kBK) * kBK, kBK);
  return {ceil_div(std::max<int64_t>(k, 1), chunk), chunk};
}

}  // namespace

void conv2d_forward_implicit_gemm(const Conv2dShape& s, DType dtype, const void* input,
                                  const void* weight, const void* bias, void* output) {
  EMBER_DISPATCH_FLOATING(dtype, "conv2d", [&] {
    using T = scalar_t;
    run_unsplit<T>(ForwardGemm<T>{s, static_cast<const T*>(input), static_cast<const T*>(weight),
                                  static_cast<const T*>(bias), static_cast<T*>(output)},
                   s.groups);
  });
}

void conv2d_backward_input_implicit_gemm(const Conv2dShape& s, DType dtype,
                                         const void* grad_output, const void* weight,
                                         void* grad_input) {
  EMBER_DISPATCH_FLOATING(dtype, "conv2d_backward_input", [&] {
    using T = scalar_t;
    run_unsplit<T>(BackwardInputGemm<T>{s, static_cast<const T*>(grad_output),
                                        static_cast<const T*>(weight),
                                        static_cast<T*>(grad_input)},
                   s.groups);
  });
}

void conv2d_backward_weight_implicit_gemm(const Conv2dShape& s, DType dtype,
                                          const void* grad_output, const void* input,
                                          void* grad_weight) {
  EMBER_DISPATCH_FLOATING(dtype, "conv2d_backward_weight", [&] {
    using T = scalar_t;
    BackwardWeightGemm<T> gemm{s, static_cast<const T*>(grad_output),
                               static_cast<const T*>(input), static_cast<T*>(grad_weight)};
    const SplitK sk = split_k(gemm.m(), gemm.n(), gemm.k(), s.groups);
    if (sk.splits == 1) return run<T>(gemm, s.groups, 1, sk.chunk);
    const int64_t total = s.c_out * gemm.n();
    reduce_impl::Scratch partial(sk.splits * total * sizeof(T));
    gemm.partial = static_cast<T*>(partial.get());
    run<T>(gemm, s.groups, sk.splits, sk.chunk);
    const int blocks = int(std::min<int64_t>(ceil_div(total, 256), 65535));
    EMBER_LAUNCH(sum_splits<T>, blocks, 256, 0, 0, gemm.partial, sk.splits, total,
                 static_cast<T*>(grad_weight));
  });
}

}  // namespace ember::cuda
