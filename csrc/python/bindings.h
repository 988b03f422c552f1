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
void bind_cuda(py::module_& m);
void bind_dlpack(py::module_& m);
void bind_gemm(py::module_& m);
void bind_optim(py::module_& m);
void bind_nn(py::module_& m);
void bind_conv(py::module_& m);
void bind_activation(py::module_& m);
void bind_group_norm(py::module_& m);
void bind_pool(py::module_& m);
void bind_upsample(py::module_& m);
void bind_pad(py::module_& m);

inline py::dict memory_stats_dict(const MemoryStats& s) {
  py::dict d;
  d["allocated_bytes"] = s.allocated_bytes;
  d["cached_bytes"] = s.cached_bytes;
  d["peak_allocated_bytes"] = s.peak_allocated_bytes;
  d["num_allocs"] = s.num_allocs;
  d["num_cache_hits"] = s.num_cache_hits;
  d["num_system_allocs"] = s.num_system_allocs;
  return d;
}

// A device from its Python parts: ("cpu", None) or ("cuda", index).
inline Device make_device(const std::string& type, int index) {
  if (type == "cpu") return Device{};
  EMBER_CHECK(type == "cuda", ValueError, "device: expected 'cpu' or 'cuda', got '", type, "'");
  return Device{DeviceType::CUDA, index};
}

}  // namespace ember::python
