// Elementwise kernels: one thread per element (or per 128-bit pack of elements) in a
// grid-stride loop over a bounded grid. Two paths:
//   contiguous: every device operand is a dense array of n elements (TensorIter coalesced it to
//     one row); loads and stores are 128-bit packs when every pointer is aligned to a pack,
//     with a scalar loop for the tail;
//   strided: any strides, through OffsetCalculator (broadcast dims have byte stride 0).
// An input is a device array or a value passed by value (a 0-d CPU tensor's, read on the host).
// The per-element semantics are core/elementwise_scalar.h's, shared with the CPU kernels.
//
// Compile time: float32/float64 get a kernel per op for the hot ops (arithmetic, min/max, every
// unary function); the rest (integer dtypes, comparisons, floor division, remainder, pow) run
// one kernel per dtype that switches on the op at run time (a uniform branch).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "core/elementwise_scalar.h"
#include "cuda/elementwise.h"
#include "cuda/launch.h"
#include "cuda/offset_calculator.h"

namespace ember::cuda {
namespace {

using ops::BinaryOp;
using ops::UnaryOp;

constexpr int kThreads = 256;
// About one wave of resident threads on an H100; larger inputs loop.
constexpr int64_t kMaxBlocks = 1024;

// The device's math functions of each precision (expf for float, exp for double, ...).
EMBER_SCALAR_MATH1(exp)
EMBER_SCALAR_MATH1(log)
EMBER_SCALAR_MATH1(log1p)
EMBER_SCALAR_MATH1(expm1)
EMBER_SCALAR_MATH1(sqrt)
EMBER_SCALAR_MATH1(rsqrt)
EMBER_SCALAR_MATH1(sin)
EMBER_SCALAR_MATH1(cos)
EMBER_SCALAR_MATH1(tanh)
EMBER_SCALAR_MATH1(ceil)

struct Exp {
  template <class T>
  EMBER_HOST_DEVICE T operator()(T x) const { return exp_(x); }
};

// --- per-element functions ------------------------------------------------------------------

// Every op the op layer sends for dtype T (it rejects the others, as for the CPU kernels).
template <class T>
__device__ __forceinline__ T unary_value(UnaryOp op, T x) {
  if constexpr (std::is_same_v<T, bool>) {
    return !x;  // BitwiseNot, the only unary kernel on bool
  } else {
    switch (op) {
      case UnaryOp::Neg: return scalar::neg(x);
      case UnaryOp::Abs: return scalar::abs_value(x);
      case UnaryOp::Square: return scalar::mul(x, x);
      case UnaryOp::Sign: return scalar::sign(x);
      case UnaryOp::Relu: return scalar::relu(x);
      default: break;
    }
    if constexpr (std::is_floating_point_v<T>) {
      switch (op) {
        case UnaryOp::Exp: return exp_(x);
        case UnaryOp::Log: return log_(x);
        case UnaryOp::Log1p: return log1p_(x);
        case UnaryOp::Expm1: return expm1_(x);
        case UnaryOp::Sqrt: return sqrt_(x);
        case UnaryOp::Rsqrt: return rsqrt_(x);
        case UnaryOp::Sin: return sin_(x);
        case UnaryOp::Cos: return cos_(x);
        case UnaryOp::Tanh: return tanh_(x);
        case UnaryOp::Sigmoid: return scalar::sigmoid(x, Exp());
        case UnaryOp::Floor: return scalar::floor_(x);
        case UnaryOp::Ceil: return ceil_(x);
        case UnaryOp::Trunc: return scalar::trunc_(x);
        case UnaryOp::Round: return scalar::round_half_even(x);
        default: return T(1) / x;  // Reciprocal
      }
    } else {
      return scalar::bitwise_not(x);  // BitwiseNot
    }
  }
}

template <class T>
__device__ __forceinline__ bool predicate_value(UnaryOp op, T x) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case UnaryOp::IsNan: return scalar::is_nan(x);
      case UnaryOp::IsInf: return scalar::is_inf(x);
      case UnaryOp::IsFinite: return scalar::is_finite(x);
      default: break;
    }
  }
  return !x;  // LogicalNot
}

template <class T>
__device__ __forceinline__ T binary_value(BinaryOp op, T a, T b) {
  // A device tensor's invalid integer inputs give 0 unreported (see cuda/elementwise.h).
  bool bad = false;
  switch (op) {
    case BinaryOp::Add: return scalar::add(a, b);
    case BinaryOp::Mul: return scalar::mul(a, b);
    case BinaryOp::Maximum: return scalar::maximum(a, b);
    case BinaryOp::Minimum: return scalar::minimum(a, b);
    case BinaryOp::Pow: return scalar::power(a, b, bad);
    default: break;
  }
  if constexpr (!std::is_same_v<T, bool>) {
    switch (op) {
      case BinaryOp::Sub: return scalar::sub(a, b);
      case BinaryOp::FloorDiv: return scalar::floor_divide(a, b, bad);
      case BinaryOp::TruncDiv: return scalar::trunc_divide(a, b, bad);
      case BinaryOp::Remainder: return scalar::remainder(a, b, bad);
      default: break;
    }
  }
  if constexpr (std::is_floating_point_v<T>) {
    return a / b;  // Div
  } else {
    switch (op) {
      case BinaryOp::BitwiseAnd: return T(a & b);
      case BinaryOp::BitwiseOr: return T(a | b);
      default: return T(a ^ b);  // BitwiseXor
    }
  }
}

template <class T>
__device__ __forceinline__ bool compare_value(BinaryOp op, T a, T b) {
  switch (op) {
    case BinaryOp::Eq: return scalar::compare<BinaryOp::Eq>(a, b);
    case BinaryOp::Ne: return scalar::compare<BinaryOp::Ne>(a, b);
    case BinaryOp::Lt: return scalar::compare<BinaryOp::Lt>(a, b);
    default: return scalar::compare<BinaryOp::Le>(a, b);
  }
}

// Functors the kernels apply: the op fixed at compile time, or chosen at run time.
template <UnaryOp Op>
struct UnaryFixed {
  template <class T>
  __device__ T operator()(T x) const { return unary_value(Op, x); }
};
struct UnaryAny {
  UnaryOp op;
  template <class T>
  __device__ T operator()(T x) const { return unary_value(op, x); }
};
struct PredicateAny {
  UnaryOp op;
  template <class T>
  __device__ bool operator()(T x) const { return predicate_value(op, x); }
};
template <BinaryOp Op>
struct BinaryFixed {
  template <class T>
  __device__ T operator()(T a, T b) const { return binary_value(Op, a, b); }
};
struct BinaryAny {
  BinaryOp op;
  template <class T>
  __device__ T operator()(T a, T b) const { return binary_value(op, a, b); }
};
struct CompareAny {
  BinaryOp op;
  template <class T>
  __device__ bool operator()(T a, T b) const { return compare_value(op, a, b); }
};
struct Select {
  template <class T>
  __device__ T operator()(bool cond, T a, T b) const { return cond ? a : b; }
};

// --- kernels --------------------------------------------------------------------------------

// V elements loaded or stored as one access (128 bits for 4- and 8-byte types).
template <class T, int V>
struct alignas(sizeof(T) * V) Pack {
  T v[V];
};

// A kernel input: an array on the device, or `value` for every element where data is null.
template <class T>
struct Input {
  const char* data;
  T value;

  __device__ T at(int64_t i) const {
    return data ? reinterpret_cast<const T*>(data)[i] : value;
  }
  __device__ T at_offset(int64_t bytes) const {
    return data ? *reinterpret_cast<const T*>(data + bytes) : value;
  }
  template <int V>
  __device__ Pack<T, V> pack(int64_t p) const {
    if (data) return reinterpret_cast<const Pack<T, V>*>(data)[p];
    Pack<T, V> broadcast;
#pragma unroll
    for (int j = 0; j < V; ++j) broadcast.v[j] = value;
    return broadcast;
  }
};

template <int V, class Out, class F, class... In>
__device__ __forceinline__ void apply_pack(Out* out, int64_t p, const F& f,
                                           const Pack<In, V>&... in) {
  Pack<Out, V> result;
#pragma unroll
  for (int j = 0; j < V; ++j) result.v[j] = f(in.v[j]...);
  reinterpret_cast<Pack<Out, V>*>(out)[p] = result;
}

// out[i] = f(in[i]...) for i < n.
//   out: (n,) Out, contiguous; in_k: (n,) In_k contiguous, or a value
//   packed: every array is aligned to a Pack of V elements
template <int V, class Out, class F, class... In>
__global__ void contiguous_kernel(Out* out, int64_t n, bool packed, F f, Input<In>... in) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const int64_t first = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t packs = packed ? n / V : 0;
  for (int64_t p = first; p < packs; p += step)
    apply_pack<V>(out, p, f, in.template pack<V>(p)...);
  for (int64_t i = packs * V + first; i < n; i += step) out[i] = f(in.at(i)...);
}

template <class Out, class F, class... In, size_t... K>
__device__ __forceinline__ void apply_at(char* out, const int64_t* offset, const F& f,
                                         std::index_sequence<K...>, const Input<In>&... in) {
  *reinterpret_cast<Out*>(out + offset[0]) = f(in.at_offset(offset[K + 1])...);
}

// The same over any strides.
//   out: operand 0 of calc, Out; in_k: operand k + 1 of calc (byte stride 0 where broadcast), or
//   a value (its strides in calc are 0)
template <class Out, class F, class... In>
__global__ void strided_kernel(char* out, int64_t n, OffsetCalculator<1 + sizeof...(In)> calc,
                               F f, Input<In>... in) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += step) {
    int64_t offset[1 + sizeof...(In)];
    calc.offsets(i, offset);
    apply_at<Out>(out, offset, f, std::index_sequence_for<In...>{}, in...);
  }
}

// --- launch ---------------------------------------------------------------------------------

bool aligned(const void* p, size_t bytes) { return reinterpret_cast<uintptr_t>(p) % bytes == 0; }

template <class T>
Input<T> make_input(const TensorIter& iter, const void* host, int operand) {
  T value{};
  if (host) std::memcpy(&value, host, sizeof(T));
  return {host ? nullptr : iter.data(operand), value};
}

// Runs out = f(inputs...) over iter, whose operands are the output and then the inputs that
// `host` does not give by value.
template <class Out, class... In, class F, size_t... K>
void launch_impl(const TensorIter& iter, const HostValues& host, const F& f,
                 std::index_sequence<K...>) {
  constexpr int kInputs = sizeof...(In);
  const int64_t n = iter.numel();
  if (n == 0) return;
  int operand[kInputs > 0 ? kInputs : 1];  // iter operand of each device input
  for (int k = 0, next = 1; k < kInputs; ++k) operand[k] = host[k] ? -1 : next++;
  Out* out = reinterpret_cast<Out*>(iter.data(0));

  const bool contiguous =
      iter.ndim() == 0 ||
      (iter.ndim() == 1 && iter.byte_stride(0, 0) == static_cast<int64_t>(sizeof(Out)) &&
       ((host[K] || iter.byte_stride(operand[K], 0) == static_cast<int64_t>(sizeof(In))) && ...));
  if (contiguous) {
    constexpr size_t kWidest = std::max({sizeof(Out), sizeof(In)...});
    constexpr int V = static_cast<int>(std::min<size_t>(4, 16 / kWidest));
    const bool packed = aligned(out, sizeof(Out) * V) &&
                        ((host[K] || aligned(iter.data(operand[K]), sizeof(In) * V)) && ...);
    EMBER_LAUNCH((contiguous_kernel<V, Out, F, In...>),
                 blocks_for(packed ? (n + V - 1) / V : n, kThreads, kMaxBlocks), kThreads, 0,
                 nullptr, out, n, packed, f, make_input<In>(iter, host[K], operand[K])...);
    return;
  }
  OffsetCalculator<1 + kInputs> calc(iter);
  for (int k = 0; k < kInputs; ++k)
    for (int d = 0; d < calc.ndim; ++d)
      calc.strides[k + 1][d] = host[k] ? 0 : iter.byte_stride(operand[k], d);
  EMBER_LAUNCH((strided_kernel<Out, F, In...>), blocks_for(n, kThreads, kMaxBlocks), kThreads, 0,
               nullptr, iter.data(0), n, calc, f, make_input<In>(iter, host[K], operand[K])...);
}

template <class Out, class... In, class F>
void launch(const TensorIter& iter, const HostValues& host, const F& f) {
  launch_impl<Out, In...>(iter, host, f, std::index_sequence_for<In...>{});
}

// Calls f(std::integral_constant<UnaryOp, op>) for a run-time op.
template <class F, int... I>
void with_unary_op(UnaryOp op, const F& f, std::integer_sequence<int, I...>) {
  ((op == static_cast<UnaryOp>(I)
        ? (f(std::integral_constant<UnaryOp, static_cast<UnaryOp>(I)>{}), true)
        : false) ||
   ...);
}

constexpr bool is_predicate(UnaryOp op) {
  return op == UnaryOp::LogicalNot || op == UnaryOp::IsNan || op == UnaryOp::IsInf ||
         op == UnaryOp::IsFinite;
}

}  // namespace

void unary(const TensorIter& iter, UnaryOp op, DType dtype) {
  const char* name = ops::op_name(op);
  const HostValues device{};
  if (is_predicate(op)) {
    EMBER_DISPATCH_ALL(dtype, name, [&] {
      launch<bool, scalar_t>(iter, device, PredicateAny{op});
    });
  } else if (is_floating(dtype)) {
    EMBER_DISPATCH_FLOATING(dtype, name, [&] {
      constexpr int kOps = static_cast<int>(UnaryOp::IsFinite) + 1;
      with_unary_op(op, [&](auto fixed) {
        constexpr UnaryOp kOp = decltype(fixed)::value;
        if constexpr (!is_predicate(kOp) && kOp != UnaryOp::BitwiseNot)
          launch<scalar_t, scalar_t>(iter, device, UnaryFixed<kOp>{});
      }, std::make_integer_sequence<int, kOps>{});
    });
  } else {
    EMBER_DISPATCH_INTEGRAL_AND_BOOL(dtype, name, [&] {
      launch<scalar_t, scalar_t>(iter, device, UnaryAny{op});
    });
  }
}

void binary(const TensorIter& iter, BinaryOp op, DType dtype, const HostValues& host) {
  const char* name = ops::op_name(op);
  switch (op) {
    case BinaryOp::Eq: case BinaryOp::Ne: case BinaryOp::Lt: case BinaryOp::Le:
      return EMBER_DISPATCH_ALL(dtype, name, [&] {
        launch<bool, scalar_t, scalar_t>(iter, host, CompareAny{op});
      });
    case BinaryOp::Gt: case BinaryOp::Ge:
    case BinaryOp::LogicalAnd: case BinaryOp::LogicalOr: case BinaryOp::LogicalXor:
      throw Error(detail::concat(name, ": rewritten by the op layer, not a kernel"));
    default: break;
  }
  if (is_floating(dtype)) {
    EMBER_DISPATCH_FLOATING(dtype, name, [&] {
      using T = scalar_t;
      switch (op) {
        case BinaryOp::Add: return launch<T, T, T>(iter, host, BinaryFixed<BinaryOp::Add>{});
        case BinaryOp::Sub: return launch<T, T, T>(iter, host, BinaryFixed<BinaryOp::Sub>{});
        case BinaryOp::Mul: return launch<T, T, T>(iter, host, BinaryFixed<BinaryOp::Mul>{});
        case BinaryOp::Div: return launch<T, T, T>(iter, host, BinaryFixed<BinaryOp::Div>{});
        case BinaryOp::Maximum:
          return launch<T, T, T>(iter, host, BinaryFixed<BinaryOp::Maximum>{});
        case BinaryOp::Minimum:
          return launch<T, T, T>(iter, host, BinaryFixed<BinaryOp::Minimum>{});
        default: return launch<T, T, T>(iter, host, BinaryAny{op});
      }
    });
  } else {
    EMBER_DISPATCH_INTEGRAL_AND_BOOL(dtype, name, [&] {
      launch<scalar_t, scalar_t, scalar_t>(iter, host, BinaryAny{op});
    });
  }
}

void where(const TensorIter& iter, size_t itemsize, const HostValues& host) {
  // where only moves bytes, so one instantiation per element size serves every dtype.
  switch (itemsize) {
    case 1: return launch<uint8_t, bool, uint8_t, uint8_t>(iter, host, Select{});
    case 4: return launch<uint32_t, bool, uint32_t, uint32_t>(iter, host, Select{});
    case 8: return launch<uint64_t, bool, uint64_t, uint64_t>(iter, host, Select{});
    default: throw Error(detail::concat("where: unsupported element size ", itemsize));
  }
}

}  // namespace ember::cuda
