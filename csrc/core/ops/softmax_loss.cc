#include "ember/ops/softmax_loss.h"

#include "core/device_dispatch.h"
#include "cpu/softmax_loss.h"
#include "cuda/softmax_loss.h"
#include "ember/error.h"
#include "ember/ops/copy.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/reduce.h"
#include "ember/ops/views.h"

namespace ember::ops {
namespace {

// t viewed as (outer, n, inner) around dim (a 0-d tensor is one row of one element).
struct RowShape {
  int64_t outer = 1, n = 1, inner = 1;
};
RowShape row_shape(const Tensor& t, int64_t dim, const char* op) {
  RowShape s;
  if (t.dim() == 0) {
    wrap_dim(dim, 1, op);
    return s;
  }
  const int64_t d = wrap_dim(dim, t.dim(), op);
  for (int64_t k = 0; k < d; ++k) s.outer *= t.size(k);
  s.n = t.size(d);
  for (int64_t k = d + 1; k < t.dim(); ++k) s.inner *= t.size(k);
  return s;
}

void check_floating(const char* op, const Tensor& t, const char* what) {
  EMBER_CHECK(is_floating(t.dtype()), TypeError, op, ": expected a float32 or float64 ", what,
              ", got ", dtype_name(t.dtype()));
}

void check_same(const char* op, const Tensor& a, const Tensor& b) {
  EMBER_CHECK(a.sizes() == b.sizes(), ValueError, op, ": grad_output of shape ",
              shape_str(a.sizes()), " doesn't match the output of shape ", shape_str(b.sizes()));
  EMBER_CHECK(a.dtype() == b.dtype() && a.device() == b.device(), TypeError, op,
              ": grad_output must have the output's dtype and device");
}

// What cross_entropy's arguments mean, checked once for forward and backward.
struct CrossEntropyPlan {
  RowShape shape;           // of input around the class dim
  Shape batch;              // the loss's shape under Reduction::None
  Tensor input, target, probs, weight;  // contiguous; target int64 or undefined
};

// check_indices: whether to check that class indices are in range (the forward does; the
// backward sees the same target again).
CrossEntropyPlan plan_cross_entropy(const Tensor& input, const Tensor& target,
                                    const std::optional<Tensor>& weight, int64_t ignore_index,
                                    double label_smoothing, bool check_indices) {
  const char* op = "cross_entropy";
  check_floating(op, input, "input");
  EMBER_CHECK(input.dim() >= 1, ValueError, op,
              ": input must have the classes in dim 0 (1-d) or dim 1, got shape ",
              shape_str(input.sizes()));
  EMBER_CHECK(label_smoothing >= 0.0 && label_smoothing <= 1.0, ValueError, op,
              ": label_smoothing must be between 0.0 and 1.0, got ", label_smoothing);
  CrossEntropyPlan plan;
  const int64_t class_dim = input.dim() == 1 ? 0 : 1;
  plan.shape = row_shape(input, class_dim, op);
  for (int64_t d = 0; d < input.dim(); ++d)
    if (d != class_dim) plan.batch.push_back(input.size(d));
  EMBER_CHECK(target.device() == input.device(), ValueError, op,
              ": input is on ", input.device().str(), " but target is on ",
              target.device().str());
  plan.input = contiguous(input);
  const int64_t classes = plan.shape.n;
  if (is_floating(target.dtype())) {
    EMBER_CHECK(target.sizes() == input.sizes(), ValueError, op,
                ": probability targets must have the input's shape ", shape_str(input.sizes()),
                ", got ", shape_str(target.sizes()));
    EMBER_CHECK(target.dtype() == input.dtype(), TypeError, op, ": target is ",
                dtype_name(target.dtype()), " but input is ", dtype_name(input.dtype()));
    plan.probs = contiguous(target);
  } else {
    EMBER_CHECK(target.dtype() == DType::Int64 || target.dtype() == DType::Int32 ||
                    target.dtype() == DType::UInt8,
                TypeError, op, ": class-index targets must be integers, got ",
                dtype_name(target.dtype()));
    EMBER_CHECK(target.sizes() == plan.batch, ValueError, op, ": target of shape ",
                shape_str(target.sizes()), " doesn't match input of shape ",
                shape_str(input.sizes()), " (expected target shape ", shape_str(plan.batch), ")");
    plan.target = contiguous(to_dtype(target, DType::Int64));
    // A kernel cannot raise: check the indices here (on a copy, for a device target).
    if (check_indices) {
      const Tensor host = to_device(plan.target, Device{});
      const int64_t* t = host.data<int64_t>();
      for (int64_t i = 0; i < host.numel(); ++i)
        EMBER_CHECK(t[i] == ignore_index || (t[i] >= 0 && t[i] < classes), IndexError, op,
                    ": target ", t[i], " is out of bounds for ", classes,
                    " classes (input of shape ", shape_str(input.sizes()), ")");
    }
  }
  if (weight) {
    EMBER_CHECK(weight->dim() == 1 && weight->size(0) == classes, ValueError, op,
                ": weight of shape ", shape_str(weight->sizes()), " doesn't match ", classes,
                " classes (input of shape ", shape_str(input.sizes()), ")");
    EMBER_CHECK(weight->device() == input.device(), ValueError, op,
                ": weight and input are on different devices");
    plan.weight = contiguous(to_dtype(*weight, input.dtype()));
  }
  return plan;
}

cpu::CrossEntropyArgs kernel_args(const CrossEntropyPlan& p, int64_t ignore_index,
                                  double label_smoothing) {
  cpu::CrossEntropyArgs a;
  a.dtype = p.input.dtype();
  a.outer = p.shape.outer;
  a.classes = p.shape.n;
  a.inner = p.shape.inner;
  a.input = p.input.data_ptr();
  a.target = p.target.defined() ? p.target.data<int64_t>() : nullptr;
  a.probs = p.probs.defined() ? p.probs.data_ptr() : nullptr;
  a.weight = p.weight.defined() ? p.weight.data_ptr() : nullptr;
  a.ignore_index = ignore_index;
  a.label_smoothing = label_smoothing;
  return a;
}

}  // namespace

Tensor softmax_forward(const Tensor& x, int64_t dim, bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  check_floating(op, x, "input");
  const RowShape s = row_shape(x, dim, op);
  const Tensor in = contiguous(x);
  Tensor out = Tensor::empty(x.sizes(), x.dtype(), x.device());
  if (x.numel() == 0) return out;
  if (x.device().is_cuda())
    EMBER_ON_CUDA(op, cuda::softmax_forward(x.dtype(), log, in.data_ptr(), out.data_ptr(),
                                            s.outer, s.n, s.inner));
  else
    cpu::softmax_forward_stub(x.dtype(), log, in.data_ptr(), out.data_ptr(), s.outer, s.n,
                              s.inner);
  return out;
}

Tensor softmax_backward(const Tensor& grad_output, const Tensor& y, int64_t dim, bool log) {
  const char* op = log ? "log_softmax_backward" : "softmax_backward";
  check_floating(op, y, "output");
  check_same(op, grad_output, y);
  const RowShape s = row_shape(y, dim, op);
  const Tensor g = contiguous(grad_output), out_y = contiguous(y);
  Tensor grad_input = Tensor::empty(y.sizes(), y.dtype(), y.device());
  if (y.numel() == 0) return grad_input;
  if (y.device().is_cuda())
    EMBER_ON_CUDA(op, cuda::softmax_backward(y.dtype(), log, g.data_ptr(), out_y.data_ptr(),
                                             grad_input.data_ptr(), s.outer, s.n, s.inner));
  else
    cpu::softmax_backward_stub(y.dtype(), log, g.data_ptr(), out_y.data_ptr(),
                               grad_input.data_ptr(), s.outer, s.n, s.inner);
  return grad_input;
}

CrossEntropyResult cross_entropy_forward(const Tensor& input, const Tensor& target,
                                         const std::optional<Tensor>& weight,
                                         int64_t ignore_index, double label_smoothing,
                                         Reduction reduction) {
  const CrossEntropyPlan plan =
      plan_cross_entropy(input, target, weight, ignore_index, label_smoothing, true);
  const cpu::CrossEntropyArgs args = kernel_args(plan, ignore_index, label_smoothing);
  const int64_t rows = plan.shape.outer * plan.shape.inner;
  const DType dtype = input.dtype();
  Tensor loss = Tensor::empty(plan.batch, dtype, input.device());
  Tensor row_weight = Tensor::empty({rows}, dtype, input.device());
  CrossEntropyResult result;
  result.row_max = Tensor::empty({rows}, dtype, input.device());
  result.log_sum = Tensor::empty({rows}, dtype, input.device());
  if (input.device().is_cuda())
    EMBER_ON_CUDA("cross_entropy", cuda::cross_entropy_forward(args, loss.data_ptr(),
                                                               row_weight.data_ptr(),
                                                               result.row_max.data_ptr(),
                                                               result.log_sum.data_ptr()));
  else
    cpu::cross_entropy_forward_stub(args, loss.data_ptr(), row_weight.data_ptr(),
                                    result.row_max.data_ptr(), result.log_sum.data_ptr());
  result.total_weight = sum(row_weight);
  switch (reduction) {
    case Reduction::None: result.loss = loss; break;
    case Reduction::Sum: result.loss = sum(loss); break;
    case Reduction::Mean: result.loss = binary(BinaryOp::Div, sum(loss), result.total_weight); break;
  }
  return result;
}

Tensor cross_entropy_backward(const Tensor& grad_output, const Tensor& input,
                              const Tensor& target, const std::optional<Tensor>& weight,
                              const CrossEntropyResult& saved, int64_t ignore_index,
                              double label_smoothing, Reduction reduction) {
  const CrossEntropyPlan plan =
      plan_cross_entropy(input, target, weight, ignore_index, label_smoothing, false);
  const cpu::CrossEntropyArgs args = kernel_args(plan, ignore_index, label_smoothing);
  const Shape expected = reduction == Reduction::None ? plan.batch : Shape{};
  EMBER_CHECK(grad_output.sizes() == expected, ValueError,
              "cross_entropy_backward: grad_output of shape ", shape_str(grad_output.sizes()),
              " doesn't match the loss of shape ", shape_str(expected));
  const Tensor g = contiguous(to_dtype(grad_output, input.dtype()));
  const int64_t g_stride = reduction == Reduction::None ? 1 : 0;
  const void* total_weight =
      reduction == Reduction::Mean ? saved.total_weight.data_ptr() : nullptr;
  Tensor grad_input = Tensor::empty(input.sizes(), input.dtype(), input.device());
  if (input.device().is_cuda())
    EMBER_ON_CUDA("cross_entropy_backward",
                  cuda::cross_entropy_backward(args, saved.row_max.data_ptr(),
                                               saved.log_sum.data_ptr(), g.data_ptr(), g_stride,
                                               total_weight, grad_input.data_ptr()));
  else
    cpu::cross_entropy_backward_stub(args, saved.row_max.data_ptr(), saved.log_sum.data_ptr(),
                                     g.data_ptr(), g_stride,
                                     total_weight, grad_input.data_ptr());
  return grad_input;
}

}  // namespace ember::ops
