// Kernels behind indexing: row gather/scatter, masked fill, nonzero.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/tensor_iter.h"
#include "ember/tensor.h"

namespace ember::cpu {

// A "row" is a block of elements laid out by (block_sizes, block_strides) (elements) starting
// at strided + row_offsets[r] elements. gather_rows copies row r into dense[r * block_numel...]
// (dense is contiguous); scatter_rows writes it back the other way, serially, so the last of
// repeated rows wins.
struct RowBlock {
  const int64_t* row_offsets;
  int64_t rows;
  Shape block_sizes, block_strides;
  size_t itemsize;
};
void gather_rows(char* dense, const char* strided, const RowBlock& block);
void scatter_rows(const char* dense, char* strided, const RowBlock& block);
// Like scatter_rows, but adds each row (of dtype) into its block, serially in row order.
void scatter_add_rows(const char* dense, char* strided, const RowBlock& block, DType dtype);

// iter operands: (self, mask of bool, value broadcast); writes value where mask is true.
void masked_fill(const TensorIter& iter, size_t itemsize);

// Number of nonzero elements of the contiguous buffer data (numel elements of dtype).
int64_t count_nonzero(const void* data, int64_t numel, DType dtype);
// Writes the coordinates (row-major in sizes) of every nonzero element as int64 rows of
// sizes.size() values.
void nonzero(const void* data, const Shape& sizes, DType dtype, int64_t* out);

}  // namespace ember::cpu
