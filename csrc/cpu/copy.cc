#include "cpu/copy.h"

namespace ember::cpu {
EMBER_DEFINE_DISPATCH(copy_fn, copy_stub);
}
