#include "python/bindings.h"

namespace ember::python {

void bind_views(py::module_& m) { (void)m; }

}  // namespace ember::python
