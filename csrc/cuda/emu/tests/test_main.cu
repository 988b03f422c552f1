// Runs every registered self-test (optionally only those whose name contains argv[1]) and
// prints PASS/FAIL per test; exits non-zero when any fails. Emulated, the whole suite runs once
// per fiber backend (hand-written switch, then ucontext).
#include <cstdio>
#include <string>
#include <vector>

#include "emu_test.h"

namespace {

int run_all(const char* filter, const char* label) {
  int failures = 0;
  for (const emu_test::Case& c : emu_test::registry()) {
    if (filter && !emu_test::contains(c.name, filter)) continue;
    try {
      c.run();
      std::printf("PASS %s%s\n", label, c.name);
    } catch (const std::exception& e) {
      std::printf("FAIL %s%s: %s\n", label, c.name, e.what());
      ++failures;
    }
    std::fflush(stdout);
  }
  return failures;
}

}  // namespace

int main(int argc, char** argv) try {
  const char* filter = argc > 1 ? argv[1] : nullptr;
  int failures = 0;
#if defined(EMBER_CUDA_EMULATED)
  const ember::emu::FiberBackend saved = ember::emu::fiber_backend();
  std::vector<std::pair<ember::emu::FiberBackend, const char*>> backends;
  if (ember::emu::asm_fibers_available()) {
    backends.push_back({ember::emu::FiberBackend::kAsm, "[asm] "});
  }
  backends.push_back({ember::emu::FiberBackend::kUcontext, "[ucontext] "});
  for (const auto& [backend, label] : backends) {
    ember::emu::set_fiber_backend(backend);
    failures += run_all(filter, label);
  }
  ember::emu::set_fiber_backend(saved);
#else
  failures += run_all(filter, "");
#endif
  std::printf("%s: %d failure(s)\n", failures ? "FAILED" : "ALL PASSED", failures);
  return failures ? 1 : 0;
} catch (const std::exception& e) {  // e.g. a malformed EMBER_EMU_* variable
  std::printf("ERROR: %s\n", e.what());
  return 2;
}
