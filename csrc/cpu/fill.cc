#include "cpu/fill.h"

namespace ember::cpu {
EMBER_DEFINE_DISPATCH(fill_fn, fill_stub);
EMBER_DEFINE_DISPATCH(arange_fn, arange_stub);
EMBER_DEFINE_DISPATCH(linspace_fn, linspace_stub);
}  // namespace ember::cpu
