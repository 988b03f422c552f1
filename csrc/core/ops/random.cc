#include "ember/ops/random.h"

#include <cmath>
#include <limits>
#include <utility>

#include "core/device_dispatch.h"
#include "cpu/random.h"
#include "cuda/random.h"
#include "ember/error.h"
#include "ember/ops/copy.h"

namespace ember::ops {
namespace {

Generator& pick(Generator* gen) { return gen ? *gen : default_generator(); }

// Runs kernel(data, first_block) on a contiguous buffer for t, reserving `blocks` blocks of
// gen: t itself when contiguous, else a temporary copied into t, so that element i is always
// the i-th in row-major order whatever t's strides.
template <class Kernel>
void generate(const Tensor& t, int64_t blocks, Generator* gen, const Kernel& kernel) {
  if (t.numel() == 0) return;
  const Generator::Draw draw = pick(gen).reserve(static_cast<uint64_t>(blocks));
  if (t.is_contiguous()) {
    kernel(t.data_ptr(), draw);
    return;
  }
  Tensor tmp = Tensor::empty(t.sizes(), t.dtype(), t.device());
  kernel(tmp.data_ptr(), draw);
  copy_(t, tmp);
}

int64_t blocks_for(int64_t n, int64_t per_block) { return (n + per_block - 1) / per_block; }

void check_floating(const Tensor& t, const char* op) {
  EMBER_CHECK(is_floating(t.dtype()), TypeError, op, ": expected a floating-point tensor, got ",
              t.dtype());
}

// The integers dtype holds exactly: {lowest, highest}.
std::pair<int64_t, int64_t> integer_range(DType dtype) {
  switch (dtype) {
    case DType::Bool: return {0, 1};
    case DType::UInt8: return {0, 255};
    case DType::Int32:
      return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    case DType::Int64:
      return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
    case DType::Float32: return {-(int64_t{1} << 24), int64_t{1} << 24};
    case DType::Float64: return {-(int64_t{1} << 53), int64_t{1} << 53};
  }
  throw TypeError("random: unknown dtype");
}

}  // namespace

void uniform_(const Tensor& t, double low, double high, Generator* gen) {
  check_floating(t, "uniform_");
  EMBER_CHECK(std::isfinite(low) && std::isfinite(high), RuntimeError,
              "uniform_: from and to must be finite, got from=", low, ", to=", high);
  EMBER_CHECK(low <= high, RuntimeError, "uniform_ expects to return a [from, to) range, but found from=",
              low, " > to=", high);
  generate(t, cpu::float_draw_blocks(t.dtype(), t.numel()), gen,
           [&](void* out, Generator::Draw d) {
             EMBER_KERNEL_ON(t, "uniform_", uniform_kernel, out, t.dtype(), t.numel(), d.seed,
                                 d.offset, low, high);
           });
}

void normal_(const Tensor& t, double mean, double std, Generator* gen) {
  check_floating(t, "normal_");
  EMBER_CHECK(std >= 0.0, RuntimeError, "normal_ expects std >= 0.0, but found std ", std);
  EMBER_CHECK(std::isfinite(mean) && std::isfinite(std), RuntimeError,
              "normal_: mean and std must be finite, got mean=", mean, ", std=", std);
  generate(t, cpu::float_draw_blocks(t.dtype(), t.numel()), gen,
           [&](void* out, Generator::Draw d) {
             EMBER_KERNEL_ON(t, "normal_", normal_kernel, out, t.dtype(), t.numel(), d.seed,
                                 d.offset, mean, std);
           });
}

void random_(const Tensor& t, int64_t low, int64_t high, Generator* gen) {
  EMBER_CHECK(t.dtype() != DType::Bool || (low >= 0 && high <= 2), RuntimeError,
              "random_: bool tensors take from=0, to=2, got from=", low, ", to=", high);
  EMBER_CHECK(low < high, RuntimeError, "random_ expects 'from' to be less than 'to', but got from=",
              low, " >= to=", high);
  const auto [lowest, highest] = integer_range(t.dtype());
  EMBER_CHECK(low >= lowest && high - 1 <= highest, RuntimeError, "random_: range [", low, ", ",
              high, ") does not fit dtype ", t.dtype());
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  generate(t, blocks_for(t.numel(), cpu::kDraws64PerBlock), gen,
           [&](void* out, Generator::Draw d) {
             // bool takes the integer kernel's uint8 path: same bytes, values 0 and 1.
             const DType dtype = t.dtype() == DType::Bool ? DType::UInt8 : t.dtype();
             EMBER_KERNEL_ON(t, "random_", random_kernel, out, dtype, t.numel(), d.seed,
                                 d.offset, low, range);
           });
}

void bernoulli_(const Tensor& t, double p, Generator* gen) {
  EMBER_CHECK(p >= 0.0 && p <= 1.0, RuntimeError, "bernoulli_ expects p to be in [0, 1], but got p=",
              p);
  generate(t, blocks_for(t.numel(), cpu::kDraws32PerBlock), gen,
           [&](void* out, Generator::Draw d) {
             EMBER_KERNEL_ON(t, "bernoulli_", bernoulli_kernel, out, t.dtype(), t.numel(),
                                 d.seed, d.offset, p, nullptr, t.dtype());
           });
}

Tensor bernoulli(const Tensor& p, Generator* gen) {
  check_floating(p, "bernoulli");
  Tensor probs = contiguous(p);
  const int64_t n = probs.numel();
  // Checked on the host: a device's probabilities make one transfer.
  const Tensor host = to_device(probs, Device{});
  bool valid = true;
  EMBER_DISPATCH_FLOATING(host.dtype(), "bernoulli", [&] {
    const scalar_t* v = host.data<scalar_t>();
    for (int64_t i = 0; i < n && valid; ++i) valid = v[i] >= 0 && v[i] <= 1;
  });
  EMBER_CHECK(valid, RuntimeError, "bernoulli: every probability must be in [0, 1]");
  Tensor out = Tensor::empty(p.sizes(), p.dtype(), p.device());
  generate(out, blocks_for(n, cpu::kDraws32PerBlock), gen,
           [&](void* o, Generator::Draw d) {
             EMBER_KERNEL_ON(out, "bernoulli", bernoulli_kernel, o, out.dtype(), n, d.seed,
                                 d.offset, 0.0, probs.data_ptr(), probs.dtype());
           });
  return out;
}

Tensor randperm(int64_t n, DType dtype, Generator* gen, Device device) {
  EMBER_CHECK(n >= 0, RuntimeError, "randperm: n must be non-negative, got ", n);
  EMBER_CHECK(dtype != DType::Bool, TypeError, "randperm: unsupported dtype bool");
  const int64_t highest = integer_range(dtype).second;
  EMBER_CHECK(n == 0 || n - 1 <= highest, RuntimeError, "randperm: n=", n,
              " is too large for dtype ", dtype);
  Tensor out = Tensor::empty({n}, dtype);
  generate(out, blocks_for(n, cpu::kDraws64PerBlock), gen,
           [&](void* o, Generator::Draw d) {
             cpu::randperm_kernel(o, dtype, n, d.seed, d.offset);
           });
  // A sort: made on the CPU, then moved (the same permutation for every device).
  return to_device(out, device);
}

}  // namespace ember::ops
