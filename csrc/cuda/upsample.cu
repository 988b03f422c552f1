// Nearest, linear and bicubic upsampling (1 to 3 spatial dims) on CUDA: one thread per output
// element in a grid-stride loop, each by core/upsample_scalar.h (the CPU kernels' own). The
// backward passes scatter with atomicAdd into grad_input (zero on entry), since output elements
// share input elements.
//   input / grad_input (planes, in_d, in_h, in_w); output / grad_output (planes, out_d, out_h,
//   out_w).
#include "cuda/launch.h"
#include "cuda/upsample.h"

namespace ember::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int64_t kMaxBlocks = 65535;

// The grid-stride loop over output elements o.
#define EMBER_UPSAMPLE_LOOP(s)                                                  \
  for (int64_t o = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; \
       o < (s).planes * (s).out_plane();                                        \
       o += static_cast<int64_t>(gridDim.x) * blockDim.x)

// Position of output o: (in, od, oh, ow), in the offset of its input plane.
#define EMBER_UPSAMPLE_POSITION(s)                                                        \
  const int64_t ow = o % (s).out_w, oh = o / (s).out_w % (s).out_h,                       \
                od = o / ((s).out_h * (s).out_w) % (s).out_d,                             \
                in = o / (s).out_plane() * (s).in_plane()

template <class T>
__global__ void nearest_forward(UpsampleShape s, const T* input, T* output) {
  EMBER_UPSAMPLE_LOOP(s) {
    EMBER_UPSAMPLE_POSITION(s);
    output[o] = input[in + upsample_hd::nearest_offset(s, od, oh, ow)];
  }
}

template <class T>
__global__ void nearest_backward(UpsampleShape s, const T* grad_output, T* grad_input) {
  EMBER_UPSAMPLE_LOOP(s) {
    EMBER_UPSAMPLE_POSITION(s);
    atomicAdd(grad_input + in + upsample_hd::nearest_offset(s, od, oh, ow), grad_output[o]);
  }
}

template <class T>
__global__ void linear_forward(UpsampleShape s, const T* input, T* output) {
  EMBER_UPSAMPLE_LOOP(s) {
    EMBER_UPSAMPLE_POSITION(s);
    output[o] = s.cubic ? upsample_hd::cubic_element(s, input + in, oh, ow)
                        : upsample_hd::linear_element(s, input + in, od, oh, ow);
  }
}

template <class T>
__global__ void linear_backward(UpsampleShape s, const T* grad_output, T* grad_input) {
  EMBER_UPSAMPLE_LOOP(s) {
    EMBER_UPSAMPLE_POSITION(s);
    const T g = grad_output[o];
    T* plane = grad_input + in;
    auto add = [&](int64_t at, T weight) { atomicAdd(plane + at, weight * g); };
    if (s.cubic)
      upsample_hd::cubic_taps<T>(s, oh, ow, add);
    else
      upsample_hd::linear_taps<T>(s, od, oh, ow, add);
  }
}

#undef EMBER_UPSAMPLE_LOOP
#undef EMBER_UPSAMPLE_POSITION

template <class Launch>
void launch(const UpsampleShape& s, DType dtype, const char* op, Launch&& fn) {
  const int64_t total = s.planes * s.out_plane();
  if (total == 0) return;
  const int blocks = blocks_for(total, kThreads, kMaxBlocks);
  EMBER_DISPATCH_FLOATING(dtype, op, [&] { fn(scalar_t{}, blocks); });
}

}  // namespace

void upsample_nearest_forward(const UpsampleShape& s, DType dtype, const void* input,
                              void* output) {
  launch(s, dtype, "upsample_nearest", [&](auto zero, int blocks) {
    using T = decltype(zero);
    EMBER_LAUNCH(nearest_forward<T>, blocks, kThreads, 0, nullptr, s,
                 static_cast<const T*>(input), static_cast<T*>(output));
  });
}

void upsample_nearest_backward(const UpsampleShape& s, DType dtype, const void* grad_output,
                               void* grad_input) {
  launch(s, dtype, "upsample_nearest_backward", [&](auto zero, int blocks) {
    using T = decltype(zero);
    EMBER_LAUNCH(nearest_backward<T>, blocks, kThreads, 0, nullptr, s,
                 static_cast<const T*>(grad_output), static_cast<T*>(grad_input));
  });
}

void upsample_linear_forward(const UpsampleShape& s, DType dtype, const void* input,
                             void* output) {
  launch(s, dtype, "upsample_linear", [&](auto zero, int blocks) {
    using T = decltype(zero);
    EMBER_LAUNCH(linear_forward<T>, blocks, kThreads, 0, nullptr, s,
                 static_cast<const T*>(input), static_cast<T*>(output));
  });
}

void upsample_linear_backward(const UpsampleShape& s, DType dtype, const void* grad_output,
                              void* grad_input) {
  launch(s, dtype, "upsample_linear_backward", [&](auto zero, int blocks) {
    using T = decltype(zero);
    EMBER_LAUNCH(linear_backward<T>, blocks, kThreads, 0, nullptr, s,
                 static_cast<const T*>(grad_output), static_cast<T*>(grad_input));
  });
}

}  // namespace ember::cuda
