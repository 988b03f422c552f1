// The depthwise kernels' entry point: the best variant of conv_depthwise.simd.cc.
#include "cpu/conv_depthwise.h"

namespace ember::cpu {

EMBER_DEFINE_DISPATCH(DepthwiseKernelsFn<float>, depthwise_f32_stub);
EMBER_DEFINE_DISPATCH(DepthwiseKernelsFn<double>, depthwise_f64_stub);

template <>
DepthwiseKernels<float> depthwise_kernels<float>() {
  return depthwise_f32_stub.get()();
}
template <>
DepthwiseKernels<double> depthwise_kernels<double>() {
  return depthwise_f64_stub.get()();
}

}  // namespace ember::cpu
