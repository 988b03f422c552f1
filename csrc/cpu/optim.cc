#include "cpu/optim.h"

namespace ember::cpu {

#define EMBER_DEFINE_OPTIM_STUB(name, Name) EMBER_DEFINE_DISPATCH(name##_step_fn, name##_step_stub);
EMBER_FOR_EACH_OPTIMIZER(EMBER_DEFINE_OPTIM_STUB)
#undef EMBER_DEFINE_OPTIM_STUB

}  // namespace ember::cpu
