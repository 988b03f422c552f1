// Padding on the CPU: planes split over the threads, each output element reading the source
// that core/pad_scalar.h gives it. The backward pass adds into its own plane of grad_input, so
// planes never race.
#include "cpu/pad.h"

#include <algorithm>

#include "ember/parallel.h"

namespace ember::cpu {
namespace {

int64_t plane_grain(const PadShape& s) {
  return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(s.out_plane(), 1));
}

template <class T>
void forward(const PadShape& s, const T* input, T* output) {
  const T value = static_cast<T>(s.value);
  parallel_for(0, s.planes, plane_grain(s), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const T* in = input + p * s.in_plane();
      T* out = output + p * s.out_plane();
      for (int64_t o = 0; o < s.out_plane(); ++o) {
        const int64_t at = pad_hd::source_offset(s, o);
        out[o] = at < 0 ? value : in[at];
      }
    }
  });
}

template <class T>
void backward(const PadShape& s, const T* grad_output, T* grad_input) {
  parallel_for(0, s.planes, plane_grain(s), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      T* gin = grad_input + p * s.in_plane();
      const T* gout = grad_output + p * s.out_plane();
      for (int64_t o = 0; o < s.out_plane(); ++o) {
        const int64_t at = pad_hd::source_offset(s, o);
        if (at >= 0) gin[at] += gout[o];
      }
    }
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
