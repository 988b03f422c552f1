#include "ember/ops/elementwise.h"

#include <string>

#include "core/device_dispatch.h"
#include "core/tensor_iter.h"
#include "cpu/elementwise.h"
#include "cuda/elementwise.h"
#include "ember/error.h"
#include "ember/ops/copy.h"

namespace ember::ops {

const char* op_name(UnaryOp op) {
  switch (op) {
    case UnaryOp::Neg: return "neg";
    case UnaryOp::Abs: return "abs";
    case UnaryOp::Exp: return "exp";
    case UnaryOp::Log: return "log";
    case UnaryOp::Log1p: return "log1p";
    case UnaryOp::Expm1: return "expm1";
    case UnaryOp::Sqrt: return "sqrt";
    case UnaryOp::Rsqrt: return "rsqrt";
    case UnaryOp::Sin: return "sin";
    case UnaryOp::Cos: return "cos";
    case UnaryOp::Tanh: return "tanh";
    case UnaryOp::Sigmoid: return "sigmoid";
    case UnaryOp::Relu: return "relu";
    case UnaryOp::Sign: return "sign";
    case UnaryOp::Floor: return "floor";
    case UnaryOp::Ceil: return "ceil";
    case UnaryOp::Round: return "round";
    case UnaryOp::Trunc: return "trunc";
    case UnaryOp::Reciprocal: return "reciprocal";
    case UnaryOp::Square: return "square";
    case UnaryOp::LogicalNot: return "logical_not";
    case UnaryOp::BitwiseNot: return "bitwise_not";
    case UnaryOp::IsNan: return "isnan";
    case UnaryOp::IsInf: return "isinf";
    case UnaryOp::IsFinite: return "isfinite";
  }
  return "unary";
}

const char* op_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "add";
    case BinaryOp::Sub: return "sub";
    case BinaryOp::Mul: return "mul";
    case BinaryOp::Div: return "div";
    case BinaryOp::FloorDiv: return "floor_divide";
    case BinaryOp::TruncDiv: return "div";
    case BinaryOp::Remainder: return "remainder";
    case BinaryOp::Pow: return "pow";
    case BinaryOp::Maximum: return "maximum";
    case BinaryOp::Minimum: return "minimum";
    case BinaryOp::Eq: return "eq";
    case BinaryOp::Ne: return "ne";
    case BinaryOp::Lt: return "lt";
    case BinaryOp::Le: return "le";
    case BinaryOp::Gt: return "gt";
    case BinaryOp::Ge: return "ge";
    case BinaryOp::LogicalAnd: return "logical_and";
    case BinaryOp::LogicalOr: return "logical_or";
    case BinaryOp::LogicalXor: return "logical_xor";
    case BinaryOp::BitwiseAnd: return "bitwise_and";
    case BinaryOp::BitwiseOr: return "bitwise_or";
    case BinaryOp::BitwiseXor: return "bitwise_xor";
  }
  return "binary";
}

DType result_type(std::initializer_list<const Tensor*> operands) {
  // Tensors with dims decide; zero-dim tensors only when of a higher category.
  bool have_dim = false, have_zero = false;
  DType dim_type = DType::Bool, zero_type = DType::Bool;
  for (const Tensor* t : operands) {
    if (t->dim() > 0) {
      dim_type = have_dim ? promote_types(dim_type, t->dtype()) : t->dtype();
      have_dim = true;
    } else {
      zero_type = have_zero ? promote_types(zero_type, t->dtype()) : t->dtype();
      have_zero = true;
    }
  }
  if (!have_dim) return zero_type;
  if (have_zero && category(zero_type) > category(dim_type))
    return promote_types(dim_type, zero_type);
  return dim_type;
}

bool can_cast(DType from, DType to) { return category(from) <= category(to); }

namespace {

std::string inplace_name(const char* name) { return std::string(name) + "_"; }

// A 0-d CPU tensor may join tensors on a CUDA device, as in PyTorch (Python scalars arrive as
// such): the kernels take its value from the host.
bool is_host_scalar(const Tensor& t) { return t.dim() == 0 && t.device().is_cpu(); }

// The device an op over these operands runs on.
Device op_device(const char* name, std::initializer_list<const Tensor*> operands) {
  Device device = (*operands.begin())->device();
  for (const Tensor* t : operands)
    if (!is_host_scalar(*t)) {
      device = t->device();
      if (device.is_cuda()) break;
    }
  for (const Tensor* t : operands)
    EMBER_CHECK(t->device() == device || (device.is_cuda() && is_host_scalar(*t)), RuntimeError,
                name, ": expected all tensors to be on the same device, but found ", device,
                " and ", t->device());
  return device;
}

// A CUDA kernel's TensorIter: the output, then the inputs that are not host scalars (at least
// one is not: the op runs on CUDA because of it). Unused in builds without CUDA.
[[maybe_unused]] TensorIter device_iter(const Tensor& out,
                                        std::initializer_list<const Tensor*> inputs,
                                        cuda::HostValues& host) {
  const Tensor* on_device[3];
  int n = 0, k = 0;
  for (const Tensor* t : inputs) {
    host[k++] = is_host_scalar(*t) ? t->data_ptr() : nullptr;
    if (!is_host_scalar(*t)) on_device[n++] = t;
  }
  switch (n) {
    case 1: return TensorIter(out, {on_device[0]});
    case 2: return TensorIter(out, {on_device[0], on_device[1]});
    case 3: return TensorIter(out, {on_device[0], on_device[1], on_device[2]});
    default: throw Error("elementwise: a CUDA op without CUDA operands");
  }
}

[[maybe_unused]] double host_value(const Tensor& t) {
  double value = 0;
  EMBER_DISPATCH_ALL(t.dtype(), "item", [&] { value = static_cast<double>(*t.data<scalar_t>()); });
  return value;
}

// --- unary ---------------------------------------------------------------------------------

bool is_float_function(UnaryOp op) {
  switch (op) {
    case UnaryOp::Exp: case UnaryOp::Log: case UnaryOp::Log1p: case UnaryOp::Expm1:
    case UnaryOp::Sqrt: case UnaryOp::Rsqrt: case UnaryOp::Sin: case UnaryOp::Cos:
    case UnaryOp::Tanh: case UnaryOp::Sigmoid: case UnaryOp::Reciprocal:
      return true;
    default:
      return false;
  }
}

bool is_predicate(UnaryOp op) {
  return op == UnaryOp::LogicalNot || op == UnaryOp::IsNan || op == UnaryOp::IsInf ||
         op == UnaryOp::IsFinite;
}

// Ops that leave integers unchanged (rounding) or whose value on integers is known (isnan...).
bool is_identity_on_integers(UnaryOp op) {
  return op == UnaryOp::Floor || op == UnaryOp::Ceil || op == UnaryOp::Round ||
         op == UnaryOp::Trunc;
}

// The dtype the kernel computes in, after rejecting dtypes the op does not take.
DType unary_compute_type(UnaryOp op, DType in) {
  const char* name = op_name(op);
  EMBER_CHECK(!(op == UnaryOp::Neg && in == DType::Bool), TypeError,
              "neg: Negation, the `-` operator, on a bool tensor is not supported. If you are "
              "trying to invert a mask, use the `~` or `logical_not()` operator instead.");
  EMBER_CHECK(!(in == DType::Bool && (op == UnaryOp::Relu || op == UnaryOp::Abs ||
                                      is_identity_on_integers(op))),
              TypeError, name, ": not supported for bool tensors");
  EMBER_CHECK(!(op == UnaryOp::BitwiseNot && is_floating(in)), TypeError, name,
              ": only integer and bool tensors are supported, got ", in);
  if (is_float_function(op) && !is_floating(in)) return DType::Float32;
  if (op == UnaryOp::Square && in == DType::Bool) return DType::Int64;  // as pow(x, 2)
  return in;
}

DType unary_result_type(UnaryOp op, DType in) {
  return is_predicate(op) ? DType::Bool : unary_compute_type(op, in);
}

// out = op(x) for x already of the compute dtype, out of the result dtype.
void unary_into(UnaryOp op, const Tensor& out, const Tensor& x) {
  if (out.numel() == 0) return;
  const DType dtype = x.dtype();
  if (!is_floating(dtype) && (op == UnaryOp::IsNan || op == UnaryOp::IsInf)) {
    copy_(out, scalar_tensor(false, DType::Bool));
  } else if (!is_floating(dtype) && op == UnaryOp::IsFinite) {
    copy_(out, scalar_tensor(true, DType::Bool));
  } else if (!is_floating(dtype) && is_identity_on_integers(op)) {
    copy_(out, x);
  } else if (dtype == DType::Bool && op == UnaryOp::Sign) {
    copy_(out, x);
  } else {
    TensorIter iter(out, {&x});
    if (out.device().is_cuda())
      EMBER_ON_CUDA(op_name(op), cuda::unary(iter, op, dtype));
    else
      cpu::unary_stub(iter, op, dtype);
  }
}

// --- binary --------------------------------------------------------------------------------

bool is_comparison(BinaryOp op) {
  return op == BinaryOp::Eq || op == BinaryOp::Ne || op == BinaryOp::Lt || op == BinaryOp::Le ||
         op == BinaryOp::Gt || op == BinaryOp::Ge;
}
bool is_logical(BinaryOp op) {
  return op == BinaryOp::LogicalAnd || op == BinaryOp::LogicalOr || op == BinaryOp::LogicalXor;
}

struct BinaryPlan {
  DType compute;  // both inputs are converted to this
  DType result;
};

BinaryPlan plan_binary(BinaryOp op, const Tensor& a, const Tensor& b) {
  const char* name = op_name(op);
  const DType common = result_type({&a, &b});
  EMBER_CHECK(!(op == BinaryOp::Sub && (a.dtype() == DType::Bool || b.dtype() == DType::Bool)),
              TypeError, "sub: Subtraction, the `-` operator, with a bool tensor is not "
              "supported. If you are trying to invert a mask, use the `~` or `logical_not()` "
              "operator instead.");
  EMBER_CHECK(!(common == DType::Bool && (op == BinaryOp::FloorDiv || op == BinaryOp::TruncDiv ||
                                          op == BinaryOp::Remainder)),
              TypeError, name, ": not supported for bool tensors");
  if (is_logical(op)) return {DType::Bool, DType::Bool};
  if (is_comparison(op)) return {common, DType::Bool};
  if (op == BinaryOp::BitwiseAnd || op == BinaryOp::BitwiseOr || op == BinaryOp::BitwiseXor)
    EMBER_CHECK(!is_floating(common), TypeError, name,
                ": only integer and bool tensors are supported, got ", a.dtype(), " and ",
                b.dtype());
  if (op == BinaryOp::Div && !is_floating(common)) return {DType::Float32, DType::Float32};
  return {common, common};
}

// out = op(a, b) for a, b already of the compute dtype and out of the result dtype and the
// broadcast shape.
[[noreturn]] void raise_division_by_zero(const char* name) {
  throw RuntimeError(
      detail::concat("ZeroDivisionError: ", name, ": integer division or remainder by zero"));
}
[[noreturn]] void raise_negative_power(const char* name) {
  throw RuntimeError(
      detail::concat(name, ": Integers to negative integer powers are not allowed."));
}

// The CUDA kernels cannot report invalid integer inputs (cuda/elementwise.h); a divisor or
// exponent from the host is checked here.
[[maybe_unused]] void check_host_divisor(BinaryOp op, const Tensor& b) {
  if (is_floating(b.dtype()) || !is_host_scalar(b)) return;
  const bool division =
      op == BinaryOp::FloorDiv || op == BinaryOp::TruncDiv || op == BinaryOp::Remainder;
  if (division && host_value(b) == 0) raise_division_by_zero(op_name(op));
  if (op == BinaryOp::Pow && host_value(b) < 0) raise_negative_power(op_name(op));
}

void binary_into(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  if (out.numel() == 0) return;
  const char* name = op_name(op);
  // x ** 2 and x ** 0.5 are common (losses, norms) and far cheaper as square and sqrt, which
  // is what PyTorch computes for them too.
  if (op == BinaryOp::Pow && is_host_scalar(b) && is_floating(b.dtype())) {
    const double exponent =
        b.dtype() == DType::Float32 ? *b.data<float>() : *b.data<double>();
    if (exponent == 2.0 || exponent == 0.5)
      return unary_into(exponent == 2.0 ? UnaryOp::Square : UnaryOp::Sqrt, out, a);
  }
  const Tensor* lhs = &a;
  const Tensor* rhs = &b;
  switch (op) {  // fewer kernels: a > b is b < a, logical ops are bitwise ops on bool
    case BinaryOp::Gt: op = BinaryOp::Lt; std::swap(lhs, rhs); break;
    case BinaryOp::Ge: op = BinaryOp::Le; std::swap(lhs, rhs); break;
    case BinaryOp::LogicalAnd: op = BinaryOp::BitwiseAnd; break;
    case BinaryOp::LogicalOr: op = BinaryOp::BitwiseOr; break;
    case BinaryOp::LogicalXor: op = BinaryOp::BitwiseXor; break;
    default: break;
  }
  if (out.device().is_cuda()) {
    EMBER_ON_CUDA(name, {
      check_host_divisor(op, b);
      cuda::HostValues host{};
      const TensorIter iter = device_iter(out, {lhs, rhs}, host);
      cuda::binary(iter, op, a.dtype(), host);
    });
    return;
  }
  TensorIter iter(out, {lhs, rhs});
  switch (cpu::binary_stub(iter, op, a.dtype())) {
    case cpu::BinaryStatus::Ok: return;
    case cpu::BinaryStatus::DivisionByZero: raise_division_by_zero(name);
    case cpu::BinaryStatus::NegativePower: raise_negative_power(name);
  }
}

// Whether writing self elementwise could change elements of other that are still to be read:
// their memory overlaps and other is not exactly the same view (self += self is safe,
// self += self.T is not).
bool may_overlap(const Tensor& self, const Tensor& other) {
  const char* a = static_cast<const char*>(self.storage()->data());
  const char* b = static_cast<const char*>(other.storage()->data());
  const bool disjoint = self.device() != other.device() || a + self.storage()->nbytes() <= b ||
                        b + other.storage()->nbytes() <= a;
  const bool same_view = self.data_ptr() == other.data_ptr() && self.dtype() == other.dtype() &&
                         self.sizes() == other.sizes() && self.strides() == other.strides();
  return !disjoint && !same_view;
}

void check_inplace(const char* name, const Tensor& self, const Shape& shape, DType result) {
  EMBER_CHECK(shape == self.sizes(), ValueError, name, ": output with shape ",
              shape_str(self.sizes()), " doesn't match the broadcast shape ", shape_str(shape));
  EMBER_CHECK(can_cast(result, self.dtype()), RuntimeError, name, ": result type ", result,
              " can't be cast to the desired output type ", self.dtype());
}

}  // namespace

Tensor unary(UnaryOp op, const Tensor& x) {
  const DType compute = unary_compute_type(op, x.dtype());
  Tensor out = Tensor::empty(x.sizes(), unary_result_type(op, x.dtype()), x.device());
  unary_into(op, out, to_dtype(x, compute));
  return out;
}

void unary_(UnaryOp op, const Tensor& self) {
  const std::string name = inplace_name(op_name(op));
  const DType result = unary_result_type(op, self.dtype());
  check_inplace(name.c_str(), self, self.sizes(), result);
  if (result == self.dtype() && unary_compute_type(op, self.dtype()) == self.dtype())
    unary_into(op, self, self);
  else
    copy_(self, unary(op, self));
}

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) {
  const char* name = op_name(op);
  const Device device = op_device(name, {&a, &b});
  const Shape shape = broadcast_shapes(a.sizes(), b.sizes(), name);
  const BinaryPlan plan = plan_binary(op, a, b);
  Tensor out = Tensor::empty(shape, plan.result, device);
  binary_into(op, out, to_dtype(a, plan.compute), to_dtype(b, plan.compute));
  return out;
}

void binary_(BinaryOp op, const Tensor& self, const Tensor& other) {
  const std::string name = inplace_name(op_name(op));
  EMBER_CHECK(op_device(name.c_str(), {&self, &other}) == self.device(), RuntimeError, name,
              ": expected all tensors to be on the same device, but found ", self.device(),
              " and ", other.device());
  const Shape shape = broadcast_shapes(self.sizes(), other.sizes(), name.c_str());
  const BinaryPlan plan = plan_binary(op, self, other);
  check_inplace(name.c_str(), self, shape, plan.result);
  if (plan.result == self.dtype() && plan.compute == self.dtype() && !may_overlap(self, other))
    binary_into(op, self, self, to_dtype(other, plan.compute));
  else
    copy_(self, binary(op, self, other));
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  const Device device = op_device("where", {&cond, &a, &b});
  EMBER_CHECK(cond.dtype() == DType::Bool, TypeError,
              "where: expected condition to be a bool tensor, got ", cond.dtype());
  const Shape shape =
      broadcast_shapes(cond.sizes(), broadcast_shapes(a.sizes(), b.sizes(), "where"), "where");
  const DType dtype = result_type({&a, &b});
  Tensor out = Tensor::empty(shape, dtype, device);
  if (out.numel() == 0) return out;
  const Tensor a_cast = to_dtype(a, dtype), b_cast = to_dtype(b, dtype);
  if (device.is_cuda()) {
    EMBER_ON_CUDA("where", {
      cuda::HostValues host{};
      const TensorIter iter = device_iter(out, {&cond, &a_cast, &b_cast}, host);
      cuda::where(iter, itemsize(dtype), host);
    });
  } else {
    TensorIter iter(out, {&cond, &a_cast, &b_cast});
    cpu::where_stub(iter, itemsize(dtype));
  }
  return out;
}

Tensor clamp(const Tensor& x, const std::optional<Tensor>& lo, const std::optional<Tensor>& hi) {
  EMBER_CHECK(lo || hi, ValueError, "clamp: at least one of 'min' or 'max' must not be None");
  // Undefined bounds stand in as x itself: they change neither shape nor dtype.
  const Tensor& low = lo ? *lo : x;
  const Tensor& high = hi ? *hi : x;
  const Device device = op_device("clamp", {&x, &low, &high});
  const Shape shape =
      broadcast_shapes(broadcast_shapes(x.sizes(), low.sizes(), "clamp"), high.sizes(), "clamp");
  const DType dtype = result_type({&x, &low, &high});
  EMBER_CHECK(dtype != DType::Bool, TypeError, "clamp: not supported for bool tensors");
  Tensor out = Tensor::empty(shape, dtype, device);
  const Tensor x_cast = to_dtype(x, dtype);
  if (lo)
    binary_into(BinaryOp::Maximum, out, x_cast, to_dtype(*lo, dtype));
  else
    copy_(out, x_cast);
  if (hi) binary_into(BinaryOp::Minimum, out, out, to_dtype(*hi, dtype));
  return out;
}

void clamp_(const Tensor& self, const std::optional<Tensor>& lo, const std::optional<Tensor>& hi) {
  const Tensor result = clamp(self, lo, hi);
  check_inplace("clamp_", self, result.sizes(), result.dtype());
  copy_(self, result);
}

}  // namespace ember::ops
