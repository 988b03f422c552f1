// Memory for tensor storage. The CPU allocator caches freed blocks by size and hands them out
// again: first touch of fresh pages costs ~1.8 us per 4 KiB here, so a new 64 MB buffer per op
// would cost ~30 ms, more than the op itself.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ember {

struct MemoryStats {
  uint64_t allocated_bytes = 0;     // handed out and not yet freed
  uint64_t cached_bytes = 0;        // freed, kept for reuse
  uint64_t peak_allocated_bytes = 0;
  uint64_t num_allocs = 0;          // allocate() calls
  uint64_t num_cache_hits = 0;      // allocate() calls served from the cache
  uint64_t num_system_allocs = 0;   // blocks obtained from the operating system
};

constexpr size_t kCpuAlignment = 64;

namespace cpu {
// 64-byte aligned, never null for size > 0; throws ember::Error when memory is exhausted.
void* allocate(size_t nbytes);
void deallocate(void* ptr, size_t nbytes);
MemoryStats memory_stats();
void empty_cache();  // return every cached block to the system
}  // namespace cpu

}  // namespace ember
