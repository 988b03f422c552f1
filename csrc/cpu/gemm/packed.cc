// The BLIS-style driver: cache blocks around packed panels and the per-ISA micro-kernel.
//
// Buffers (T = float or double; mr, nr, kc, mc, nc from the ISA's GemmKernels):
//   ap: ceil(mc / mr) A micro-panels of mr x kc  (the A block, L3; one micro-panel in L1)
//   bp: ceil(nc / nr) B micro-panels of kc x nr  (the B block, L2)
// Loops, outermost first:
//   ic over M by mc   pc over K by kc -> pack the A block
//   jc over N by nc   -> pack the B block
//   ir over the A micro-panels x jr over the B micro-panels -> micro-kernel on one C tile
// With jr innermost, an A micro-panel stays in L1 while the B micro-panels stream from L2; A is
// packed once per (ic, pc) and B once per (ic, pc, jc), i.e. once when M <= mc.
// Threads split the M or the N loop (never K, so no two threads add into the same C tile).
// beta is applied in the first K slice, bias and activation after the last one, as each tile
// is written back.
//
// With auto_plan the shape picks the path: matrix-vector products skip the GEMM machinery
// (memory-bound, each element of A read once); a row-major A is read in place (the kernel only
// broadcasts from it, which works as well from its rows as from a packed panel, and packing it
// is a transpose), and so is a row-major B feeding few rows of C (packing it would cost as
// much as using it).
#include <algorithm>
#include <cstdlib>

#include "core/gemm_epilogue.h"
#include "cpu/gemm/gemm.h"
#include "cpu/gemm/microkernel.h"
#include "cpu/gemm/pack.h"
#include "ember/error.h"
#include "ember/parallel.h"

namespace ember::cpu {

EMBER_DEFINE_DISPATCH(gemm_kernels_f32_fn, gemm_kernels_f32_stub);
EMBER_DEFINE_DISPATCH(gemm_kernels_f64_fn, gemm_kernels_f64_stub);

namespace {

template <class T> const GemmKernels<T>& kernels();
template <> const GemmKernels<float>& kernels<float>() { return *gemm_kernels_f32_stub(); }
template <> const GemmKernels<double>& kernels<double>() { return *gemm_kernels_f64_stub(); }

// Below this many rows of C, a row-major B is used in place instead of packed.
constexpr int64_t kDirectBMaxRows = 256;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Blocks of nearly equal size (a multiple of `multiple`) covering `total`, none over `block`
// when it is a multiple: K = 520 with kc = 512 gives two slices of 260, not 512 + 8.
int64_t balanced_block(int64_t total, int64_t block, int64_t multiple) {
  const int64_t size = ceil_div(total, ceil_div(total, block));
  return ceil_div(size, multiple) * multiple;
}

// Packing buffers, kept per calling thread between calls: allocating (and faulting in) a few
// MiB on every call would cost more than a small GEMM. 64-byte aligned for the vector loads.
void* workspace(size_t bytes) {
  struct Buffer {
    void* data = nullptr;
    size_t bytes = 0;
    ~Buffer() { std::free(data); }
  };
  thread_local Buffer buf;
  if (bytes > buf.bytes) {
    std::free(buf.data);
    buf.bytes = ceil_div(static_cast<int64_t>(bytes), 4096) * 4096;
    buf.data = std::aligned_alloc(64, buf.bytes);
    EMBER_CHECK(buf.data != nullptr, RuntimeError, "gemm: out of memory for a ", buf.bytes,
                "-byte packing buffer");
  }
  return buf.data;
}

// C = act(beta * C + bias): what a product with K = 0 leaves.
template <class T>
void scale_only(const GemmArgs<T>& g) {
  for (int64_t i = 0; i < g.m; ++i)
    for (int64_t j = 0; j < g.n; ++j) {
      T* c = g.c + i * g.ldc + j;
      *c = baseline::finish(T(0), c, g.alpha, g.beta, g.epilogue, i, j);
    }
}

// One row or one column of C: y = M' x with M' = op(A) (N == 1) or op(B)^T (M == 1).
template <class T>
void gemv_path(const GemmArgs<T>& g, const GemmKernels<T>& kern) {
  const bool column = g.n == 1;
  const int64_t len = column ? g.m : g.n;
  T* x = static_cast<T*>(workspace((g.k + len) * sizeof(T)));
  T* y = x + g.k;
  for (int64_t p = 0; p < g.k; ++p)
    x[p] = column ? (g.trans_b ? g.b[p] : g.b[p * g.ldb]) : (g.trans_a ? g.a[p * g.lda] : g.a[p]);
  const bool rows_contiguous = column ? !g.trans_a : g.trans_b;
  const T* mat = column ? g.a : g.b;
  const int64_t ld = column ? g.lda : g.ldb;
  // Each thread takes a contiguous run of outputs, in chunks of 64 (whole vector strips), and
  // finishes its own elements of C while they are still in its cache.
  constexpr int64_t kChunk = 64;
  const int64_t chunks = ceil_div(len, kChunk);
  const int64_t grain = gemm_threads(len, 1, g.k) > 1 ? 1 : chunks;
  parallel_for(0, chunks, grain, [&](int64_t c0, int64_t c1) {
    const int64_t q0 = c0 * kChunk, q1 = std::min(len, c1 * kChunk);
    kern.gemv(rows_contiguous, q1 - q0, g.k, mat + (rows_contiguous ? q0 * ld : q0), ld, x, y + q0);
    for (int64_t q = q0; q < q1; ++q) {
      const int64_t i = column ? q : 0, j = column ? 0 : q;
      T* c = g.c + i * g.ldc + j;
      *c = baseline::finish(y[q], c, g.alpha, g.beta, g.epilogue, i, j);
    }
  });
}

// The part of the product that writes rows (split_m) or columns [begin, end) of C.
template <class T>
GemmArgs<T> sub_problem(const GemmArgs<T>& g, bool split_m, int64_t begin, int64_t end) {
  GemmArgs<T> s = g;
  if (split_m) {
    s.m = end - begin;
    s.a += g.trans_a ? begin : begin * g.lda;
    s.c += begin * g.ldc;
    if (g.epilogue.bias_kind == BiasKind::Column) s.epilogue.bias += begin;
  } else {
    s.n = end - begin;
    s.b += g.trans_b ? begin * g.ldb : begin;
    s.c += begin;
    if (g.epilogue.bias_kind == BiasKind::Row) s.epilogue.bias += begin;
  }
  return s;
}

// The blocked loops on one thread (see the top of the file).
template <class T>
void packed_block(const GemmArgs<T>& g, const GemmKernels<T>& kern, bool in_place_a,
                  bool in_place_b) {
  const int64_t mr = kern.mr, nr = kern.nr;
  const int64_t kc = balanced_block(g.k, kern.kc, 1);
  const int64_t mc = balanced_block(g.m, kern.mc, mr);
  const int64_t nc = balanced_block(g.n, kern.nc, nr);
  T* const ap = static_cast<T*>(workspace((mc + nc) * kc * sizeof(T)));
  T* const bp = ap + mc * kc;
  const Epilogue<T>& ep = g.epilogue;

  for (int64_t ic = 0; ic < g.m; ic += mc) {
    const int64_t m_blk = std::min(mc, g.m - ic), a_panels = ceil_div(m_blk, mr);
    for (int64_t pc = 0; pc < g.k; pc += kc) {
      const int64_t k_blk = std::min(kc, g.k - pc);
      const bool first = pc == 0, last = pc + k_blk == g.k;
      for (int64_t q = 0; q < a_panels; ++q) {
        const int64_t m_valid = std::min(mr, m_blk - q * mr);
        if (!in_place_a || m_valid < mr)  // in place: only the ragged last panel is padded
          pack_a_panel(g, ic + q * mr, pc, m_valid, k_blk, kern.mr, ap + q * mr * k_blk);
      }

      for (int64_t jc = 0; jc < g.n; jc += nc) {
        const int64_t n_blk = std::min(nc, g.n - jc), b_panels = ceil_div(n_blk, nr);
        for (int64_t q = 0; q < b_panels; ++q) {
          const int64_t n_valid = std::min(nr, n_blk - q * nr);
          if (!in_place_b || n_valid < nr)  // in place: only the ragged last panel is padded
            pack_b_panel(g, pc, jc + q * nr, k_blk, n_valid, kern.nr, bp + q * nr * k_blk);
        }
        for (int64_t ir = 0; ir < a_panels; ++ir)
          for (int64_t jr = 0; jr < b_panels; ++jr) {
            const int64_t i = ic + ir * mr, j = jc + jr * nr;
            const int64_t m_valid = std::min(mr, g.m - i), n_valid = std::min(nr, g.n - j);
            const TileWriteback<T> wb{
                g.alpha, first ? g.beta : T(1),
                last && ep.bias_kind == BiasKind::Row ? ep.bias + j : nullptr,
                last && ep.bias_kind == BiasKind::Column ? ep.bias + i : nullptr,
                last ? ep.activation : Activation::None};
            T* const c = g.c + i * g.ldc + j;
            const bool a_whole = in_place_a && m_valid == mr;
            const T* const a_panel = a_whole ? g.a + i * g.lda + pc : ap + ir * mr * k_blk;
            const int64_t rsa = a_whole ? g.lda : 1, csa = a_whole ? 1 : mr;
            if (in_place_b && n_valid == nr)
              kern.tile_in_place(k_blk, a_panel, rsa, csa, g.b + pc * g.ldb + j, g.ldb, c, g.ldc,
                                 m_valid, n_valid, wb);
            else
              kern.tile(k_blk, a_panel, rsa, csa, bp + jr * nr * k_blk, nr, c, g.ldc, m_valid,
                        n_valid, wb);
          }
      }
    }
  }
}

}  // namespace

int gemm_threads(int64_t m, int64_t n, int64_t k) {
  // ~128k multiply-adds (a few microseconds on one core) per thread at least.
  constexpr int64_t kWorkPerThread = 1 << 17;
  if (in_parallel_region()) return 1;
  const int64_t work = m * n * k / kWorkPerThread;
  return static_cast<int>(std::clamp<int64_t>(work, 1, get_num_threads()));
}

template <class T>
void gemm_packed(const GemmArgs<T>& g, bool auto_plan) {
  if (g.m == 0 || g.n == 0) return;
  if (g.k == 0) return scale_only(g);
  const GemmKernels<T>& kern = kernels<T>();
  if (auto_plan && (g.m == 1 || g.n == 1)) return gemv_path(g, kern);
  // With auto_plan, row-major operands are read in place where that pays: A always (its rows
  // serve the broadcasts as well as a packed panel does), B for few rows of C.
  const bool in_place_a = auto_plan && !g.trans_a;
  const bool in_place_b = auto_plan && !g.trans_b && g.m <= kDirectBMaxRows;

  // Each thread takes a share of M or of N, in whole tiles, and runs the blocked loops on it
  // alone: one fork and one join, no barrier between the blocks (threads that meet at every
  // block stall badly as soon as another process takes a core). The price is that each thread
  // packs the operand it shares, so split the side whose packing that duplicates less: a
  // thread splitting M packs all of B and its share of A; splitting N, all of A and its share
  // of B (an operand read in place costs nothing).
  const int nthreads = gemm_threads(g.m, g.n, g.k);
  const int64_t m_tiles = ceil_div(g.m, kern.mr), n_tiles = ceil_div(g.n, kern.nr);
  const int64_t pack_a = in_place_a ? 0 : g.m, pack_b = in_place_b ? 0 : g.n;
  const int64_t dup_if_m = pack_b * nthreads + pack_a, dup_if_n = pack_a * nthreads + pack_b;
  bool split_m = dup_if_m != dup_if_n ? dup_if_m < dup_if_n : m_tiles >= n_tiles;
  if ((split_m ? m_tiles : n_tiles) < nthreads) split_m = !split_m;
  const int64_t step = split_m ? kern.mr : kern.nr;
  const int64_t tiles = split_m ? m_tiles : n_tiles;
  parallel_for(0, nthreads, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t begin = tiles * t / nthreads * step;
      const int64_t end = std::min(split_m ? g.m : g.n, tiles * (t + 1) / nthreads * step);
      if (begin < end)
        packed_block(sub_problem(g, split_m, begin, end), kern, in_place_a, in_place_b);
    }
  });
}

template void gemm_packed<float>(const GemmArgs<float>&, bool);
template void gemm_packed<double>(const GemmArgs<double>&, bool);

}  // namespace ember::cpu
