// The Python side of DLPack: capsules per the Python array API's __dlpack__ protocol. A
// capsule named "dltensor_versioned" (or legacy "dltensor") owns its managed tensor until a
// consumer renames it "used_dltensor_versioned" ("used_dltensor") and takes it over; the
// capsule's destructor calls the deleter only if no consumer did.
#include "ember/dlpack.h"
#include "python/bindings.h"

namespace ember::python {
namespace {

constexpr const char* kVersioned = "dltensor_versioned";
constexpr const char* kLegacy = "dltensor";
constexpr const char* kUsedVersioned = "used_dltensor_versioned";
constexpr const char* kUsedLegacy = "used_dltensor";

template <class Managed>
void delete_unconsumed(PyObject* capsule, const char* name) {
  if (!PyCapsule_IsValid(capsule, name)) return;  // renamed: a consumer owns it
  // A destructor must not leave an exception set, nor lose one already in flight.
  PyObject *type, *value, *traceback;
  PyErr_Fetch(&type, &value, &traceback);
  auto* managed = static_cast<Managed*>(PyCapsule_GetPointer(capsule, name));
  if (managed && managed->deleter) managed->deleter(managed);
  PyErr_Restore(type, value, traceback);
}

py::capsule to_capsule(const Tensor& t, bool versioned, bool copied) {
  if (versioned) {
    DLManagedTensorVersioned* m =
        to_dlpack_versioned(t, copied ? DLPACK_FLAG_BITMASK_IS_COPIED : 0);
    PyObject* c = PyCapsule_New(m, kVersioned, [](PyObject* capsule) {
      delete_unconsumed<DLManagedTensorVersioned>(capsule, kVersioned);
    });
    if (!c) {
      m->deleter(m);
      throw py::error_already_set();
    }
    return py::reinterpret_steal<py::capsule>(c);
  }
  DLManagedTensor* m = to_dlpack_legacy(t);
  PyObject* c = PyCapsule_New(m, kLegacy, [](PyObject* capsule) {
    delete_unconsumed<DLManagedTensor>(capsule, kLegacy);
  });
  if (!c) {
    m->deleter(m);
    throw py::error_already_set();
  }
  return py::reinterpret_steal<py::capsule>(c);
}

// Takes over the capsule's managed tensor (renaming it first, so that whatever happens next
// the deleter runs exactly once: from the tensor's storage, or from from_dlpack on failure).
Tensor from_capsule(const py::capsule& capsule) {
  PyObject* c = capsule.ptr();
  if (PyCapsule_IsValid(c, kVersioned)) {
    auto* m = static_cast<DLManagedTensorVersioned*>(PyCapsule_GetPointer(c, kVersioned));
    PyCapsule_SetName(c, kUsedVersioned);
    return from_dlpack(m);
  }
  if (PyCapsule_IsValid(c, kLegacy)) {
    auto* m = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(c, kLegacy));
    PyCapsule_SetName(c, kUsedLegacy);
    return from_dlpack(m);
  }
  const char* name = PyCapsule_GetName(c);
  PyErr_Clear();
  const std::string n = name ? name : "";
  EMBER_CHECK(n != kUsedVersioned && n != kUsedLegacy, ValueError,
              "from_dlpack: this DLPack capsule was already consumed (a capsule can be "
              "imported only once)");
  throw TypeError("from_dlpack: expected a capsule named 'dltensor_versioned' or 'dltensor', got '" +
                  n + "'");
}

}  // namespace

void bind_dlpack(py::module_& m) {
  m.def("to_dlpack", &to_capsule, py::arg("t"), py::arg("versioned"), py::arg("copied") = false);
  m.def("from_dlpack", &from_capsule, py::arg("capsule"));
}

}  // namespace ember::python
