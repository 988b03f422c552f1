// The geometry of a 2-D convolution and the per-element formulas of the direct (naive)
// convolution, shared by the CPU reference kernels and the CUDA kernels (EMBER_HOST_DEVICE), so
// both compute each element the same way and in the same order.
//
// Buffers, all contiguous:
//   input  (n, c_in, h, w)
//   weight (c_out, c_in / groups, kh, kw)
//   output (n, c_out, out_h, out_w)
// Input row ih = oh * stride_h - pad_h + i * dil_h feeds output row oh through kernel row i
// (the same for columns); pad_h / pad_w are the top / left padding, and out_h / out_w are given
// explicitly, so asymmetric padding ('same' with an even kernel) needs nothing more.
#pragma once

#include <cstdint>

#include "ember/host_device.h"

namespace ember {

// The ladder of convolution kernels: the direct loops (the reference), im2col + GEMM, the
// implicit GEMM (CUDA only: the GEMM gathers its operand from the image, no column buffer), and
// Auto, which picks per shape.
enum class ConvVariant : uint8_t { Naive, Im2col, ImplicitGemm, Auto };

struct Conv2dShape {
  int64_t n, c_in, h, w;
  int64_t c_out, kh, kw;
  int64_t out_h, out_w;
  int64_t stride_h, stride_w, pad_h, pad_w, dil_h, dil_w, groups;

  EMBER_HOST_DEVICE int64_t c_in_group() const { return c_in / groups; }
  EMBER_HOST_DEVICE int64_t c_out_group() const { return c_out / groups; }
};

namespace conv_hd {

// output[b, co, oh, ow], without the bias.
template <class T>
EMBER_HOST_DEVICE inline T output_element(const Conv2dShape& s, const T* input, const T* weight,
                                          int64_t b, int64_t co, int64_t oh, int64_t ow) {
  const int64_t cig = s.c_in_group(), g = co / s.c_out_group();
  T acc = 0;
  for (int64_t c = 0; c < cig; ++c) {
    const T* in_plane = input + ((b * s.c_in + g * cig + c) * s.h) * s.w;
    const T* w_plane = weight + ((co * cig + c) * s.kh) * s.kw;
    for (int64_t i = 0; i < s.kh; ++i) {
      const int64_t ih = oh * s.stride_h - s.pad_h + i * s.dil_h;
      if (ih < 0 || ih >= s.h) continue;
      for (int64_t j = 0; j < s.kw; ++j) {
        const int64_t iw = ow * s.stride_w - s.pad_w + j * s.dil_w;
        if (iw < 0 || iw >= s.w) continue;
        acc = hd::add_rn(acc, hd::mul_rn(in_plane[ih * s.w + iw], w_plane[i * s.kw + j]));
      }
    }
  }
  return acc;
}

// grad_input[b, ci, ih, iw] = sum over the outputs that read it of grad_output * weight.
template <class T>
EMBER_HOST_DEVICE inline T grad_input_element(const Conv2dShape& s, const T* grad_output,
                                              const T* weight, int64_t b, int64_t ci, int64_t ih,
                                              int64_t iw) {
  const int64_t cig = s.c_in_group(), cog = s.c_out_group(), g = ci / cig, c = ci % cig;
  T acc = 0;
  for (int64_t co = g * cog; co < (g + 1) * cog; ++co) {
    const T* go_plane = grad_output + ((b * s.c_out + co) * s.out_h) * s.out_w;
    const T* w_plane = weight + ((co * cig + c) * s.kh) * s.kw;
    for (int64_t i = 0; i < s.kh; ++i) {
      const int64_t th = ih + s.pad_h - i * s.dil_h;  // = oh * stride_h when oh reads ih
      if (th < 0 || th % s.stride_h != 0 || th / s.stride_h >= s.out_h) continue;
      const int64_t oh = th / s.stride_h;
      for (int64_t j = 0; j < s.kw; ++j) {
        const int64_t tw = iw + s.pad_w - j * s.dil_w;
        if (tw < 0 || tw % s.stride_w != 0 || tw / s.stride_w >= s.out_w) continue;
        acc = hd::add_rn(acc, hd::mul_rn(go_plane[oh * s.out_w + tw / s.stride_w],
                                         w_plane[i * s.kw + j]));
      }
    }
  }
  return acc;
}

// grad_weight[co, c, i, j] = sum over the batch and the outputs of grad_output * input.
template <class T>
EMBER_HOST_DEVICE inline T grad_weight_element(const Conv2dShape& s, const T* grad_output,
                                               const T* input, int64_t co, int64_t c, int64_t i,
                                               int64_t j) {
  const int64_t ci = co / s.c_out_group() * s.c_in_group() + c;
  T acc = 0;
  for (int64_t b = 0; b < s.n; ++b) {
    const T* go_plane = grad_output + ((b * s.c_out + co) * s.out_h) * s.out_w;
    const T* in_plane = input + ((b * s.c_in + ci) * s.h) * s.w;
    for (int64_t oh = 0; oh < s.out_h; ++oh) {
      const int64_t ih = oh * s.stride_h - s.pad_h + i * s.dil_h;
      if (ih < 0 || ih >= s.h) continue;
      for (int64_t ow = 0; ow < s.out_w; ++ow) {
        const int64_t iw = ow * s.stride_w - s.pad_w + j * s.dil_w;
        if (iw < 0 || iw >= s.w) continue;
        acc = hd::add_rn(acc, hd::mul_rn(go_plane[oh * s.out_w + ow], in_plane[ih * s.w + iw]));
      }
    }
  }
  return acc;
}

}  // namespace conv_hd
}  // namespace ember
