// Reductions and the matrix products of ember/ops/linalg.h (one family for now).
#include "python/bindings.h"

namespace ember::python {

void bind_reduce(py::module_& m) {
  using ops::DimList;
  const auto gil = py::call_guard<py::gil_scoped_release>();
  const auto dims = py::arg("dims") = DimList{};
  const auto keepdim = py::arg("keepdim") = false;
  const auto dtype = py::arg("dtype") = py::none();
  const auto correction = py::arg("correction") = 1.0;

  m.def("sum", &ops::sum, py::arg("t"), dims, keepdim, dtype, gil);
  m.def("prod", &ops::prod, py::arg("t"), dims, keepdim, dtype, gil);
  m.def("mean", &ops::mean, py::arg("t"), dims, keepdim, dtype, gil);
  m.def("amax", &ops::amax, py::arg("t"), dims, keepdim, gil);
  m.def("amin", &ops::amin, py::arg("t"), dims, keepdim, gil);
  m.def("all", &ops::all, py::arg("t"), dims, keepdim, gil);
  m.def("any", &ops::any, py::arg("t"), dims, keepdim, gil);
  m.def("logsumexp", &ops::logsumexp, py::arg("t"), dims, keepdim, gil);
  m.def("norm", &ops::norm, py::arg("t"), py::arg("p") = 2.0, dims, keepdim, gil);
  m.def("var", &ops::var, py::arg("t"), dims, correction, keepdim, gil);
  m.def("std", &ops::std, py::arg("t"), dims, correction, keepdim, gil);
  m.def("var_mean", &ops::var_mean, py::arg("t"), dims, correction, keepdim, gil);
  m.def("std_mean", &ops::std_mean, py::arg("t"), dims, correction, keepdim, gil);
  m.def("max_dim", &ops::max, py::arg("t"), py::arg("dim"), keepdim, gil);
  m.def("min_dim", &ops::min, py::arg("t"), py::arg("dim"), keepdim, gil);
  m.def("argmax", &ops::argmax, py::arg("t"), py::arg("dim") = py::none(), keepdim, gil);
  m.def("argmin", &ops::argmin, py::arg("t"), py::arg("dim") = py::none(), keepdim, gil);
  m.def("cumsum", &ops::cumsum, py::arg("t"), py::arg("dim"), dtype, gil);
  m.def("cumprod", &ops::cumprod, py::arg("t"), py::arg("dim"), dtype, gil);

  m.def("matmul", &ops::matmul, gil);
  m.def("mm", &ops::mm, gil);
  m.def("bmm", &ops::bmm, gil);
  m.def("dot", &ops::dot, gil);
  m.def("mv", &ops::mv, gil);
  m.def("outer", &ops::outer, gil);
}

}  // namespace ember::python
