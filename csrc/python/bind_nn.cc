#include "ember/ops/batch_norm.h"
#include "ember/ops/dropout.h"
#include "ember/ops/embedding.h"
#include "ember/ops/layer_norm.h"
#include "python/bindings.h"

namespace ember::python {

void bind_nn(py::module_& m) {
  using py::arg;
  const auto nogil = py::call_guard<py::gil_scoped_release>();
  m.def("dropout", &ops::dropout, arg("x"), arg("p"), arg("generator") = nullptr, nogil);
  m.def("dropout_backward", &ops::dropout_backward, arg("grad"), arg("mask"), arg("scale"), nogil);
  m.def("embedding_backward", &ops::embedding_backward, arg("grad"), arg("indices"),
        arg("num_weights"), arg("padding_idx"), nogil);
  m.def("batch_norm", &ops::batch_norm, arg("x"), arg("weight"), arg("bias"),
        arg("running_mean"), arg("running_var"), arg("training"), arg("eps"), nogil);
  m.def("batch_norm_backward", &ops::batch_norm_backward, arg("grad"), arg("x"), arg("mean"),
        arg("var"), arg("weight"), arg("training"), arg("eps"), arg("need_input"),
        arg("need_weight"), arg("need_bias"), nogil);
  m.def("layer_norm", &ops::layer_norm, arg("x"), arg("n"), arg("weight"), arg("bias"),
        arg("eps"), nogil);
  m.def("layer_norm_backward", &ops::layer_norm_backward, arg("grad"), arg("x"), arg("mean"),
        arg("rstd"), arg("weight"), arg("n"), arg("need_input"), arg("need_weight"),
        arg("need_bias"), nogil);
}

}  // namespace ember::python
