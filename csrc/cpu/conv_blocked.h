// The register-blocked direct convolution (variant "blocked", cpu/conv_blocked.cc; every rank,
// through ConvShape), in the style of oneDNN's direct AVX-512 kernel: a block of output pixels
// along one output row times a block of output channels stays in vector registers (output
// channels along the vector lanes) while the loop runs over input channels x kernel taps, each
// step one load of the weight vectors and one broadcast per pixel. The per-ISA kernel is in
// conv_blocked.simd.cc; the driver (weight packing, padded copies, threads) in conv_blocked.cc.
//
// Buffers the kernel sees, for one sample, one group and one block of `ocb` output channels
// (ocb = vectors * lanes):
//   padded  (c_in_group, padded_d, padded_h, stride_w, padded_wq): the zero-padded input of the
//           group, each row split into its stride_w phases, so that the pixels of an output row
//           that one tap reads are consecutive whatever the stride: padded column x sits in
//           phase x % stride_w at x / stride_w; padded_d, padded_h the extents the taps read,
//           padded_wq = out_w + (kw - 1) * dil_w / stride_w
//   weights (c_in_group, taps, ocb): the group's weights for the block, taps in (kd, kh, kw)
//           order, channels past the group's last zero
//   tap_offset (taps): where tap (td, th, tw) reads, from the pixel that output (0, 0, 0) reads
//   out     (oc_count, out_d, out_h, out_w): the block's output planes (row stride out_vol)
#pragma once

#include <cstdint>

#include "core/conv_scalar.h"
#include "cpu/dispatch.h"

namespace ember::cpu {

struct BlockedGeometry {
  int64_t channels;            // c_in_group: the reduction over input channels
  int64_t taps;                // kd * kh * kw
  const int64_t* tap_offset;   // (taps)
  int64_t channel_stride;      // padded elements per input channel
  int64_t depth_step, row_step;  // padded elements between output depths / output rows
  int64_t out_d, out_h, out_w;
  int vectors;                 // output-channel vectors per block (1 or 2)
  int64_t oc_count;            // output channels of the block that exist (<= ocb)
};

// out (oc_count, out volume) = the block's convolution (+ bias[0, oc_count) when bias).
template <class T>
using ConvBlockedFn = void (*)(const BlockedGeometry& g, const T* padded, const T* weights,
                               const T* bias, T* out);
// part (cols, ocb) += sum over the output pixels of go_t (out volume, ocb) times, for column j,
// padded at col_offset[j] plus the pixel's read offset (stride 1: g.depth_step, g.row_step);
// ocb = g.vectors * lanes. go_t, scratch, is filled first with the transpose of the block's
// grad_output planes go (g.oc_count, out volume), zero past oc_count.
template <class T>
using ConvBlockedWeightFn = void (*)(const BlockedGeometry& g, const T* padded, const T* go,
                                     T* go_t, const int64_t* col_offset, int64_t cols, T* part);
// The lanes of one output-channel vector of the ISA's kernel.
using ConvBlockedLanesFn = int (*)();

EMBER_DECLARE_DISPATCH(ConvBlockedFn<float>, conv_blocked_f32_stub);
EMBER_DECLARE_DISPATCH(ConvBlockedFn<double>, conv_blocked_f64_stub);
EMBER_DECLARE_DISPATCH(ConvBlockedWeightFn<float>, conv_blocked_weight_f32_stub);
EMBER_DECLARE_DISPATCH(ConvBlockedWeightFn<double>, conv_blocked_weight_f64_stub);
EMBER_DECLARE_DISPATCH(ConvBlockedLanesFn, conv_blocked_lanes_f32_stub);
EMBER_DECLARE_DISPATCH(ConvBlockedLanesFn, conv_blocked_lanes_f64_stub);

// Whether this CPU has a blocked kernel (the AVX2 and AVX-512 builds; the baseline build falls
// back to im2col).
bool conv_blocked_available();

// Whether `auto` runs the blocked kernels: measured faster than im2col with AVX-512 on every
// 2-D layer but the pointwise ones (which im2col runs as one GEMM on the input itself); float32,
// one thread, CPU time (bench/bench_conv.py's layers, ms im2col -> blocked, forward): cnn conv1
// 1->32 k5 1.3 -> 0.6, cnn conv2 32->64 k5 12.4 -> 8.0, 32->64 k3 2.8 -> 2.0, 64->128 k3
// 26.1 -> 19.9, 3->64 k7s2 5.9 -> 2.7, 16->16 k3 0.9 -> 0.7, 64->64 k3s2 4.7 -> 3.0; but
// 1x1 256->64 4.3 -> 5.4. grad_weight (stride 1): conv1 1.6 -> 0.8, 1->32 k3 0.9 -> 0.3,
// conv2 11.7 -> 9.3, 32->64 2.7 -> 2.1, 64->128 22.4 -> 20.8, 16->16 1.0 -> 0.7. float64
// likewise (an earlier build, cnn conv2: forward 23.2 -> 16.9, grad_input 26.8 -> 17.6,
// grad_weight 23.3 -> 19.0). grad_input has a rule of its own (only_where_faster).
bool conv_blocked_auto(const ConvShape& s);

// output = conv(input, weight) + bias, as the reference. False (nothing written) where the
// CPU has no blocked kernel.
template <class T>
bool conv_forward_blocked(const ConvShape& s, const T* input, const T* weight, const T* bias,
                          T* output);

// grad_input for a stride-1 convolution: the forward kernel on grad_output with the weights
// rotated 180 degrees and the channels swapped. False (nothing written) for other strides,
// where the CPU has no blocked kernel, or, with only_where_faster, for fewer than 16 input
// channels per group (the transposed convolution's output channels then fill less than a
// vector: cnn conv1's 1 channel ran 10.6 ms against im2col's 1.5, 1->32 k3 2.9 against 0.5;
// 16->16 k3 0.7 against 1.5, cnn conv2 8.6 against 15.8, 64->128 20.7 against 26.2).
template <class T>
bool conv_backward_input_blocked(const ConvShape& s, const T* grad_output, const T* weight,
                                 T* grad_input, bool only_where_faster);

// grad_weight for a stride-1 convolution, directly: per sample and block of output channels,
// grad_output transposed to (pixels, channels), and the kernel sums it times the padded input
// into each thread's partial (groups, blocks, c_in_group * taps, ocb). False (nothing
// written) for other strides or where the CPU has no blocked kernel.
template <class T>
bool conv_backward_weight_blocked(const ConvShape& s, const T* grad_output, const T* input,
                                  T* grad_weight);

}  // namespace ember::cpu
