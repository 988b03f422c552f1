// TensorIter: walks an output and its inputs, broadcast to one shape, as a sequence of rows.
//
// Dims of size 1 are dropped, dims are ordered so the output's strides grow outward, and
// neighbours that are contiguous in every operand are merged; a contiguous op of any rank thus
// becomes one row. A kernel is a "row loop":
//     loop(char** data, const int64_t* strides, int64_t n)
// with one data pointer and one byte stride per operand (output first) and n elements; it
// checks the strides to pick a fast path (all equal to the itemsize: contiguous; an input stride
// of 0: a broadcast scalar) and falls back to strided code otherwise.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>

#include "ember/parallel.h"
#include "ember/tensor.h"

namespace ember {

class TensorIter {
 public:
  static constexpr int kMaxOperands = 4;
  static constexpr int kMaxDims = 16;

  // out must already have the broadcast shape of the inputs.
  TensorIter(const Tensor& out, std::initializer_list<const Tensor*> inputs);

  int num_operands() const { return num_operands_; }
  int64_t numel() const { return numel_; }
  int ndim() const { return ndim_; }
  // The coalesced iteration space, innermost dim first (what a GPU kernel indexes with).
  int64_t shape(int d) const { return shape_[d]; }
  int64_t byte_stride(int operand, int d) const { return strides_[operand][d]; }
  char* data(int operand) const { return base_[operand]; }

  // Serially runs loop over the linear iteration range [begin, end).
  template <class Loop>
  void for_each_range(int64_t begin, int64_t end, const Loop& loop) const {
    if (begin >= end) return;
    int64_t index[kMaxDims] = {};
    char* data[kMaxOperands];
    int64_t rest = begin;
    for (int d = 0; d < ndim_; ++d) {
      index[d] = rest % shape_[d];
      rest /= shape_[d];
    }
    for (int k = 0; k < num_operands_; ++k) {
      data[k] = base_[k];
      for (int d = 0; d < ndim_; ++d) data[k] += index[d] * strides_[k][d];
    }
    int64_t position = begin;
    while (position < end) {
      const int64_t n = std::min(shape_[0] - index[0], end - position);
      loop(data, inner_strides_.data(), n);
      position += n;
      // Advance the multi-index past the row just done.
      for (int k = 0; k < num_operands_; ++k) data[k] += n * strides_[k][0];
      index[0] += n;
      for (int d = 0; d + 1 < ndim_ && index[d] == shape_[d]; ++d) {
        for (int k = 0; k < num_operands_; ++k)
          data[k] += strides_[k][d + 1] - index[d] * strides_[k][d];
        index[d] = 0;
        ++index[d + 1];
      }
    }
  }

  // Runs loop over everything, split across threads when there is more than `grain` work.
  template <class Loop>
  void for_each(const Loop& loop, int64_t grain = kGrainSize) const {
    parallel_for(0, numel_, grain,
                 [&](int64_t b, int64_t e) { for_each_range(b, e, loop); });
  }

 private:
  int num_operands_ = 0;
  int ndim_ = 0;
  int64_t numel_ = 0;
  std::array<char*, kMaxOperands> base_{};
  std::array<int64_t, kMaxDims> shape_{};                               // innermost first
  std::array<std::array<int64_t, kMaxDims>, kMaxOperands> strides_{};   // bytes, innermost first
  std::array<int64_t, kMaxOperands> inner_strides_{};
};

}  // namespace ember
