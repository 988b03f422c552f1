#include "python/bindings.h"

namespace ember::python {
namespace {

void translate_errors() {
  // Most derived first: pybind11 tries translators in reverse registration order, and each one
  // rethrows to find out what it holds.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ValueError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const TypeError& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    } catch (const IndexError& e) {
      PyErr_SetString(PyExc_IndexError, e.what());
    } catch (const Error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });
}

void bind_runtime(py::module_& m) {
  m.def("get_num_threads", &get_num_threads);
  m.def("set_num_threads", &set_num_threads, py::arg("n"));
  m.def("build_config", [] {
    const BuildConfig c = build_config();
    py::dict d;
    d["version"] = c.version;
    d["compiler"] = c.compiler;
    d["cuda"] = c.cuda;
    d["openmp"] = c.openmp;
    d["cpu_detected"] = c.cpu_detected;
    d["cpu_in_use"] = c.cpu_in_use;
    d["num_threads"] = c.num_threads;
    return d;
  });
  m.def("cpu_memory_stats", [] { return memory_stats_dict(cpu::memory_stats()); });
  m.def("cpu_empty_cache", &cpu::empty_cache);
}

}  // namespace
}  // namespace ember::python

PYBIND11_MODULE(_C, m) {
  using namespace ember::python;
  m.doc() = "ember's C++ core: tensors and kernels";
  translate_errors();
  bind_runtime(m);
  bind_tensor(m);
  bind_numpy(m);
  bind_copy(m);
  bind_elementwise(m);
  bind_reduce(m);
  bind_views(m);
  bind_creation(m);
  bind_cuda(m);
  bind_dlpack(m);
  bind_gemm(m);
  bind_optim(m);
  bind_nn(m);
  bind_conv(m);
  bind_activation(m);
  bind_group_norm(m);
  bind_pool(m);
  bind_upsample(m);
  bind_pad(m);
}
