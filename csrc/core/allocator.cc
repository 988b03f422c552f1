// The CPU caching allocator: a training loop touches fresh pages only in its first step.
#include "ember/allocator.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>

#include "core/caching_allocator.h"

namespace ember::cpu {
namespace {

constexpr size_t kHugePage = size_t(2) << 20;

struct SystemMemory {
  static void* allocate(size_t bytes) {
    // Large blocks sit on 2 MiB boundaries and ask for transparent huge pages: one fault per
    // 2 MiB instead of per 4 KiB.
    const bool huge = bytes >= 2 * kHugePage;
    const size_t align = huge ? kHugePage : kCpuAlignment;
    void* p = std::aligned_alloc(align, (bytes + align - 1) / align * align);
    if (p != nullptr && huge) madvise(p, bytes, MADV_HUGEPAGE);
    return p;
  }
  static void release(void* p, size_t) { std::free(p); }
};

size_t cache_limit() {
  if (const char* env = std::getenv("EMBER_CPU_CACHE_LIMIT_MB"))
    return static_cast<size_t>(std::strtoull(env, nullptr, 10)) << 20;
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<size_t>(pages) * page / 4 : size_t(1) << 32;
}

CachingAllocator<SystemMemory>& instance() {
  // Never destroyed: tensors held by Python objects may outlive static destruction.
  static auto* allocator = new CachingAllocator<SystemMemory>(cache_limit());
  return *allocator;
}

}  // namespace

void* allocate(size_t nbytes) { return instance().allocate(nbytes, "cpu"); }
void deallocate(void* ptr, size_t nbytes) { instance().deallocate(ptr, nbytes); }
MemoryStats memory_stats() { return instance().stats(); }
void empty_cache() { instance().empty_cache(); }

}  // namespace ember::cpu
