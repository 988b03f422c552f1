#include "ember/config.h"

#include <omp.h>

#include "cpu/dispatch.h"
#include "ember/parallel.h"

namespace ember {

BuildConfig build_config() {
  BuildConfig c;
  c.version = EMBER_VERSION;
  c.compiler = EMBER_COMPILER;
  c.cuda = EMBER_CUDA_MODE;
  c.openmp = std::to_string(_OPENMP);
  c.cpu_detected = cpu::capability_name(cpu::detected_capability());
  c.cpu_in_use = cpu::capability_name(cpu::capability());
  c.num_threads = get_num_threads();
  return c;
}

}  // namespace ember
