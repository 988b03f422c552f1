// 2-D pooling on the CPU: planes split over the threads; within a plane, each output element
// by the window rules of core/pool_scalar.h. The backward passes scatter into their own plane
// of grad_input, so planes never race.
#include "cpu/pool.h"

#include <algorithm>

#include "ember/error.h"
#include "ember/parallel.h"

namespace ember::cpu {
namespace {

// Planes per thread chunk: enough window reads to pay for a thread.
int64_t plane_grain(const Pool2dShape& s) {
  const int64_t per_plane = s.out_h * s.out_w * (s.adaptive ? 4 : s.kh * s.kw);
  return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(per_plane, 1));
}

template <class T>
void max_forward(const Pool2dShape& s, const T* input, T* output, int64_t* indices) {
  const int64_t in_plane = s.h * s.w, out_plane = s.out_h * s.out_w;
  parallel_for(0, s.planes, plane_grain(s), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p)
      for (int64_t oh = 0; oh < s.out_h; ++oh)
        for (int64_t ow = 0; ow < s.out_w; ++ow) {
          const int64_t o = p * out_plane + oh * s.out_w + ow;
          pool_hd::max_element(s, input + p * in_plane, oh, ow, output + o, indices + o);
        }
  });
}

template <class T>
void max_backward(const Pool2dShape& s, const T* grad_output, const int64_t* indices,
                  T* grad_input) {
  const int64_t in_plane = s.h * s.w, out_plane = s.out_h * s.out_w;
  parallel_for(0, s.planes, plane_grain(s), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p)
      for (int64_t o = p * out_plane; o < (p + 1) * out_plane; ++o)
        grad_input[p * in_plane + indices[o]] += grad_output[o];
  });
}

template <class T>
void avg_forward(const Pool2dShape& s, const T* input, T* output) {
  const int64_t in_plane = s.h * s.w, out_plane = s.out_h * s.out_w;
  parallel_for(0, s.planes, plane_grain(s), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p)
      for (int64_t oh = 0; oh < s.out_h; ++oh)
        for (int64_t ow = 0; ow < s.out_w; ++ow)
          output[p * out_plane + oh * s.out_w + ow] =
              pool_hd::avg_element(s, input + p * in_plane, oh, ow);
  });
}

template <class T>
void avg_backward(const Pool2dShape& s, const T* grad_output, T* grad_input) {
  const int64_t in_plane = s.h * s.w, out_plane = s.out_h * s.out_w;
  parallel_for(0, s.planes, plane_grain(s), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      T* gin = grad_input + p * in_plane;
      for (int64_t oh = 0; oh < s.out_h; ++oh) {
        const pool_hd::Range r = pool_hd::row_window(s, oh);
        for (int64_t ow = 0; ow < s.out_w; ++ow) {
          const pool_hd::Range c = pool_hd::col_window(s, ow);
          const int64_t divisor = pool_hd::avg_divisor(s, r, c);
          const T g = grad_output[p * out_plane + oh * s.out_w + ow];
          const T share = divisor > 0 ? g / static_cast<T>(divisor) : g;
          for (int64_t ih = r.start; ih < r.end; ++ih)
            for (int64_t iw = c.start; iw < c.end; ++iw) gin[ih * s.w + iw] += share;
        }
      }
    }
  });
}

}  // namespace

void max_pool2d_forward(const Pool2dShape& s, DType dtype, const void* input, void* output,
                        int64_t* indices) {
  EMBER_DISPATCH_FLOATING(dtype, "max_pool2d", [&] {
    max_forward(s, static_cast<const scalar_t*>(input), static_cast<scalar_t*>(output), indices);
  });
}

void max_pool2d_backward(const Pool2dShape& s, DType dtype, const void* grad_output,
                         const int64_t* indices, void* grad_input) {
  EMBER_DISPATCH_FLOATING(dtype, "max_pool2d_backward", [&] {
    max_backward(s, static_cast<const scalar_t*>(grad_output), indices,
                 static_cast<scalar_t*>(grad_input));
  });
}

void avg_pool2d_forward(const Pool2dShape& s, DType dtype, const void* input, void* output) {
  EMBER_DISPATCH_FLOATING(dtype, "avg_pool2d", [&] {
    avg_forward(s, static_cast<const scalar_t*>(input), static_cast<scalar_t*>(output));
  });
}

void avg_pool2d_backward(const Pool2dShape& s, DType dtype, const void* grad_output,
                         void* grad_input) {
  EMBER_DISPATCH_FLOATING(dtype, "avg_pool2d_backward", [&] {
    avg_backward(s, static_cast<const scalar_t*>(grad_output), static_cast<scalar_t*>(grad_input));
  });
}

}  // namespace ember::cpu
