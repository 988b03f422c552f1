// The column-matrix kernels of the im2col convolution (cpu/conv.cc, every rank), compiled for
// each instruction set (conv_im2col.simd.cc): they move short rows (out_w values), where the
// vector width decides the speed.
//
// Both work on a zero-padded copy of one sample's group of input volumes,
//   padded (c_in_group, padded_d, padded_h, padded_w),
//   padded_d = (out_d - 1) * stride_d + (kd - 1) * dil_d + 1
// (the same for padded_h and padded_w; a 2-D convolution has padded_d = 1), holding
// input[z - pad_d][y - pad_h][x - pad_w] (zero outside the input), so that every tap reads
// inside it and the loops have no bounds checks; and on one sample's column matrix, row stride
// ldcol (the samples of a tile sit side by side),
//   col (c_in_group * kd * kh * kw rows, out_d * out_h * out_w columns used)
// whose row (c, td, th, tw) holds what kernel tap (td, th, tw) of channel c reads at every
// output position.
#pragma once

#include <cstdint>

#include "core/conv_scalar.h"
#include "cpu/dispatch.h"

namespace ember::cpu {

// col = im2col(padded).
template <class T>
using ConvIm2colFn = void (*)(const ConvShape& s, const T* padded, T* col, int64_t ldcol);
// padded += the adjoint of im2col applied to col (each entry added where it was read from).
template <class T>
using ConvCol2imFn = void (*)(const ConvShape& s, const T* col, int64_t ldcol, T* padded);

EMBER_DECLARE_DISPATCH(ConvIm2colFn<float>, conv_im2col_f32_stub);
EMBER_DECLARE_DISPATCH(ConvIm2colFn<double>, conv_im2col_f64_stub);
EMBER_DECLARE_DISPATCH(ConvCol2imFn<float>, conv_col2im_f32_stub);
EMBER_DECLARE_DISPATCH(ConvCol2imFn<double>, conv_col2im_f64_stub);

}  // namespace ember::cpu
