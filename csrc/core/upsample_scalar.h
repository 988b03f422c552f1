// The source positions of nearest, nearest-exact, (bi/tri)linear and bicubic upsampling over 1
// to 3 spatial dims (PyTorch's index math), shared by the CPU and CUDA kernels (EMBER_HOST_DEVICE).
// One geometry: (D, H, W), where 2-D is the depth-1 case and 1-D the depth-1, height-1 case.
//
// Buffers, all contiguous: input (planes, in_d, in_h, in_w), output (planes, out_d, out_h, out_w).
#pragma once

#include <cmath>
#include <cstdint>

#include "ember/host_device.h"

namespace ember {

struct UpsampleShape {
  int64_t planes, in_d, in_h, in_w, out_d, out_h, out_w;
  double scale_d, scale_h, scale_w;  // the caller's scale_factor per axis, or <= 0 if not given
  bool align_corners;                // linear and cubic only
  bool cubic;                        // the linear kernels: bicubic (2-D) instead of linear
  bool exact;                        // nearest only: 'nearest-exact' (pixel centres)
  bool shortcuts;  // nearest only: PyTorch's 2-D kernel (nearest_idx) copies an axis of
                   // unchanged size and halves the index on a doubled one, whatever the scale;
                   // its 1-D and 3-D kernels use the scale as it is

  EMBER_HOST_DEVICE int64_t in_plane() const { return in_d * in_h * in_w; }
  EMBER_HOST_DEVICE int64_t out_plane() const { return out_d * out_h * out_w; }
};

namespace upsample_hd {

// PyTorch's nearest_idx (with shortcuts) / nearest_neighbor_compute_source_index /
// nearest_exact_idx: the input index read by output index o (the scale in float, as PyTorch
// has it).
EMBER_HOST_DEVICE inline int64_t nearest(int64_t o, int64_t in, int64_t out, double scale,
                                         bool exact, bool shortcuts) {
  if (shortcuts && out == in) return o;
  if (shortcuts && out == 2 * in) return o >> 1;
  const float step = scale > 0 ? static_cast<float>(1.0 / scale)
                               : static_cast<float>(in) / static_cast<float>(out);
  const float src = exact ? static_cast<float>((static_cast<double>(o) + 0.5) * step)
                          : static_cast<float>(o) * step;
  const int64_t i = static_cast<int64_t>(floorf(src));
  return i < in - 1 ? i : in - 1;
}

// The input offset within a plane that nearest output (od, oh, ow) reads.
EMBER_HOST_DEVICE inline int64_t nearest_offset(const UpsampleShape& s, int64_t od, int64_t oh,
                                                int64_t ow) {
  return (nearest(od, s.in_d, s.out_d, s.scale_d, s.exact, s.shortcuts) * s.in_h +
          nearest(oh, s.in_h, s.out_h, s.scale_h, s.exact, s.shortcuts)) * s.in_w +
         nearest(ow, s.in_w, s.out_w, s.scale_w, s.exact, s.shortcuts);
}

// The two input indices of output index o and their weights.
template <class T>
struct Taps {
  int64_t i0, i1;
  T l0, l1;
};

// PyTorch's area_pixel_compute_source_index (unclamped), in the kernel's type T: the input
// position of output o.
template <class T>
EMBER_HOST_DEVICE inline T source_position(int64_t o, int64_t in, int64_t out, double scale,
                                           bool align_corners) {
  T step;
  if (align_corners)
    step = out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : static_cast<T>(0);
  else
    step = scale > 0 ? static_cast<T>(1.0 / scale) : static_cast<T>(in) / static_cast<T>(out);
  return align_corners ? step * static_cast<T>(o)
                       : step * (static_cast<T>(o) + static_cast<T>(0.5)) - static_cast<T>(0.5);
}

// PyTorch's compute_indices_weights_linear. An axis of unchanged size is copied whatever the
// scale, as PyTorch's CPU kernels do.
template <class T>
EMBER_HOST_DEVICE inline Taps<T> linear(int64_t o, int64_t in, int64_t out, double scale,
                                        bool align_corners) {
  T src = source_position<T>(o, in, out, in != out ? scale : -1.0, align_corners);
  if (src < 0) src = 0;
  const int64_t i0 = static_cast<int64_t>(src);
  T l1 = src - static_cast<T>(i0);
  l1 = l1 < 0 ? static_cast<T>(0) : (l1 > 1 ? static_cast<T>(1) : l1);
  return {i0, i0 < in - 1 ? i0 + 1 : i0, static_cast<T>(1) - l1, l1};
}

// The four input indices of bicubic output index o (clamped to the border) and their weights.
template <class T>
struct CubicTaps {
  int64_t i[4];
  T w[4];
};

// PyTorch's cubic_convolution1 (|x| <= 1) and cubic_convolution2 (1 < |x| < 2), A = -0.75.
template <class T>
EMBER_HOST_DEVICE inline T cubic_near(T x) {
  const T a = static_cast<T>(-0.75);
  return ((a + 2) * x - (a + 3)) * x * x + 1;
}
template <class T>
EMBER_HOST_DEVICE inline T cubic_far(T x) {
  const T a = static_cast<T>(-0.75);
  return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
}

// PyTorch's bicubic source index: the unclamped position's floor and fraction t (so a position
// before the first pixel keeps its negative base), the taps base-1 .. base+2 clamped to the
// border (upsample_get_value_bounded). Unlike linear, an axis of unchanged size uses the scale.
template <class T>
EMBER_HOST_DEVICE inline CubicTaps<T> cubic(int64_t o, int64_t in, int64_t out, double scale,
                                            bool align_corners) {
  const T src = source_position<T>(o, in, out, scale, align_corners);
  const int64_t base = static_cast<int64_t>(floor(src));
  const T t = src - static_cast<T>(base);
  CubicTaps<T> taps;
  taps.w[0] = cubic_far<T>(t + 1);
  taps.w[1] = cubic_near<T>(t);
  const T rest = 1 - t;
  taps.w[2] = cubic_near<T>(rest);
  taps.w[3] = cubic_far<T>(rest + 1);
  for (int k = 0; k < 4; ++k) {
    const int64_t i = base - 1 + k;
    taps.i[k] = i < 0 ? 0 : (i > in - 1 ? in - 1 : i);
  }
  return taps;
}

// Output (oh, ow) of bicubic upsampling of one (in_h, in_w) plane.
template <class T>
EMBER_HOST_DEVICE inline T cubic_element(const UpsampleShape& s, const T* in_plane, int64_t oh,
                                         int64_t ow) {
  const CubicTaps<T> r = cubic<T>(oh, s.in_h, s.out_h, s.scale_h, s.align_corners);
  const CubicTaps<T> c = cubic<T>(ow, s.in_w, s.out_w, s.scale_w, s.align_corners);
  T sum = 0;
  for (int j = 0; j < 4; ++j) {
    const T* row = in_plane + r.i[j] * s.in_w;
    sum += r.w[j] * (c.w[0] * row[c.i[0]] + c.w[1] * row[c.i[1]] + c.w[2] * row[c.i[2]] +
                     c.w[3] * row[c.i[3]]);
  }
  return sum;
}

// Calls add(input_offset, weight) for the 16 input elements that bicubic output (oh, ow) reads.
template <class T, class Add>
EMBER_HOST_DEVICE inline void cubic_taps(const UpsampleShape& s, int64_t oh, int64_t ow,
                                         Add&& add) {
  const CubicTaps<T> r = cubic<T>(oh, s.in_h, s.out_h, s.scale_h, s.align_corners);
  const CubicTaps<T> c = cubic<T>(ow, s.in_w, s.out_w, s.scale_w, s.align_corners);
  for (int j = 0; j < 4; ++j)
    for (int k = 0; k < 4; ++k) add(r.i[j] * s.in_w + c.i[k], r.w[j] * c.w[k]);
}

// The bilinear value of one (in_h, in_w) slice at rows r, columns c.
template <class T>
EMBER_HOST_DEVICE inline T bilinear_slice(const T* slice, int64_t in_w, const Taps<T>& r,
                                          const Taps<T>& c) {
  const T* row0 = slice + r.i0 * in_w;
  const T* row1 = slice + r.i1 * in_w;
  return r.l0 * (c.l0 * row0[c.i0] + c.l1 * row0[c.i1]) +
         r.l1 * (c.l0 * row1[c.i0] + c.l1 * row1[c.i1]);
}

// Output (od, oh, ow) of linear upsampling of one input plane. A depth-1 input (2-D and 1-D)
// reads its one slice with no depth weight, as bilinear does.
template <class T>
EMBER_HOST_DEVICE inline T linear_element(const UpsampleShape& s, const T* in_plane, int64_t od,
                                          int64_t oh, int64_t ow) {
  const Taps<T> r = linear<T>(oh, s.in_h, s.out_h, s.scale_h, s.align_corners);
  const Taps<T> c = linear<T>(ow, s.in_w, s.out_w, s.scale_w, s.align_corners);
  if (s.in_d == 1) return bilinear_slice(in_plane, s.in_w, r, c);
  const Taps<T> d = linear<T>(od, s.in_d, s.out_d, s.scale_d, s.align_corners);
  const int64_t hw = s.in_h * s.in_w;
  return d.l0 * bilinear_slice(in_plane + d.i0 * hw, s.in_w, r, c) +
         d.l1 * bilinear_slice(in_plane + d.i1 * hw, s.in_w, r, c);
}

// Calls add(input_offset, weight) for the four input elements of depth slice d that rows r and
// columns c read, each weighted by depth weight dl times its bilinear weight.
template <class T, class Add>
EMBER_HOST_DEVICE inline void slice_taps(const UpsampleShape& s, int64_t d, T dl,
                                         const Taps<T>& r, const Taps<T>& c, Add& add) {
  const int64_t row0 = (d * s.in_h + r.i0) * s.in_w, row1 = (d * s.in_h + r.i1) * s.in_w;
  add(row0 + c.i0, dl * r.l0 * c.l0);
  add(row0 + c.i1, dl * r.l0 * c.l1);
  add(row1 + c.i0, dl * r.l1 * c.l0);
  add(row1 + c.i1, dl * r.l1 * c.l1);
}

// Calls add(input_offset, weight) for the input elements that linear output (od, oh, ow) reads,
// with the weight each one has in it: what the backward passes scatter. A depth-1 input reads
// one slice with weight 1 (exact: 1 * x == x), as bilinear does.
template <class T, class Add>
EMBER_HOST_DEVICE inline void linear_taps(const UpsampleShape& s, int64_t od, int64_t oh,
                                          int64_t ow, Add&& add) {
  const Taps<T> r = linear<T>(oh, s.in_h, s.out_h, s.scale_h, s.align_corners);
  const Taps<T> c = linear<T>(ow, s.in_w, s.out_w, s.scale_w, s.align_corners);
  if (s.in_d == 1) {
    slice_taps(s, 0, static_cast<T>(1), r, c, add);
    return;
  }
  const Taps<T> d = linear<T>(od, s.in_d, s.out_d, s.scale_d, s.align_corners);
  slice_taps(s, d.i0, d.l0, r, c, add);
  slice_taps(s, d.i1, d.l1, r, c, add);
}

}  // namespace upsample_hd
}  // namespace ember
