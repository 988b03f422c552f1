// 2-D and 3-D pooling on the CPU: planes split over the threads; within a plane, each output
// element by the window rules of core/pool_scalar.h. 2-D max and average pooling with fixed
// windows run a vector of output columns at a time (cpu/pool.simd.cc). Windows that tile the input (kernel ==
// stride, no padding or dilation: the common 2x2 pool) take a fast path that walks the window
// by fixed offsets instead of recomputing its ranges per element. The backward passes scatter
// into their own plane of grad_input, so planes never race.
#include "cpu/pool.h"

#include <algorithm>
#include <limits>

#include "cpu/pool_simd.h"

#include "ember/error.h"
#include "ember/parallel.h"

namespace ember::cpu {

EMBER_DEFINE_DISPATCH(MaxPool2dFn<float>, max_pool2d_f32_stub);
EMBER_DEFINE_DISPATCH(MaxPool2dFn<double>, max_pool2d_f64_stub);
EMBER_DEFINE_DISPATCH(AvgPool2dFn<float>, avg_pool2d_f32_stub);
EMBER_DEFINE_DISPATCH(AvgPool2dFn<double>, avg_pool2d_f64_stub);

namespace {

MaxPool2dFn<float> max_pool2d_kernel(const float*) { return max_pool2d_f32_stub.get(); }
MaxPool2dFn<double> max_pool2d_kernel(const double*) { return max_pool2d_f64_stub.get(); }
AvgPool2dFn<float> avg_pool2d_kernel(const float*) { return avg_pool2d_f32_stub.get(); }
AvgPool2dFn<double> avg_pool2d_kernel(const double*) { return avg_pool2d_f64_stub.get(); }

// Whether the vectorized 2-D kernels take the layer: fixed windows, depth 1, and plane
// positions that fit the index lanes of max pooling.
bool vector_pool_2d(const PoolShape& s) {
  return !s.adaptive && s.d == 1 && s.kd == 1 && s.out_d == 1 &&
         s.h * s.w <= std::numeric_limits<int32_t>::max();
}

// Planes per thread chunk: enough window reads to pay for a thread.
int64_t plane_grain(const PoolShape& s) {
  const int64_t per_plane = s.out_plane() * (s.adaptive ? 4 : s.kd * s.kh * s.kw);
  return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(per_plane, 1));
}

// Calls fn(plane, position, o) for every output of planes [p0, p1), o the output's offset in
// its plane, in order (nested loops: no divisions per element).
template <class Fn>
void for_each_output(const PoolShape& s, int64_t p0, int64_t p1, Fn&& fn) {
  for (int64_t p = p0; p < p1; ++p) {
    int64_t o = 0;
    for (int64_t od = 0; od < s.out_d; ++od)
      for (int64_t oh = 0; oh < s.out_h; ++oh)
        for (int64_t ow = 0; ow < s.out_w; ++ow, ++o) fn(p, pool_hd::OutPos{od, oh, ow}, o);
  }
}

// The flat input position of the first element of a tiling window.
inline int64_t tile_origin(const PoolShape& s, pool_hd::OutPos at) {
  return ((at.od * s.kd) * s.h + at.oh * s.kh) * s.w + at.ow * s.kw;
}

// Average pooling's divisor for tiling windows: all full, none padded.
template <class T>
T tile_divisor(const PoolShape& s) {
  return static_cast<T>(s.divisor > 0 ? s.divisor : s.kd * s.kh * s.kw);
}

// Max pooling of planes [p0, p1) with tiling windows. KH, KW > 0 fix the window's rows and
// columns at compile time (2x2, the common case, then unrolls); 0 reads them from s.
template <class T, int KH, int KW>
void max_tiles(const PoolShape& s, const T* input, T* output, int64_t* indices, int64_t p0,
               int64_t p1) {
  const int64_t in_plane = s.in_plane(), out_plane = s.out_plane();
  const int64_t kh = KH > 0 ? KH : s.kh, kw = KW > 0 ? KW : s.kw;
  for_each_output(s, p0, p1, [&](int64_t p, pool_hd::OutPos at, int64_t o) {
    const int64_t origin = tile_origin(s, at);
    const T* win = input + p * in_plane + origin;
    T best = win[0];
    int64_t best_at = 0;
    for (int64_t z = 0; z < s.kd; ++z)
      for (int64_t r = 0; r < kh; ++r)
        for (int64_t c = 0; c < kw; ++c) {
          const int64_t off = (z * s.h + r) * s.w + c;
          const T v = win[off];
          // the first max, or the last NaN (as the general path)
          const bool take = v > best || v != v;
          best = take ? v : best;
          best_at = take ? off : best_at;
        }
    output[p * out_plane + o] = best;
    indices[p * out_plane + o] = origin + best_at;
  });
}

template <class T>
void max_forward(const PoolShape& s, const T* input, T* output, int64_t* indices) {
  if (vector_pool_2d(s)) return max_pool2d_kernel(input)(s, input, output, indices);
  const int64_t in_plane = s.in_plane(), out_plane = s.out_plane();
  if (s.tiles()) {
    const bool two_by_two = s.kd == 1 && s.kh == 2 && s.kw == 2;
    parallel_for(0, s.planes, plane_grain(s), [&](int64_t p0, int64_t p1) {
      if (two_by_two)
        max_tiles<T, 2, 2>(s, input, output, indices, p0, p1);
      else
        max_tiles<T, 0, 0>(s, input, output, indices, p0, p1);
    });
    return;
  }
  parallel_for(0, s.planes, plane_grain(s), [&](int64_t p0, int64_t p1) {
    for_each_output(s, p0, p1, [&](int64_t p, pool_hd::OutPos at, int64_t o) {
      pool_hd::max_element(s, input + p * in_plane, at, output + p * out_plane + o,
                           indices + p * out_plane + o);
    });
  });
}

template <class T>
void max_backward(const PoolShape& s, const T* grad_output, const int64_t* indices,
                  T* grad_input) {
  const int64_t in_plane = s.in_plane(), out_plane = s.out_plane();
  parallel_for(0, s.planes, plane_grain(s), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p)
      for (int64_t o = p * out_plane; o < (p + 1) * out_plane; ++o)
        grad_input[p * in_plane + indices[o]] += grad_output[o];
  });
}

template <class T>
void unpool(const PoolShape& s, const T* input, const int64_t* indices, T* output) {
  const int64_t in_plane = s.in_plane(), out_plane = s.out_plane();
  parallel_for(0, s.planes, plane_grain(s), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p)
      for (int64_t o = p * out_plane; o < (p + 1) * out_plane; ++o)
        output[p * in_plane + indices[o]] = input[o];
  });
}

template <class T>
void gather(const PoolShape& s, const T* source, const int64_t* indices, T* output) {
  const int64_t in_plane = s.in_plane(), out_plane = s.out_plane();
  parallel_for(0, s.planes, plane_grain(s), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p)
      for (int64_t o = p * out_plane; o < (p + 1) * out_plane; ++o)
        output[o] = source[p * in_plane + indices[o]];
  });
}

template <class T>
void avg_forward(const PoolShape& s, const T* input, T* output) {
  if (vector_pool_2d(s) && s.dil_h == 1 && s.dil_w == 1)
    return avg_pool2d_kernel(input)(s, input, output);
  const int64_t in_plane = s.in_plane(), out_plane = s.out_plane();
  if (s.tiles()) {
    const T divisor = tile_divisor<T>(s);
    parallel_for(0, s.planes, plane_grain(s), [&](int64_t p0, int64_t p1) {
      for_each_output(s, p0, p1, [&](int64_t p, pool_hd::OutPos at, int64_t o) {
        const T* win = input + p * in_plane + tile_origin(s, at);
        T sum = 0;
        for (int64_t z = 0; z < s.kd; ++z)
          for (int64_t r = 0; r < s.kh; ++r)
            for (int64_t c = 0; c < s.kw; ++c) sum = sum + win[(z * s.h + r) * s.w + c];
        output[p * out_plane + o] = sum / divisor;
      });
    });
    return;
  }
  parallel_for(0, s.planes, plane_grain(s), [&](int64_t p0, int64_t p1) {
    for_each_output(s, p0, p1, [&](int64_t p, pool_hd::OutPos at, int64_t o) {
      output[p * out_plane + o] = pool_hd::avg_element(s, input + p * in_plane, at);
    });
  });
}

template <class T>
void avg_backward(const PoolShape& s, const T* grad_output, T* grad_input) {
  const int64_t in_plane = s.in_plane(), out_plane = s.out_plane();
  if (s.tiles()) {
    const T divisor = tile_divisor<T>(s);
    parallel_for(0, s.planes, plane_grain(s), [&](int64_t p0, int64_t p1) {
      for_each_output(s, p0, p1, [&](int64_t p, pool_hd::OutPos at, int64_t o) {
        T* win = grad_input + p * in_plane + tile_origin(s, at);
        const T share = grad_output[p * out_plane + o] / divisor;
        for (int64_t z = 0; z < s.kd; ++z)
          for (int64_t r = 0; r < s.kh; ++r)
            for (int64_t c = 0; c < s.kw; ++c) win[(z * s.h + r) * s.w + c] = share;
      });
    });
    return;
  }
  parallel_for(0, s.planes, plane_grain(s), [&](int64_t p0, int64_t p1) {
    for_each_output(s, p0, p1, [&](int64_t p, pool_hd::OutPos at, int64_t o) {
      T* gin = grad_input + p * in_plane;
      const pool_hd::Window win = pool_hd::window_of(s, at.od, at.oh, at.ow);
      const int64_t divisor = pool_hd::avg_divisor(s, win);
      const T g = grad_output[p * out_plane + o];
      const T share = divisor > 0 ? g / static_cast<T>(divisor) : g;
      for (int64_t id = win.z.start; id < win.z.end; ++id)
        for (int64_t ih = win.r.start; ih < win.r.end; ++ih)
          for (int64_t iw = win.c.start; iw < win.c.end; ++iw)
            gin[(id * s.h + ih) * s.w + iw] += share;
    });
  });
}

}  // namespace

void max_pool_forward(const PoolShape& s, DType dtype, const void* input, void* output,
                      int64_t* indices) {
  EMBER_DISPATCH_FLOATING(dtype, "max_pool", [&] {
    max_forward(s, static_cast<const scalar_t*>(input), static_cast<scalar_t*>(output), indices);
  });
}

void max_pool_backward(const PoolShape& s, DType dtype, const void* grad_output,
                       const int64_t* indices, void* grad_input) {
  EMBER_DISPATCH_FLOATING(dtype, "max_pool_backward", [&] {
    max_backward(s, static_cast<const scalar_t*>(grad_output), indices,
                 static_cast<scalar_t*>(grad_input));
  });
}

void max_unpool_forward(const PoolShape& s, DType dtype, const void* input, const int64_t* indices,
                        void* output) {
  EMBER_DISPATCH_FLOATING(dtype, "max_unpool", [&] {
    unpool(s, static_cast<const scalar_t*>(input), indices, static_cast<scalar_t*>(output));
  });
}

void max_pool_gather(const PoolShape& s, DType dtype, const void* source, const int64_t* indices,
                     void* output) {
  EMBER_DISPATCH_FLOATING(dtype, "max_pool_gather", [&] {
    gather(s, static_cast<const scalar_t*>(source), indices, static_cast<scalar_t*>(output));
  });
}

void avg_pool_forward(const PoolShape& s, DType dtype, const void* input, void* output) {
  EMBER_DISPATCH_FLOATING(dtype, "avg_pool", [&] {
    avg_forward(s, static_cast<const scalar_t*>(input), static_cast<scalar_t*>(output));
  });
}

void avg_pool_backward(const PoolShape& s, DType dtype, const void* grad_output,
                       void* grad_input) {
  EMBER_DISPATCH_FLOATING(dtype, "avg_pool_backward", [&] {
    avg_backward(s, static_cast<const scalar_t*>(grad_output), static_cast<scalar_t*>(grad_input));
  });
}

}  // namespace ember::cpu
