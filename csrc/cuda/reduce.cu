// Reductions that fold a contiguous (outer, reduce, inner) block with an associative operation:
// sums, products, min/max, all/any, norms, variance and logsumexp, with the CPU kernels' dtypes
// and two-pass schemes (cpu/reduce.simd.cc): variance sums squared deviations from a mean computed
// first, logsumexp sums exp(x - max) after a max pass.
//   x:   (outer, reduce, inner[, tail]) of the input dtype T (tail: a second reduced dim)
//   out: (outer, inner) of the result dtype; aux: (outer, inner) T, the mean or the max
#include "cuda/launch.h"
#include "cuda/device.h"
#include "cuda/reduce.h"
#include "cuda/reduce_kernels.cuh"
#include "core/reduce_scalar.h"

namespace ember::cuda {
namespace reduce_impl {

Scratch::Scratch(size_t nbytes) : ptr_(nullptr), nbytes_(nbytes), device_(0) {
  if (nbytes_ == 0) return;
  EMBER_CUDA_CHECK(cudaGetDevice(&device_));
  ptr_ = allocate(nbytes_, device_);
}

Scratch::~Scratch() {
  if (ptr_) deallocate(ptr_, nbytes_, device_);
}

}  // namespace reduce_impl

namespace {

using reduce_impl::run;
using reduce_impl::Store;
using reduce_scalar::highest_of;
using reduce_scalar::lowest_of;
using reduce_scalar::pick;
using reduce_scalar::sum_acc_t;

// Single and double precision overloads of the math the ops need, in device code and under the
// emulator alike.
__device__ inline float abs_of(float x) { return ::fabsf(x); }
__device__ inline double abs_of(double x) { return ::fabs(x); }
__device__ inline float sqrt_of(float x) { return ::sqrtf(x); }
__device__ inline double sqrt_of(double x) { return ::sqrt(x); }
__device__ inline float exp_of(float x) { return ::expf(x); }
__device__ inline double exp_of(double x) { return ::exp(x); }
__device__ inline float log_of(float x) { return ::logf(x); }
__device__ inline double log_of(double x) { return ::log(x); }
__device__ inline float pow_of(float x, float p) { return ::powf(x, p); }
__device__ inline double pow_of(double x, double p) { return ::pow(x, p); }

template <class T, class A = sum_acc_t<T>>
struct SumOp {
  using acc_t = A;
  __device__ A identity() const { return A(0); }
  __device__ A map(T x, T, int64_t) const { return A(x); }
  __device__ A combine(A a, A b) const { return a + b; }
  __device__ A finalize(A a, T) const { return a; }
};

template <class T>
struct MeanOp : SumOp<T> {
  T count;
  __device__ T finalize(T a, T) const { return a / count; }
};

template <class T>
struct ProdOp {
  using acc_t = sum_acc_t<T>;
  __device__ acc_t identity() const { return acc_t(1); }
  __device__ acc_t map(T x, T, int64_t) const { return acc_t(x); }
  __device__ acc_t combine(acc_t a, acc_t b) const { return a * b; }
  __device__ acc_t finalize(acc_t a, T) const { return a; }
};

// Extremes of x (or |x| for the inf-norms), NaN winning.
template <class T, bool kMax, bool kAbs = false>
struct ExtremeOp {
  using acc_t = T;
  __device__ T identity() const {
    if constexpr (kAbs) return kMax ? T(0) : highest_of<T>();
    else return kMax ? lowest_of<T>() : highest_of<T>();
  }
  __device__ T map(T x, T, int64_t) const {
    if constexpr (kAbs) return abs_of(x);
    else return x;
  }
  __device__ T combine(T a, T b) const { return pick<kMax>(a, b); }
  __device__ T finalize(T a, T) const { return a; }
};

template <class T, bool kAll>
struct LogicalOp {
  using acc_t = bool;
  __device__ bool identity() const { return kAll; }
  __device__ bool map(T x, T, int64_t) const { return x != T(0); }
  __device__ bool combine(bool a, bool b) const { return kAll ? (a && b) : (a || b); }
  __device__ bool finalize(bool a, T) const { return a; }
};

// Sums of f(x) for the norms, variance and logsumexp.
template <class T>
struct Norm1Op : SumOp<T> {
  __device__ T map(T x, T, int64_t) const { return abs_of(x); }
};
template <class T>
struct Norm2Op : SumOp<T> {
  __device__ T map(T x, T, int64_t) const { return x * x; }
  __device__ T finalize(T a, T) const { return sqrt_of(a); }
};
template <class T>
struct Norm0Op : SumOp<T> {
  __device__ T map(T x, T, int64_t) const { return x != T(0) ? T(1) : T(0); }
};
template <class T>
struct NormPOp : SumOp<T> {
  T p;
  __device__ T map(T x, T, int64_t) const { return pow_of(abs_of(x), p); }
  __device__ T finalize(T a, T) const { return pow_of(a, T(1) / p); }
};
template <class T, bool kSqrt>
struct VarOp : SumOp<T> {
  T divisor;
  __device__ T map(T x, T mean, int64_t) const { return (x - mean) * (x - mean); }
  __device__ T finalize(T a, T) const {
    return kSqrt ? sqrt_of(a / divisor) : a / divisor;
  }
};
// An infinite max would turn x - max into inf - inf; shifting by 0 gives the right +-inf.
template <class T>
struct SumExpOp : SumOp<T> {
  __device__ static T shift(T max) { return abs_of(max) == highest_of<T>() ? T(0) : max; }
  __device__ T map(T x, T max, int64_t) const { return exp_of(x - shift(max)); }
  __device__ T finalize(T a, T max) const { return log_of(a) + shift(max); }
};

template <class T>
void floating(ReduceKind kind, const void* x, void* out, void* aux, ReduceShape s, double param) {
  const T n = static_cast<T>(s.reduce * s.tail);
  const Store<T> to_out{static_cast<T*>(out)};
  switch (kind) {
    case ReduceKind::Mean: return run<MeanOp<T>, T>(MeanOp<T>{{}, n}, to_out, x, nullptr, s);
    case ReduceKind::Norm0: return run<Norm0Op<T>, T>({}, to_out, x, nullptr, s);
    case ReduceKind::Norm1: return run<Norm1Op<T>, T>({}, to_out, x, nullptr, s);
    case ReduceKind::Norm2: return run<Norm2Op<T>, T>({}, to_out, x, nullptr, s);
    case ReduceKind::NormP:
      return run<NormPOp<T>, T>(NormPOp<T>{{}, static_cast<T>(param)}, to_out, x, nullptr, s);
    case ReduceKind::NormInf: return run<ExtremeOp<T, true, true>, T>({}, to_out, x, nullptr, s);
    case ReduceKind::NormNegInf:
      return run<ExtremeOp<T, false, true>, T>({}, to_out, x, nullptr, s);
    case ReduceKind::Var:
    case ReduceKind::Std: {
      run<MeanOp<T>, T>(MeanOp<T>{{}, n}, Store<T>{static_cast<T*>(aux)}, x, nullptr, s);
      const T divisor = n - static_cast<T>(param) > T(0) ? n - static_cast<T>(param) : T(0);
      if (kind == ReduceKind::Std)
        return run<VarOp<T, true>, T>(VarOp<T, true>{{}, divisor}, to_out, x, aux, s);
      return run<VarOp<T, false>, T>(VarOp<T, false>{{}, divisor}, to_out, x, aux, s);
    }
    case ReduceKind::LogSumExp:
      run<ExtremeOp<T, true>, T>({}, Store<T>{static_cast<T*>(aux)}, x, nullptr, s);
      return run<SumExpOp<T>, T>({}, to_out, x, aux, s);
    default: break;
  }
  throw Error("reduce: unsupported reduction for a floating dtype");
}

}  // namespace

void reduce(ReduceKind kind, DType dtype, const void* x, void* out, void* aux, ReduceShape s,
            double param) {
  switch (kind) {
    case ReduceKind::Sum:
      return EMBER_DISPATCH_ALL(dtype, "sum", [&] {
        using Op = SumOp<scalar_t>;
        run<Op, scalar_t>(Op{}, Store<Op::acc_t>{static_cast<Op::acc_t*>(out)}, x, nullptr, s);
      });
    case ReduceKind::Prod:
      return EMBER_DISPATCH_ALL(dtype, "prod", [&] {
        using Op = ProdOp<scalar_t>;
        run<Op, scalar_t>(Op{}, Store<Op::acc_t>{static_cast<Op::acc_t*>(out)}, x, nullptr, s);
      });
    case ReduceKind::Max:
    case ReduceKind::Min:
      return EMBER_DISPATCH_ALL(dtype, kind == ReduceKind::Max ? "max" : "min", [&] {
        const Store<scalar_t> to_out{static_cast<scalar_t*>(out)};
        if (kind == ReduceKind::Max)
          run<ExtremeOp<scalar_t, true>, scalar_t>({}, to_out, x, nullptr, s);
        else
          run<ExtremeOp<scalar_t, false>, scalar_t>({}, to_out, x, nullptr, s);
      });
    case ReduceKind::All:
    case ReduceKind::Any:
      return EMBER_DISPATCH_ALL(dtype, kind == ReduceKind::All ? "all" : "any", [&] {
        const Store<bool> to_out{static_cast<bool*>(out)};
        if (kind == ReduceKind::All)
          run<LogicalOp<scalar_t, true>, scalar_t>({}, to_out, x, nullptr, s);
        else
          run<LogicalOp<scalar_t, false>, scalar_t>({}, to_out, x, nullptr, s);
      });
    default:
      return EMBER_DISPATCH_FLOATING(dtype, "reduce", [&] {
        floating<scalar_t>(kind, x, out, aux, s, param);
      });
  }
}

}  // namespace ember::cuda
