// Nearest and linear upsampling (1 to 3 spatial dims) on the CPU: planes split over the threads,
// each output element by core/upsample_scalar.h. The backward passes scatter into their own
// plane of grad_input, so planes never race.
//   input / grad_input (planes, in_d, in_h, in_w); output / grad_output (planes, out_d, out_h,
//   out_w).
#include "cpu/upsample.h"

#include <algorithm>

#include "ember/parallel.h"

namespace ember::cpu {
namespace {

int64_t plane_grain(const UpsampleShape& s) {
  return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(s.out_plane() * 4, 1));
}

// Calls fn(in_plane_offset, out_offset, od, oh, ow) for every output element, planes in
// parallel.
template <class Fn>
void for_each_output(const UpsampleShape& s, Fn&& fn) {
  parallel_for(0, s.planes, plane_grain(s), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      int64_t o = p * s.out_plane();
      for (int64_t od = 0; od < s.out_d; ++od)
        for (int64_t oh = 0; oh < s.out_h; ++oh)
          for (int64_t ow = 0; ow < s.out_w; ++ow, ++o) fn(p * s.in_plane(), o, od, oh, ow);
    }
  });
}

template <class T>
void nearest_forward(const UpsampleShape& s, const T* input, T* output) {
  for_each_output(s, [&](int64_t in, int64_t o, int64_t od, int64_t oh, int64_t ow) {
    output[o] = input[in + upsample_hd::nearest_offset(s, od, oh, ow)];
  });
}

template <class T>
void nearest_backward(const UpsampleShape& s, const T* grad_output, T* grad_input) {
  for_each_output(s, [&](int64_t in, int64_t o, int64_t od, int64_t oh, int64_t ow) {
    grad_input[in + upsample_hd::nearest_offset(s, od, oh, ow)] += grad_output[o];
  });
}

template <class T>
void linear_forward(const UpsampleShape& s, const T* input, T* output) {
  for_each_output(s, [&](int64_t in, int64_t o, int64_t od, int64_t oh, int64_t ow) {
    output[o] = upsample_hd::linear_element(s, input + in, od, oh, ow);
  });
}

template <class T>
void linear_backward(const UpsampleShape& s, const T* grad_output, T* grad_input) {
  for_each_output(s, [&](int64_t in, int64_t o, int64_t od, int64_t oh, int64_t ow) {
    const T g = grad_output[o];
    upsample_hd::linear_taps<T>(s, od, oh, ow,
                                [&](int64_t at, T weight) { grad_input[in + at] += weight * g; });
  });
}

}  // namespace

void upsample_nearest_forward(const UpsampleShape& s, DType dtype, const void* input,
                              void* output) {
  EMBER_DISPATCH_FLOATING(dtype, "upsample_nearest", [&] {
    nearest_forward(s, static_cast<const scalar_t*>(input), static_cast<scalar_t*>(output));
  });
}

void upsample_nearest_backward(const UpsampleShape& s, DType dtype, const void* grad_output,
                               void* grad_input) {
  EMBER_DISPATCH_FLOATING(dtype, "upsample_nearest_backward", [&] {
    nearest_backward(s, static_cast<const scalar_t*>(grad_output),
                     static_cast<scalar_t*>(grad_input));
  });
}

void upsample_linear_forward(const UpsampleShape& s, DType dtype, const void* input,
                             void* output) {
  EMBER_DISPATCH_FLOATING(dtype, "upsample_linear", [&] {
    linear_forward(s, static_cast<const scalar_t*>(input), static_cast<scalar_t*>(output));
  });
}

void upsample_linear_backward(const UpsampleShape& s, DType dtype, const void* grad_output,
                              void* grad_input) {
  EMBER_DISPATCH_FLOATING(dtype, "upsample_linear_backward", [&] {
    linear_backward(s, static_cast<const scalar_t*>(grad_output),
                    static_cast<scalar_t*>(grad_input));
  });
}

}  // namespace ember::cpu
