#include "cpu/dispatch.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace ember::cpu {
namespace {

Capability detect() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
    return Capability::AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return Capability::AVX2;
#endif
  return Capability::Default;
}

Capability clamp(Capability c) {
  return static_cast<int>(c) <= static_cast<int>(detected_capability()) ? c
                                                                       : detected_capability();
}

Capability from_environment() {
  const char* env = std::getenv("EMBER_CPU_CAPABILITY");
  if (env == nullptr) return detected_capability();
  for (int c = 0; c < kNumCapabilities; ++c)
    if (std::strcmp(env, capability_name(static_cast<Capability>(c))) == 0)
      return clamp(static_cast<Capability>(c));
  return detected_capability();
}

std::atomic<Capability>& current() {
  static std::atomic<Capability> value{from_environment()};
  return value;
}

}  // namespace

Capability detected_capability() {
  static const Capability value = detect();
  return value;
}
Capability capability() { return current().load(std::memory_order_relaxed); }
void set_capability(Capability c) { current().store(clamp(c)); }

const char* capability_name(Capability c) {
  switch (c) {
    case Capability::AVX512: return "avx512";
    case Capability::AVX2: return "avx2";
    case Capability::Default: break;
  }
  return "default";
}

}  // namespace ember::cpu
