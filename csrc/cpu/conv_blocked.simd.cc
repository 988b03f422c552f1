// The register-blocked direct convolution kernel (see cpu/conv_blocked.h for the buffers),
// compiled per instruction set. Per output row and block of P pixels along it:
//   acc (P, vectors * lanes)  in registers: output pixel p, output channel j of the block
//   for each input channel c, tap t:
//     acc[p][v] += weights[c][t][v * lanes, +lanes) * padded[c][pixel p's read through t]
// (one weight load per vector, one broadcast per pixel, vectors * P FMAs), then the tile is
// transposed into the block's NCHW output planes through a small buffer, with the bias (float
// on AVX-512: 16 x 16 transposes in registers). AVX-512 holds 14 pixels x 2 vectors (28 of the
// 32 zmm); AVX2 6 x 2 (12 of the 16 ymm). The baseline build has no kernel: the driver falls
// back to im2col. grad_weight's kernel (weight_cols) is the same register tile turned around:
// columns (c, t) x output-channel vectors, summed over the output pixels.
#include "cpu/conv_blocked.h"

#include <algorithm>
#include <array>
#include <utility>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {

#if defined(__AVX2__)

template <class T>
struct Vec;

#if defined(__AVX512F__)
constexpr int kMaxPixels = 14;

template <>
struct Vec<float> {
  using V = __m512;
  static constexpr int kLanes = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
};

template <>
struct Vec<double> {
  using V = __m512d;
  static constexpr int kLanes = 8;
  static V zero() { return _mm512_setzero_pd(); }
  static V load(const double* p) { return _mm512_loadu_pd(p); }
  static V broadcast(const double* p) { return _mm512_set1_pd(*p); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static void store(double* p, V v) { _mm512_storeu_pd(p, v); }
};
#else
constexpr int kMaxPixels = 6;

template <>
struct Vec<float> {
  using V = __m256;
  static constexpr int kLanes = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static V broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
};

template <>
struct Vec<double> {
  using V = __m256d;
  static constexpr int kLanes = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static V load(const double* p) { return _mm256_loadu_pd(p); }
  static V broadcast(const double* p) { return _mm256_broadcast_sd(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static void store(double* p, V v) { _mm256_storeu_pd(p, v); }
};
#endif

// tile (P, V * lanes) = the block's outputs at the P pixels whose reads start at `in` (the
// pixel that the row's first tap-0 read of input channel 0 lands on).
template <class T, int P, int V>
void pixel_block(const BlockedGeometry& g, const T* in, const T* weights, T* tile) {
  using Ops = Vec<T>;
  constexpr int kLanes = Ops::kLanes;
  typename Ops::V acc[P][V];
#pragma GCC unroll 16
  for (int p = 0; p < P; ++p)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) acc[p][v] = Ops::zero();
  const T* w = weights;
  for (int64_t c = 0; c < g.channels; ++c, in += g.channel_stride)
    for (int64_t t = 0; t < g.taps; ++t, w += V * kLanes) {
      const T* x = in + g.tap_offset[t];
      typename Ops::V wv[V];
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v) wv[v] = Ops::load(w + v * kLanes);
#pragma GCC unroll 16
      for (int p = 0; p < P; ++p) {
        const typename Ops::V b = Ops::broadcast(x + p);
#pragma GCC unroll 2
        for (int v = 0; v < V; ++v) acc[p][v] = Ops::fma(wv[v], b, acc[p][v]);
      }
    }
#pragma GCC unroll 16
  for (int p = 0; p < P; ++p)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) Ops::store(tile + (p * V + v) * kLanes, acc[p][v]);
}

// out[j * ld + p] = tile[p * width + j] (+ bias[j]) for p < n, j < channels: the tile's
// transpose into the output planes.
template <class T>
void write_tile(const T* tile, int width, int64_t n, int64_t channels, const T* bias, T* out,
                int64_t ld) {
  for (int64_t j = 0; j < channels; ++j) {
    const T b = bias ? bias[j] : T(0);
    for (int64_t p = 0; p < n; ++p) out[j * ld + p] = tile[p * width + j] + b;
  }
}

#if defined(__AVX512F__)
// r[i] = column i of the 16 x 16 matrix whose row k is r[k].
inline void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4)
    for (int k = 0; k < 2; ++k) {
      const __m512d a = _mm512_castps_pd(t[i + k]), b = _mm512_castps_pd(t[i + k + 2]);
      r[i + 2 * k] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, b));
      r[i + 2 * k + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, b));
    }
  for (int i = 0; i < 16; i += 8)
    for (int k = 0; k < 4; ++k) {
      t[i + k] = _mm512_shuffle_f32x4(r[i + k], r[i + k + 4], 0x88);
      t[i + k + 4] = _mm512_shuffle_f32x4(r[i + k], r[i + k + 4], 0xdd);
    }
  for (int k = 0; k < 8; ++k) {
    r[k] = _mm512_shuffle_f32x4(t[k], t[k + 8], 0x88);
    r[k + 8] = _mm512_shuffle_f32x4(t[k], t[k + 8], 0xdd);
  }
}

// float: by 16 x 16 blocks transposed in registers, masked stores of the n pixels.
template <>
void write_tile<float>(const float* tile, int width, int64_t n, int64_t channels,
                       const float* bias, float* out, int64_t ld) {
  const __mmask16 pixels = static_cast<__mmask16>((1u << n) - 1);
  for (int64_t j0 = 0; j0 < channels; j0 += 16) {
    __m512 r[16];
    for (int p = 0; p < 16; ++p)
      r[p] = p < n ? _mm512_loadu_ps(tile + p * width + j0) : _mm512_setzero_ps();
    transpose16(r);
    const int64_t m = std::min<int64_t>(16, channels - j0);
    for (int64_t j = 0; j < m; ++j) {
      const __m512 v = bias ? _mm512_add_ps(r[j], _mm512_set1_ps(bias[j0 + j])) : r[j];
      _mm512_mask_storeu_ps(out + (j0 + j) * ld, pixels, v);
    }
  }
}
#endif

// dst (vol, width) = the transpose of src (channels, vol), zero in columns past channels; by
// planes (contiguous reads: a strided read per element ran 14% of grad_weight).
template <class T>
void transpose_planes(const T* src, int64_t channels, int64_t vol, int width, T* dst) {
  for (int64_t j = 0; j < channels; ++j)
    for (int64_t p = 0; p < vol; ++p) dst[p * width + j] = src[j * vol + p];
  for (int64_t j = channels; j < width; ++j)
    for (int64_t p = 0; p < vol; ++p) dst[p * width + j] = T(0);
}

#if defined(__AVX512F__)
// float: by 16 x 16 blocks transposed in registers.
template <>
void transpose_planes<float>(const float* src, int64_t channels, int64_t vol, int width,
                             float* dst) {
  for (int64_t p0 = 0; p0 < vol; p0 += 16) {
    const int64_t n = std::min<int64_t>(16, vol - p0);
    const __mmask16 pixels = static_cast<__mmask16>((1u << n) - 1);
    for (int j0 = 0; j0 < width; j0 += 16) {
      __m512 r[16];
      for (int j = 0; j < 16; ++j)
        r[j] = j0 + j < channels ? _mm512_maskz_loadu_ps(pixels, src + (j0 + j) * vol + p0)
                                 : _mm512_setzero_ps();
      transpose16(r);
      for (int64_t p = 0; p < n; ++p) _mm512_storeu_ps(dst + (p0 + p) * width + j0, r[p]);
    }
  }
}
#endif

template <class T>
using PixelBlockFn = void (*)(const BlockedGeometry&, const T*, const T*, T*);

// pixel_block<T, P, V> for P = 1 .. kMaxPixels, indexed by P - 1.
template <class T, int V, int... I>
constexpr std::array<PixelBlockFn<T>, sizeof...(I)> pixel_blocks(
    std::integer_sequence<int, I...>) {
  return {&pixel_block<T, I + 1, V>...};
}

template <class T, int V>
void conv_block_v(const BlockedGeometry& g, const T* padded, const T* weights, const T* bias,
                  T* out) {
  static constexpr auto kBlocks =
      pixel_blocks<T, V>(std::make_integer_sequence<int, kMaxPixels>());
  constexpr int kWidth = V * Vec<T>::kLanes;
  alignas(64) T tile[kMaxPixels * kWidth];
  // Even pixel blocks along the row: 32 columns run as 11 + 11 + 10, not 14 + 14 + 4.
  const int64_t blocks = (g.out_w + kMaxPixels - 1) / kMaxPixels;
  const int64_t pixels = (g.out_w + blocks - 1) / blocks;
  const int64_t out_vol = g.out_d * g.out_h * g.out_w;
  for (int64_t od = 0; od < g.out_d; ++od)
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      const T* row = padded + od * g.depth_step + oh * g.row_step;
      T* out_row = out + (od * g.out_h + oh) * g.out_w;
      for (int64_t ow0 = 0; ow0 < g.out_w; ow0 += pixels) {
        const int64_t n = std::min(pixels, g.out_w - ow0);
        kBlocks[n - 1](g, row + ow0, weights, tile);
        write_tile(tile, kWidth, n, g.oc_count, bias, out_row + ow0, out_vol);
      }
    }
}

template <class T>
void conv_block(const BlockedGeometry& g, const T* padded, const T* weights, const T* bias,
                T* out) {
  if (g.out_w <= 0) return;
  if (g.vectors == 1) return conv_block_v<T, 1>(g, padded, weights, bias, out);
  conv_block_v<T, 2>(g, padded, weights, bias, out);
}

// part (S, V * lanes) += the sum over the output pixels of rows [row0, row1) (od * out_h + oh)
// of go_t[pixel] (V * lanes output channels) times padded[col_offset[j] + the pixel's read
// offset]: S columns (c, t) of grad_weight for one block of output channels. acc (S, V) in
// registers; per pixel V loads of go_t and S broadcasts of the input, S * V FMAs.
template <class T, int V, int S>
void weight_cols(const BlockedGeometry& g, const T* padded, const T* go_t,
                 const int64_t* col_offset, int64_t row0, int64_t row1, T* part) {
  using Ops = Vec<T>;
  constexpr int kLanes = Ops::kLanes;
  typename Ops::V acc[S][V];
  const T* in[S];
#pragma GCC unroll 24
  for (int j = 0; j < S; ++j) {
    in[j] = padded + col_offset[j];
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) acc[j][v] = Ops::load(part + (j * V + v) * kLanes);
  }
  const T* go = go_t + row0 * g.out_w * V * kLanes;
  for (int64_t r = row0; r < row1; ++r) {
    const int64_t row = r / g.out_h * g.depth_step + r % g.out_h * g.row_step;
    for (int64_t ow = 0; ow < g.out_w; ++ow, go += V * kLanes) {
      typename Ops::V gv[V];
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v) gv[v] = Ops::load(go + v * kLanes);
#pragma GCC unroll 24
      for (int j = 0; j < S; ++j) {
        const typename Ops::V x = Ops::broadcast(in[j] + row + ow);
#pragma GCC unroll 2
        for (int v = 0; v < V; ++v) acc[j][v] = Ops::fma(gv[v], x, acc[j][v]);
      }
    }
  }
#pragma GCC unroll 24
  for (int j = 0; j < S; ++j)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) Ops::store(part + (j * V + v) * kLanes, acc[j][v]);
}

template <class T>
using WeightColsFn = void (*)(const BlockedGeometry&, const T*, const T*, const int64_t*,
                              int64_t, int64_t, T*);

// weight_cols<T, V, S> for S = 1 .. sizeof...(I), indexed by S - 1.
template <class T, int V, int... I>
constexpr std::array<WeightColsFn<T>, sizeof...(I)> weight_col_blocks(
    std::integer_sequence<int, I...>) {
  return {&weight_cols<T, V, I + 1>...};
}

template <class T, int V>
void weight_block_v(const BlockedGeometry& g, const T* padded, const T* go_t,
                    const int64_t* col_offset, int64_t cols, T* part) {
  // kMaxPixels * 2 accumulators, as the forward; at most 12 input pointers
  constexpr int kCols = std::min(kMaxPixels * 2 / V, 12);
  static constexpr auto kBlocks =
      weight_col_blocks<T, V>(std::make_integer_sequence<int, kCols>());
  // Chunks of output rows whose go_t (about 24 KiB) stays in L1 while the column blocks pass.
  const int64_t rows = g.out_d * g.out_h, row_bytes = g.out_w * V * Vec<T>::kLanes * sizeof(T);
  const int64_t chunk = std::max<int64_t>(1, (24 << 10) / std::max<int64_t>(row_bytes, 1));
  for (int64_t r = 0; r < rows; r += chunk)
    for (int64_t j = 0; j < cols; j += kCols) {
      const int64_t n = std::min<int64_t>(kCols, cols - j);
      kBlocks[n - 1](g, padded, go_t, col_offset + j, r, std::min(rows, r + chunk),
                     part + j * V * Vec<T>::kLanes);
    }
}

template <class T>
void weight_block(const BlockedGeometry& g, const T* padded, const T* go, T* go_t,
                  const int64_t* col_offset, int64_t cols, T* part) {
  transpose_planes(go, g.oc_count, g.out_d * g.out_h * g.out_w, g.vectors * Vec<T>::kLanes,
                   go_t);
  if (g.vectors == 1) return weight_block_v<T, 1>(g, padded, go_t, col_offset, cols, part);
  weight_block_v<T, 2>(g, padded, go_t, col_offset, cols, part);
}

template <class T>
int lanes() {
  return Vec<T>::kLanes;
}

#endif  // __AVX2__

}  // namespace
}  // namespace EMBER_CPU_NS

#if defined(__AVX2__)
EMBER_REGISTER_DISPATCH(conv_blocked_f32_stub, &EMBER_CPU_NS::conv_block<float>);
EMBER_REGISTER_DISPATCH(conv_blocked_f64_stub, &EMBER_CPU_NS::conv_block<double>);
EMBER_REGISTER_DISPATCH(conv_blocked_weight_f32_stub, &EMBER_CPU_NS::weight_block<float>);
EMBER_REGISTER_DISPATCH(conv_blocked_weight_f64_stub, &EMBER_CPU_NS::weight_block<double>);
EMBER_REGISTER_DISPATCH(conv_blocked_lanes_f32_stub, &EMBER_CPU_NS::lanes<float>);
EMBER_REGISTER_DISPATCH(conv_blocked_lanes_f64_stub, &EMBER_CPU_NS::lanes<double>);
#endif

}  // namespace ember::cpu
