#include "cpu/softmax_loss.h"

namespace ember::cpu {
EMBER_DEFINE_DISPATCH(softmax_forward_fn, softmax_forward_stub);
EMBER_DEFINE_DISPATCH(softmax_backward_fn, softmax_backward_stub);
EMBER_DEFINE_DISPATCH(cross_entropy_forward_fn, cross_entropy_forward_stub);
EMBER_DEFINE_DISPATCH(cross_entropy_backward_fn, cross_entropy_backward_stub);
}  // namespace ember::cpu
