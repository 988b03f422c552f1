// Padding on the CPU: planes split over the threads, row by row, each output row reading the
// sources that core/pad_scalar.h gives its row and (precomputed once) its columns. The backward
// pass adds into its own plane of grad_input, so planes never race.
#include "cpu/pad.h"

#include <algorithm>
#include <vector>

#include "ember/parallel.h"

namespace ember::cpu {
namespace {

int64_t plane_grain(const PadShape& s) {
  return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(s.out_plane(), 1));
}

// The input index of each output index along axis a (pad_hd::source), -1 in constant padding.
std::vector<int64_t> axis_source(const PadShape& s, int a) {
  std::vector<int64_t> index(s.out[a]);
  for (int64_t o = 0; o < s.out[a]; ++o) index[o] = pad_hd::source(o, s.in[a], s.before[a], s.mode);
  return index;
}

// Calls fn(plane, output row offset in its plane, input row offset in its plane or -1) for every
// output row, planes in parallel.
template <class Fn>
void for_each_row(const PadShape& s, Fn&& fn) {
  const auto d = axis_source(s, 0), h = axis_source(s, 1);
  parallel_for(0, s.planes, plane_grain(s), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p)
      for (int64_t od = 0; od < s.out[0]; ++od)
        for (int64_t oh = 0; oh < s.out[1]; ++oh) {
          const bool inside = d[od] >= 0 && h[oh] >= 0;
          fn(p, (od * s.out[1] + oh) * s.out[2], inside ? (d[od] * s.in[1] + h[oh]) * s.in[2] : -1);
        }
  });
}

// Each output row: the input row copied into its middle, the borders from the per-column
// sources.
template <class T>
void forward(const PadShape& s, const T* input, T* output) {
  const T value = static_cast<T>(s.value);
  const auto w = axis_source(s, 2);
  const int64_t left = s.before[2], mid = s.in[2];
  const bool has_middle = left >= 0 && left + mid <= s.out[2];
  for_each_row(s, [&](int64_t p, int64_t out_row, int64_t in_row) {
    T* out = output + p * s.out_plane() + out_row;
    if (in_row < 0) {
      std::fill(out, out + s.out[2], value);
      return;
    }
    const T* in = input + p * s.in_plane() + in_row;
    if (!has_middle) {
      for (int64_t ow = 0; ow < s.out[2]; ++ow) out[ow] = w[ow] < 0 ? value : in[w[ow]];
      return;
    }
    std::copy(in, in + mid, out + left);
    for (int64_t ow = 0; ow < left; ++ow) out[ow] = w[ow] < 0 ? value : in[w[ow]];
    for (int64_t ow = left + mid; ow < s.out[2]; ++ow) out[ow] = w[ow] < 0 ? value : in[w[ow]];
  });
}

// Each output row adds its middle into the input row (a vector loop) and its borders by the
// per-column sources.
template <class T>
void backward(const PadShape& s, const T* grad_output, T* grad_input) {
  const auto w = axis_source(s, 2);
  const int64_t left = s.before[2], mid = s.in[2];
  const bool has_middle = left >= 0 && left + mid <= s.out[2];
  for_each_row(s, [&](int64_t p, int64_t out_row, int64_t in_row) {
    if (in_row < 0) return;
    const T* gout = grad_output + p * s.out_plane() + out_row;
    T* gin = grad_input + p * s.in_plane() + in_row;
    auto border = [&](int64_t from, int64_t to) {
      for (int64_t ow = from; ow < to; ++ow)
        if (w[ow] >= 0) gin[w[ow]] += gout[ow];
    };
    if (!has_middle) {
      border(0, s.out[2]);
      return;
    }
    for (int64_t iw = 0; iw < mid; ++iw) gin[iw] += gout[left + iw];
    border(0, left);
    border(left + mid, s.out[2]);
  });
}

}  // namespace

void pad_forward(const PadShape& s, DType dtype, const void* input, void* output) {
  EMBER_DISPATCH_FLOATING(dtype, "pad", [&] {
    forward(s, static_cast<const scalar_t*>(input), static_cast<scalar_t*>(output));
  });
}

void pad_backward(const PadShape& s, DType dtype, const void* grad_output, void* grad_input) {
  EMBER_DISPATCH_FLOATING(dtype, "pad_backward", [&] {
    backward(s, static_cast<const scalar_t*>(grad_output), static_cast<scalar_t*>(grad_input));
  });
}

}  // namespace ember::cpu
