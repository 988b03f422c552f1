// What lets one scalar formula compile for the CPU and inside a CUDA kernel (nvcc or the SIMT
// emulator), with the same rounding on both.
#pragma once

#if defined(__CUDACC__)
#define EMBER_HOST_DEVICE __host__ __device__
#else
#define EMBER_HOST_DEVICE
#endif

namespace ember::hd {

// a * b and a + b, each rounded once: nvcc contracts a + b * c into an FMA (one rounding)
// while the CPU kernels, compiled for the baseline ISA, round twice; these keep the device's
// results bitwise equal to the CPU's. Integers are exact either way.
template <class T>
EMBER_HOST_DEVICE inline T mul_rn(T a, T b) {
  return a * b;
}
template <class T>
EMBER_HOST_DEVICE inline T add_rn(T a, T b) {
  return a + b;
}
#define EMBER_HD_ROUNDED(T, op, sym, intrinsic)         \
  EMBER_HOST_DEVICE inline T op(T a, T b) {              \
    EMBER_HD_DEVICE_OR_HOST(return intrinsic(a, b), return a sym b); \
  }
#if defined(__CUDA_ARCH__)
#define EMBER_HD_DEVICE_OR_HOST(device, host) device
#else
#define EMBER_HD_DEVICE_OR_HOST(device, host) host
#endif
EMBER_HD_ROUNDED(float, mul_rn, *, __fmul_rn)
EMBER_HD_ROUNDED(float, add_rn, +, __fadd_rn)
EMBER_HD_ROUNDED(double, mul_rn, *, __dmul_rn)
EMBER_HD_ROUNDED(double, add_rn, +, __dadd_rn)
#undef EMBER_HD_ROUNDED
#undef EMBER_HD_DEVICE_OR_HOST

}  // namespace ember::hd
