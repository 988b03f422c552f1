#include "cpu/gemm/gemm.h"

namespace ember::cpu {

template <class T>
void gemm(const GemmArgs<T>& args, GemmVariant variant) {
  switch (variant) {
    case GemmVariant::Naive: return gemm_naive(args);
    case GemmVariant::Blocked: return gemm_blocked(args);
    case GemmVariant::Packed: return gemm_packed(args, /*auto_plan=*/false);
    case GemmVariant::Auto: return gemm_packed(args, /*auto_plan=*/true);
  }
}

template void gemm<float>(const GemmArgs<float>&, GemmVariant);
template void gemm<double>(const GemmArgs<double>&, GemmVariant);

}  // namespace ember::cpu
