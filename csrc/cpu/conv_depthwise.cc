// The depthwise kernels' entry points: each runs the best variant of conv_depthwise.simd.cc.
#include "cpu/conv_depthwise.h"

namespace ember::cpu {

EMBER_DEFINE_DISPATCH(DepthwiseForwardFn<float>, depthwise_forward_f32_stub);
EMBER_DEFINE_DISPATCH(DepthwiseForwardFn<double>, depthwise_forward_f64_stub);
EMBER_DEFINE_DISPATCH(DepthwiseBackwardInputFn<float>, depthwise_backward_input_f32_stub);
EMBER_DEFINE_DISPATCH(DepthwiseBackwardInputFn<double>, depthwise_backward_input_f64_stub);
EMBER_DEFINE_DISPATCH(DepthwiseBackwardWeightFn<float>, depthwise_backward_weight_f32_stub);
EMBER_DEFINE_DISPATCH(DepthwiseBackwardWeightFn<double>, depthwise_backward_weight_f64_stub);

void forward_depthwise(const ConvShape& s, const float* input, const float* weight,
                       const float* bias, float* output) {
  depthwise_forward_f32_stub(s, input, weight, bias, output);
}
void forward_depthwise(const ConvShape& s, const double* input, const double* weight,
                       const double* bias, double* output) {
  depthwise_forward_f64_stub(s, input, weight, bias, output);
}
void backward_input_depthwise(const ConvShape& s, const float* grad_output,
                              const float* weight, float* grad_input) {
  depthwise_backward_input_f32_stub(s, grad_output, weight, grad_input);
}
void backward_input_depthwise(const ConvShape& s, const double* grad_output,
                              const double* weight, double* grad_input) {
  depthwise_backward_input_f64_stub(s, grad_output, weight, grad_input);
}
void backward_weight_depthwise(const ConvShape& s, const float* grad_output,
                               const float* input, float* grad_weight) {
  depthwise_backward_weight_f32_stub(s, grad_output, input, grad_weight);
}
void backward_weight_depthwise(const ConvShape& s, const double* grad_output,
                               const double* input, double* grad_weight) {
  depthwise_backward_weight_f64_stub(s, grad_output, input, grad_weight);
}

}  // namespace ember::cpu
