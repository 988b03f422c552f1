// Padding ops: argument checks with PyTorch's rules, allocation, device dispatch to the kernels
// of core/kernels/pad.inc.
#include "ember/ops/pad.h"

#include "core/device_dispatch.h"
#include "cpu/pad.h"
#include "cuda/pad.h"
#include "ember/error.h"
#include "ember/ops/copy.h"
#include "ember/ops/creation.h"

namespace ember::ops {
namespace {

PadMode mode_of(const std::string& mode) {
  if (mode == "constant") return PadMode::Constant;
  if (mode == "reflect") return PadMode::Reflect;
  if (mode == "replicate") return PadMode::Replicate;
  EMBER_CHECK(mode == "circular", ValueError, "pad: mode must be 'constant', 'reflect', "
              "'replicate' or 'circular', got '", mode, "'");
  return PadMode::Circular;
}

PadShape shape_of(const Shape& input_size, const Shape& pads, const std::string& mode_name,
                  double value) {
  const char* op = "pad";
  const PadMode mode = mode_of(mode_name);
  const int64_t k = static_cast<int64_t>(pads.size()) / 2;
  const int64_t rank = static_cast<int64_t>(input_size.size());
  EMBER_CHECK(pads.size() % 2 == 0 && k >= 1 && k <= 3, ValueError, op,
              ": expected 2, 4 or 6 padding values, got ", shape_str(pads));
  EMBER_CHECK(k <= rank, ValueError, op, ": padding ", shape_str(pads), " has ", k,
              " dims but the input of shape ", shape_str(input_size), " has only ", rank);
  if (mode != PadMode::Constant) {
    EMBER_CHECK(rank == k + 1 || rank == k + 2, ValueError, op, ": ", mode_name, " padding of ",
                k, " dims expects a ", k + 1, "-D or ", k + 2, "-D input, got shape ",
                shape_str(input_size));
  }
  PadShape s{};
  s.mode = mode;
  s.value = value;
  for (int i = 0; i < 3; ++i) s.in[i] = s.out[i] = 1;
  for (int64_t j = 0; j < k; ++j) {  // j = 0 is the last dim
    const int64_t dim = rank - 1 - j, axis = 2 - j;
    const int64_t in = input_size[dim], before = pads[2 * j], after = pads[2 * j + 1];
    s.in[axis] = in;
    s.before[axis] = before;
    s.out[axis] = in + before + after;
    EMBER_CHECK(s.out[axis] >= 0, ValueError, op, ": padding ", shape_str(pads),
                " leaves a negative size ", s.out[axis], " for dim ", dim, " of input ",
                shape_str(input_size));
    if (mode == PadMode::Constant) continue;
    EMBER_CHECK(before >= 0 && after >= 0, ValueError, op, ": ", mode_name,
                " padding must be >= 0, got ", shape_str(pads));
    EMBER_CHECK(in > 0, ValueError, op, ": ", mode_name, " padding of the empty dim ", dim,
                " of input ", shape_str(input_size));
    if (mode == PadMode::Reflect)
      EMBER_CHECK(before < in && after < in, ValueError, op,
                  ": reflect padding must be less than the size of the dim it pads, got "
                  "padding (", before, ", ", after, ") for dim ", dim, " of input ",
                  shape_str(input_size));
    if (mode == PadMode::Circular)
      EMBER_CHECK(before <= in && after <= in, ValueError, op,
                  ": circular padding must be at most the size of the dim it pads, got "
                  "padding (", before, ", ", after, ") for dim ", dim, " of input ",
                  shape_str(input_size));
  }
  s.planes = 1;
  for (int64_t d = 0; d < rank - k; ++d) s.planes *= input_size[d];
  return s;
}

Shape padded_size(const Shape& input_size, const PadShape& s, int64_t k) {
  Shape out = input_size;
  for (int64_t j = 0; j < k; ++j) out[out.size() - 1 - j] = s.out[2 - j];
  return out;
}

}  // namespace

Tensor pad(const Tensor& input, const Shape& pads, const std::string& mode, double value) {
  const char* op = "pad";
  EMBER_CHECK(is_floating(input.dtype()), TypeError, op,
              ": expected a float32 or float64 input, got ", input.dtype());
  const PadShape s = shape_of(input.sizes(), pads, mode, value);
  Tensor out = Tensor::empty(padded_size(input.sizes(), s, pads.size() / 2), input.dtype(),
                             input.device());
  if (out.numel() == 0) return out;
  const Tensor in_c = contiguous(input);
  EMBER_KERNEL_ON(input, op, pad_forward, s, input.dtype(), in_c.data_ptr(), out.data_ptr());
  return out;
}

Tensor pad_backward(const Tensor& grad_output, const Shape& input_size, const Shape& pads,
                    const std::string& mode) {
  const char* op = "pad_backward";
  EMBER_CHECK(is_floating(grad_output.dtype()), TypeError, op,
              ": expected a float32 or float64 grad_output, got ", grad_output.dtype());
  const PadShape s = shape_of(input_size, pads, mode, 0.0);
  const Shape want = padded_size(input_size, s, pads.size() / 2);
  EMBER_CHECK(grad_output.sizes() == want, ValueError, op, ": grad_output has shape ",
              shape_str(grad_output.sizes()), ", expected ", shape_str(want));
  Tensor grad_input = zeros(input_size, grad_output.dtype(), grad_output.device());
  if (grad_output.numel() == 0 || grad_input.numel() == 0) return grad_input;
  const Tensor go_c = contiguous(grad_output);
  EMBER_KERNEL_ON(grad_output, op, pad_backward, s, grad_output.dtype(), go_c.data_ptr(),
                  grad_input.data_ptr());
  return grad_input;
}

}  // namespace ember::ops
