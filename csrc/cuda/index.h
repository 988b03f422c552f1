// CUDA kernels behind indexing (the device side of cpu/index.h): row gather/scatter, masked
// fill, nonzero. Device memory throughout; index bounds are checked by the op layer on the host
// before any of these runs (a kernel cannot raise).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/tensor_iter.h"
#include "ember/tensor.h"

namespace ember::cuda {

// Row r covers the block of elements laid out by (block_sizes, block_strides) (elements) from
// strided + row_offsets[r] elements; in the dense buffer it is dense_rows[r] (r when null) times
// the block's numel. Both arrays hold `rows` int64 on the device.
struct RowBlock {
  const int64_t* row_offsets;
  const int64_t* dense_rows;
  int64_t rows;
  Shape block_sizes, block_strides;
  size_t itemsize;
};
void gather_rows(char* dense, const char* strided, const RowBlock& block);
// Every row must target its own elements (the op layer drops all but the last of repeated
// rows), so that the writes do not race and the last write of the CPU's serial order wins.
void scatter_rows(const char* dense, char* strided, const RowBlock& block);
// Adds rows into blocks, deterministically: block.rows distinct target blocks (row_offsets);
// target s gets the dense rows dense_rows[segment_starts[s] .. segment_starts[s + 1]) added in
// that order (one thread per element of a target, no atomics), as the CPU's serial loop does.
// segment_starts holds block.rows + 1 int64 on the device.
void scatter_add_rows(const char* dense, char* strided, const RowBlock& block,
                      const int64_t* segment_starts, DType dtype);

// iter operands: (self, mask of bool, value broadcast); writes value where mask is true.
void masked_fill(const TensorIter& iter, size_t itemsize);

// The int64 (count, sizes.size()) coordinates, row-major, of the nonzero elements of the
// contiguous device tensor t, as a new device tensor.
Tensor nonzero(const Tensor& t);

}  // namespace ember::cuda
