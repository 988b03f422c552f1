// The data cache sizes of the CPU we run on, detected once at run time, from which the packed
// GEMM derives its cache blocks (microkernel.simd.cc): a wheel built on one machine runs on
// others with other caches, so compile-time constants would be tuned for the wrong one.
#pragma once

#include <cstdint>

namespace ember::cpu {

struct CacheSizes {
  int64_t l1d;  // bytes of L1 data cache per core
  int64_t l2;   // bytes of L2 per core
  int64_t l3;   // bytes of L3 (last level) per instance, shared by l3_sharers cores
  int64_t l3_sharers;
};

// Read from /sys/devices/system/cpu/cpu0/cache (Linux), else sysconf, else the sizes of a
// typical x86-64 core (32 KiB, 1 MiB, 8 MiB). Each is clamped to a sane range so a bogus report
// (a VM that says 0, or a whole multi-socket L3) cannot produce absurd blocks.
const CacheSizes& cache_sizes();

}  // namespace ember::cpu
