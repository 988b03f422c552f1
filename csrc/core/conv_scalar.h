// The geometry of a convolution and the per-element formulas of the direct (naive)
// convolution, shared by the CPU kernels (the reference and im2col) and the CUDA kernels
// (EMBER_HOST_DEVICE), so both compute each element the same way and in the same order.
//
// One geometry for every rank: three spatial axes (depth, height, width); a 2-D convolution is
// the depth-1 case (in[0] = k[0] = out[0] = 1, stride 1, no padding, dilation 1) and a 1-D one
// (run as 2-D by the Python layer) has height 1 too.
// Buffers, all contiguous:
//   input  (n, c_in, in[0], in[1], in[2])
//   weight (c_out, c_in / groups, k[0], k[1], k[2])
//   output (n, c_out, out[0], out[1], out[2])
// Input position i_a = o_a * stride[a] - pad[a] + t_a * dil[a] feeds output o_a through kernel
// tap t_a, along each axis a. pad is the front/top/left padding and out is given explicitly,
// so asymmetric padding ('same' with an even kernel) needs nothing more.
#pragma once

#include <cstdint>

#include "ember/host_device.h"

namespace ember {

// The ladder of convolution kernels: the direct loops (the reference), im2col + GEMM, the
// implicit GEMM (CUDA only: the GEMM gathers its operand from the image, no column buffer), and
// Auto, which picks per shape. CPU only: Winograd F(2x2, 3x3) for 2-D 3x3 stride-1 layers
// (cpu/conv_winograd.h) and Blocked, the register-blocked direct kernel (cpu/conv_blocked.h).
enum class ConvVariant : uint8_t { Naive, Im2col, ImplicitGemm, Auto, Winograd, Blocked };

struct ConvShape {
  static constexpr int kDims = 3;
  int64_t n, c_in, c_out, groups;
  int64_t in[kDims], k[kDims], out[kDims];
  int64_t stride[kDims], pad[kDims], dil[kDims];

  EMBER_HOST_DEVICE int64_t c_in_group() const { return c_in / groups; }
  EMBER_HOST_DEVICE int64_t c_out_group() const { return c_out / groups; }
  EMBER_HOST_DEVICE int64_t in_volume() const { return in[0] * in[1] * in[2]; }
  EMBER_HOST_DEVICE int64_t out_volume() const { return out[0] * out[1] * out[2]; }
  EMBER_HOST_DEVICE int64_t taps() const { return k[0] * k[1] * k[2]; }
  // Whether the depth axis is trivial: a 2-D (or 1-D) convolution.
  EMBER_HOST_DEVICE bool is_2d() const {
    return in[0] == 1 && k[0] == 1 && out[0] == 1 && pad[0] == 0;
  }
};

namespace conv_hd {

// The input position read by output position o through tap t along axis a (may be padding).
EMBER_HOST_DEVICE inline int64_t input_pos(const ConvShape& s, int a, int64_t o, int64_t t) {
  return o * s.stride[a] - s.pad[a] + t * s.dil[a];
}

// The output position that reads input position i through tap t along axis a, or -1.
EMBER_HOST_DEVICE inline int64_t output_pos(const ConvShape& s, int a, int64_t i, int64_t t) {
  const int64_t q = i + s.pad[a] - t * s.dil[a];  // = o * stride when o reads i
  if (q < 0 || q % s.stride[a] != 0 || q / s.stride[a] >= s.out[a]) return -1;
  return q / s.stride[a];
}

// output[b, co, od, oh, ow], without the bias.
template <class T>
EMBER_HOST_DEVICE inline T output_element(const ConvShape& s, const T* input, const T* weight,
                                          int64_t b, int64_t co, int64_t od, int64_t oh,
                                          int64_t ow) {
  const int64_t cig = s.c_in_group(), g = co / s.c_out_group();
  T acc = 0;
  for (int64_t c = 0; c < cig; ++c) {
    const T* in_vol = input + (b * s.c_in + g * cig + c) * s.in_volume();
    const T* w_vol = weight + (co * cig + c) * s.taps();
    for (int64_t td = 0; td < s.k[0]; ++td) {
      const int64_t id = input_pos(s, 0, od, td);
      if (id < 0 || id >= s.in[0]) continue;
      for (int64_t th = 0; th < s.k[1]; ++th) {
        const int64_t ih = input_pos(s, 1, oh, th);
        if (ih < 0 || ih >= s.in[1]) continue;
        for (int64_t tw = 0; tw < s.k[2]; ++tw) {
          const int64_t iw = input_pos(s, 2, ow, tw);
          if (iw < 0 || iw >= s.in[2]) continue;
          acc = hd::add_rn(acc, hd::mul_rn(in_vol[(id * s.in[1] + ih) * s.in[2] + iw],
                                           w_vol[(td * s.k[1] + th) * s.k[2] + tw]));
        }
      }
    }
  }
  return acc;
}

// grad_input[b, ci, id, ih, iw] = sum over the outputs that read it of grad_output * weight.
template <class T>
EMBER_HOST_DEVICE inline T grad_input_element(const ConvShape& s, const T* grad_output,
                                              const T* weight, int64_t b, int64_t ci, int64_t id,
                                              int64_t ih, int64_t iw) {
  const int64_t cig = s.c_in_group(), cog = s.c_out_group(), g = ci / cig, c = ci % cig;
  T acc = 0;
  for (int64_t co = g * cog; co < (g + 1) * cog; ++co) {
    const T* go_vol = grad_output + (b * s.c_out + co) * s.out_volume();
    const T* w_vol = weight + (co * cig + c) * s.taps();
    for (int64_t td = 0; td < s.k[0]; ++td) {
      const int64_t od = output_pos(s, 0, id, td);
      if (od < 0) continue;
      for (int64_t th = 0; th < s.k[1]; ++th) {
        const int64_t oh = output_pos(s, 1, ih, th);
        if (oh < 0) continue;
        for (int64_t tw = 0; tw < s.k[2]; ++tw) {
          const int64_t ow = output_pos(s, 2, iw, tw);
          if (ow < 0) continue;
          acc = hd::add_rn(acc, hd::mul_rn(go_vol[(od * s.out[1] + oh) * s.out[2] + ow],
                                           w_vol[(td * s.k[1] + th) * s.k[2] + tw]));
        }
      }
    }
  }
  return acc;
}

// grad_weight[co, c, td, th, tw] = sum over the batch and the outputs of grad_output * input.
template <class T>
EMBER_HOST_DEVICE inline T grad_weight_element(const ConvShape& s, const T* grad_output,
                                               const T* input, int64_t co, int64_t c, int64_t td,
                                               int64_t th, int64_t tw) {
  const int64_t ci = co / s.c_out_group() * s.c_in_group() + c;
  T acc = 0;
  for (int64_t b = 0; b < s.n; ++b) {
    const T* go_vol = grad_output + (b * s.c_out + co) * s.out_volume();
    const T* in_vol = input + (b * s.c_in + ci) * s.in_volume();
    for (int64_t od = 0; od < s.out[0]; ++od) {
      const int64_t id = input_pos(s, 0, od, td);
      if (id < 0 || id >= s.in[0]) continue;
      for (int64_t oh = 0; oh < s.out[1]; ++oh) {
        const int64_t ih = input_pos(s, 1, oh, th);
        if (ih < 0 || ih >= s.in[1]) continue;
        for (int64_t ow = 0; ow < s.out[2]; ++ow) {
          const int64_t iw = input_pos(s, 2, ow, tw);
          if (iw < 0 || iw >= s.in[2]) continue;
          acc = hd::add_rn(acc, hd::mul_rn(go_vol[(od * s.out[1] + oh) * s.out[2] + ow],
                                           in_vol[(id * s.in[1] + ih) * s.in[2] + iw]));
        }
      }
    }
  }
  return acc;
}

}  // namespace conv_hd
}  // namespace ember
