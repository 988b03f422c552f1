// What this build of ember is: version, compiler, CUDA mode, SIMD level, threads.
#pragma once

#include <string>

namespace ember {

struct BuildConfig {
  std::string version;
  std::string compiler;
  std::string cuda;         // "off", "on" or "emulated"
  std::string openmp;       // OpenMP version, e.g. "201511"
  std::string cpu_detected; // best instruction set of this CPU: default, avx2, avx512
  std::string cpu_in_use;   // the kernels in use
  int num_threads = 1;
};

BuildConfig build_config();

}  // namespace ember
