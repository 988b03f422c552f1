#include "python/bindings.h"

#include "ember/cuda.h"

namespace ember::python {

void bind_cuda(py::module_& m) {
  auto c = m.def_submodule("cuda", "CUDA devices");
  c.def("is_available", &cuda::is_available);
  c.def("device_count", &cuda::device_count);
  c.def("device_name", &cuda::device_name, py::arg("device"));
  c.def("synchronize", &cuda::synchronize, py::arg("device"),
        py::call_guard<py::gil_scoped_release>());
  c.def("memory_stats", [](int device) { return memory_stats_dict(cuda::memory_stats(device)); },
        py::arg("device"));
  c.def("empty_cache", &cuda::empty_cache);
}

}  // namespace ember::python
