#include "ember/ops/creation.h"
#include "ember/ops/random.h"
#include "ember/philox.h"
#include "python/bindings.h"

namespace ember::python {

void bind_creation(py::module_& m) {
  using py::arg;
  const auto nogil = py::call_guard<py::gil_scoped_release>();
  m.def("fill_", static_cast<void (*)(const Tensor&, double)>(&ops::fill_), arg("t"), arg("value"),
        nogil);
  m.def("fill_int_", &ops::detail::fill_integer_, arg("t"), arg("value"), nogil);
  // Python passes the device as (type, index), like ember._C.empty.
  m.def("arange", [](double start, double end, double step, DType dtype, const std::string& type,
                     int index) {
    const Device device = make_device(type, index);
    py::gil_scoped_release release;
    return ops::arange(start, end, step, dtype, device);
  }, arg("start"), arg("end"), arg("step"), arg("dtype"), arg("device_type") = "cpu",
        arg("device_index") = 0);
  m.def("linspace", [](double start, double end, int64_t steps, DType dtype,
                       const std::string& type, int index) {
    const Device device = make_device(type, index);
    py::gil_scoped_release release;
    return ops::linspace(start, end, steps, dtype, device);
  }, arg("start"), arg("end"), arg("steps"), arg("dtype"), arg("device_type") = "cpu",
        arg("device_index") = 0);
  m.def("eye", [](int64_t n, int64_t m, DType dtype, const std::string& type, int index) {
    const Device device = make_device(type, index);
    py::gil_scoped_release release;
    return ops::eye(n, m, dtype, device);
  }, arg("n"), arg("m"), arg("dtype"), arg("device_type") = "cpu", arg("device_index") = 0);

  py::class_<Generator>(m, "GeneratorImpl")
      .def(py::init<uint64_t>(), arg("seed") = Generator::kDefaultSeed)
      .def("manual_seed", &Generator::manual_seed, arg("seed"))
      .def("seed", &Generator::seed)
      .def("initial_seed", &Generator::initial_seed)
      .def("offset", &Generator::offset)
      .def("set_state", &Generator::set_state, arg("seed"), arg("offset"));
  m.def("default_generator", &default_generator, py::return_value_policy::reference);

  m.def("uniform_", &ops::uniform_, arg("t"), arg("low"), arg("high"),
        arg("generator") = nullptr, nogil);
  m.def("normal_", &ops::normal_, arg("t"), arg("mean"), arg("std"), arg("generator") = nullptr,
        nogil);
  m.def("random_", &ops::random_, arg("t"), arg("low"), arg("high"), arg("generator") = nullptr,
        nogil);
  m.def("bernoulli_", &ops::bernoulli_, arg("t"), arg("p"), arg("generator") = nullptr, nogil);
  m.def("bernoulli", &ops::bernoulli, arg("p"), arg("generator") = nullptr, nogil);
  m.def("randperm", [](int64_t n, DType dtype, Generator* gen, const std::string& type, int index) {
    const Device device = make_device(type, index);
    py::gil_scoped_release release;
    return ops::randperm(n, dtype, gen, device);
  }, arg("n"), arg("dtype"), arg("generator") = nullptr, arg("device_type") = "cpu",
        arg("device_index") = 0);
  // The raw block function, for checking it against the published known-answer vectors.
  m.def("philox4x32", [](std::array<uint32_t, 4> counter, std::array<uint32_t, 2> key) {
    std::array<uint32_t, 4> out;
    philox::philox4x32_10(counter.data(), key.data(), out.data());
    return out;
  }, arg("counter"), arg("key"));
}

}  // namespace ember::python
