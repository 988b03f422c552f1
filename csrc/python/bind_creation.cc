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
  m.def("arange", &ops::arange, arg("start"), arg("end"), arg("step"), arg("dtype"), nogil);
  m.def("linspace", &ops::linspace, arg("start"), arg("end"), arg("steps"), arg("dtype"), nogil);
  m.def("eye", &ops::eye, arg("n"), arg("m"), arg("dtype"), nogil);

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
  m.def("randperm", &ops::randperm, arg("n"), arg("dtype"), arg("generator") = nullptr, nogil);
  // The raw block function, for checking it against the published known-answer vectors.
  m.def("philox4x32", [](std::array<uint32_t, 4> counter, std::array<uint32_t, 2> key) {
    std::array<uint32_t, 4> out;
    philox::philox4x32_10(counter.data(), key.data(), out.data());
    return out;
  }, arg("counter"), arg("key"));
}

}  // namespace ember::python
