#include "ember/ops/conv.h"
#include "ember/ops/pool.h"
#include "python/bindings.h"

namespace ember::python {

void bind_conv(py::module_& m) {
  const auto gil = py::call_guard<py::gil_scoped_release>();
  m.def("conv2d", &ops::conv2d, py::arg("input"), py::arg("weight"), py::arg("bias"),
        py::arg("stride"), py::arg("padding"), py::arg("dilation"), py::arg("groups"),
        py::arg("variant") = "auto", py::arg("output_size") = Shape{}, gil);
  m.def("conv2d_backward_input", &ops::conv2d_backward_input, py::arg("grad_output"),
        py::arg("weight"), py::arg("input_size"), py::arg("stride"), py::arg("padding"),
        py::arg("dilation"), py::arg("groups"), py::arg("variant") = "auto",
        py::arg("output_size") = Shape{}, gil);
  m.def("conv2d_backward_weight", &ops::conv2d_backward_weight, py::arg("grad_output"),
        py::arg("input"), py::arg("weight_size"), py::arg("stride"), py::arg("padding"),
        py::arg("dilation"), py::arg("groups"), py::arg("variant") = "auto",
        py::arg("output_size") = Shape{}, gil);
  m.def("conv3d", &ops::conv3d, py::arg("input"), py::arg("weight"), py::arg("bias"),
        py::arg("stride"), py::arg("padding"), py::arg("dilation"), py::arg("groups"),
        py::arg("variant") = "auto", py::arg("output_size") = Shape{}, gil);
  m.def("conv3d_backward_input", &ops::conv3d_backward_input, py::arg("grad_output"),
        py::arg("weight"), py::arg("input_size"), py::arg("stride"), py::arg("padding"),
        py::arg("dilation"), py::arg("groups"), py::arg("variant") = "auto",
        py::arg("output_size") = Shape{}, gil);
  m.def("conv3d_backward_weight", &ops::conv3d_backward_weight, py::arg("grad_output"),
        py::arg("input"), py::arg("weight_size"), py::arg("stride"), py::arg("padding"),
        py::arg("dilation"), py::arg("groups"), py::arg("variant") = "auto",
        py::arg("output_size") = Shape{}, gil);

  m.def("max_pool2d", &ops::max_pool2d, py::arg("input"), py::arg("kernel_size"),
        py::arg("stride"), py::arg("padding"), py::arg("dilation"), py::arg("ceil_mode"), gil);
  m.def("adaptive_max_pool2d", &ops::adaptive_max_pool2d, py::arg("input"),
        py::arg("output_size"), gil);
  m.def("max_pool2d_backward", &ops::max_pool2d_backward, py::arg("grad_output"),
        py::arg("indices"), py::arg("input_size"), gil);
  m.def("avg_pool2d", &ops::avg_pool2d, py::arg("input"), py::arg("kernel_size"),
        py::arg("stride"), py::arg("padding"), py::arg("ceil_mode"),
        py::arg("count_include_pad"), py::arg("divisor_override"), gil);
  m.def("avg_pool2d_backward", &ops::avg_pool2d_backward, py::arg("grad_output"),
        py::arg("input_size"), py::arg("kernel_size"), py::arg("stride"), py::arg("padding"),
        py::arg("ceil_mode"), py::arg("count_include_pad"), py::arg("divisor_override"), gil);
  m.def("adaptive_avg_pool2d", &ops::adaptive_avg_pool2d, py::arg("input"),
        py::arg("output_size"), gil);
  m.def("adaptive_avg_pool2d_backward", &ops::adaptive_avg_pool2d_backward,
        py::arg("grad_output"), py::arg("input_size"), gil);
}

}  // namespace ember::python
