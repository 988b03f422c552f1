#include "core/tensor_iter.h"

#include <algorithm>
#include <cstdlib>
#include <numeric>

#include "ember/error.h"

namespace ember {

TensorIter::TensorIter(const Tensor& out, std::initializer_list<const Tensor*> inputs) {
  num_operands_ = 1 + static_cast<int>(inputs.size());
  EMBER_CHECK(num_operands_ <= kMaxOperands, Error, "TensorIter: too many operands");
  const int64_t out_ndim = out.dim();
  EMBER_CHECK(out_ndim <= kMaxDims, ValueError, "tensors of more than ", kMaxDims,
              " dimensions are not supported (got shape ", shape_str(out.sizes()), ")");
  numel_ = out.numel();

  const Tensor* operands[kMaxOperands] = {&out};
  std::copy(inputs.begin(), inputs.end(), operands + 1);

  // Byte strides of every operand broadcast to out's shape, outermost first.
  int64_t full_strides[kMaxOperands][kMaxDims] = {};
  for (int k = 0; k < num_operands_; ++k) {
    const Tensor& t = *operands[k];
    base_[k] = static_cast<char*>(t.data_ptr());
    const int64_t lead = out_ndim - t.dim();
    const int64_t item = static_cast<int64_t>(t.itemsize());
    for (int64_t d = 0; d < t.dim(); ++d)
      full_strides[k][lead + d] = t.size(d) == 1 ? 0 : t.stride(d) * item;
  }

  // Keep dims of size > 1, innermost first, ordered by the output's stride so a transposed
  // output is still written in memory order.
  int order[kMaxDims];
  int kept = 0;
  for (int64_t d = out_ndim - 1; d >= 0; --d)
    if (out.size(d) != 1) order[kept++] = static_cast<int>(d);
  std::stable_sort(order, order + kept, [&](int a, int b) {
    for (int k = 0; k < num_operands_; ++k) {
      const int64_t sa = std::abs(full_strides[k][a]), sb = std::abs(full_strides[k][b]);
      if (sa != sb) return sa < sb;
    }
    return false;
  });

  // Merge neighbours that are contiguous with each other in every operand.
  ndim_ = 0;
  for (int i = 0; i < kept; ++i) {
    const int d = order[i];
    const int64_t size = out.size(d);
    if (ndim_ > 0) {
      const int prev = ndim_ - 1;
      bool mergeable = true;
      for (int k = 0; k < num_operands_ && mergeable; ++k)
        mergeable = full_strides[k][d] == strides_[k][prev] * shape_[prev];
      if (mergeable) {
        shape_[prev] *= size;
        continue;
      }
    }
    shape_[ndim_] = size;
    for (int k = 0; k < num_operands_; ++k) strides_[k][ndim_] = full_strides[k][d];
    ++ndim_;
  }
  if (ndim_ == 0) {  // a single element (or none): one row of length numel
    shape_[0] = std::max<int64_t>(numel_, 1);
    for (int k = 0; k < num_operands_; ++k) strides_[k][0] = 0;
    ndim_ = 1;
  }
  for (int k = 0; k < num_operands_; ++k) inner_strides_[k] = strides_[k][0];
}

}  // namespace ember
