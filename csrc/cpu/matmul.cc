#include "cpu/matmul.h"

namespace ember::cpu {
EMBER_DEFINE_DISPATCH(matmul_fn, matmul_stub);
}
