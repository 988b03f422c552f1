#include "python/bindings.h"

namespace ember::python {

void bind_creation(py::module_& m) { (void)m; }

}  // namespace ember::python
