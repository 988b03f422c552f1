#include "ember/ops/pad.h"
#include "python/bindings.h"

namespace ember::python {

void bind_pad(py::module_& m) {
  const auto gil = py::call_guard<py::gil_scoped_release>();
  m.def("pad", &ops::pad, py::arg("input"), py::arg("pads"), py::arg("mode"), py::arg("value"),
        gil);
  m.def("pad_backward", &ops::pad_backward, py::arg("grad_output"), py::arg("input_size"),
        py::arg("pads"), py::arg("mode"), gil);
}

}  // namespace ember::python
