#include "python/bindings.h"

namespace ember::python {

void bind_views(py::module_& m) {
  using py::arg;
  // Views only touch metadata: releasing the GIL would cost more than they take.
  m.def("view", &ops::view, arg("t"), arg("shape"));
  m.def("reshape", &ops::reshape, arg("t"), arg("shape"));
  m.def("permute", &ops::permute, arg("t"), arg("dims"));
  m.def("transpose", &ops::transpose, arg("t"), arg("dim0"), arg("dim1"));
  m.def("t", &ops::t, arg("t"));
  m.def("movedim", &ops::movedim, arg("t"), arg("source"), arg("destination"));
  m.def("expand", &ops::expand, arg("t"), arg("sizes"));
  m.def("squeeze", py::overload_cast<const Tensor&>(&ops::squeeze), arg("t"));
  m.def("squeeze", py::overload_cast<const Tensor&, const Shape&>(&ops::squeeze), arg("t"),
        arg("dims"));
  m.def("unsqueeze", &ops::unsqueeze, arg("t"), arg("dim"));
  m.def("flatten", &ops::flatten, arg("t"), arg("start_dim"), arg("end_dim"));
  m.def("unflatten", &ops::unflatten, arg("t"), arg("dim"), arg("sizes"));
  m.def("narrow", &ops::narrow, arg("t"), arg("dim"), arg("start"), arg("length"));
  m.def("select", &ops::select, arg("t"), arg("dim"), arg("index"));
  m.def("slice", &ops::slice, arg("t"), arg("dim"), arg("start"), arg("stop"), arg("step"));
  m.def("diagonal", &ops::diagonal, arg("t"), arg("offset"), arg("dim1"), arg("dim2"));

  const auto nogil = py::call_guard<py::gil_scoped_release>();
  m.def("index", &ops::index, arg("t"), arg("indices"), nogil);
  m.def("index_put_", &ops::index_put_, arg("t"), arg("indices"), arg("values"),
        arg("accumulate") = false, nogil);
  m.def("index_select", &ops::index_select, arg("t"), arg("dim"), arg("index"), nogil);
  m.def("masked_fill", &ops::masked_fill, arg("t"), arg("mask"), arg("value"), nogil);
  m.def("masked_fill_", &ops::masked_fill_, arg("t"), arg("mask"), arg("value"), nogil);
  m.def("nonzero", &ops::nonzero, arg("t"), nogil);
  m.def("flip", &ops::flip, arg("t"), arg("dims"), nogil);
  m.def("cat", &ops::cat, arg("tensors"), arg("dim"), nogil);
  m.def("stack", &ops::stack, arg("tensors"), arg("dim"), nogil);
  m.def("split", &ops::split, arg("t"), arg("split_size"), arg("dim"));
  m.def("split_with_sizes", &ops::split_with_sizes, arg("t"), arg("sizes"), arg("dim"));
  m.def("chunk", &ops::chunk, arg("t"), arg("chunks"), arg("dim"));
  m.def("unbind", &ops::unbind, arg("t"), arg("dim"));
}

}  // namespace ember::python
