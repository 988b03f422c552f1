#include "ember/ops/conv.h"
#include "ember/ops/pool.h"
#include "python/bindings.h"

namespace ember::python {

void bind_conv(py::module_& m) {
  const auto gil = py::call_guard<py::gil_scoped_release>();
  // The three ops of each rank, under the names conv{2,3}d, conv{2,3}d_backward_{input,weight}.
  using Forward = decltype(&ops::conv2d);
  using BackwardInput = decltype(&ops::conv2d_backward_input);
  using BackwardWeight = decltype(&ops::conv2d_backward_weight);
  const auto bind_rank = [&](const std::string& name, Forward forward,
                             BackwardInput backward_input, BackwardWeight backward_weight) {
    m.def(name.c_str(), forward, py::arg("input"), py::arg("weight"), py::arg("bias"),
          py::arg("stride"), py::arg("padding"), py::arg("dilation"), py::arg("groups"),
          py::arg("variant") = "auto", py::arg("output_size") = Shape{}, gil);
    m.def((name + "_backward_input").c_str(), backward_input, py::arg("grad_output"),
          py::arg("weight"), py::arg("input_size"), py::arg("stride"), py::arg("padding"),
          py::arg("dilation"), py::arg("groups"), py::arg("variant") = "auto",
          py::arg("output_size") = Shape{}, gil);
    m.def((name + "_backward_weight").c_str(), backward_weight, py::arg("grad_output"),
          py::arg("input"), py::arg("weight_size"), py::arg("stride"), py::arg("padding"),
          py::arg("dilation"), py::arg("groups"), py::arg("variant") = "auto",
          py::arg("output_size") = Shape{}, gil);
  };
  bind_rank("conv2d", &ops::conv2d, &ops::conv2d_backward_input, &ops::conv2d_backward_weight);
  bind_rank("conv3d", &ops::conv3d, &ops::conv3d_backward_input, &ops::conv3d_backward_weight);

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
