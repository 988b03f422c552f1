// Run-time choice of CPU kernels by instruction set.
//
// Each csrc/cpu/*.simd.cc is compiled three times (cmake/EmberSimd.cmake): for the baseline
// x86-64, for AVX2+FMA and for AVX-512, with EMBER_CPU_CAPABILITY naming the variant. A kernel
// file registers its functions into a DispatchStub; callers invoke the stub, which runs the best
// variant this CPU supports (or the one forced by EMBER_CPU_CAPABILITY=default|avx2|avx512 in
// the environment, or by set_capability, for testing and benchmarking every variant).
//
// Rule for *.simd.cc files: put every function, including helpers from headers, inside
// namespace ember::cpu::EMBER_CPU_NS, so the three compilations never share a symbol.
#pragma once

#include <utility>

namespace ember::cpu {

enum class Capability : int { Default = 0, AVX2 = 1, AVX512 = 2 };
constexpr int kNumCapabilities = 3;

Capability detected_capability();  // the best the CPU (and OS) supports
Capability capability();           // the one in use
void set_capability(Capability c); // clamped to detected_capability()
const char* capability_name(Capability c);

template <class Fn>
struct DispatchStub {
  Fn table[kNumCapabilities] = {};  // constant-initialized, so registration order is free

  Fn get() const {
    int c = static_cast<int>(capability());
    while (c > 0 && table[c] == nullptr) --c;
    return table[c];
  }
  template <class... Args>
  decltype(auto) operator()(Args&&... args) const {
    return get()(std::forward<Args>(args)...);
  }
};

}  // namespace ember::cpu

#define EMBER_DECLARE_DISPATCH(fn_type, name) extern ::ember::cpu::DispatchStub<fn_type> name
#define EMBER_DEFINE_DISPATCH(fn_type, name) ::ember::cpu::DispatchStub<fn_type> name

#ifdef EMBER_CPU_CAPABILITY
#define EMBER_CAP_INDEX_DEFAULT 0
#define EMBER_CAP_INDEX_AVX2 1
#define EMBER_CAP_INDEX_AVX512 2
#define EMBER_CAP_NS_DEFAULT cap_default
#define EMBER_CAP_NS_AVX2 cap_avx2
#define EMBER_CAP_NS_AVX512 cap_avx512
#define EMBER_CAP_CAT_(a, b) a##b
#define EMBER_CAP_CAT(a, b) EMBER_CAP_CAT_(a, b)
#define EMBER_CAP_INDEX EMBER_CAP_CAT(EMBER_CAP_INDEX_, EMBER_CPU_CAPABILITY)
#define EMBER_CPU_NS EMBER_CAP_CAT(EMBER_CAP_NS_, EMBER_CPU_CAPABILITY)
// In a *.simd.cc, at namespace scope outside EMBER_CPU_NS.
#define EMBER_REGISTER_DISPATCH(name, fn)                                        \
  static const bool EMBER_CAP_CAT(name, _registered_) =                          \
      (name.table[EMBER_CAP_INDEX] = (fn), true)
#endif
