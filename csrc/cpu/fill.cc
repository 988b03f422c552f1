#include "cpu/fill.h"

namespace ember::cpu {
EMBER_DEFINE_DISPATCH(fill_fn, fill_stub);
}  // namespace ember::cpu
