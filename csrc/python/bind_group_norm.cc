#include "ember/ops/group_norm.h"
#include "python/bindings.h"

namespace ember::python {

void bind_group_norm(py::module_& m) {
  using py::arg;
  const auto nogil = py::call_guard<py::gil_scoped_release>();
  m.def("group_norm", &ops::group_norm, arg("x"), arg("weight"), arg("bias"), arg("num_groups"),
        arg("eps"), nogil);
  m.def("group_norm_backward", &ops::group_norm_backward, arg("grad"), arg("x"), arg("mean"),
        arg("rstd"), arg("weight"), arg("num_groups"), arg("need_input"), arg("need_weight"),
        arg("need_bias"), nogil);
}

}  // namespace ember::python
