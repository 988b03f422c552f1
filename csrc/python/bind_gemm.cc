#include "ember/ops/gemm.h"
#include "python/bindings.h"

namespace ember::python {

void bind_gemm(py::module_& m) {
  m.def("gemm", &ops::gemm, py::arg("a"), py::arg("b"), py::arg("out") = py::none(),
        py::arg("trans_a") = false, py::arg("trans_b") = false, py::arg("alpha") = 1.0,
        py::arg("beta") = 0.0, py::arg("bias") = py::none(), py::arg("bias_dim") = 1,
        py::arg("activation") = "none", py::arg("variant") = "auto",
        py::call_guard<py::gil_scoped_release>());
}

}  // namespace ember::python
