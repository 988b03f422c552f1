// Threads. OpenMP underneath; work is split only when it is large enough to pay for waking the
// other threads (a 32x32 op is faster on one).
#pragma once

#include <algorithm>
#include <cstdint>

namespace ember {

int get_num_threads();
void set_num_threads(int n);  // n >= 1
bool in_parallel_region();

// Smallest amount of work (elements of a cheap elementwise op) worth a thread of its own.
constexpr int64_t kGrainSize = 32768;

namespace detail {
void parallel_run(int64_t begin, int64_t end, int64_t grain,
                  void (*body)(void* ctx, int64_t b, int64_t e), void* ctx);
}

// Calls f(b, e) on disjoint chunks covering [begin, end), in parallel when the range holds more
// than one grain; each chunk holds at least `grain` items (but the last).
template <class F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, const F& f) {
  if (end <= begin) return;
  if (end - begin <= grain || get_num_threads() == 1 || in_parallel_region()) {
    f(begin, end);
    return;
  }
  detail::parallel_run(begin, end, grain,
                       [](void* ctx, int64_t b, int64_t e) { (*static_cast<const F*>(ctx))(b, e); },
                       const_cast<F*>(&f));
}

}  // namespace ember
