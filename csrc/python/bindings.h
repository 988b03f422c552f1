// Shared pieces of the pybind11 module ember._C. Bindings only: no logic lives here.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "ember/ember.h"

namespace ember::python {

namespace py = pybind11;

// One registration function per family, each in its own bind_*.cc.
void bind_tensor(py::module_& m);
void bind_numpy(py::module_& m);
void bind_copy(py::module_& m);
void bind_elementwise(py::module_& m);
void bind_reduce(py::module_& m);
void bind_views(py::module_& m);
void bind_creation(py::module_& m);
void bind_gemm(py::module_& m);

}  // namespace ember::python
