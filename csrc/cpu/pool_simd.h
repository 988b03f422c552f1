// The vectorized 2-D pooling kernels of cpu/pool.cc (pool.simd.cc, one variant per
// instruction set).
#pragma once

#include <cstdint>

#include "core/pool_scalar.h"
#include "cpu/dispatch.h"

namespace ember::cpu {

// 2-D max pooling with fixed windows (s.d == s.kd == 1, not adaptive): output and indices
// (planes, out_h, out_w) as max_pool_forward; each plane's h * w must fit the index lanes
// (below 2^31).
template <class T>
using MaxPool2dFn = void (*)(const PoolShape& s, const T* input, T* output, int64_t* indices);

EMBER_DECLARE_DISPATCH(MaxPool2dFn<float>, max_pool2d_f32_stub);
EMBER_DECLARE_DISPATCH(MaxPool2dFn<double>, max_pool2d_f64_stub);

// 2-D average pooling with fixed windows, dilation 1: output (planes, out_h, out_w) as
// avg_pool_forward.
template <class T>
using AvgPool2dFn = void (*)(const PoolShape& s, const T* input, T* output);

EMBER_DECLARE_DISPATCH(AvgPool2dFn<float>, avg_pool2d_f32_stub);
EMBER_DECLARE_DISPATCH(AvgPool2dFn<double>, avg_pool2d_f64_stub);

}  // namespace ember::cpu
