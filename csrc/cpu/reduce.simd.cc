// Reductions that fold the elements of a (outer, reduce, inner) block with an associative
// operation: sums (pairwise, with many independent lanes, like numpy, so float32 stays accurate
// and the loops vectorize without fast-math), products, min/max, all/any, norms, variance and
// logsumexp.
#include <algorithm>
#include <cmath>
#include <memory>

#include "cpu/reduce.h"
#include "cpu/reduce_common.h"
#include "ember/parallel.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {

// An Op folds map(x, center) with combine from identity() and turns the result into out_t with
// finalize(acc, center); center is a per-output value from an earlier pass (a mean, a max) and
// 0 for single-pass ops.
template <class T, class A = sum_acc_t<T>>
struct SumOp {
  using acc_t = A;
  using out_t = A;
  A identity() const { return A(0); }
  A map(T x, A) const { return A(x); }
  A combine(A a, A b) const { return a + b; }
  out_t finalize(A a, A) const { return a; }
};

template <class T>
struct MeanOp : SumOp<T> {
  T count;
  T finalize(T a, T) const { return a / count; }
};

template <class T>
struct ProdOp {
  using acc_t = sum_acc_t<T>;
  using out_t = acc_t;
  acc_t identity() const { return acc_t(1); }
  acc_t map(T x, acc_t) const { return acc_t(x); }
  acc_t combine(acc_t a, acc_t b) const { return a * b; }
  out_t finalize(acc_t a, acc_t) const { return a; }
};

// Extremes of map(x): x itself for max/min, |x| for the inf-norms.
template <class T, bool kMax, bool kAbs = false>
struct ExtremeOp {
  using acc_t = T;
  using out_t = T;
  T identity() const { return kAbs ? (kMax ? T(0) : highest_of<T>()) : (kMax ? lowest_of<T>() : highest_of<T>()); }
  T map(T x, T) const {
    if constexpr (kAbs) return std::abs(x);
    else return x;
  }
  T combine(T a, T b) const { return pick<kMax>(a, b); }
  T finalize(T a, T) const { return a; }
};

template <class T, bool kAll>
struct LogicalOp {
  using acc_t = bool;
  using out_t = bool;
  bool identity() const { return kAll; }
  bool map(T x, bool) const { return x != T(0); }
  bool combine(bool a, bool b) const { return kAll ? (a & b) : (a | b); }
  bool finalize(bool a, bool) const { return a; }
};

// Sums of f(x) for the norms, variance and logsumexp.
template <class T>
struct Norm1Op : SumOp<T> {
  T map(T x, T) const { return std::abs(x); }
};
template <class T>
struct Norm2Op : SumOp<T> {
  T map(T x, T) const { return x * x; }
  T finalize(T a, T) const { return std::sqrt(a); }
};
template <class T>
struct Norm0Op : SumOp<T> {
  T map(T x, T) const { return x != T(0) ? T(1) : T(0); }
};
template <class T>
struct NormPOp : SumOp<T> {
  T p;
  T map(T x, T) const { return std::pow(std::abs(x), p); }
  T finalize(T a, T) const { return std::pow(a, T(1) / p); }
};
template <class T>
struct VarOp : SumOp<T> {
  T divisor;
  T map(T x, T mean) const { return (x - mean) * (x - mean); }
  T finalize(T a, T) const { return a / divisor; }
};
template <class T>
struct StdOp : VarOp<T> {
  T finalize(T a, T) const { return std::sqrt(a / this->divisor); }
};
template <class T>
struct SumExpOp : SumOp<T> {
  T map(T x, T shift) const { return std::exp(x - shift); }
  T finalize(T a, T shift) const { return std::log(a) + shift; }
};

// Independent accumulators per row: enough to fill the vector registers of every ISA and hide
// the add latency, and they make a float32 sum's error grow with n / kLanes, not n.
template <class A>
constexpr int kLanes = std::max<int>(8, 256 / static_cast<int>(sizeof(A)));
// Rows longer than this are split in two and summed pairwise.
constexpr int64_t kPairwiseBlock = 4096;
// Rows longer than this are cut into chunks that threads share; the chunking does not depend on
// the number of threads, so neither does the result.
constexpr int64_t kRowChunk = 1 << 16;
// Rows of an outer-dim reduction folded sequentially before pairwise combination.
constexpr int64_t kLeafRows = 32;

template <class Op>
typename Op::acc_t combine_tree(const Op& op, typename Op::acc_t* v, int64_t n) {
  using A = typename Op::acc_t;
  if (n == 0) return op.identity();
  for (; n > 1; n = (n + 1) / 2) {
    for (int64_t i = 0; i < n / 2; ++i) v[i] = op.combine(v[2 * i], v[2 * i + 1]);
    if (n % 2) v[n / 2] = v[n - 1];
  }
  return A(v[0]);
}

// acc[0] = the pairwise fold of acc[0, 2W) by halves. A constant trip count per level lets the
// compiler keep the lanes in vector registers; a run-time loop over the levels spilled them.
template <int W, class Op, class A>
inline void fold_halves(const Op& op, A* acc) {
  if constexpr (W >= 1) {
    for (int j = 0; j < W; ++j) acc[j] = op.combine(acc[j], acc[j + W]);
    fold_halves<W / 2>(op, acc);
  }
}

// Folds x[0, n) in L independent lanes, then the lanes pairwise by halves (contiguous halves
// vectorize, where neighbour pairs cost a shuffle each), then the < L leftover elements.
// The lanes stay in registers: nothing indexes them with a run-time lane number.
template <int L, class Op, class T>
typename Op::acc_t reduce_lanes(const Op& op, const T* x, int64_t n, typename Op::acc_t c) {
  using A = typename Op::acc_t;
  static_assert((L & (L - 1)) == 0, "the lanes fold by halves");
  A acc[L];
  for (int j = 0; j < L; ++j) acc[j] = op.identity();
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int j = 0; j < L; ++j) acc[j] = op.combine(acc[j], op.map(x[i + j], c));
  fold_halves<L / 2>(op, acc);
  A rest = op.identity();
  for (; i < n; ++i) rest = op.combine(rest, op.map(x[i], c));
  return op.combine(acc[0], rest);
}

// Lanes of rows shorter than kShortRow<A>: fewer lanes cost less to set up and fold, which
// dominated short rows such as a (N, C, 14 * 14) sum over the last dim.
template <class A>
constexpr int kShortLanes = std::max<int>(8, 128 / static_cast<int>(sizeof(A)));
template <class A>
constexpr int64_t kShortRow = 8 * kLanes<A>;

template <class Op, class T>
typename Op::acc_t reduce_row(const Op& op, const T* x, int64_t n, typename Op::acc_t c) {
  using A = typename Op::acc_t;
  constexpr int L = kLanes<A>;
  if (n > kPairwiseBlock) {
    const int64_t half = (n / 2 + L - 1) / L * L;
    // Left half first (argument evaluation order is unspecified): reading memory forwards keeps
    // the hardware prefetcher streaming; GCC's right-to-left order halved the bandwidth.
    const A left = reduce_row(op, x, half, c);
    return op.combine(left, reduce_row(op, x + half, n - half, c));
  }
  if (n < kShortLanes<A>) {  // e.g. sum over the last dim of an (n, 3) tensor: no lanes to set up
    A acc = op.identity();
    for (int64_t i = 0; i < n; ++i) acc = op.combine(acc, op.map(x[i], c));
    return acc;
  }
  if (n < kShortRow<A>) return reduce_lanes<kShortLanes<A>>(op, x, n, c);
  return reduce_lanes<L>(op, x, n, c);
}

// Accumulators of one tile of columns when reducing an outer dim: 16 KiB, so whole rows of a
// (n, 4096) float32 matrix stream through in memory order, and the pairwise levels' buffers
// stay in L1/L2.
template <class A>
constexpr int64_t kTile = 16384 / sizeof(A);

// Folds rows [0, nrows) of w columns (row stride `stride`) into acc, pairwise over rows.
template <class Op, class T>
void reduce_columns(const Op& op, const T* x, int64_t nrows, int64_t stride, int64_t w,
                    const typename Op::acc_t* c, typename Op::acc_t* acc) {
  using A = typename Op::acc_t;
  if (nrows > kLeafRows) {
    const int64_t half = nrows / 2;
    reduce_columns(op, x, half, stride, w, c, acc);
    std::unique_ptr<A[]> rest(new A[w]);
    reduce_columns(op, x + half * stride, nrows - half, stride, w, c, rest.get());
    for (int64_t i = 0; i < w; ++i) acc[i] = op.combine(acc[i], rest[i]);
    return;
  }
  for (int64_t i = 0; i < w; ++i) acc[i] = op.identity();
  // Four rows per pass over acc, each column still folded row after row: a quarter of the
  // accumulator loads and stores.
  int64_t r = 0;
  for (; r + 4 <= nrows; r += 4) {
    const T* __restrict r0 = x + r * stride;
    const T* __restrict r1 = r0 + stride;
    const T* __restrict r2 = r1 + stride;
    const T* __restrict r3 = r2 + stride;
    A* __restrict a = acc;
    for (int64_t i = 0; i < w; ++i) {
      A v = op.combine(a[i], op.map(r0[i], c[i]));
      v = op.combine(v, op.map(r1[i], c[i]));
      v = op.combine(v, op.map(r2[i], c[i]));
      a[i] = op.combine(v, op.map(r3[i], c[i]));
    }
  }
  for (; r < nrows; ++r) {
    const T* row = x + r * stride;
    for (int64_t i = 0; i < w; ++i) acc[i] = op.combine(acc[i], op.map(row[i], c[i]));
  }
}

// Elements in a block of rows that a thread folds when the columns are too few to share out.
constexpr int64_t kRowBlock = 1 << 16;

// Folds the columns of every (R, W) block x[o] (contiguous rows), pairwise over rows, and hands
// column col of block o to store(o * W + col, acc, center): center (null, or one value per
// `span` neighbouring columns) is read at (o * W + col) / span.
template <class Op, class T, class Store>
void fold_columns(const Op& op, const T* x, const typename Op::acc_t* center, int64_t O,
                  int64_t R, int64_t W, int64_t span, const Store& store) {
  using A = typename Op::acc_t;
  if (W == 0) return;
  // Few columns and many rows (a (19600, 64) column sum): column tiles would be too narrow to
  // vectorize well, so threads take blocks of rows instead, and the blocks' results combine
  // pairwise. The blocks depend on the shape only, so the result does not depend on the threads.
  const int64_t block_rows = std::max<int64_t>(kLeafRows, kRowBlock / W);
  if (W <= kTile<A> / 4 && R >= 2 * block_rows) {
    const int64_t nblocks = (R + block_rows - 1) / block_rows;
    std::unique_ptr<A[]> partial(new A[O * nblocks * W]);
    const auto centers = [&](int64_t o, A* c) {
      for (int64_t i = 0; i < W; ++i) c[i] = center ? center[(o * W + i) / span] : A(0);
    };
    parallel_for(0, O * nblocks, 1, [&](int64_t b, int64_t e) {
      std::unique_ptr<A[]> c(new A[W]);
      for (int64_t t = b; t < e; ++t) {
        const int64_t o = t / nblocks, r0 = (t % nblocks) * block_rows;
        centers(o, c.get());
        reduce_columns(op, x + (o * R + r0) * W, std::min(block_rows, R - r0), W, W, c.get(),
                       partial.get() + t * W);
      }
    });
    std::unique_ptr<A[]> c(new A[W]);
    for (int64_t o = 0; o < O; ++o) {
      A* p = partial.get() + o * nblocks * W;
      for (int64_t n = nblocks; n > 1; n = (n + 1) / 2) {  // pairwise over blocks, whole rows
        for (int64_t j = 0; j < n / 2; ++j)
          for (int64_t i = 0; i < W; ++i)
            p[j * W + i] = op.combine(p[2 * j * W + i], p[(2 * j + 1) * W + i]);
        if (n % 2) std::copy(p + (n - 1) * W, p + n * W, p + n / 2 * W);
      }
      centers(o, c.get());
      for (int64_t i = 0; i < W; ++i) store(o * W + i, p[i], c[i]);
    }
    return;
  }
  // Each column is folded in the same order whatever the tile width, so the width may follow
  // the thread count (as many equal tiles as keep every thread busy) without changing the result.
  const int64_t threads = std::max<int64_t>(1, (get_num_threads() + O - 1) / O);
  const int64_t min_tiles = (W + kTile<A> - 1) / kTile<A>;
  const int64_t want = (min_tiles + threads - 1) / threads * threads;
  const int64_t even = ((W + want - 1) / want + 15) / 16 * 16;  // whole vectors
  const int64_t tile = std::min(kTile<A>, std::max<int64_t>(16, even));
  const int64_t ntiles = (W + tile - 1) / tile;
  const int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(R * tile, 1));
  parallel_for(0, O * ntiles, grain, [&](int64_t b, int64_t e) {
    std::unique_ptr<A[]> c(new A[tile]), acc(new A[tile]);
    for (int64_t t = b; t < e; ++t) {
      const int64_t o = t / ntiles, i0 = (t % ntiles) * tile;
      const int64_t w = std::min(tile, W - i0), first = o * W + i0;
      for (int64_t i = 0; i < w; ++i) c[i] = center ? center[(first + i) / span] : A(0);
      reduce_columns(op, x + o * R * W + i0, R, W, w, c.get(), acc.get());
      for (int64_t i = 0; i < w; ++i) store(first + i, acc[i], c[i]);
    }
  });
}

// The already mapped partial results of Op, combined without map: the second pass of a
// reduction with a tail.
template <class Op>
struct CombineOp {
  using acc_t = typename Op::acc_t;
  const Op& op;
  acc_t identity() const { return op.identity(); }
  acc_t map(acc_t a, acc_t) const { return a; }
  acc_t combine(acc_t a, acc_t b) const { return op.combine(a, b); }
};

// center: null, or one value per output.
template <class Op, class T>
void run(const Op& op, const T* x, typename Op::out_t* out, const typename Op::acc_t* center,
         ReduceShape s) {
  using A = typename Op::acc_t;
  const int64_t O = s.outer, R = s.reduce, I = s.inner, Q = s.tail;
  if (O * I == 0) return;
  if (Q != 1) {
    // (o, r, i, q): fold r first, as columns of the contiguous (R, I * Q) blocks (in memory
    // order, vectorized along q), into per-(o, i, q) partials; then each output's Q partials,
    // with lanes and pairwise like a row. Reading the rows of length Q directly instead would
    // pay a lane reduction per short row.
    std::unique_ptr<A[]> partial(new A[O * I * Q]);
    fold_columns(op, x, center, O, R, I * Q, std::max<int64_t>(Q, 1),
                 [&](int64_t k, A acc, A) { partial[k] = acc; });
    const CombineOp<Op> combine{op};
    parallel_for(0, O * I, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(Q, 1)),
                 [&](int64_t b, int64_t e) {
                   for (int64_t k = b; k < e; ++k) {
                     const A c = center ? center[k] : A(0);
                     out[k] = op.finalize(reduce_row(combine, partial.get() + k * Q, Q, c), c);
                   }
                 });
    return;
  }
  if (I == 1) {
    const int64_t nchunks = std::max<int64_t>(1, (R + kRowChunk - 1) / kRowChunk);
    if (nchunks == 1) {
      parallel_for(0, O, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(R, 1)),
                   [&](int64_t b, int64_t e) {
                     for (int64_t o = b; o < e; ++o) {
                       const A c = center ? center[o] : A(0);
                       out[o] = op.finalize(reduce_row(op, x + o * R, R, c), c);
                     }
                   });
      return;
    }
    std::unique_ptr<A[]> partial(new A[O * nchunks]);
    parallel_for(0, O * nchunks, 1, [&](int64_t b, int64_t e) {
      for (int64_t t = b; t < e; ++t) {
        const int64_t o = t / nchunks, k = t % nchunks;
        const int64_t begin = k * kRowChunk, n = std::min(kRowChunk, R - begin);
        partial[t] = reduce_row(op, x + o * R + begin, n, center ? center[o] : A(0));
      }
    });
    for (int64_t o = 0; o < O; ++o) {
      const A c = center ? center[o] : A(0);
      out[o] = op.finalize(combine_tree(op, partial.get() + o * nchunks, nchunks), c);
    }
    return;
  }
  fold_columns(op, x, center, O, R, I, 1,
               [&](int64_t k, A acc, A c) { out[k] = op.finalize(acc, c); });
}

template <class Op, class T>
void run(const Op& op, const void* x, void* out, const void* center, ReduceShape s) {
  run(op, static_cast<const T*>(x), static_cast<typename Op::out_t*>(out),
      static_cast<const typename Op::acc_t*>(center), s);
}

template <class T>
void floating_kernel(ReduceKind kind, const void* x, void* out, void* aux, ReduceShape s,
                     double param) {
  const T n = static_cast<T>(s.reduce * s.tail);
  switch (kind) {
    case ReduceKind::Mean: return run<MeanOp<T>, T>(MeanOp<T>{{}, n}, x, out, nullptr, s);
    case ReduceKind::Norm0: return run<Norm0Op<T>, T>({}, x, out, nullptr, s);
    case ReduceKind::Norm1: return run<Norm1Op<T>, T>({}, x, out, nullptr, s);
    case ReduceKind::Norm2: return run<Norm2Op<T>, T>({}, x, out, nullptr, s);
    case ReduceKind::NormP:
      return run<NormPOp<T>, T>(NormPOp<T>{{}, static_cast<T>(param)}, x, out, nullptr, s);
    case ReduceKind::NormInf: return run<ExtremeOp<T, true, true>, T>({}, x, out, nullptr, s);
    case ReduceKind::NormNegInf: return run<ExtremeOp<T, false, true>, T>({}, x, out, nullptr, s);
    case ReduceKind::Var:
    case ReduceKind::Std: {
      run<MeanOp<T>, T>(MeanOp<T>{{}, n}, x, aux, nullptr, s);
      const T divisor = std::max(T(0), n - static_cast<T>(param));
      if (kind == ReduceKind::Std) return run<StdOp<T>, T>(StdOp<T>{{{}, divisor}}, x, out, aux, s);
      return run<VarOp<T>, T>(VarOp<T>{{}, divisor}, x, out, aux, s);
    }
    case ReduceKind::LogSumExp: {
      run<ExtremeOp<T, true>, T>({}, x, aux, nullptr, s);
      // An infinite max would turn x - max into inf - inf; shifting by 0 gives the right +-inf.
      T* shift = static_cast<T*>(aux);
      for (int64_t i = 0, m = s.outer * s.inner; i < m; ++i)
        if (std::isinf(shift[i])) shift[i] = T(0);
      return run<SumExpOp<T>, T>({}, x, out, aux, s);
    }
    default: break;
  }
  throw Error("reduce: unsupported reduction for a floating dtype");
}

void reduce_kernel(ReduceKind kind, DType dtype, const void* x, void* out, void* aux,
                   ReduceShape s, double param) {
  switch (kind) {
    case ReduceKind::Sum:
      return EMBER_DISPATCH_ALL(dtype, "sum", [&] { run<SumOp<scalar_t>, scalar_t>({}, x, out, nullptr, s); });
    case ReduceKind::Prod:
      return EMBER_DISPATCH_ALL(dtype, "prod", [&] { run<ProdOp<scalar_t>, scalar_t>({}, x, out, nullptr, s); });
    case ReduceKind::Max:
      return EMBER_DISPATCH_ALL(dtype, "max", [&] {
        run<ExtremeOp<scalar_t, true>, scalar_t>({}, x, out, nullptr, s);
      });
    case ReduceKind::Min:
      return EMBER_DISPATCH_ALL(dtype, "min", [&] {
        run<ExtremeOp<scalar_t, false>, scalar_t>({}, x, out, nullptr, s);
      });
    case ReduceKind::All:
      return EMBER_DISPATCH_ALL(dtype, "all", [&] {
        run<LogicalOp<scalar_t, true>, scalar_t>({}, x, out, nullptr, s);
      });
    case ReduceKind::Any:
      return EMBER_DISPATCH_ALL(dtype, "any", [&] {
        run<LogicalOp<scalar_t, false>, scalar_t>({}, x, out, nullptr, s);
      });
    default:
      return EMBER_DISPATCH_FLOATING(dtype, "reduce", [&] {
        floating_kernel<scalar_t>(kind, x, out, aux, s, param);
      });
  }
}

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(reduce_stub, &EMBER_CPU_NS::reduce_kernel);

}  // namespace ember::cpu
