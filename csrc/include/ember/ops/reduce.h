// Reductions over a set of dims (an empty set means every dim), with PyTorch's dtype rules:
// sum/prod/cumsum/cumprod of bool or integers give int64 unless a dtype is given; mean, var,
// std, norm and logsumexp need a floating input; max/min keep the dtype; indices are int64;
// all/any give bool.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "ember/tensor.h"

namespace ember::ops {

using DimList = std::vector<int64_t>;

Tensor sum(const Tensor& t, const DimList& dims = {}, bool keepdim = false,
           std::optional<DType> dtype = std::nullopt);
Tensor prod(const Tensor& t, const DimList& dims = {}, bool keepdim = false,
            std::optional<DType> dtype = std::nullopt);
Tensor mean(const Tensor& t, const DimList& dims = {}, bool keepdim = false,
            std::optional<DType> dtype = std::nullopt);
Tensor amax(const Tensor& t, const DimList& dims = {}, bool keepdim = false);
Tensor amin(const Tensor& t, const DimList& dims = {}, bool keepdim = false);
Tensor all(const Tensor& t, const DimList& dims = {}, bool keepdim = false);
Tensor any(const Tensor& t, const DimList& dims = {}, bool keepdim = false);
Tensor logsumexp(const Tensor& t, const DimList& dims = {}, bool keepdim = false);

// p-norm of the flattened dims: p = 2, 1, 0 (count of non-zeros), +-inf (max/min of |x|) or
// any other p > 0.
Tensor norm(const Tensor& t, double p = 2.0, const DimList& dims = {}, bool keepdim = false);

// Variance with divisor max(0, N - correction); *_mean also return the mean.
Tensor var(const Tensor& t, const DimList& dims = {}, double correction = 1.0,
           bool keepdim = false);
Tensor std(const Tensor& t, const DimList& dims = {}, double correction = 1.0,
           bool keepdim = false);
std::pair<Tensor, Tensor> var_mean(const Tensor& t, const DimList& dims = {},
                                   double correction = 1.0, bool keepdim = false);
std::pair<Tensor, Tensor> std_mean(const Tensor& t, const DimList& dims = {},
                                   double correction = 1.0, bool keepdim = false);

// (values, int64 indices) along one dim; the first occurrence wins, and a NaN beats every number.
std::pair<Tensor, Tensor> max(const Tensor& t, int64_t dim, bool keepdim = false);
std::pair<Tensor, Tensor> min(const Tensor& t, int64_t dim, bool keepdim = false);
// Without a dim: the index into the flattened tensor.
Tensor argmax(const Tensor& t, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
Tensor argmin(const Tensor& t, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);

// Running sum/product along dim.
Tensor cumsum(const Tensor& t, int64_t dim, std::optional<DType> dtype = std::nullopt);
Tensor cumprod(const Tensor& t, int64_t dim, std::optional<DType> dtype = std::nullopt);

}  // namespace ember::ops
