#include "python/bindings.h"

namespace ember::python {

void bind_copy(py::module_& m) {
  m.def("copy_", &ops::copy_, py::arg("dst"), py::arg("src"),
        py::call_guard<py::gil_scoped_release>());
  m.def("clone", &ops::clone, py::call_guard<py::gil_scoped_release>());
  m.def("contiguous", &ops::contiguous, py::call_guard<py::gil_scoped_release>());
  m.def("to_dtype", &ops::to_dtype, py::call_guard<py::gil_scoped_release>());
  m.def("to_device", [](const Tensor& t, const std::string& type, int index) {
    const Device device = make_device(type, index);
    py::gil_scoped_release release;
    return ops::to_device(t, device);
  }, py::arg("tensor"), py::arg("type"), py::arg("index"));
}

}  // namespace ember::python
