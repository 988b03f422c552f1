#include "ember/ops/pool.h"
#include "python/bindings.h"

namespace ember::python {

// 3-D pooling, max-pool gather and unpooling (the 2-D pools are bound in bind_conv.cc).
void bind_pool(py::module_& m) {
  const auto gil = py::call_guard<py::gil_scoped_release>();
  m.def("max_pool3d", &ops::max_pool3d, py::arg("input"), py::arg("kernel_size"),
        py::arg("stride"), py::arg("padding"), py::arg("dilation"), py::arg("ceil_mode"), gil);
  m.def("adaptive_max_pool3d", &ops::adaptive_max_pool3d, py::arg("input"),
        py::arg("output_size"), gil);
  m.def("max_pool3d_backward", &ops::max_pool3d_backward, py::arg("grad_output"),
        py::arg("indices"), py::arg("input_size"), gil);
  m.def("max_pool_gather", &ops::max_pool_gather, py::arg("source"), py::arg("indices"),
        py::arg("spatial_dims"), gil);
  m.def("max_unpool", &ops::max_unpool, py::arg("input"), py::arg("indices"),
        py::arg("output_size"), gil);
  m.def("avg_pool3d", &ops::avg_pool3d, py::arg("input"), py::arg("kernel_size"),
        py::arg("stride"), py::arg("padding"), py::arg("ceil_mode"),
        py::arg("count_include_pad"), py::arg("divisor_override"), gil);
  m.def("avg_pool3d_backward", &ops::avg_pool3d_backward, py::arg("grad_output"),
        py::arg("input_size"), py::arg("kernel_size"), py::arg("stride"), py::arg("padding"),
        py::arg("ceil_mode"), py::arg("count_include_pad"), py::arg("divisor_override"), gil);
  m.def("adaptive_avg_pool3d", &ops::adaptive_avg_pool3d, py::arg("input"),
        py::arg("output_size"), gil);
  m.def("adaptive_avg_pool3d_backward", &ops::adaptive_avg_pool3d_backward,
        py::arg("grad_output"), py::arg("input_size"), gil);
}

}  // namespace ember::python
