#include "cpu/gemm/cache_sizes.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace ember::cpu {

namespace {

struct SysCache {
  int64_t bytes = 0;    // 0: not reported
  int64_t sharers = 0;  // CPUs in shared_cpu_list, 0: not reported
};

// "48K", "1024K", "32M" -> bytes; 0 when unreadable.
int64_t parse_size(const std::string& text) {
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (end == text.c_str() || value <= 0) return 0;
  switch (*end) {
    case 'K': return value << 10;
    case 'M': return value << 20;
    case 'G': return value << 30;
    default: return value;
  }
}

// "0-1", "0,2,4-7" -> the number of CPUs listed; 0 when unreadable.
int64_t count_cpus(const std::string& list) {
  int64_t count = 0;
  std::stringstream ranges(list);
  std::string range;
  while (std::getline(ranges, range, ',')) {
    const size_t dash = range.find('-');
    const long lo = std::strtol(range.c_str(), nullptr, 10);
    const long hi = dash == std::string::npos ? lo : std::strtol(range.c_str() + dash + 1, nullptr, 10);
    if (hi >= lo) count += hi - lo + 1;
  }
  return count;
}

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// The data or unified cache of `level` that cpu0 reports in sysfs.
SysCache sysfs_cache(int level) {
  for (int index = 0; index < 8; ++index) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    const std::string lvl = read_line(dir + "/level");
    if (lvl.empty()) break;
    const std::string type = read_line(dir + "/type");
    if (std::atoi(lvl.c_str()) != level || type == "Instruction") continue;
    return {parse_size(read_line(dir + "/size")), count_cpus(read_line(dir + "/shared_cpu_list"))};
  }
  return {};
}

int64_t sysconf_bytes(int name) {
  const long v = sysconf(name);
  return v > 0 ? v : 0;
}

CacheSizes detect() {
  SysCache l1 = sysfs_cache(1), l2 = sysfs_cache(2), l3 = sysfs_cache(3);
#if defined(_SC_LEVEL1_DCACHE_SIZE) && defined(_SC_LEVEL2_CACHE_SIZE) && defined(_SC_LEVEL3_CACHE_SIZE)
  // glibc reads these from CPUID; its L3 may be the whole package's, hence sysfs first.
  if (l1.bytes == 0) l1.bytes = sysconf_bytes(_SC_LEVEL1_DCACHE_SIZE);
  if (l2.bytes == 0) l2.bytes = sysconf_bytes(_SC_LEVEL2_CACHE_SIZE);
  if (l3.bytes == 0) l3.bytes = sysconf_bytes(_SC_LEVEL3_CACHE_SIZE);
#endif
  const auto pick = [](int64_t bytes, int64_t fallback, int64_t lo, int64_t hi) {
    return std::clamp(bytes > 0 ? bytes : fallback, lo, hi);
  };
  CacheSizes c;
  c.l1d = pick(l1.bytes, 32 << 10, 16 << 10, 128 << 10);
  c.l2 = pick(l2.bytes, 1 << 20, 128 << 10, 8 << 20);
  c.l3 = pick(l3.bytes, 8 << 20, c.l2, 256 << 20);
  c.l3_sharers = std::clamp<int64_t>(l3.sharers, 1, 256);
  return c;
}

}  // namespace

const CacheSizes& cache_sizes() {
  static const CacheSizes sizes = detect();
  return sizes;
}

}  // namespace ember::cpu
