// The source positions of 2-D nearest and bilinear upsampling (PyTorch's index math), shared by
// the CPU and CUDA kernels (EMBER_HOST_DEVICE). 1-D is the one-row case.
//
// Buffers, all contiguous: input (planes, in_h, in_w), output (planes, out_h, out_w).
#pragma once

#include <cmath>
#include <cstdint>

#include "ember/host_device.h"

namespace ember {

struct UpsampleShape {
  int64_t planes, in_h, in_w, out_h, out_w;
  double scale_h, scale_w;  // the caller's scale_factor per axis, or <= 0 when not given
  bool align_corners;       // bilinear only
};

namespace upsample_hd {

// PyTorch's nearest_idx: the input index read by output index o (the scale in float).
EMBER_HOST_DEVICE inline int64_t nearest(int64_t o, int64_t in, int64_t out, double scale) {
  if (out == in) return o;
  if (out == 2 * in) return o >> 1;
  const float step = scale > 0 ? static_cast<float>(1.0 / scale)
                               : static_cast<float>(in) / static_cast<float>(out);
  const int64_t i = static_cast<int64_t>(floorf(static_cast<float>(o) * step));
  return i < in - 1 ? i : in - 1;
}

// The two input indices of output index o and their weights (PyTorch's
// area_pixel_compute_source_index and compute_indices_weights_linear), in the kernel's type T.
template <class T>
struct Taps {
  int64_t i0, i1;
  T l0, l1;
};

template <class T>
EMBER_HOST_DEVICE inline Taps<T> linear(int64_t o, int64_t in, int64_t out, double scale,
                                        bool align_corners) {
  T step;
  if (align_corners)
    step = out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : static_cast<T>(0);
  else
    step = scale > 0 ? static_cast<T>(1.0 / scale) : static_cast<T>(in) / static_cast<T>(out);
  T src = align_corners ? step * static_cast<T>(o)
                        : step * (static_cast<T>(o) + static_cast<T>(0.5)) - static_cast<T>(0.5);
  if (src < 0) src = 0;
  const int64_t i0 = static_cast<int64_t>(src);
  T l1 = src - static_cast<T>(i0);
  l1 = l1 < 0 ? static_cast<T>(0) : (l1 > 1 ? static_cast<T>(1) : l1);
  return {i0, i0 < in - 1 ? i0 + 1 : i0, static_cast<T>(1) - l1, l1};
}

template <class T>
EMBER_HOST_DEVICE inline T nearest_element(const UpsampleShape& s, const T* in_plane, int64_t oh,
                                           int64_t ow) {
  return in_plane[nearest(oh, s.in_h, s.out_h, s.scale_h) * s.in_w +
                  nearest(ow, s.in_w, s.out_w, s.scale_w)];
}

template <class T>
EMBER_HOST_DEVICE inline T bilinear_element(const UpsampleShape& s, const T* in_plane,
                                            int64_t oh, int64_t ow) {
  const Taps<T> r = linear<T>(oh, s.in_h, s.out_h, s.scale_h, s.align_corners);
  const Taps<T> c = linear<T>(ow, s.in_w, s.out_w, s.scale_w, s.align_corners);
  const T* row0 = in_plane + r.i0 * s.in_w;
  const T* row1 = in_plane + r.i1 * s.in_w;
  return r.l0 * (c.l0 * row0[c.i0] + c.l1 * row0[c.i1]) +
         r.l1 * (c.l0 * row1[c.i0] + c.l1 * row1[c.i1]);
}

// Calls add(input_offset, weight) for the input elements output (oh, ow) reads, with the weight
// each one has in it: what the backward passes scatter.
template <class T, class Add>
EMBER_HOST_DEVICE inline void bilinear_taps(const UpsampleShape& s, int64_t oh, int64_t ow,
                                            Add&& add) {
  const Taps<T> r = linear<T>(oh, s.in_h, s.out_h, s.scale_h, s.align_corners);
  const Taps<T> c = linear<T>(ow, s.in_w, s.out_w, s.scale_w, s.align_corners);
  add(r.i0 * s.in_w + c.i0, r.l0 * c.l0);
  add(r.i0 * s.in_w + c.i1, r.l0 * c.l1);
  add(r.i1 * s.in_w + c.i0, r.l1 * c.l0);
  add(r.i1 * s.in_w + c.i1, r.l1 * c.l1);
}

}  // namespace upsample_hd
}  // namespace ember
