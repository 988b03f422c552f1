// The geometry of 2-D and 3-D pooling and the windows of each output element, shared by the CPU
// and CUDA pooling kernels (EMBER_HOST_DEVICE) with PyTorch's rules. 2-D pooling is the depth-1
// case (d = out_d = kd = stride_d = dil_d = 1, pad_d = 0): one code path for both.
//
// Buffers, all contiguous, one (d, h, w) volume per (sample, channel) "plane":
//   input (planes, d, h, w), output and indices (planes, out_d, out_h, out_w).
// indices hold the flat position (id * h + ih) * w + iw of each max inside its input plane
// (PyTorch's; ih * w + iw in 2-D).
#pragma once

#include <cmath>
#include <cstdint>

#include "ember/host_device.h"

namespace ember {

struct PoolShape {
  int64_t planes, d, h, w, out_d, out_h, out_w;
  int64_t kd, kh, kw, stride_d, stride_h, stride_w;  // unused when adaptive
  int64_t pad_d, pad_h, pad_w, dil_d, dil_h, dil_w;  // unused when adaptive
  bool adaptive;           // output (oh, ow) covers rows [oh*h/out_h, ceil((oh+1)*h/out_h))
  bool count_include_pad;  // average pooling: the padding counts in the divisor
  int64_t divisor;         // average pooling: this divisor when > 0, else the window's size

  EMBER_HOST_DEVICE int64_t in_plane() const { return d * h * w; }
  EMBER_HOST_DEVICE int64_t out_plane() const { return out_d * out_h * out_w; }
  // Non-overlapping windows that tile the input without padding, dilation or a clipped edge:
  // the CPU's fast path, where each window's size is kd * kh * kw.
  EMBER_HOST_DEVICE bool tiles() const {
    return !adaptive && kd == stride_d && kh == stride_h && kw == stride_w && pad_d == 0 &&
           pad_h == 0 && pad_w == 0 && dil_d == 1 && dil_h == 1 && dil_w == 1 &&
           out_d * kd <= d && out_h * kh <= h && out_w * kw <= w;
  }
};

namespace pool_hd {

// The input rows (or columns, or depth slices) an output index reads: start, end (exclusive),
// step; already clipped to the input. padded_size is the window's extent clipped to the padded
// input instead (what count_include_pad divides by).
struct Range {
  int64_t start, end, step, padded_size;
};

EMBER_HOST_DEVICE inline Range window(int64_t o, int64_t in, int64_t out, int64_t k,
                                      int64_t stride, int64_t pad, int64_t dil, bool adaptive) {
  if (adaptive) {
    const int64_t start = o * in / out, end = ((o + 1) * in + out - 1) / out;
    return {start, end, 1, end - start};
  }
  int64_t start = o * stride - pad;
  const int64_t padded_end = start + (k - 1) * dil + 1 < in + pad ? start + (k - 1) * dil + 1
                                                                    : in + pad;
  const int64_t padded_size = padded_end - start;
  const int64_t end = padded_end < in ? padded_end : in;
  while (start < 0) start += dil;
  return {start, end, dil, padded_size};
}

// The window of one output element, its three ranges.
struct Window {
  Range z, r, c;
};

EMBER_HOST_DEVICE inline Window window_of(const PoolShape& s, int64_t od, int64_t oh,
                                          int64_t ow) {
  return {window(od, s.d, s.out_d, s.kd, s.stride_d, s.pad_d, s.dil_d, s.adaptive),
          window(oh, s.h, s.out_h, s.kh, s.stride_h, s.pad_h, s.dil_h, s.adaptive),
          window(ow, s.w, s.out_w, s.kw, s.stride_w, s.pad_w, s.dil_w, s.adaptive)};
}

// (od, oh, ow) of flat output position o inside its plane.
struct OutPos {
  int64_t od, oh, ow;
};
EMBER_HOST_DEVICE inline OutPos out_pos(const PoolShape& s, int64_t o) {
  return {o / (s.out_h * s.out_w), o / s.out_w % s.out_h, o % s.out_w};
}

// The max of output (od, oh, ow) of one plane and its flat index; NaN wins (the last one), as
// in PyTorch's CPU kernel. An empty window (only padding) gives -inf at the window's first position.
template <class T>
EMBER_HOST_DEVICE inline void max_element(const PoolShape& s, const T* in_plane, OutPos o,
                                          T* value, int64_t* index) {
  const Window win = window_of(s, o.od, o.oh, o.ow);
  T best = -static_cast<T>(INFINITY);
  int64_t best_at = (win.z.start * s.h + win.r.start) * s.w + win.c.start;
  for (int64_t id = win.z.start; id < win.z.end; id += win.z.step) {
    for (int64_t ih = win.r.start; ih < win.r.end; ih += win.r.step) {
      for (int64_t iw = win.c.start; iw < win.c.end; iw += win.c.step) {
        const int64_t at = (id * s.h + ih) * s.w + iw;
        const T v = in_plane[at];
        if (v > best || v != v) {
          best = v;
          best_at = at;
        }
      }
    }
  }
  *value = best;
  *index = best_at;
}

// What the sum of a window is divided by.
EMBER_HOST_DEVICE inline int64_t avg_divisor(const PoolShape& s, const Window& win) {
  if (s.divisor > 0) return s.divisor;
  if (s.count_include_pad && !s.adaptive)
    return win.z.padded_size * win.r.padded_size * win.c.padded_size;
  return (win.z.end - win.z.start) * (win.r.end - win.r.start) * (win.c.end - win.c.start);
}

template <class T>
EMBER_HOST_DEVICE inline T avg_element(const PoolShape& s, const T* in_plane, OutPos o) {
  const Window win = window_of(s, o.od, o.oh, o.ow);
  T sum = 0;
  for (int64_t id = win.z.start; id < win.z.end; ++id)
    for (int64_t ih = win.r.start; ih < win.r.end; ++ih)
      for (int64_t iw = win.c.start; iw < win.c.end; ++iw)
        sum = hd::add_rn(sum, in_plane[(id * s.h + ih) * s.w + iw]);
  const int64_t divisor = avg_divisor(s, win);
  return divisor > 0 ? sum / static_cast<T>(divisor) : sum;
}

}  // namespace pool_hd
}  // namespace ember
