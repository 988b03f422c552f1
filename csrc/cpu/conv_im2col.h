// The column-matrix kernels of the im2col convolution (cpu/conv.cc), compiled for each
// instruction set (conv_im2col.simd.cc): they move short rows (out_w values), where the vector
// width decides the speed.
//
// Both work on a zero-padded copy of one sample's group of input planes,
//   padded (c_in_group, padded_h, padded_w),
//   padded_h = (out_h - 1) * stride_h + (kh - 1) * dil_h + 1
// (the same for padded_w), holding input[y - pad_h][x - pad_w] (zero outside the input), so
// that every tap reads inside it and the loops have no bounds checks; and on one sample's
// column matrix, row stride ldcol (the samples of a tile sit side by side),
//   col (c_in_group * kh * kw rows, out_h * out_w columns used)
// whose row (c, i, j) holds what kernel tap (i, j) of channel c reads at every output position.
#pragma once

#include <cstdint>

#include "core/conv_scalar.h"
#include "cpu/dispatch.h"

namespace ember::cpu {

// col = im2col(padded).
template <class T>
using ConvIm2colFn = void (*)(const Conv2dShape& s, int64_t padded_w, const T* padded, T* col,
                              int64_t ldcol);
// padded += the adjoint of im2col applied to col (each entry added where it was read from).
template <class T>
using ConvCol2imFn = void (*)(const Conv2dShape& s, int64_t padded_w, const T* col,
                              int64_t ldcol, T* padded);

EMBER_DECLARE_DISPATCH(ConvIm2colFn<float>, conv_im2col_f32_stub);
EMBER_DECLARE_DISPATCH(ConvIm2colFn<double>, conv_im2col_f64_stub);
EMBER_DECLARE_DISPATCH(ConvCol2imFn<float>, conv_col2im_f32_stub);
EMBER_DECLARE_DISPATCH(ConvCol2imFn<double>, conv_col2im_f64_stub);

}  // namespace ember::cpu
