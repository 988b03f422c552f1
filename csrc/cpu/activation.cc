#include "cpu/activation.h"

namespace ember::cpu {
EMBER_DEFINE_DISPATCH(activation_forward_fn, activation_forward_stub);
EMBER_DEFINE_DISPATCH(activation_backward_fn, activation_backward_stub);
EMBER_DEFINE_DISPATCH(prelu_forward_fn, prelu_forward_stub);
EMBER_DEFINE_DISPATCH(prelu_backward_fn, prelu_backward_stub);
}  // namespace ember::cpu
