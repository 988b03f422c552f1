// The reduction machinery shared by reduce.cu and reduce_index.cu: two kernels over a contiguous
// (outer, reduce, inner) block, both templated on a reduction Op, and the host driver that picks
// one and splits long reductions into deterministic passes. A second reduced dim innermost
// (ReduceShape::tail, e.g. a (N, C, H, W) -> (C,) sum) is read in place, in two passes.
//
// An Op has
//   acc_t                                    the accumulator (any trivially copyable type)
//   acc_t identity() const
//   acc_t map(T x, T center, int64_t r) const  x at position r of the reduced dim
//   acc_t combine(acc_t a, acc_t b) const      associative
//   auto finalize(acc_t a, T center) const     what the Writer stores
// center is a per-output value from an earlier pass (a mean, a max) or 0.
//
// Determinism: every output folds its elements in an order fixed by the shape alone (per-thread
// strided runs, then a fixed shuffle/shared-memory tree, then, for long reductions, a second
// pass over per-chunk partials in chunk order; with a tail, the reduce dim first, then the tail);
// no atomics, so results never change run to run.
#pragma once

#include <algorithm>
#include <cstring>

#include "cuda/launch.h"
#include "cuda/reduce.h"
#include "ember/host_device.h"

namespace ember::cuda::reduce_impl {

constexpr int kWarp = 32;
constexpr unsigned kFullMask = 0xffffffffu;
constexpr int kThreads = 256;
// Elements of a row one block folds before the row is split across blocks (reduce_rows).
constexpr int64_t kRowChunk = 4096;
// Rows of the reduced dim one block folds per column before splitting (reduce_columns).
constexpr int64_t kColumnChunk = 1024;
// Bound on the chunks per output, so a second pass always fits in one chunk.
constexpr int64_t kMaxSplits = 1024;
// Grid-stride loops keep grids bounded (the emulator runs blocks one after another).
constexpr int64_t kMaxBlocks = 1024;
// Columns per block in reduce_columns: one warp across the contiguous inner dim.
constexpr int kColumnsPerBlock = kWarp;
constexpr int kMaxRowThreads = 8;

EMBER_HOST_DEVICE constexpr int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

inline int pow2_at_least(int64_t n, int lo, int hi) {
  int p = lo;
  while (p < hi && p < n) p *= 2;
  return p;
}

// A value of any trivially copyable type, shuffled 32 bits at a time.
template <class A>
__device__ A shfl_down(const A& v, int delta) {
  constexpr int kWords = static_cast<int>((sizeof(A) + 3) / 4);
  unsigned words[kWords] = {};
  ::memcpy(words, &v, sizeof(A));
#pragma unroll
  for (int k = 0; k < kWords; ++k) words[k] = __shfl_down_sync(kFullMask, words[k], delta);
  A out;
  ::memcpy(&out, words, sizeof(A));
  return out;
}

// The fold of a whole warp, valid in lane 0.
template <class Op, class A>
__device__ A warp_reduce(const Op& op, A a) {
#pragma unroll
  for (int delta = kWarp / 2; delta > 0; delta /= 2) a = op.combine(a, shfl_down(a, delta));
  return a;
}

// The per-output values of an earlier pass (a mean, a max) as a pass reads them: output k of a
// pass reads at[k], or at[k / span] (kSpan) where its outputs are `span` times finer than the
// final ones (the first pass of a reduction with a tail). A compile-time choice: the 64-bit
// division would cost every other kernel registers.
template <class T, bool kSpan = false>
struct Centers {
  const T* at = nullptr;  // null: every center is 0
  int64_t span = 1;
  __device__ T operator[](int64_t k) const {
    if (!at) return T(0);
    return kSpan ? at[k / span] : at[k];
  }
};

template <bool kMap, class Op, class In, class T>
__device__ typename Op::acc_t load(const Op& op, const In* x, int64_t at, T center, int64_t r) {
  if constexpr (kMap) return op.map(x[at], center, r);
  else return x[at];
}

// Reduces the contiguous rows of x: blockDim.x threads (a multiple of 32) per row, blockDim.y
// rows per block; blockIdx.y is the chunk of each row this block folds.
//   x:       (rows, n) In; T elements (kMap) or the acc_t partials of an earlier pass
//   center:  Centers of (rows / center.span,) T, or null
//   partial: (rows, gridDim.y) acc_t, written when !kFinal; otherwise write(row, finalize(...))
//   smem:    (blockDim.y, blockDim.x / 32) acc_t
template <class Op, class T, class In, class Writer, class Center, bool kMap, bool kFinal>
__global__ void reduce_rows(Op op, Writer write, const In* x, Center center,
                            typename Op::acc_t* partial, int64_t rows, int64_t n, int64_t chunk) {
  using A = typename Op::acc_t;
  EMBER_DYNAMIC_SHARED(A, smem);
  const int warps = static_cast<int>(blockDim.x) / kWarp;
  const int lane = static_cast<int>(threadIdx.x) % kWarp;
  const int warp = static_cast<int>(threadIdx.x) / kWarp;
  const int64_t begin = static_cast<int64_t>(blockIdx.y) * chunk;
  const int64_t end = std::min(n, begin + chunk);
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.y;
  // The loop bound is the same for every thread of the block, so all of them reach each barrier.
  for (int64_t first = static_cast<int64_t>(blockIdx.x) * blockDim.y; first < rows; first += step) {
    const int64_t row = first + threadIdx.y;
    const bool valid = row < rows;
    const T c = valid ? center[row] : T(0);
    A acc = op.identity();
    if (valid)
      for (int64_t r = begin + threadIdx.x; r < end; r += blockDim.x)
        acc = op.combine(acc, load<kMap>(op, x, row * n + r, c, r));
    acc = warp_reduce(op, acc);
    if (warps > 1) {
      A* mine = smem + threadIdx.y * warps;
      if (lane == 0) mine[warp] = acc;
      __syncthreads();
      if (warp == 0) acc = warp_reduce(op, lane < warps ? mine[lane] : op.identity());
      __syncthreads();  // smem is rewritten by the next iteration
    }
    if (valid && threadIdx.x == 0) {
      if constexpr (kFinal) write(row, op.finalize(acc, c));
      else partial[row * gridDim.y + blockIdx.y] = acc;
    }
  }
}

// Reduces a dim above a contiguous inner dim: threadIdx.x walks 32 neighbouring columns
// (coalesced), the blockDim.y rows of threads (a power of 2) share the reduced rows of a
// chunk, and a shared-memory tree combines them; blockIdx.y is the chunk.
//   x:       (outer, n, inner) In; T elements (kMap) or acc_t partials of an earlier pass
//   center:  Centers of (outer * inner / center.span,) T, or null
//   partial: (outer, gridDim.y, inner) acc_t, written when !kFinal
//   smem:    (blockDim.y, blockDim.x) acc_t
template <class Op, class T, class In, class Writer, class Center, bool kMap, bool kFinal>
__global__ void reduce_columns(Op op, Writer write, const In* x, Center center,
                               typename Op::acc_t* partial, int64_t outer, int64_t n,
                               int64_t inner, int64_t chunk) {
  using A = typename Op::acc_t;
  EMBER_DYNAMIC_SHARED(A, smem);
  const int64_t tiles_per_outer = ceil_div(inner, blockDim.x);
  const int64_t tiles = outer * tiles_per_outer;
  const int64_t begin = static_cast<int64_t>(blockIdx.y) * chunk;
  const int64_t end = std::min(n, begin + chunk);
  A* mine = smem + threadIdx.y * blockDim.x + threadIdx.x;
  for (int64_t tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    const int64_t o = tile / tiles_per_outer;
    const int64_t i = (tile % tiles_per_outer) * blockDim.x + threadIdx.x;
    const bool valid = i < inner;
    const T c = valid ? center[o * inner + i] : T(0);
    A acc = op.identity();
    if (valid)
      for (int64_t r = begin + threadIdx.y; r < end; r += blockDim.y)
        acc = op.combine(acc, load<kMap>(op, x, (o * n + r) * inner + i, c, r));
    *mine = acc;
    __syncthreads();
    for (unsigned half = blockDim.y / 2; half > 0; half /= 2) {
      if (threadIdx.y < half) *mine = op.combine(*mine, mine[half * blockDim.x]);
      __syncthreads();
    }
    if (valid && threadIdx.y == 0) {
      if constexpr (kFinal) write(o * inner + i, op.finalize(*mine, c));
      else partial[(o * gridDim.y + blockIdx.y) * inner + i] = *mine;
    }
    __syncthreads();  // smem is rewritten by the next tile
  }
}

// Device memory for the partials of a split reduction, from the caching allocator.
class Scratch {
 public:
  explicit Scratch(size_t nbytes);
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  void* get() const { return ptr_; }

 private:
  void* ptr_;
  size_t nbytes_;
  int device_;
};

template <class Op, class T, class In, class Writer, class Center, bool kMap, bool kFinal>
void launch_pass(const Op& op, const Writer& write, const In* x, const Center& center,
                 typename Op::acc_t* partial, ReduceShape s, int64_t chunk, int64_t splits) {
  using A = typename Op::acc_t;
  const int64_t O = s.outer, R = s.reduce, I = s.inner;
  const int64_t per_chunk = std::min(R, chunk);
  if (I == 1) {
    const int bx = pow2_at_least(per_chunk, kWarp, kThreads);
    const dim3 block(bx, kThreads / bx);
    const dim3 grid(static_cast<unsigned>(std::min(ceil_div(O, block.y), kMaxBlocks)),
                    static_cast<unsigned>(splits));
    EMBER_LAUNCH((reduce_rows<Op, T, In, Writer, Center, kMap, kFinal>), grid, block,
                 block.y * (bx / kWarp) * sizeof(A), nullptr, op, write, x, center, partial, O, R,
                 chunk);
  } else {
    const dim3 block(kColumnsPerBlock, pow2_at_least(per_chunk, 1, kMaxRowThreads));
    const dim3 grid(
        static_cast<unsigned>(std::min(O * ceil_div(I, kColumnsPerBlock), kMaxBlocks)),
        static_cast<unsigned>(splits));
    EMBER_LAUNCH((reduce_columns<Op, T, In, Writer, Center, kMap, kFinal>), grid, block,
                 block.x * block.y * sizeof(A), nullptr, op, write, x, center, partial, O, R, I,
                 chunk);
  }
}

// The partials of an output fit in one chunk, so an (outer, reduce, inner) pass splits once.
static_assert(kMaxSplits <= kRowChunk && kMaxSplits <= kColumnChunk);

// One pass over x as an (outer, reduce, inner) block (s.tail ignored); a reduction longer than
// one chunk writes per-chunk partials (chunks fixed by the shape) and reduces those in a second
// pass.
template <class Op, class T, bool kMap, class In, class Writer, class Center>
void run_pass(const Op& op, const Writer& write, const In* x, const Center& center,
              ReduceShape s) {
  using A = typename Op::acc_t;
  const int64_t O = s.outer, R = s.reduce, I = s.inner;
  if (O * I == 0) return;
  const int64_t chunk = std::max(I == 1 ? kRowChunk : kColumnChunk, ceil_div(R, kMaxSplits));
  const int64_t splits = std::max<int64_t>(1, ceil_div(R, chunk));
  if (splits == 1) {
    launch_pass<Op, T, In, Writer, Center, kMap, true>(op, write, x, center, nullptr, s, chunk, 1);
    return;
  }
  Scratch scratch(static_cast<size_t>(O * splits * I) * sizeof(A));
  A* partial = static_cast<A*>(scratch.get());
  launch_pass<Op, T, In, Writer, Center, kMap, false>(op, write, x, center, partial, s, chunk,
                                                      splits);
  run_pass<Op, T, false>(op, write, static_cast<const A*>(partial), center,
                         ReduceShape{O, splits, I});
}

// Stores finalized values of type V.
template <class V>
struct Store {
  V* out;
  __device__ void operator()(int64_t i, V v) const { out[i] = v; }
};

// Op with its accumulator handed on unfinished: the first pass of a reduction with a tail.
template <class Op>
struct Unfinished {
  using acc_t = typename Op::acc_t;
  Op op;
  __device__ acc_t identity() const { return op.identity(); }
  template <class T>
  __device__ acc_t map(T x, T center, int64_t r) const { return op.map(x, center, r); }
  __device__ acc_t combine(acc_t a, acc_t b) const { return op.combine(a, b); }
  template <class T>
  __device__ acc_t finalize(acc_t a, T) const { return a; }
};

// Reduces x (T elements) with op, handing each output's finalized value to write(index, value);
// center: null, or one T per output. With a tail (element (o, r, i, q) at
// x[((o * R + r) * I + i) * Q + q], output o * I + i), the first pass folds r as the columns of
// the contiguous (R, I * Q) blocks (coalesced) into (O, I * Q) partials, the second each output's
// Q partials as a row: no transposing copy, and a fixed order. op.map's position is then the
// position along r, so index-tracking ops (ArgOp) take tail == 1.
template <class Op, class T, class Writer>
void run(const Op& op, const Writer& write, const void* x, const void* center, ReduceShape s) {
  const T* in = static_cast<const T*>(x);
  const Centers<T> centers{static_cast<const T*>(center)};
  const int64_t O = s.outer, R = s.reduce, I = s.inner, Q = s.tail;
  if (Q == 1) return run_pass<Op, T, true>(op, write, in, centers, s);
  if (O * I == 0) return;
  using A = typename Op::acc_t;
  Scratch scratch(static_cast<size_t>(O * I * Q) * sizeof(A));
  A* partial = static_cast<A*>(scratch.get());
  run_pass<Unfinished<Op>, T, true>(Unfinished<Op>{op}, Store<A>{partial}, in,
                                    Centers<T, true>{centers.at, std::max<int64_t>(Q, 1)},
                                    ReduceShape{O, R, I * Q});
  run_pass<Op, T, false>(op, write, static_cast<const A*>(partial), centers,
                         ReduceShape{O * I, Q, 1});
}

}  // namespace ember::cuda::reduce_impl
