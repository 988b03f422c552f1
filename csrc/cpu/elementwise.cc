#include "cpu/elementwise.h"

namespace ember::cpu {
EMBER_DEFINE_DISPATCH(unary_fn, unary_stub);
EMBER_DEFINE_DISPATCH(binary_fn, binary_stub);
EMBER_DEFINE_DISPATCH(where_fn, where_stub);
}  // namespace ember::cpu
