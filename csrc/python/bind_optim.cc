#include "ember/ops/optim.h"
#include "python/bindings.h"

namespace ember::python {
namespace {

// Each options struct as a Python class with a field per hyper-parameter; the step functions
// take (param, grad, [state...], options).
template <class Options>
py::class_<Options> bind_options(py::module_& m, const char* name) {
  return py::class_<Options>(m, name).def(py::init<>());
}

}  // namespace

void bind_optim(py::module_& m) {
  using namespace ops;
  bind_options<SgdOptions>(m, "SgdOptions")
      .def_readwrite("lr", &SgdOptions::lr)
      .def_readwrite("momentum", &SgdOptions::momentum)
      .def_readwrite("dampening", &SgdOptions::dampening)
      .def_readwrite("weight_decay", &SgdOptions::weight_decay)
      .def_readwrite("nesterov", &SgdOptions::nesterov)
      .def_readwrite("maximize", &SgdOptions::maximize)
      .def_readwrite("first_step", &SgdOptions::first_step);
  bind_options<AdamOptions>(m, "AdamOptions")
      .def_readwrite("lr", &AdamOptions::lr)
      .def_readwrite("beta1", &AdamOptions::beta1)
      .def_readwrite("beta2", &AdamOptions::beta2)
      .def_readwrite("eps", &AdamOptions::eps)
      .def_readwrite("weight_decay", &AdamOptions::weight_decay)
      .def_readwrite("amsgrad", &AdamOptions::amsgrad)
      .def_readwrite("maximize", &AdamOptions::maximize)
      .def_readwrite("decoupled_weight_decay", &AdamOptions::decoupled_weight_decay)
      .def_readwrite("step", &AdamOptions::step);
  bind_options<AdamaxOptions>(m, "AdamaxOptions")
      .def_readwrite("lr", &AdamaxOptions::lr)
      .def_readwrite("beta1", &AdamaxOptions::beta1)
      .def_readwrite("beta2", &AdamaxOptions::beta2)
      .def_readwrite("eps", &AdamaxOptions::eps)
      .def_readwrite("weight_decay", &AdamaxOptions::weight_decay)
      .def_readwrite("maximize", &AdamaxOptions::maximize)
      .def_readwrite("step", &AdamaxOptions::step);
  bind_options<NAdamOptions>(m, "NAdamOptions")
      .def_readwrite("lr", &NAdamOptions::lr)
      .def_readwrite("beta1", &NAdamOptions::beta1)
      .def_readwrite("beta2", &NAdamOptions::beta2)
      .def_readwrite("eps", &NAdamOptions::eps)
      .def_readwrite("weight_decay", &NAdamOptions::weight_decay)
      .def_readwrite("momentum_decay", &NAdamOptions::momentum_decay)
      .def_readwrite("maximize", &NAdamOptions::maximize)
      .def_readwrite("decoupled_weight_decay", &NAdamOptions::decoupled_weight_decay)
      .def_readwrite("step", &NAdamOptions::step)
      .def_readwrite("mu_product", &NAdamOptions::mu_product);
  bind_options<RMSpropOptions>(m, "RMSpropOptions")
      .def_readwrite("lr", &RMSpropOptions::lr)
      .def_readwrite("alpha", &RMSpropOptions::alpha)
      .def_readwrite("eps", &RMSpropOptions::eps)
      .def_readwrite("weight_decay", &RMSpropOptions::weight_decay)
      .def_readwrite("momentum", &RMSpropOptions::momentum)
      .def_readwrite("centered", &RMSpropOptions::centered)
      .def_readwrite("maximize", &RMSpropOptions::maximize);
  bind_options<AdagradOptions>(m, "AdagradOptions")
      .def_readwrite("lr", &AdagradOptions::lr)
      .def_readwrite("lr_decay", &AdagradOptions::lr_decay)
      .def_readwrite("eps", &AdagradOptions::eps)
      .def_readwrite("weight_decay", &AdagradOptions::weight_decay)
      .def_readwrite("maximize", &AdagradOptions::maximize)
      .def_readwrite("step", &AdagradOptions::step);
  bind_options<AdadeltaOptions>(m, "AdadeltaOptions")
      .def_readwrite("lr", &AdadeltaOptions::lr)
      .def_readwrite("rho", &AdadeltaOptions::rho)
      .def_readwrite("eps", &AdadeltaOptions::eps)
      .def_readwrite("weight_decay", &AdadeltaOptions::weight_decay)
      .def_readwrite("maximize", &AdadeltaOptions::maximize);
  bind_options<ASGDOptions>(m, "ASGDOptions")
      .def_readwrite("lambd", &ASGDOptions::lambd)
      .def_readwrite("weight_decay", &ASGDOptions::weight_decay)
      .def_readwrite("maximize", &ASGDOptions::maximize)
      .def_readwrite("eta", &ASGDOptions::eta)
      .def_readwrite("mu", &ASGDOptions::mu);

#define EMBER_BIND_OPTIM_STEP(name, Name)                                                   \
  m.def(#name "_step_", &ops::name##_step_, py::arg("param"), py::arg("grad"),              \
        py::arg("state"), py::arg("options"), py::call_guard<py::gil_scoped_release>());
  EMBER_FOR_EACH_OPTIMIZER(EMBER_BIND_OPTIM_STEP)
#undef EMBER_BIND_OPTIM_STEP
}

}  // namespace ember::python
