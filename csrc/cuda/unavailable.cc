// ember/cuda.h in a build without a CUDA backend: no devices.
#include "ember/cuda.h"

#include "ember/error.h"

namespace ember::cuda {
namespace {
[[noreturn]] void unavailable(const char* op) {
  throw Error(detail::concat(op, ": ember was built without CUDA"));
}
}  // namespace

bool is_available() { return false; }
int device_count() { return 0; }
std::string device_name(int) { unavailable("cuda.get_device_name"); }
void synchronize(int) { unavailable("cuda.synchronize"); }
MemoryStats memory_stats(int) { unavailable("cuda.memory_stats"); }
void empty_cache() {}

}  // namespace ember::cuda
