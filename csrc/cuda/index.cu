// Indexing kernels, one element per thread in grid-stride loops.
//   move_rows: dense (rows, block numel) contiguous <-> strided rows: element j of row r at
//              strided[row_offsets[r] + offset of j in the block] (elements of Word)
//   add_rows: the same layout; target s (block.rows of them) gets the dense rows of its segment
//             (dense_rows[segment_starts[s] .. segment_starts[s + 1])) added, in order
//   masked_fill_strided: TensorIter operands (self Word, mask bool, value Word broadcast)
//   nonzero: t (n contiguous elements of T) -> counts (chunks int64) -> out (count, ndim int64)
#include <algorithm>
#include <utility>
#include <vector>

#include "cuda/device.h"
#include "cuda/index.h"
#include "cuda/launch.h"
#include "cuda/offset_calculator.h"
#include "ember/error.h"

namespace ember::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int64_t kMaxBlocks = 4096;

// A shape and its strides (elements), innermost first, in kernel parameter space.
struct Layout {
  int ndim = 0;
  int64_t sizes[TensorIter::kMaxDims];
  int64_t strides[TensorIter::kMaxDims];

  Layout(const Shape& s, const Shape& st, const char* op) {
    EMBER_CHECK(s.size() <= static_cast<size_t>(TensorIter::kMaxDims), RuntimeError, op,
                ": at most ", TensorIter::kMaxDims, " dims on CUDA, got ", s.size());
    ndim = static_cast<int>(s.size());
    for (int d = 0; d < ndim; ++d) {
      sizes[d] = s[ndim - 1 - d];
      strides[d] = st.empty() ? 0 : st[ndim - 1 - d];
    }
  }
  __device__ int64_t offset(int64_t j) const {
    int64_t o = 0;
    for (int d = 0; d < ndim; ++d) {
      o += (j % sizes[d]) * strides[d];
      j /= sizes[d];
    }
    return o;
  }
};

template <class Word, bool Gather>
__global__ void move_rows(Word* dense, Word* strided, const int64_t* row_offsets,
                          const int64_t* dense_rows, int64_t rows, Layout block, int64_t block_n) {
  const int64_t n = rows * block_n;
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < n; e += step) {
    const int64_t r = e / block_n, j = e - r * block_n;
    const int64_t d = (dense_rows ? dense_rows[r] : r) * block_n + j;
    Word* s = strided + row_offsets[r] + block.offset(j);
    if (Gather) dense[d] = *s;
    else *s = dense[d];
  }
}

template <bool Gather>
void move(char* dense, char* strided, const RowBlock& block) {
  const int64_t block_n = numel_of(block.block_sizes);
  const int64_t n = block.rows * block_n;
  if (n == 0) return;
  const Layout layout(block.block_sizes, block.block_strides, "index");
  auto run = [&](auto tag) {
    using W = decltype(tag);
    EMBER_LAUNCH((move_rows<W, Gather>), blocks_for(n, kThreads, kMaxBlocks), kThreads, 0, nullptr,
                 reinterpret_cast<W*>(dense), reinterpret_cast<W*>(strided), block.row_offsets,
                 block.dense_rows, block.rows, layout, block_n);
  };
  switch (block.itemsize) {
    case 1: return run(uint8_t{});
    case 4: return run(uint32_t{});
    case 8: return run(uint64_t{});
    default: throw Error(detail::concat("index: unsupported itemsize ", block.itemsize));
  }
}

template <class T>
__global__ void add_rows(const T* dense, T* strided, const int64_t* row_offsets,
                         const int64_t* dense_rows, const int64_t* segment_starts,
                         int64_t targets, Layout block, int64_t block_n) {
  const int64_t n = targets * block_n;
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < n; e += step) {
    const int64_t s = e / block_n, j = e - s * block_n;
    T* p = strided + row_offsets[s] + block.offset(j);
    T acc = *p;
    for (int64_t k = segment_starts[s]; k < segment_starts[s + 1]; ++k)
      acc = static_cast<T>(acc + dense[dense_rows[k] * block_n + j]);
    *p = acc;
  }
}

template <class Word>
__global__ void masked_fill_strided(char* self, const char* mask, const char* value,
                                    OffsetCalculator<3> calc, int64_t n) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t offset[3];
    calc.offsets(i, offset);
    if (*reinterpret_cast<const bool*>(mask + offset[1]))
      *reinterpret_cast<Word*>(self + offset[0]) =
          *reinterpret_cast<const Word*>(value + offset[2]);
  }
}

// nonzero in two passes over fixed chunks of `chunk` elements, one thread per chunk: count each
// chunk, turn the counts into output rows on the host (an exclusive scan), then write each
// chunk's coordinates from its first row on, in order. Deterministic and without atomics.
template <class T>
__global__ void count_chunks(const T* t, int64_t n, int64_t chunk, int64_t chunks,
                             int64_t* counts) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < chunks;
       c += step) {
    const int64_t end = (c + 1) * chunk < n ? (c + 1) * chunk : n;
    int64_t count = 0;
    for (int64_t i = c * chunk; i < end; ++i) count += t[i] != T(0);
    counts[c] = count;
  }
}

template <class T>
__global__ void write_coordinates(const T* t, int64_t n, int64_t chunk, int64_t chunks,
                                  const int64_t* first_row, Layout shape, int64_t* out) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < chunks;
       c += step) {
    const int64_t end = (c + 1) * chunk < n ? (c + 1) * chunk : n;
    int64_t* row = out + first_row[c] * shape.ndim;
    for (int64_t i = c * chunk; i < end; ++i) {
      if (t[i] == T(0)) continue;
      int64_t rest = i;
      for (int d = 0; d < shape.ndim; ++d) {  // innermost first
        row[shape.ndim - 1 - d] = rest % shape.sizes[d];
        rest /= shape.sizes[d];
      }
      row += shape.ndim;
    }
  }
}

Tensor on_device(std::vector<int64_t> values, Device device) {
  Tensor out = Tensor::empty({static_cast<int64_t>(values.size())}, DType::Int64, device);
  if (!values.empty())
    memcpy(out.data_ptr(), values.data(), values.size() * sizeof(int64_t),
           CopyKind::HostToDevice, device.index);
  return out;
}

}  // namespace

void gather_rows(char* dense, const char* strided, const RowBlock& block) {
  move<true>(dense, const_cast<char*>(strided), block);
}

void scatter_rows(const char* dense, char* strided, const RowBlock& block) {
  move<false>(const_cast<char*>(dense), strided, block);
}

void scatter_add_rows(const char* dense, char* strided, const RowBlock& block,
                      const int64_t* segment_starts, DType dtype) {
  const int64_t block_n = numel_of(block.block_sizes);
  const int64_t n = block.rows * block_n;
  if (n == 0) return;
  const Layout layout(block.block_sizes, block.block_strides, "index_put_");
  EMBER_DISPATCH_ALL(dtype, "index_put_", [&] {
    EMBER_LAUNCH(add_rows<scalar_t>, blocks_for(n, kThreads, kMaxBlocks), kThreads, 0, nullptr,
                 reinterpret_cast<const scalar_t*>(dense), reinterpret_cast<scalar_t*>(strided),
                 block.row_offsets, block.dense_rows, segment_starts, block.rows, layout, block_n);
  });
}

void masked_fill(const TensorIter& iter, size_t itemsize) {
  const int64_t n = iter.numel();
  if (n == 0) return;
  const OffsetCalculator<3> calc(iter);
  auto run = [&](auto tag) {
    EMBER_LAUNCH(masked_fill_strided<decltype(tag)>, blocks_for(n, kThreads, kMaxBlocks), kThreads,
                 0, nullptr, iter.data(0), iter.data(1), iter.data(2), calc, n);
  };
  switch (itemsize) {
    case 1: return run(uint8_t{});
    case 4: return run(uint32_t{});
    case 8: return run(uint64_t{});
    default: throw Error(detail::concat("masked_fill: unsupported itemsize ", itemsize));
  }
}

Tensor nonzero(const Tensor& t) {
  const int64_t n = t.numel(), nd = t.dim();
  const Layout shape(t.sizes(), {}, "nonzero");
  // Chunks of at least 64 elements, at most kThreads * kMaxBlocks of them.
  const int64_t max_chunks = kThreads * kMaxBlocks;
  const int64_t chunk = std::max<int64_t>(64, (n + max_chunks - 1) / max_chunks);
  const int64_t chunks = (n + chunk - 1) / chunk;
  if (chunks == 0) return Tensor::empty({0, nd}, DType::Int64, t.device());
  Tensor counts = Tensor::empty({chunks}, DType::Int64, t.device());
  std::vector<int64_t> first(static_cast<size_t>(chunks));
  EMBER_DISPATCH_ALL(t.dtype(), "nonzero", [&] {
    EMBER_LAUNCH(count_chunks<scalar_t>, blocks_for(chunks, kThreads, kMaxBlocks), kThreads, 0,
                 nullptr, t.data<scalar_t>(), n, chunk, chunks, counts.data<int64_t>());
  });
  memcpy(first.data(), counts.data_ptr(), first.size() * sizeof(int64_t), CopyKind::DeviceToHost,
         t.device().index);
  int64_t total = 0;
  for (int64_t& f : first) total += std::exchange(f, total);
  Tensor out = Tensor::empty({total, nd}, DType::Int64, t.device());
  if (total == 0 || nd == 0) return out;  // a 0-d t: rows of no coordinates
  const Tensor first_row = on_device(std::move(first), t.device());
  EMBER_DISPATCH_ALL(t.dtype(), "nonzero", [&] {
    EMBER_LAUNCH(write_coordinates<scalar_t>, blocks_for(chunks, kThreads, kMaxBlocks), kThreads, 0,
                 nullptr, t.data<scalar_t>(), n, chunk, chunks, first_row.data<int64_t>(), shape,
                 out.data<int64_t>());
  });
  return out;
}

}  // namespace ember::cuda
