#include "ember/ops/upsample.h"
#include "python/bindings.h"

namespace ember::python {

void bind_upsample(py::module_& m) {
  const auto gil = py::call_guard<py::gil_scoped_release>();
  m.def("upsample", &ops::upsample, py::arg("input"), py::arg("output_size"), py::arg("scales"),
        py::arg("mode"), py::arg("align_corners"), gil);
  m.def("upsample_backward", &ops::upsample_backward, py::arg("grad_output"),
        py::arg("input_size"), py::arg("scales"), py::arg("mode"), py::arg("align_corners"), gil);
}

}  // namespace ember::python
