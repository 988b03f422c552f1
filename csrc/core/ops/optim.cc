#include "ember/ops/optim.h"

#include <string>

#include "core/device_dispatch.h"
#include "cpu/optim.h"
#include "cuda/optim.h"
#include "ember/error.h"

namespace ember::ops {
namespace {

// The state buffers each algorithm's options call for (the order is in ember/ops/optim.h).
int expected_states(const SgdOptions& o) { return o.momentum != 0 ? 1 : 0; }
int expected_states(const AdamOptions& o) { return o.amsgrad ? 3 : 2; }
int expected_states(const AdamaxOptions&) { return 2; }
int expected_states(const NAdamOptions&) { return 2; }
int expected_states(const RMSpropOptions& o) {
  return 1 + (o.momentum > 0 ? 1 : 0) + (o.centered ? 1 : 0);
}
int expected_states(const AdagradOptions&) { return 1; }
int expected_states(const AdadeltaOptions&) { return 2; }
int expected_states(const ASGDOptions&) { return 1; }

void check_like_param(const char* op, const char* what, const Tensor& t, const Tensor& param) {
  EMBER_CHECK(t.defined(), ValueError, op, ": ", what, " is undefined");
  EMBER_CHECK(t.sizes() == param.sizes(), ValueError, op, ": ", what, " of shape ",
              shape_str(t.sizes()), " does not match the parameter of shape ",
              shape_str(param.sizes()));
  EMBER_CHECK(t.dtype() == param.dtype(), TypeError, op, ": ", what, " has dtype ",
              dtype_name(t.dtype()), " but the parameter has dtype ", dtype_name(param.dtype()));
  EMBER_CHECK(t.device() == param.device(), ValueError, op, ": ", what, " is on ",
              t.device().str(), " but the parameter is on ", param.device().str());
  EMBER_CHECK(t.is_contiguous(), ValueError, op, ": ", what, " of shape ", shape_str(t.sizes()),
              " must be contiguous");
}

// Validates the tensors of one step and gathers their buffers.
template <class Options>
optim::Buffers gather(const char* op, const Tensor& param, const Tensor& grad,
                      const std::vector<Tensor>& state, const Options& options) {
  EMBER_CHECK(param.defined(), ValueError, op, ": the parameter is undefined");
  EMBER_CHECK(param.dtype() == DType::Float32 || param.dtype() == DType::Float64, TypeError, op,
              ": expected a float32 or float64 parameter, got ", dtype_name(param.dtype()));
  check_like_param(op, "the parameter", param, param);
  check_like_param(op, "grad", grad, param);
  const int n_states = expected_states(options);
  EMBER_CHECK(static_cast<int>(state.size()) == n_states, ValueError, op, ": expected ",
              n_states, " state tensors for these options, got ", state.size());
  optim::Buffers buffers{param.data_ptr(), grad.data_ptr(), {nullptr, nullptr, nullptr},
                         param.numel(), param.dtype()};
  for (int k = 0; k < n_states; ++k) {
    const std::string what = "state tensor " + std::to_string(k);
    check_like_param(op, what.c_str(), state[k], param);
    buffers.state[k] = state[k].data_ptr();
  }
  return buffers;
}

// The step writes the parameter and its state in place: bump their version counters once, as
// PyTorch's in-place kernels do, so that autograd refuses a graph that saved the old values.
void bump_versions(const Tensor& param, const std::vector<Tensor>& state) {
  param.storage()->bump_version();
  for (const Tensor& t : state) t.storage()->bump_version();
}

}  // namespace

#define EMBER_DEFINE_OPTIM_OP(name, Name)                                                    \
  void name##_step_(const Tensor& param, const Tensor& grad, const std::vector<Tensor>& state, \
                    const Name##Options& options) {                                          \
    const optim::Buffers buffers = gather(#name "_step_", param, grad, state, options);      \
    bump_versions(param, state);                                                             \
    if (buffers.n == 0) return;                                                              \
    if (param.device().is_cuda()) {                                                          \
      EMBER_ON_CUDA(#name "_step_", cuda::name##_step(buffers, options));                    \
    } else {                                                                                 \
      cpu::name##_step_stub(buffers, options);                                               \
    }                                                                                        \
  }
EMBER_FOR_EACH_OPTIMIZER(EMBER_DEFINE_OPTIM_OP)
#undef EMBER_DEFINE_OPTIM_OP

}  // namespace ember::ops
