#include "python/bindings.h"

namespace ember::python {

void bind_elementwise(py::module_& m) {
  using ops::BinaryOp;
  using ops::UnaryOp;
  py::enum_<UnaryOp>(m, "UnaryOp")
      .value("neg", UnaryOp::Neg)
      .value("abs", UnaryOp::Abs)
      .value("exp", UnaryOp::Exp)
      .value("log", UnaryOp::Log)
      .value("log1p", UnaryOp::Log1p)
      .value("expm1", UnaryOp::Expm1)
      .value("sqrt", UnaryOp::Sqrt)
      .value("rsqrt", UnaryOp::Rsqrt)
      .value("sin", UnaryOp::Sin)
      .value("cos", UnaryOp::Cos)
      .value("tanh", UnaryOp::Tanh)
      .value("sigmoid", UnaryOp::Sigmoid)
      .value("relu", UnaryOp::Relu)
      .value("sign", UnaryOp::Sign)
      .value("floor", UnaryOp::Floor)
      .value("ceil", UnaryOp::Ceil)
      .value("round", UnaryOp::Round)
      .value("trunc", UnaryOp::Trunc)
      .value("reciprocal", UnaryOp::Reciprocal)
      .value("square", UnaryOp::Square)
      .value("logical_not", UnaryOp::LogicalNot)
      .value("bitwise_not", UnaryOp::BitwiseNot)
      .value("isnan", UnaryOp::IsNan)
      .value("isinf", UnaryOp::IsInf)
      .value("isfinite", UnaryOp::IsFinite);
  py::enum_<BinaryOp>(m, "BinaryOp")
      .value("add", BinaryOp::Add)
      .value("sub", BinaryOp::Sub)
      .value("mul", BinaryOp::Mul)
      .value("div", BinaryOp::Div)
      .value("floor_divide", BinaryOp::FloorDiv)
      .value("trunc_divide", BinaryOp::TruncDiv)
      .value("remainder", BinaryOp::Remainder)
      .value("pow", BinaryOp::Pow)
      .value("maximum", BinaryOp::Maximum)
      .value("minimum", BinaryOp::Minimum)
      .value("eq", BinaryOp::Eq)
      .value("ne", BinaryOp::Ne)
      .value("lt", BinaryOp::Lt)
      .value("le", BinaryOp::Le)
      .value("gt", BinaryOp::Gt)
      .value("ge", BinaryOp::Ge)
      .value("logical_and", BinaryOp::LogicalAnd)
      .value("logical_or", BinaryOp::LogicalOr)
      .value("logical_xor", BinaryOp::LogicalXor)
      .value("bitwise_and", BinaryOp::BitwiseAnd)
      .value("bitwise_or", BinaryOp::BitwiseOr)
      .value("bitwise_xor", BinaryOp::BitwiseXor);

  const auto release = py::call_guard<py::gil_scoped_release>();
  m.def("unary", &ops::unary, py::arg("op"), py::arg("x"), release);
  m.def("unary_", &ops::unary_, py::arg("op"), py::arg("self"), release);
  m.def("binary", &ops::binary, py::arg("op"), py::arg("a"), py::arg("b"), release);
  m.def("binary_", &ops::binary_, py::arg("op"), py::arg("self"), py::arg("other"), release);
  m.def("where", &ops::where, py::arg("cond"), py::arg("a"), py::arg("b"), release);
  m.def("clamp", &ops::clamp, py::arg("x"), py::arg("min"), py::arg("max"), release);
  m.def("clamp_", &ops::clamp_, py::arg("self"), py::arg("min"), py::arg("max"), release);
  // Python ints first: a float overload would round int64 values beyond 2**53.
  m.def("scalar_tensor", &ops::scalar_tensor<int64_t>, py::arg("value"), py::arg("dtype"));
  m.def("scalar_tensor", &ops::scalar_tensor<double>, py::arg("value"), py::arg("dtype"));
  m.def("result_type", [](const Tensor& a, const Tensor& b) { return ops::result_type({&a, &b}); });
}

}  // namespace ember::python
