// Random sampling. Every op draws from gen (the default generator when null) following the
// counter scheme of ember/random.h, so results depend only on the seed and the generator's
// position, never on the thread count or the device.
#pragma once

#include "ember/random.h"
#include "ember/tensor.h"

namespace ember::ops {

// In place, floating t: uniform on [low, high).
void uniform_(const Tensor& t, double low, double high, Generator* gen = nullptr);
// In place, floating t: normal with the given mean and standard deviation (std >= 0).
void normal_(const Tensor& t, double mean, double std, Generator* gen = nullptr);
// In place, any t but bool: integers uniform on [low, high), which must fit t's dtype.
void random_(const Tensor& t, int64_t low, int64_t high, Generator* gen = nullptr);
// In place, any t: 1 with probability p (in [0, 1]), else 0.
void bernoulli_(const Tensor& t, double p, Generator* gen = nullptr);
// A new tensor like the floating p: 1 with probability p[i], else 0.
Tensor bernoulli(const Tensor& p, Generator* gen = nullptr);
// A random permutation of 0 .. n-1 (sort of 64-bit random keys, ties broken by index), on
// device (computed on the CPU and moved).
Tensor randperm(int64_t n, DType dtype = DType::Int64, Generator* gen = nullptr,
                Device device = {});

}  // namespace ember::ops
