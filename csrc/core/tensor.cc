#include "ember/tensor.h"

#include <sstream>

#include "ember/error.h"

namespace ember {

std::string shape_str(const Shape& s) {
  std::ostringstream out;
  out << '(';
  for (size_t i = 0; i < s.size(); ++i) out << (i ? ", " : "") << s[i];
  out << (s.size() == 1 ? ",)" : ")");
  return out.str();
}

int64_t numel_of(const Shape& sizes) {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  return n;
}

Shape contiguous_strides(const Shape& sizes) {
  Shape strides(sizes.size());
  int64_t running = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    strides[i] = running;
    running *= sizes[i] > 1 ? sizes[i] : 1;
  }
  return strides;
}

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  const int64_t lo = ndim == 0 ? -1 : -ndim, hi = ndim == 0 ? 0 : ndim - 1;
  EMBER_CHECK(dim >= lo && dim <= hi, IndexError, op, ": dimension out of range (expected to be in range of [",
              lo, ", ", hi, "], but got ", dim, ")");
  return dim < 0 ? dim + (ndim == 0 ? 1 : ndim) : dim;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    EMBER_CHECK(da == db || da == 1 || db == 1, ValueError, op, ": shapes ", shape_str(a),
                " and ", shape_str(b), " cannot be broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

namespace {
bool compute_contiguous(const Shape& sizes, const Shape& strides) {
  int64_t expected = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    if (sizes[i] == 0) return true;
    if (sizes[i] == 1) continue;
    if (strides[i] != expected) return false;
    expected *= sizes[i];
  }
  return true;
}
}  // namespace

Tensor::Tensor(std::shared_ptr<Storage> storage, Shape sizes, Shape strides, int64_t offset,
               DType dtype)
    : storage_(std::move(storage)),
      sizes_(std::move(sizes)),
      strides_(std::move(strides)),
      offset_(offset),
      numel_(numel_of(sizes_)),
      dtype_(dtype),
      contiguous_(compute_contiguous(sizes_, strides_)) {}

Tensor Tensor::empty(const Shape& sizes, DType dtype, Device device) {
  for (int64_t s : sizes)
    EMBER_CHECK(s >= 0, ValueError, "empty: negative dimension in shape ", shape_str(sizes));
  const size_t nbytes = static_cast<size_t>(numel_of(sizes)) * ember::itemsize(dtype);
  return Tensor(Storage::allocate(nbytes, device), sizes, contiguous_strides(sizes), 0, dtype);
}

Tensor Tensor::as_strided(Shape sizes, Shape strides, int64_t offset) const {
  return Tensor(storage_, std::move(sizes), std::move(strides), offset, dtype_);
}

}  // namespace ember
