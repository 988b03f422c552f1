// Helpers shared by the reduce*.simd.cc kernels. Include only from a *.simd.cc: everything here
// lives in ember::cpu::EMBER_CPU_NS (see dispatch.h). The scalar rules themselves are in
// core/reduce_scalar.h, which the CUDA kernels share.
#pragma once

#include "core/reduce_scalar.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {

using reduce_scalar::beats;
using reduce_scalar::highest_of;
using reduce_scalar::is_nan;
using reduce_scalar::lowest_of;
using reduce_scalar::pick;
using reduce_scalar::sum_acc_t;

}  // namespace EMBER_CPU_NS
}  // namespace ember::cpu
