// A cache of freed memory blocks keyed by size class, in front of a system allocator (aligned
// malloc for the CPU, cudaMalloc for a GPU). Both are slow where it hurts: fresh CPU pages cost
// a fault each on first touch, and cudaMalloc synchronizes the device.
//
// System must provide: static void* allocate(size_t bytes) (nullptr when out of memory) and
// static void release(void* p, size_t bytes).
#pragma once

#include <cstddef>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "ember/allocator.h"
#include "ember/error.h"

namespace ember {

// Size classes four to a doubling (so rounding wastes at most 25%), multiples of 64 bytes.
inline size_t size_class(size_t nbytes) {
  if (nbytes <= 256) return (nbytes + kCpuAlignment - 1) / kCpuAlignment * kCpuAlignment;
  const size_t top = size_t(1) << (63 - __builtin_clzll(nbytes - 1));  // largest power of 2 < n
  const size_t step = top / 4;
  return (nbytes + step - 1) / step * step;
}

template <class System>
class CachingAllocator {
 public:
  explicit CachingAllocator(size_t cache_limit) : limit_(cache_limit) {}

  void* allocate(size_t nbytes, const char* device_name) {
    const size_t bytes = size_class(nbytes == 0 ? 1 : nbytes);
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
    void* p = System::allocate(bytes);
    if (p == nullptr) {  // give the cache back and try once more
      empty_cache();
      p = System::allocate(bytes);
    }
    EMBER_CHECK(p != nullptr, Error, "allocate: out of memory allocating ", bytes,
                " bytes on ", device_name);
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.num_system_allocs;
    note_allocated(bytes);
    return p;
  }

  void deallocate(void* p, size_t nbytes) {
    if (p == nullptr) return;
    const size_t bytes = size_class(nbytes == 0 ? 1 : nbytes);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stats_.allocated_bytes -= bytes;
      if (stats_.cached_bytes + bytes <= limit_) {
        free_[bytes].push_back(p);
        stats_.cached_bytes += bytes;
        return;
      }
    }
    System::release(p, bytes);
  }

  MemoryStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

  void empty_cache() {
    std::vector<std::pair<void*, size_t>> blocks;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto& [bytes, list] : free_)
        for (void* p : list) blocks.emplace_back(p, bytes);
      free_.clear();
      stats_.cached_bytes = 0;
    }
    for (auto [p, bytes] : blocks) System::release(p, bytes);
  }

 private:
  void note_allocated(size_t bytes) {
    stats_.allocated_bytes += bytes;
    if (stats_.allocated_bytes > stats_.peak_allocated_bytes)
      stats_.peak_allocated_bytes = stats_.allocated_bytes;
  }

  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_;
  MemoryStats stats_;
  const size_t limit_;
};

}  // namespace ember
