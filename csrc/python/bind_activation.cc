#include "python/bindings.h"

namespace ember::python {

void bind_activation(py::module_& m) {
  using ops::ActivationOp;
  py::enum_<ActivationOp>(m, "ActivationOp")
      .value("threshold", ActivationOp::Threshold)
      .value("hardtanh", ActivationOp::Hardtanh)
      .value("leaky_relu", ActivationOp::LeakyRelu)
      .value("elu", ActivationOp::Elu)
      .value("gelu", ActivationOp::Gelu)
      .value("gelu_tanh", ActivationOp::GeluTanh)
      .value("silu", ActivationOp::Silu)
      .value("mish", ActivationOp::Mish)
      .value("softplus", ActivationOp::Softplus)
      .value("softsign", ActivationOp::Softsign)
      .value("hardsigmoid", ActivationOp::Hardsigmoid)
      .value("hardswish", ActivationOp::Hardswish)
      .value("sigmoid", ActivationOp::Sigmoid)
      .value("tanh", ActivationOp::Tanh)
      .value("log_sigmoid", ActivationOp::LogSigmoid);
  py::class_<ops::ActivationParams>(m, "ActivationParams")
      .def(py::init([](double a, double b, double c) { return ops::ActivationParams{a, b, c}; }),
           py::arg("a") = 0.0, py::arg("b") = 0.0, py::arg("c") = 0.0);
  py::enum_<ops::Reduction>(m, "Reduction")
      .value("none", ops::Reduction::None)
      .value("mean", ops::Reduction::Mean)
      .value("sum", ops::Reduction::Sum);
  py::class_<ops::CrossEntropyResult>(m, "CrossEntropyResult")
      .def_readonly("loss", &ops::CrossEntropyResult::loss);

  const auto release = py::call_guard<py::gil_scoped_release>();
  m.def("activation_backward_uses_result", &ops::backward_uses_result, py::arg("op"));
  m.def("activation_forward", &ops::activation_forward, py::arg("op"), py::arg("x"),
        py::arg("params"), py::arg("in_place") = false, release);
  m.def("activation_backward", &ops::activation_backward, py::arg("op"), py::arg("grad_output"),
        py::arg("saved"), py::arg("params"), release);
  m.def("prelu_forward", &ops::prelu_forward, py::arg("x"), py::arg("weight"), release);
  m.def("prelu_backward", &ops::prelu_backward, py::arg("grad_output"), py::arg("x"),
        py::arg("weight"), release);
  m.def("softmax_forward", &ops::softmax_forward, py::arg("x"), py::arg("dim"), py::arg("log"),
        release);
  m.def("softmax_backward", &ops::softmax_backward, py::arg("grad_output"), py::arg("y"),
        py::arg("dim"), py::arg("log"), release);
  m.def("cross_entropy_forward", &ops::cross_entropy_forward, py::arg("input"),
        py::arg("target"), py::arg("weight"), py::arg("ignore_index"),
        py::arg("label_smoothing"), py::arg("reduction"), release);
  m.def("cross_entropy_backward", &ops::cross_entropy_backward, py::arg("grad_output"),
        py::arg("input"), py::arg("target"), py::arg("weight"), py::arg("saved"),
        py::arg("ignore_index"), py::arg("label_smoothing"), py::arg("reduction"), release);
}

}  // namespace ember::python
