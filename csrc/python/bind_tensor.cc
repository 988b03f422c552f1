#include "python/bindings.h"

#include "cpu/dispatch.h"

namespace ember::python {

void bind_tensor(py::module_& m) {
  py::enum_<DType>(m, "DType")
      .value("bool", DType::Bool)
      .value("uint8", DType::UInt8)
      .value("int32", DType::Int32)
      .value("int64", DType::Int64)
      .value("float32", DType::Float32)
      .value("float64", DType::Float64);

  m.def("cpu_capability", [] { return cpu::capability_name(cpu::capability()); });
  m.def("set_cpu_capability", [](const std::string& name) {
    for (int c = 0; c < cpu::kNumCapabilities; ++c)
      if (name == cpu::capability_name(static_cast<cpu::Capability>(c)))
        return cpu::set_capability(static_cast<cpu::Capability>(c));
    throw ValueError("set_cpu_capability: expected 'default', 'avx2' or 'avx512', got '" + name + "'");
  });

  py::class_<Tensor>(m, "TensorImpl")
      .def_property_readonly("shape", [](const Tensor& t) {
        py::tuple out(t.dim());
        for (int64_t i = 0; i < t.dim(); ++i) out[i] = t.sizes()[i];
        return out;
      })
      .def_property_readonly("strides", [](const Tensor& t) {
        py::tuple out(t.dim());
        for (int64_t i = 0; i < t.dim(); ++i) out[i] = t.strides()[i];
        return out;
      })
      .def_property_readonly("dtype", &Tensor::dtype)
      .def_property_readonly("device", [](const Tensor& t) { return t.device().str(); })
      .def_property_readonly("ndim", &Tensor::dim)
      .def_property_readonly("is_floating_point", [](const Tensor& t) {
        return is_floating(t.dtype());
      })
      .def_property_readonly("numel", &Tensor::numel)
      .def_property_readonly("storage_offset", &Tensor::storage_offset)
      .def_property_readonly("itemsize", &Tensor::itemsize)
      .def_property_readonly("is_contiguous", &Tensor::is_contiguous)
      .def_property_readonly("data_ptr", [](const Tensor& t) {
        return reinterpret_cast<uintptr_t>(t.data_ptr());
      })
      .def_property_readonly("storage_ptr", [](const Tensor& t) {
        return reinterpret_cast<uintptr_t>(t.storage()->data());
      })
      .def_property_readonly("storage_nbytes", [](const Tensor& t) { return t.storage()->nbytes(); })
      .def_property_readonly("version", [](const Tensor& t) { return t.storage()->version(); })
      .def("bump_version", [](const Tensor& t) { t.storage()->bump_version(); })
      .def_property_readonly("storage_use_count", [](const Tensor& t) {
        return t.storage().use_count();
      })
      .def("as_strided", [](const Tensor& t, Shape sizes, Shape strides, int64_t offset) {
        return t.as_strided(std::move(sizes), std::move(strides), offset);
      });

  m.def("empty", [](const Shape& shape, DType dtype, const std::string& type, int index) {
    return Tensor::empty(shape, dtype, make_device(type, index));
  }, py::arg("shape"), py::arg("dtype"), py::arg("device_type") = "cpu", py::arg("device_index") = 0);
}

}  // namespace ember::python
