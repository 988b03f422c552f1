// Winograd F(2x2, 3x3) convolution on the CPU (cpu/conv_winograd.cc): 2-D layers with a 3x3
// kernel, stride 1 and dilation 1 (any padding, any groups), float32 and float64; its input and
// output transforms are compiled per instruction set (cpu/conv_winograd.simd.cc).
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/conv_scalar.h"
#include "cpu/dispatch.h"

namespace ember::cpu {

// Whether the Winograd kernels take the layer: 2-D (depth 1), a 3x3 kernel, stride 1,
// dilation 1 along height and width.
inline bool winograd_fits(const ConvShape& s) {
  return s.is_2d() && s.k[1] == 3 && s.k[2] == 3 && s.stride[1] == 1 && s.stride[2] == 1 &&
         s.dil[1] == 1 && s.dil[2] == 1;
}

// Whether variant "auto" takes Winograd for a layer that fits: where it measured faster than
// im2col (forward, float32, one thread, thread CPU time, this 2-core AMD EPYC with AVX-512).
// Its 16 GEMMs have K = c_in and M = c_out (swapped for grad_input) and N = a block of tiles;
// with few channels the transforms and the thin GEMMs cost more than im2col's 2.25x more
// multiply-adds. Winograd / im2col time ratios (speedup; two runs):
//   won:  32->64 on 14x14 1.08-1.1 (bench_conv.py), 32->64 32x32 1.26-1.39,
//         64->128 16x16 1.15-1.46, 64->128 32x32 1.6, 256->256 28x28 1.23-1.40;
//   lost: 1->32 28x28 0.33, 4->8 and 8->16 0.5-0.6, 16->16 and 16->32 28x28 0.53-0.75,
//         32->32 and 64->64 on 7x7 0.66-0.74, 32->32 28x28 0.64-0.92, 64->64 28x28
//         0.92-0.95, groups 8 0.38-0.5;
//   within the noise (0.8-1.2): 64->64 14x14, 128->128 14x14 and 28x28.
// Against the blocked direct kernel (cpu/conv_blocked.h; forward ms, winograd / blocked, same
// conditions): 32->64 on 14x14 2.48 / 2.23, 16x16 1.48 / 1.40, 28x28 4.39 / 4.22; 64->64 28x28
// 4.26 / 3.97; 256->256 14x14 10.5 / 7.9; but 64->128 16x16 4.75 / 5.50, 32x32 17.5 / 21.4,
// 128->256 14x14 6.5 / 8.2. The rule keeps Winograd's wins over both: no groups, c_in >= 64,
// c_out >= 2 c_in, outputs at least 14x14.
inline bool winograd_pays(const ConvShape& s) {
  return s.groups == 1 && s.c_in >= 64 && s.c_out >= 2 * s.c_in && s.out[1] >= 14 &&
         s.out[2] >= 14;
}

// Buffers as in core/conv_scalar.h; s must satisfy winograd_fits.
template <class T>
void conv_forward_winograd(const ConvShape& s, const T* input, const T* weight, const T* bias,
                           T* output);
// grad_input is the stride-1 3x3 correlation of grad_output with the weights rotated by 180
// degrees, input and output channels swapped, padding 2 - pad: the same Winograd forward.
template <class T>
void conv_backward_input_winograd(const ConvShape& s, const T* grad_output, const T* weight,
                                  T* grad_input);

// A stride-1 3x3 correlation, zero outside the input:
//   output[b, co, y, x] = bias[co] + sum over the group's input channels ci and taps (i, j) of
//                         input[b, ci, y - pad_h + i, x - pad_w + j] * w[co, ci, i, j]
// pad may be negative, and out_h, out_w are given (the reads past the input are zeros). Its
// 2x2 output tiles are numbered by (sample, tile row, tile column).
struct WinogradGeometry {
  int64_t n, c_in, c_out, groups, in_h, in_w, out_h, out_w, pad_h, pad_w;
  int64_t cig() const { return c_in / groups; }
  int64_t cog() const { return c_out / groups; }
  int64_t tiles_h() const { return (out_h + 1) / 2; }
  int64_t tiles_w() const { return (out_w + 1) / 2; }
  int64_t tiles_per_sample() const { return tiles_h() * tiles_w(); }
};

// v (16, cig, ldv), column p - p0 = B^T d B of tile p in [p0, p1) and each input channel of
// group g (B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]), from input (n, c_in, in_h, in_w);
// rows: scratch of max(5 * (2 * min(p1 - p0, tiles_w) + 2), 4 * (p1 - p0)).
template <class T>
using WinogradInputFn = void (*)(const WinogradGeometry& geo, const T* input, int64_t g,
                                 int64_t p0, int64_t p1, T* v, int64_t ldv, T* rows);
// output (n, c_out, out_h, out_w) at the tiles [p0, p1) of group g = A^T M A + bias (bias: the
// group's cog values or null), from m (16, cog, ldm), column p - p0 for tile p;
// A^T = [1 1 1 0; 0 1 -1 -1]. rows: scratch as for WinogradInputFn.
template <class T>
using WinogradOutputFn = void (*)(const WinogradGeometry& geo, const T* m, int64_t ldm,
                                  const T* bias, int64_t g, int64_t p0, int64_t p1, T* output,
                                  T* rows);

EMBER_DECLARE_DISPATCH(WinogradInputFn<float>, winograd_input_f32_stub);
EMBER_DECLARE_DISPATCH(WinogradInputFn<double>, winograd_input_f64_stub);
EMBER_DECLARE_DISPATCH(WinogradOutputFn<float>, winograd_output_f32_stub);
EMBER_DECLARE_DISPATCH(WinogradOutputFn<double>, winograd_output_f64_stub);

}  // namespace ember::cpu
