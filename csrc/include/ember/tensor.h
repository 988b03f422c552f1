// Tensor: a strided view (sizes, strides in elements, offset) of a shared Storage.
// Copying a Tensor copies the view, not the data.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "ember/device.h"
#include "ember/dtype.h"
#include "ember/storage.h"

namespace ember {

using Shape = std::vector<int64_t>;

std::string shape_str(const Shape& s);  // "(3, 4)", "(5,)", "()"

int64_t numel_of(const Shape& sizes);
Shape contiguous_strides(const Shape& sizes);
// Wrap a possibly negative dim into [0, ndim); raises IndexError naming op otherwise.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);
// numpy broadcasting of two shapes; raises ValueError naming op when they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

class Tensor {
 public:
  Tensor() = default;  // undefined
  Tensor(std::shared_ptr<Storage> storage, Shape sizes, Shape strides, int64_t offset,
         DType dtype);

  // Uninitialized, contiguous.
  static Tensor empty(const Shape& sizes, DType dtype, Device device = {});

  bool defined() const { return storage_ != nullptr; }
  const Shape& sizes() const { return sizes_; }
  const Shape& strides() const { return strides_; }
  int64_t dim() const { return static_cast<int64_t>(sizes_.size()); }
  int64_t size(int64_t d) const { return sizes_[wrap_dim(d, dim(), "size")]; }
  int64_t stride(int64_t d) const { return strides_[wrap_dim(d, dim(), "stride")]; }
  int64_t numel() const { return numel_; }
  int64_t storage_offset() const { return offset_; }
  DType dtype() const { return dtype_; }
  size_t itemsize() const { return ember::itemsize(dtype_); }
  size_t nbytes() const { return static_cast<size_t>(numel_) * itemsize(); }
  Device device() const { return storage_->device(); }
  const std::shared_ptr<Storage>& storage() const { return storage_; }
  bool is_contiguous() const { return contiguous_; }

  void* data_ptr() const {
    return static_cast<char*>(storage_->data()) + offset_ * static_cast<int64_t>(itemsize());
  }
  template <class T>
  T* data() const { return static_cast<T*>(data_ptr()); }

  // A view of the same storage; the caller guarantees it stays in bounds.
  Tensor as_strided(Shape sizes, Shape strides, int64_t offset) const;

 private:
  std::shared_ptr<Storage> storage_;
  Shape sizes_, strides_;
  int64_t offset_ = 0;
  int64_t numel_ = 0;
  DType dtype_ = DType::Float32;
  bool contiguous_ = true;
};

}  // namespace ember
