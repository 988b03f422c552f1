#include "cpu/index.h"

#include <cstring>

#include "ember/parallel.h"

namespace ember::cpu {
namespace {

// Merges neighbouring dims that step through memory as one, so a row that is contiguous
// becomes a single dim of stride 1 (one memcpy).
void collapse(Shape& sizes, Shape& strides) {
  Shape s, st;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 1) continue;
    if (!s.empty() && st.back() == strides[d] * sizes[d]) {
      s.back() *= sizes[d];
      st.back() = strides[d];
    } else {
      s.push_back(sizes[d]);
      st.push_back(strides[d]);
    }
  }
  sizes = std::move(s);
  strides = std::move(st);
}

// Copies one row between a contiguous buffer and a strided block; Gather picks the direction.
template <class T, bool Gather>
void move_row(T* dense, T* strided, const Shape& sizes, const Shape& strides, int64_t n,
              int64_t* index) {
  const int nd = static_cast<int>(sizes.size());
  if (nd == 0) {
    if (Gather) *dense = *strided; else *strided = *dense;
    return;
  }
  if (nd == 1 && strides[0] == 1) {
    if (Gather) std::memcpy(dense, strided, n * sizeof(T));
    else std::memcpy(strided, dense, n * sizeof(T));
    return;
  }
  // index comes in all zeros and leaves so: a whole row wraps every counter around.
  const int64_t inner = sizes[nd - 1], step = strides[nd - 1];
  for (int64_t done = 0; done < n; done += inner) {
    for (int64_t i = 0; i < inner; ++i) {
      if (Gather) dense[done + i] = strided[i * step];
      else strided[i * step] = dense[done + i];
    }
    for (int d = nd - 2; d >= 0; --d) {
      strided += strides[d];
      if (++index[d] < sizes[d]) break;
      strided -= strides[d] * sizes[d];
      index[d] = 0;
    }
  }
}

// A gather is a copy: it does no arithmetic to share out, and waking a second thread costs as
// much as copying a few MiB (far more when the other core is busy), so it goes parallel only
// when it moves more than this many bytes, in chunks of at least half as many. A row touches
// at least one cache line however short it is.
constexpr int64_t kGatherGrainBytes = int64_t(4) << 20;
constexpr int64_t kCacheLineBytes = 64;

template <bool Gather>
void move_rows(char* dense, char* strided, const RowBlock& block) {
  Shape sizes = block.block_sizes, strides = block.block_strides;
  collapse(sizes, strides);
  const int64_t n = numel_of(sizes);
  auto run = [&](auto tag) {
    using T = decltype(tag);
    T* d = reinterpret_cast<T*>(dense);
    T* s = reinterpret_cast<T*>(strided);
    auto body = [&](int64_t b, int64_t e) {
      if (sizes.empty()) {  // one element per row (x[:, idx] on a matrix): no per-row setup
        for (int64_t r = b; r < e; ++r) {
          if (Gather) d[r] = s[block.row_offsets[r]];
          else s[block.row_offsets[r]] = d[r];
        }
        return;
      }
      Shape index(sizes.size(), 0);
      for (int64_t r = b; r < e; ++r)
        move_row<T, Gather>(d + r * n, s + block.row_offsets[r], sizes, strides, n, index.data());
    };
    if (Gather) {
      const int64_t row_bytes = std::max<int64_t>(n * int64_t(sizeof(T)), kCacheLineBytes);
      parallel_for(0, block.rows, std::max<int64_t>(1, kGatherGrainBytes / row_bytes), body);
    } else {
      body(0, block.rows);
    }
  };
  switch (block.itemsize) {
    case 1: return run(uint8_t{});
    case 4: return run(uint32_t{});
    case 8: return run(uint64_t{});
    default: throw Error(detail::concat("index: unsupported itemsize ", block.itemsize));
  }
}

template <class T>
void masked_fill_rows(const TensorIter& iter) {
  iter.for_each([](char** data, const int64_t* strides, int64_t n) {
    const T value = *reinterpret_cast<const T*>(data[2]);
    for (int64_t i = 0; i < n; ++i)
      if (*reinterpret_cast<const bool*>(data[1] + i * strides[1]))
        *reinterpret_cast<T*>(data[0] + i * strides[0]) = value;
  });
}

// strided block += dense row, for each row in order (repeated blocks sum up in that order).
template <class T>
void add_rows(const T* dense, T* strided, const RowBlock& block) {
  Shape sizes = block.block_sizes, strides = block.block_strides;
  collapse(sizes, strides);
  const int nd = static_cast<int>(sizes.size());
  const int64_t n = numel_of(sizes);
  const int64_t inner = nd ? sizes[nd - 1] : 1, step = nd ? strides[nd - 1] : 0;
  Shape index(nd, 0);
  for (int64_t r = 0; r < block.rows; ++r, dense += n) {
    T* s = strided + block.row_offsets[r];
    // index comes in all zeros and leaves so: a whole row wraps every counter around.
    for (int64_t done = 0; done < n; done += inner) {
      for (int64_t i = 0; i < inner; ++i)
        s[i * step] = static_cast<T>(s[i * step] + dense[done + i]);
      for (int d = nd - 2; d >= 0; --d) {
        s += strides[d];
        if (++index[d] < sizes[d]) break;
        s -= strides[d] * sizes[d];
        index[d] = 0;
      }
    }
  }
}

}  // namespace

void scatter_add_rows(const char* dense, char* strided, const RowBlock& block, DType dtype) {
  EMBER_DISPATCH_ALL(dtype, "index_put_", [&] {
    add_rows(reinterpret_cast<const scalar_t*>(dense), reinterpret_cast<scalar_t*>(strided),
             block);
  });
}

void gather_rows(char* dense, const char* strided, const RowBlock& block) {
  move_rows<true>(dense, const_cast<char*>(strided), block);
}

void scatter_rows(const char* dense, char* strided, const RowBlock& block) {
  move_rows<false>(const_cast<char*>(dense), strided, block);
}

void masked_fill(const TensorIter& iter, size_t itemsize) {
  switch (itemsize) {
    case 1: return masked_fill_rows<uint8_t>(iter);
    case 4: return masked_fill_rows<uint32_t>(iter);
    case 8: return masked_fill_rows<uint64_t>(iter);
    default: throw Error(detail::concat("masked_fill: unsupported itemsize ", itemsize));
  }
}

int64_t count_nonzero(const void* data, int64_t numel, DType dtype) {
  return EMBER_DISPATCH_ALL(dtype, "nonzero", [&] {
    const scalar_t* p = static_cast<const scalar_t*>(data);
    int64_t count = 0;
    for (int64_t i = 0; i < numel; ++i) count += p[i] != scalar_t(0);
    return count;
  });
}

void nonzero(const void* data, const Shape& sizes, DType dtype, int64_t* out) {
  EMBER_DISPATCH_ALL(dtype, "nonzero", [&] {
    const scalar_t* p = static_cast<const scalar_t*>(data);
    const int nd = static_cast<int>(sizes.size());
    const int64_t numel = numel_of(sizes);
    Shape index(nd, 0);
    for (int64_t i = 0; i < numel; ++i) {
      if (p[i] != scalar_t(0)) {
        std::copy(index.begin(), index.end(), out);
        out += nd;
      }
      for (int d = nd - 1; d >= 0 && ++index[d] == sizes[d]; --d) index[d] = 0;
    }
  });
}

}  // namespace ember::cpu
