#include "cpu/reduce.h"

namespace ember::cpu {
EMBER_DEFINE_DISPATCH(reduce_fn, reduce_stub);
EMBER_DEFINE_DISPATCH(arg_reduce_fn, arg_reduce_stub);
EMBER_DEFINE_DISPATCH(scan_fn, scan_stub);
}  // namespace ember::cpu
