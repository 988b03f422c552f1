// The geometry of 2-D pooling and the windows of each output element, shared by the CPU and
// CUDA pooling kernels (EMBER_HOST_DEVICE) with PyTorch's rules.
//
// Buffers, all contiguous, one (h, w) plane per (sample, channel):
//   input (planes, h, w), output and indices (planes, out_h, out_w).
// indices hold the flat position ih * w + iw of each max inside its input plane (PyTorch's).
#pragma once

#include <cmath>
#include <cstdint>

#include "ember/host_device.h"

namespace ember {

struct Pool2dShape {
  int64_t planes, h, w, out_h, out_w;
  int64_t kh, kw, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w;  // unused when adaptive
  bool adaptive;           // output (oh, ow) covers rows [oh*h/out_h, ceil((oh+1)*h/out_h))
  bool count_include_pad;  // average pooling: the padding counts in the divisor
  int64_t divisor;         // average pooling: this divisor when > 0, else the window's size
};

namespace pool_hd {

// The input rows (or columns) an output index reads: start, end (exclusive), step; already
// clipped to the input. pad_end is the window's end before clipping to the input, but clipped
// to the padded input (what count_include_pad divides by).
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

EMBER_HOST_DEVICE inline Range row_window(const Pool2dShape& s, int64_t oh) {
  return window(oh, s.h, s.out_h, s.kh, s.stride_h, s.pad_h, s.dil_h, s.adaptive);
}
EMBER_HOST_DEVICE inline Range col_window(const Pool2dShape& s, int64_t ow) {
  return window(ow, s.w, s.out_w, s.kw, s.stride_w, s.pad_w, s.dil_w, s.adaptive);
}

// The max of output (oh, ow) of one plane and its flat index; NaN wins, as in PyTorch. An empty
// window (only padding) gives -inf at the window's first position.
template <class T>
EMBER_HOST_DEVICE inline void max_element(const Pool2dShape& s, const T* in_plane, int64_t oh,
                                          int64_t ow, T* value, int64_t* index) {
  const Range r = row_window(s, oh), c = col_window(s, ow);
  T best = -static_cast<T>(INFINITY);
  int64_t best_at = r.start * s.w + c.start;
  for (int64_t ih = r.start; ih < r.end; ih += r.step) {
    for (int64_t iw = c.start; iw < c.end; iw += c.step) {
      const T v = in_plane[ih * s.w + iw];
      if (v > best || v != v) {
        best = v;
        best_at = ih * s.w + iw;
        if (v != v) {
          *value = v;
          *index = best_at;
          return;
        }
      }
    }
  }
  *value = best;
  *index = best_at;
}

// What the sum of output (oh, ow)'s window is divided by.
EMBER_HOST_DEVICE inline int64_t avg_divisor(const Pool2dShape& s, const Range& r, const Range& c) {
  if (s.divisor > 0) return s.divisor;
  if (s.count_include_pad && !s.adaptive) return r.padded_size * c.padded_size;
  return (r.end - r.start) * (c.end - c.start);
}

template <class T>
EMBER_HOST_DEVICE inline T avg_element(const Pool2dShape& s, const T* in_plane, int64_t oh,
                                       int64_t ow) {
  const Range r = row_window(s, oh), c = col_window(s, ow);
  T sum = 0;
  for (int64_t ih = r.start; ih < r.end; ++ih)
    for (int64_t iw = c.start; iw < c.end; ++iw) sum = hd::add_rn(sum, in_plane[ih * s.w + iw]);
  const int64_t divisor = avg_divisor(s, r, c);
  return divisor > 0 ? sum / static_cast<T>(divisor) : sum;
}

}  // namespace pool_hd
}  // namespace ember
