// Copies and conversions.
#pragma once

#include "ember/tensor.h"

namespace ember::ops {

// Writes src, broadcast to dst's shape and converted to dst's dtype, into dst; the two may be
// on different devices.
void copy_(const Tensor& dst, const Tensor& src);
Tensor clone(const Tensor& t);                 // contiguous copy
Tensor contiguous(const Tensor& t);            // t itself when already contiguous
Tensor to_dtype(const Tensor& t, DType dtype); // t itself when already of that dtype
Tensor to_device(const Tensor& t, Device device);  // t itself when already there

}  // namespace ember::ops
