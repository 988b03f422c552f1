#include "scheduler.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <random>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "fiber.h"

namespace ember::emu {
namespace detail {
namespace {

enum class Status : uint8_t { kRunnable, kAtBarrier, kAtWarp, kDone };

struct Thread {
  ThreadCoords coords;
  Fiber fiber;
  Status status = Status::kRunnable;
  bool started = false;
  const char* file = nullptr;  // call site of the synchronisation the thread waits at
  int line = 0;
  BarrierOp barrier_op = BarrierOp::kSync;
  int predicate = 0;
  int barrier_result = 0;
  WarpOp warp_op = WarpOp::kSyncwarp;
  unsigned mask = 0;
  uint64_t value = 0;
  int arg = 0;
  int width = 32;
  uint64_t warp_result = 0;
};

// Thrown inside a suspended fiber when its block is aborted, to unwind the fiber's stack.
struct FiberAbort {};

constexpr size_t kDefaultStack = EMBER_EMU_ASAN ? 256 * 1024 : 64 * 1024;

struct Settings {
  std::mutex mu;
  Schedule schedule;
  uint64_t generation = 1;  // bumped by set_schedule: random orders restart from the seed
  FiberBackend backend = FiberBackend::kAsm;
  size_t stack_bytes = kDefaultStack;
  std::unordered_map<const void*, size_t> smem_limits;
};

Settings& settings() {
  static Settings* s = [] {
    auto out = std::make_unique<Settings>();
    if (!asm_fibers_available()) out->backend = FiberBackend::kUcontext;
    if (const char* env = std::getenv("EMBER_EMU_SCHEDULE"); env && *env) {
      out->schedule = parse_schedule(env);
    }
    if (const char* env = std::getenv("EMBER_EMU_FIBER"); env && *env) {
      const std::string v = env;
      if (v == "ucontext") {
        out->backend = FiberBackend::kUcontext;
      } else if (v != "asm") {
        throw std::invalid_argument("EMBER_EMU_FIBER must be 'asm' or 'ucontext', got '" + v +
                                    "'");
      }
    }
    if (const char* env = std::getenv("EMBER_EMU_STACK_SIZE"); env && *env) {
      char* end = nullptr;
      const unsigned long long v = std::strtoull(env, &end, 10);
      if (*end != '\0' || v < 16384) {
        throw std::invalid_argument(
            std::string("EMBER_EMU_STACK_SIZE must be a byte count >= 16384, got '") + env + "'");
      }
      out->stack_bytes = v;
    }
    return out.release();
  }();
  return *s;
}

// Everything one OS thread needs to run launches: the fibers' stacks (kept across launches),
// the threads of the running block and the state of the running launch.
struct Runner {
  Fiber main;
  std::vector<std::unique_ptr<FiberStack>> stacks;
  size_t stack_bytes = 0;
  std::vector<Thread> threads;
  std::vector<unsigned> order;
  size_t pos = 0;  // index in `order` of the thread running in this pass
  unsigned nthreads = 0;
  Thread* cur = nullptr;

  bool active = false;
  const LaunchSite* site = nullptr;
  void (*body)(void*) = nullptr;
  void* ctx = nullptr;
  FiberBackend backend = FiberBackend::kAsm;
  bool aborting = false;
  std::exception_ptr thread_error;
  std::mt19937_64 rng;
  uint64_t rng_generation = 0;
};

// Reached through a constant-initialised pointer: a thread_local object with a constructor
// would cost a TLS init-guard call on every synchronisation.
thread_local Runner* tls_runner = nullptr;
thread_local std::unique_ptr<Runner> tls_runner_owner;

Runner& get_runner() {
  if (tls_runner == nullptr) {
    tls_runner_owner = std::make_unique<Runner>();
    tls_runner = tls_runner_owner.get();
  }
  return *tls_runner;
}

const char* barrier_name(BarrierOp op) {
  switch (op) {
    case BarrierOp::kSync: return "__syncthreads()";
    case BarrierOp::kCount: return "__syncthreads_count()";
    case BarrierOp::kAnd: return "__syncthreads_and()";
    case BarrierOp::kOr: return "__syncthreads_or()";
  }
  return "?";
}

const char* warp_name(WarpOp op) {
  switch (op) {
    case WarpOp::kSyncwarp: return "__syncwarp()";
    case WarpOp::kShflIdx: return "__shfl_sync()";
    case WarpOp::kShflUp: return "__shfl_up_sync()";
    case WarpOp::kShflDown: return "__shfl_down_sync()";
    case WarpOp::kShflXor: return "__shfl_xor_sync()";
    case WarpOp::kBallot: return "__ballot_sync()";
    case WarpOp::kAny: return "__any_sync()";
    case WarpOp::kAll: return "__all_sync()";
    case WarpOp::kReduceAdd: return "__reduce_add_sync()";
    case WarpOp::kReduceMinU:
    case WarpOp::kReduceMinI: return "__reduce_min_sync()";
    case WarpOp::kReduceMaxU:
    case WarpOp::kReduceMaxI: return "__reduce_max_sync()";
    case WarpOp::kReduceAnd: return "__reduce_and_sync()";
    case WarpOp::kReduceOr: return "__reduce_or_sync()";
    case WarpOp::kReduceXor: return "__reduce_xor_sync()";
    case WarpOp::kMatchAny: return "__match_any_sync()";
    case WarpOp::kMatchAll: return "__match_all_sync()";
  }
  return "?";
}

std::string hex(unsigned v) {
  std::ostringstream out;
  out << "0x" << std::hex << v;
  return out.str();
}

std::string site_of(const char* file, int line) {
  return std::string(file ? file : "?") + ":" + std::to_string(line);
}

std::string who(const Thread& t) {
  return "block " + format_dim(t.coords.block_idx) + " thread " + format_dim(t.coords.thread_idx);
}

// What a waiting thread waits at, e.g. "__syncthreads() at k.cu:12".
std::string waits_at(const Thread& t) {
  const char* name =
      t.status == Status::kAtBarrier ? barrier_name(t.barrier_op) : warp_name(t.warp_op);
  return std::string(name) + " at " + site_of(t.file, t.line);
}

[[noreturn]] void fail(const Runner& r, cudaError_t code, const std::string& what) {
  throw Error(code, "ember emulator: kernel '" + std::string(r.site->kernel) + "' (launched at " +
                        site_of(r.site->file, r.site->line) + "): " + what);
}

Runner& running(const char* what, const char* file, int line) {
  Runner& r = get_runner();
  if (!r.active || r.cur == nullptr) {
    throw Error(cudaErrorLaunchFailure, std::string("ember emulator: ") + what + " at " +
                                            site_of(file, line) + " called outside a kernel");
  }
  return r;
}

// The next runnable thread of this pass, which a thread that blocks or finishes switches to
// directly (one switch per thread and barrier instead of two through the scheduler); null when
// the pass is over or the block must stop, and control goes back to the scheduler.
Thread* next_in_pass(Runner& r) {
  if (r.aborting || r.thread_error) return nullptr;
  while (++r.pos < r.order.size()) {
    Thread& t = r.threads[r.order[r.pos]];
    if (t.status == Status::kRunnable) {
      r.cur = &t;
      current_coords = &t.coords;
      t.started = true;
      return &t;
    }
  }
  return nullptr;
}

void switch_away(Runner& r, Thread& t, bool finished) {
  Thread* next = next_in_pass(r);
  fiber_switch(t.fiber, next ? next->fiber : r.main, r.backend, finished);
}

void suspend(Runner& r, Thread& t) {
  switch_away(r, t, false);
  if (r.aborting) throw FiberAbort{};
}

void fiber_entry() {
  Runner& r = get_runner();
  // The first fiber ever started on this OS thread comes from the scheduler; later ones may
  // come from another fiber of the pass.
  fiber_started(r.main.stack_bottom == nullptr ? &r.main : nullptr);
  Thread& t = *r.cur;
  try {
    r.body(r.ctx);
  } catch (const FiberAbort&) {
  } catch (const Error&) {
    if (!r.thread_error) r.thread_error = std::current_exception();
  } catch (const std::exception& e) {
    if (!r.thread_error) {
      r.thread_error = std::make_exception_ptr(
          Error(cudaErrorLaunchFailure, "ember emulator: kernel '" + std::string(r.site->kernel) +
                                            "', " + who(t) + " threw: " + e.what()));
    }
  } catch (...) {
    if (!r.thread_error) {
      r.thread_error = std::make_exception_ptr(
          Error(cudaErrorLaunchFailure, "ember emulator: kernel '" + std::string(r.site->kernel) +
                                            "', " + who(t) + " threw a non-std exception"));
    }
  }
  t.status = Status::kDone;
  switch_away(r, t, true);
  std::abort();  // a finished fiber is never resumed
}

void resume(Runner& r, Thread& t) {
  r.cur = &t;
  current_coords = &t.coords;
  t.started = true;
  fiber_switch(r.main, t.fiber, r.backend, false);
  r.cur = nullptr;
  current_coords = nullptr;
}

// Unwinds every suspended fiber of the block, so that no stack is left half-used.
void abort_block(Runner& r) {
  r.aborting = true;
  for (unsigned i = 0; i < r.nthreads; ++i) {
    Thread& t = r.threads[i];
    if (t.started && t.status != Status::kDone) resume(r, t);
  }
  r.aborting = false;
}

[[noreturn]] void abort_and_fail(Runner& r, cudaError_t code, const std::string& what) {
  abort_block(r);
  fail(r, code, what);
}

// Lane read by a shuffle, following PTX's shfl.sync: segmask = 32 - width selects the
// segment, c = 0x1f clamps up/down/bfly/idx to the segment (0 for up). -1: own value.
int shuffle_source(WarpOp op, int lane, int b, int width) {
  const int segmask = 32 - width;
  const int clamp = op == WarpOp::kShflUp ? 0 : 0x1f;
  const int min_lane = lane & segmask;
  const int max_lane = min_lane | (clamp & ~segmask & 31);
  b &= 31;
  int j = lane;
  bool valid = true;
  switch (op) {
    case WarpOp::kShflUp: j = lane - b; valid = j >= max_lane; break;
    case WarpOp::kShflDown: j = lane + b; valid = j <= max_lane; break;
    case WarpOp::kShflXor: j = lane ^ b; valid = j <= max_lane; break;
    case WarpOp::kShflIdx: j = min_lane | (b & ~segmask & 31); valid = j <= max_lane; break;
    default: break;
  }
  return valid ? j : lane;
}

// The 32-bit reductions of __reduce_*_sync over the members' values.
uint32_t reduce_members(const Runner& r, unsigned w0, unsigned members, WarpOp op) {
  uint32_t acc = static_cast<uint32_t>(r.threads[w0 + __builtin_ctz(members)].value);
  for (unsigned m = members & (members - 1); m; m &= m - 1) {
    const auto v = static_cast<uint32_t>(r.threads[w0 + __builtin_ctz(m)].value);
    const auto si = static_cast<int32_t>(v), sa = static_cast<int32_t>(acc);
    switch (op) {
      case WarpOp::kReduceAdd: acc += v; break;
      case WarpOp::kReduceMinU: acc = std::min(acc, v); break;
      case WarpOp::kReduceMaxU: acc = std::max(acc, v); break;
      case WarpOp::kReduceMinI: acc = static_cast<uint32_t>(std::min(sa, si)); break;
      case WarpOp::kReduceMaxI: acc = static_cast<uint32_t>(std::max(sa, si)); break;
      case WarpOp::kReduceAnd: acc &= v; break;
      case WarpOp::kReduceOr: acc |= v; break;
      default: acc ^= v; break;
    }
  }
  return acc;
}

// Members whose value has the same bits as lane k's.
unsigned matching(const Runner& r, unsigned w0, unsigned members, unsigned k) {
  unsigned same = 0;
  for (unsigned m = members; m; m &= m - 1) {
    const unsigned j = __builtin_ctz(m);
    if (r.threads[w0 + j].value == r.threads[w0 + k].value) same |= 1u << j;
  }
  return same;
}

void complete_collective(Runner& r, unsigned w0, unsigned members) {
  const WarpOp op = r.threads[w0 + __builtin_ctz(members)].warp_op;
  unsigned ballot = 0;
  for (unsigned m = members; m; m &= m - 1) {
    const unsigned k = __builtin_ctz(m);
    if (r.threads[w0 + k].value != 0) ballot |= 1u << k;
  }
  const bool is_reduce = op >= WarpOp::kReduceAdd && op <= WarpOp::kReduceXor;
  const uint32_t reduced = is_reduce ? reduce_members(r, w0, members, op) : 0;
  for (unsigned m = members; m; m &= m - 1) {
    const int k = __builtin_ctz(m);
    Thread& t = r.threads[w0 + k];
    switch (op) {
      case WarpOp::kSyncwarp: t.warp_result = 0; break;
      case WarpOp::kBallot: t.warp_result = ballot; break;
      case WarpOp::kAny: t.warp_result = ballot != 0; break;
      case WarpOp::kAll: t.warp_result = ballot == members; break;
      case WarpOp::kMatchAny: t.warp_result = matching(r, w0, members, k); break;
      case WarpOp::kMatchAll:
        t.warp_result = matching(r, w0, members, k) == members ? members : 0;
        break;
      case WarpOp::kReduceAdd:
      case WarpOp::kReduceMinU:
      case WarpOp::kReduceMaxU:
      case WarpOp::kReduceMinI:
      case WarpOp::kReduceMaxI:
      case WarpOp::kReduceAnd:
      case WarpOp::kReduceOr:
      case WarpOp::kReduceXor: t.warp_result = reduced; break;
      default: {
        const int j = shuffle_source(op, k, t.arg, t.width);
        if (!((members >> j) & 1u)) {
          abort_and_fail(r, cudaErrorLaunchFailure,
                         who(t) + ": " + waits_at(t) + " reads lane " + std::to_string(j) +
                             ", which does not take part (mask " + hex(t.mask) +
                             "; lanes that exited or lie beyond the block do not count)");
        }
        t.warp_result = r.threads[w0 + j].value;
      }
    }
  }
  for (unsigned m = members; m; m &= m - 1) {
    r.threads[w0 + __builtin_ctz(m)].status = Status::kRunnable;
  }
}

// Completes every warp collective whose named, non-exited lanes have all arrived.
bool resolve_warps(Runner& r) {
  bool progress = false;
  for (unsigned w0 = 0; w0 < r.nthreads; w0 += 32) {
    const unsigned lanes = std::min(32u, r.nthreads - w0);
    unsigned live = 0, arrived = 0;
    for (unsigned l = 0; l < lanes; ++l) {
      const Status s = r.threads[w0 + l].status;
      if (s != Status::kDone) live |= 1u << l;
      if (s == Status::kAtWarp) arrived |= 1u << l;
    }
    for (unsigned pending = arrived; pending;) {
      const unsigned l = __builtin_ctz(pending);
      const Thread& t = r.threads[w0 + l];
      const unsigned need = t.mask & live;
      if (need & ~arrived) {
        pending &= ~(1u << l);
        continue;
      }
      for (unsigned m = need; m; m &= m - 1) {
        const Thread& u = r.threads[w0 + __builtin_ctz(m)];
        if (u.warp_op != t.warp_op || u.mask != t.mask || u.width != t.width) {
          abort_and_fail(r, cudaErrorLaunchFailure,
                         "mismatched warp collectives: " + who(t) + " is at " + waits_at(t) +
                             " (mask " + hex(t.mask) + ", width " + std::to_string(t.width) +
                             ") while " + who(u) + " is at " + waits_at(u) + " (mask " +
                             hex(u.mask) + ", width " + std::to_string(u.width) + ")");
        }
      }
      complete_collective(r, w0, need);
      pending &= ~need;
      arrived &= ~need;
      progress = true;
    }
  }
  return progress;
}

// Releases a __syncthreads that the whole block waits at; reports why it cannot be released
// otherwise. Returns false when every thread has finished.
bool resolve_barrier(Runner& r) {
  const Thread* at_barrier = nullptr;
  const Thread* at_warp = nullptr;
  const Thread* exited = nullptr;
  unsigned n_exited = 0;
  for (unsigned i = 0; i < r.nthreads; ++i) {
    const Thread& t = r.threads[i];
    if (t.status == Status::kAtBarrier && !at_barrier) at_barrier = &t;
    if (t.status == Status::kAtWarp && !at_warp) at_warp = &t;
    if (t.status == Status::kDone) {
      if (!exited) exited = &t;
      ++n_exited;
    }
  }
  if (at_warp) {
    const unsigned w0 = static_cast<unsigned>(at_warp - r.threads.data()) & ~31u;
    for (unsigned m = at_warp->mask; m; m &= m - 1) {
      const unsigned k = w0 + __builtin_ctz(m);
      if (k < r.nthreads && r.threads[k].status == Status::kAtBarrier) {
        abort_and_fail(r, cudaErrorLaunchFailure,
                       "deadlock: " + who(*at_warp) + " waits at " + waits_at(*at_warp) +
                           " (mask " + hex(at_warp->mask) + ") for lane " +
                           std::to_string(k - w0) + ", " + who(r.threads[k]) +
                           ", which waits at " + waits_at(r.threads[k]));
      }
    }
    abort_and_fail(r, cudaErrorLaunchFailure,
                   "deadlock: " + who(*at_warp) + " waits at " + waits_at(*at_warp));
  }
  if (!at_barrier) return false;
  if (exited) {
    abort_and_fail(r, cudaErrorLaunchFailure,
                   waits_at(*at_barrier) + " is not reached by every thread of block " +
                       format_dim(at_barrier->coords.block_idx) + ": " + std::to_string(n_exited) +
                       " of " + std::to_string(r.nthreads) + " threads exited before it, e.g. " +
                       who(*exited) + " (while " + who(*at_barrier) + " waits)");
  }
  int count = 0;
  for (unsigned i = 0; i < r.nthreads; ++i) {
    const Thread& t = r.threads[i];
    if (t.barrier_op != at_barrier->barrier_op || t.line != at_barrier->line ||
        std::strcmp(t.file, at_barrier->file) != 0) {
      abort_and_fail(r, cudaErrorLaunchFailure,
                     "threads of one block wait at different barriers: " + who(*at_barrier) +
                         " at " + waits_at(*at_barrier) + ", " + who(t) + " at " + waits_at(t));
    }
    count += t.predicate;
  }
  int result = 0;
  switch (at_barrier->barrier_op) {
    case BarrierOp::kSync: break;
    case BarrierOp::kCount: result = count; break;
    case BarrierOp::kAnd: result = count == static_cast<int>(r.nthreads); break;
    case BarrierOp::kOr: result = count != 0; break;
  }
  for (unsigned i = 0; i < r.nthreads; ++i) {
    r.threads[i].barrier_result = result;
    r.threads[i].status = Status::kRunnable;
  }
  return true;
}

void arrange(Runner& r, Order order, std::vector<unsigned>& v) {
  if (order == Order::kReverse) std::reverse(v.begin(), v.end());
  if (order == Order::kRandom) std::shuffle(v.begin(), v.end(), r.rng);
}

void run_block(Runner& r, Order order, uint3 block_idx, dim3 grid, dim3 block,
               unsigned char* smem, size_t smem_bytes) {
  for (unsigned i = 0; i < r.nthreads; ++i) {
    Thread& t = r.threads[i];
    t.coords = ThreadCoords{uint3{i % block.x, i / block.x % block.y, i / (block.x * block.y)},
                            block_idx, block, grid, smem};
    t.status = Status::kRunnable;
    t.started = false;
    fiber_prepare(t.fiber, r.backend, *r.stacks[i], &fiber_entry);
  }
  std::memset(smem, 0xFF, smem_bytes);  // unwritten shared memory reads as NaN
  r.order.resize(r.nthreads);
  for (unsigned i = 0; i < r.nthreads; ++i) r.order[i] = i;
  arrange(r, order, r.order);
  for (;;) {
    r.pos = static_cast<size_t>(-1);
    if (Thread* first = next_in_pass(r)) resume(r, *first);  // runs the pass's chain
    if (r.thread_error) {
      std::exception_ptr e = r.thread_error;
      r.thread_error = nullptr;
      abort_block(r);
      std::rethrow_exception(e);
    }
    if (!resolve_warps(r) && !resolve_barrier(r)) return;
    if (order == Order::kRandom) std::shuffle(r.order.begin(), r.order.end(), r.rng);
  }
}

struct AlignedBuffer {
  explicit AlignedBuffer(size_t bytes)
      : p(static_cast<unsigned char*>(::operator new(bytes, std::align_val_t{16}))) {}
  ~AlignedBuffer() { ::operator delete(p, std::align_val_t{16}); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  unsigned char* p;
};

void check_config(const LaunchSite& site, dim3 grid, dim3 block, size_t smem,
                  const void* kernel_key) {
  const unsigned b[3] = {block.x, block.y, block.z};
  const unsigned g[3] = {grid.x, grid.y, grid.z};
  const unsigned long long threads = 1ull * block.x * block.y * block.z;
  std::string why;
  for (int d = 0; d < 3 && why.empty(); ++d) {
    if (b[d] == 0 || b[d] > kMaxBlockDim[d]) {
      why = "block " + format_dim(block) + " exceeds the per-dimension limit " +
            format_dim(dim3(kMaxBlockDim[0], kMaxBlockDim[1], kMaxBlockDim[2]));
    } else if (g[d] == 0 || g[d] > kMaxGridDim[d]) {
      why = "grid " + format_dim(grid) + " exceeds the per-dimension limit " +
            format_dim(dim3(kMaxGridDim[0], kMaxGridDim[1], kMaxGridDim[2]));
    }
  }
  if (why.empty() && threads > kMaxThreadsPerBlock) {
    why = "block " + format_dim(block) + " has " + std::to_string(threads) +
          " threads, more than the limit of " + std::to_string(kMaxThreadsPerBlock);
  }
  cudaError_t code = cudaErrorInvalidConfiguration;
  const size_t limit = dynamic_smem_limit(kernel_key);
  if (why.empty() && smem > limit) {
    code = cudaErrorInvalidValue;
    why = "requests " + std::to_string(smem) + " bytes of dynamic shared memory, more than its " +
          "limit of " + std::to_string(limit) +
          " (raise it with cudaFuncSetAttribute(kernel, "
          "cudaFuncAttributeMaxDynamicSharedMemorySize, n), n <= " +
          std::to_string(kMaxDynamicSmemOptin) + ")";
  }
  if (!why.empty()) {
    throw Error(code, "ember emulator: launch of kernel '" + std::string(site.kernel) + "' at " +
                          site_of(site.file, site.line) + " failed: " + why);
  }
}

}  // namespace

std::string format_dim(dim3 d) {
  return "(" + std::to_string(d.x) + "," + std::to_string(d.y) + "," + std::to_string(d.z) + ")";
}

size_t dynamic_smem_limit(const void* kernel_key) {
  Settings& s = settings();
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.smem_limits.find(kernel_key);
  return it == s.smem_limits.end() ? kDefaultDynamicSmem : it->second;
}

void set_dynamic_smem_limit(const void* kernel_key, size_t bytes) {
  Settings& s = settings();
  std::lock_guard<std::mutex> lock(s.mu);
  s.smem_limits[kernel_key] = bytes;
}

const ThreadCoords& coords_outside_kernel() {
  throw Error(cudaErrorLaunchFailure,
              "ember emulator: threadIdx/blockIdx/blockDim/gridDim read outside a kernel");
}

int block_barrier(BarrierOp op, int predicate, const char* file, int line) {
  Runner& r = running(barrier_name(op), file, line);
  Thread& t = *r.cur;
  t.status = Status::kAtBarrier;
  t.barrier_op = op;
  t.predicate = predicate != 0;
  t.file = file;
  t.line = line;
  suspend(r, t);
  return t.barrier_result;
}

uint64_t warp_collective(WarpOp op, unsigned mask, uint64_t value, int arg, int width,
                         const char* file, int line) {
  Runner& r = running(warp_name(op), file, line);
  Thread& t = *r.cur;
  const unsigned lane = static_cast<unsigned>(&t - r.threads.data()) % 32;
  if (!((mask >> lane) & 1u)) {
    fail(r, cudaErrorLaunchFailure,
         who(t) + ": " + warp_name(op) + " at " + site_of(file, line) + ": the calling lane " +
             std::to_string(lane) + " is not in mask " + hex(mask));
  }
  if (width < 1 || width > 32 || (width & (width - 1)) != 0) {
    fail(r, cudaErrorLaunchFailure,
         who(t) + ": " + warp_name(op) + " at " + site_of(file, line) + ": width " +
             std::to_string(width) + " is not a power of 2 in [1, 32]");
  }
  t.status = Status::kAtWarp;
  t.warp_op = op;
  t.mask = mask;
  t.value = value;
  t.arg = arg;
  t.width = width;
  t.file = file;
  t.line = line;
  suspend(r, t);
  return t.warp_result;
}

unsigned active_mask() {
  Runner& r = running("__activemask()", __FILE__, __LINE__);
  const unsigned w0 = static_cast<unsigned>(r.cur - r.threads.data()) & ~31u;
  unsigned mask = 0;
  for (unsigned l = 0; l < 32 && w0 + l < r.nthreads; ++l) {
    if (r.threads[w0 + l].status != Status::kDone) mask |= 1u << l;
  }
  return mask;
}

void trap(const char* file, int line) {
  Runner& r = running("__trap()", file, line);
  fail(r, cudaErrorLaunchFailure, who(*r.cur) + ": __trap() at " + site_of(file, line));
}

void launch(const LaunchSite& site, dim3 grid, dim3 block, size_t dynamic_smem,
            const void* kernel_key, void (*body)(void*), void* ctx) {
  Runner& r = get_runner();
  if (r.active) {
    throw Error(cudaErrorNotSupported, "ember emulator: kernel '" + std::string(site.kernel) +
                                           "' launched at " + site_of(site.file, site.line) +
                                           " from inside a kernel (not emulated)");
  }
  check_config(site, grid, block, dynamic_smem, kernel_key);
  Schedule sched;
  uint64_t generation;
  size_t stack_bytes;
  {
    Settings& s = settings();
    std::lock_guard<std::mutex> lock(s.mu);
    sched = s.schedule;
    generation = s.generation;
    r.backend = s.backend;
    stack_bytes = s.stack_bytes;
  }
  if (r.rng_generation != generation) {
    r.rng.seed(sched.seed);
    r.rng_generation = generation;
  }
  r.nthreads = block.x * block.y * block.z;
  if (r.stack_bytes != stack_bytes) {
    r.stacks.clear();
    r.stack_bytes = stack_bytes;
  }
  while (r.stacks.size() < r.nthreads) r.stacks.push_back(std::make_unique<FiberStack>(stack_bytes));
  if (r.threads.size() < r.nthreads) r.threads.resize(r.nthreads);

  AlignedBuffer smem(dynamic_smem);
  const unsigned long long nblocks = 1ull * grid.x * grid.y * grid.z;
  std::vector<unsigned long long> block_order;
  if (sched.order == Order::kRandom) {
    block_order.resize(nblocks);
    for (unsigned long long b = 0; b < nblocks; ++b) block_order[b] = b;
    std::shuffle(block_order.begin(), block_order.end(), r.rng);
  }

  struct Active {
    Runner& r;
    ~Active() {
      r.active = false;
      r.cur = nullptr;
      current_coords = nullptr;
    }
  } active{r};
  r.active = true;
  r.site = &site;
  r.body = body;
  r.ctx = ctx;
  for (unsigned long long i = 0; i < nblocks; ++i) {
    const unsigned long long b = sched.order == Order::kForward   ? i
                                 : sched.order == Order::kReverse ? nblocks - 1 - i
                                                                  : block_order[i];
    const uint3 block_idx{static_cast<unsigned>(b % grid.x),
                          static_cast<unsigned>(b / grid.x % grid.y),
                          static_cast<unsigned>(b / (1ull * grid.x * grid.y))};
    run_block(r, sched.order, block_idx, grid, block, smem.p, dynamic_smem);
  }
}

}  // namespace detail

void set_schedule(Schedule schedule) {
  detail::Settings& s = detail::settings();
  std::lock_guard<std::mutex> lock(s.mu);
  s.schedule = schedule;
  ++s.generation;
}

Schedule schedule() {
  detail::Settings& s = detail::settings();
  std::lock_guard<std::mutex> lock(s.mu);
  return s.schedule;
}

Schedule parse_schedule(const std::string& text) {
  if (text == "forward") return Schedule{Order::kForward, 0};
  if (text == "reverse") return Schedule{Order::kReverse, 0};
  if (text.rfind("random:", 0) == 0 && text.size() > 7) {
    char* end = nullptr;
    const unsigned long long seed = std::strtoull(text.c_str() + 7, &end, 10);
    if (*end == '\0') return Schedule{Order::kRandom, seed};
  }
  throw std::invalid_argument("ember emulator: schedule must be forward, reverse or random:SEED, "
                              "got '" + text + "'");
}

std::string to_string(Schedule schedule) {
  switch (schedule.order) {
    case Order::kForward: return "forward";
    case Order::kReverse: return "reverse";
    case Order::kRandom: return "random:" + std::to_string(schedule.seed);
  }
  return "?";
}

void set_fiber_backend(FiberBackend backend) {
  if (backend == FiberBackend::kAsm && !asm_fibers_available()) {
    throw Error(cudaErrorNotSupported, "ember emulator: asm fibers are not available here");
  }
  detail::Settings& s = detail::settings();
  std::lock_guard<std::mutex> lock(s.mu);
  s.backend = backend;
}

FiberBackend fiber_backend() {
  detail::Settings& s = detail::settings();
  std::lock_guard<std::mutex> lock(s.mu);
  return s.backend;
}

void set_stack_size(size_t bytes) {
  if (bytes < 16384) throw std::invalid_argument("ember emulator: stack size below 16 KiB");
  detail::Settings& s = detail::settings();
  std::lock_guard<std::mutex> lock(s.mu);
  s.stack_bytes = bytes;
}

size_t stack_size() {
  detail::Settings& s = detail::settings();
  std::lock_guard<std::mutex> lock(s.mu);
  return s.stack_bytes;
}

}  // namespace ember::emu

long long clock64() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
