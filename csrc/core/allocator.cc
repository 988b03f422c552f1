// CPU caching allocator: freed blocks go to a free list keyed by their size class and are
// handed out again, so a training loop touches fresh pages only in its first step.
#include "ember/allocator.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "ember/error.h"

namespace ember::cpu {
namespace {

constexpr size_t kHugePage = size_t(2) << 20;

// Size classes four to a doubling, so rounding wastes at most 25%.
size_t size_class(size_t nbytes) {
  if (nbytes <= 256) return (nbytes + kCpuAlignment - 1) / kCpuAlignment * kCpuAlignment;
  size_t top = size_t(1) << (63 - __builtin_clzll(nbytes - 1));  // largest power of 2 < nbytes
  size_t step = top / 4;
  return (nbytes + step - 1) / step * step;
}

size_t cache_limit() {
  if (const char* env = std::getenv("EMBER_CPU_CACHE_LIMIT_MB"))
    return static_cast<size_t>(std::strtoull(env, nullptr, 10)) << 20;
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<size_t>(pages) * page / 4 : size_t(1) << 32;
}

class CachingAllocator {
 public:
  void* allocate(size_t nbytes) {
    if (nbytes == 0) nbytes = 1;
    const size_t bytes = size_class(nbytes);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++stats_.num_allocs;
      auto it = free_.find(bytes);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        ++stats_.num_cache_hits;
        stats_.cached_bytes -= bytes;
        note_allocated(bytes);
        return p;
      }
    }
    void* p = system_allocate(bytes);
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.num_system_allocs;
    note_allocated(bytes);
    return p;
  }

  void deallocate(void* p, size_t nbytes) {
    if (p == nullptr) return;
    if (nbytes == 0) nbytes = 1;
    const size_t bytes = size_class(nbytes);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stats_.allocated_bytes -= bytes;
      if (stats_.cached_bytes + bytes <= limit_) {
        free_[bytes].push_back(p);
        stats_.cached_bytes += bytes;
        return;
      }
    }
    std::free(p);
  }

  MemoryStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

  void empty_cache() {
    std::vector<void*> blocks;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto& [size, list] : free_) blocks.insert(blocks.end(), list.begin(), list.end());
      free_.clear();
      stats_.cached_bytes = 0;
    }
    for (void* p : blocks) std::free(p);
  }

 private:
  void note_allocated(size_t bytes) {
    stats_.allocated_bytes += bytes;
    if (stats_.allocated_bytes > stats_.peak_allocated_bytes)
      stats_.peak_allocated_bytes = stats_.allocated_bytes;
  }

  void* system_allocate(size_t bytes) {
    // Large blocks sit on 2 MiB boundaries and ask for transparent huge pages: one fault per
    // 2 MiB instead of per 4 KiB.
    const bool huge = bytes >= 2 * kHugePage;
    const size_t align = huge ? kHugePage : kCpuAlignment;
    const size_t rounded = (bytes + align - 1) / align * align;
    void* p = std::aligned_alloc(align, rounded);
    if (p == nullptr) {
      empty_cache();
      p = std::aligned_alloc(align, rounded);
    }
    EMBER_CHECK(p != nullptr, Error, "allocate: out of memory allocating ", bytes, " bytes");
    if (huge) madvise(p, rounded, MADV_HUGEPAGE);
    return p;
  }

  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_;
  MemoryStats stats_;
  const size_t limit_ = cache_limit();
};

CachingAllocator& instance() {
  static CachingAllocator* allocator = new CachingAllocator();  // outlives every tensor
  return *allocator;
}

}  // namespace

void* allocate(size_t nbytes) { return instance().allocate(nbytes); }
void deallocate(void* ptr, size_t nbytes) { instance().deallocate(ptr, nbytes); }
MemoryStats memory_stats() { return instance().stats(); }
void empty_cache() { instance().empty_cache(); }

}  // namespace ember::cpu
