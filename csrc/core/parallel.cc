#include "ember/parallel.h"

#include <omp.h>

#include <exception>

#include "ember/error.h"

namespace ember {

int get_num_threads() { return omp_get_max_threads(); }

void set_num_threads(int n) {
  EMBER_CHECK(n >= 1, ValueError, "set_num_threads: expected a positive number of threads, got ", n);
  omp_set_num_threads(n);
}

bool in_parallel_region() { return omp_in_parallel() != 0; }

namespace detail {

void parallel_run(int64_t begin, int64_t end, int64_t grain,
                  void (*body)(void* ctx, int64_t b, int64_t e), void* ctx) {
  const int64_t n = end - begin;
  const int64_t chunks = (n + grain - 1) / grain;
  const int nthreads = static_cast<int>(std::min<int64_t>(get_num_threads(), chunks));
  std::exception_ptr error;
#pragma omp parallel num_threads(nthreads)
  {
    const int64_t nt = omp_get_num_threads(), tid = omp_get_thread_num();
    const int64_t per = (n + nt - 1) / nt;
    const int64_t b = begin + tid * per, e = std::min(end, b + per);
    if (b < e) {
      try {
        body(ctx, b, e);
      } catch (...) {
#pragma omp critical(ember_parallel_error)
        if (!error) error = std::current_exception();
      }
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace detail
}  // namespace ember
