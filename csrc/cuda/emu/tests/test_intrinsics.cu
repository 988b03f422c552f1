// Vector types (CUDA's layout, vectorised loads), __ldg, and the bit/math intrinsics, against
// values worked out by hand.
#include <cmath>

#include "emu_test.h"

static_assert(alignof(float2) == 8 && alignof(float4) == 16 && sizeof(float3) == 12);
static_assert(alignof(double2) == 16 && alignof(int4) == 16 && alignof(uint2) == 8);
static_assert(alignof(char4) == 4 && alignof(uchar2) == 2 && alignof(short2) == 4);
static_assert(alignof(longlong2) == 16 && alignof(ushort4) == 8);

namespace {

// Each thread loads one float4 through a reinterpreted float pointer (needs 16-byte alignment,
// which cudaMalloc gives) and stores its component sum.
__global__ void sum_float4(const float* in, float* out, int n4) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n4) return;
  const float4 v = __ldg(reinterpret_cast<const float4*>(in) + i);
  const float2 lo = make_float2(v.x, v.y);
  out[i] = lo.x + lo.y + v.z + v.w;
}

__global__ void bit_intrinsics(unsigned* out) {
  out[0] = static_cast<unsigned>(__popc(0xF0F0u));
  out[1] = static_cast<unsigned>(__clz(1));
  out[2] = static_cast<unsigned>(__clz(0));
  out[3] = static_cast<unsigned>(__ffs(0));
  out[4] = static_cast<unsigned>(__ffs(8));
  out[5] = __brev(0x12345678u);
  out[6] = __byte_perm(0x33221100u, 0x77665544u, 0x7531u);
  out[7] = __funnelshift_l(0x89ABCDEFu, 0x01234567u, 8);
  out[8] = __funnelshift_r(0x89ABCDEFu, 0x01234567u, 8);
  out[9] = __umulhi(0xFFFFFFFFu, 2u);
  out[10] = static_cast<unsigned>(__mulhi(-2, 0x40000000));
  out[11] = static_cast<unsigned>(__mul24(-3, 5));
  out[12] = __umul24(0x1000003u, 2u);
  out[13] = static_cast<unsigned>(__float_as_int(1.0f));
  out[14] = __float_as_uint(__int_as_float(0x40000000));
  out[15] = static_cast<unsigned>(__popcll(0xFFFFFFFFFFull));
  out[16] = static_cast<unsigned>(min(-3, 4) + 10);
  out[17] = max(7u, 9u);
}

__global__ void float_intrinsics(float* out) {
  out[0] = __saturatef(1.5f);
  out[1] = __saturatef(-2.0f);
  out[2] = __saturatef(0.25f);
  out[3] = rsqrtf(4.0f);
  out[4] = __expf(1.0f);
  out[5] = __fdividef(1.0f, 8.0f);
  out[6] = fminf(2.0f, -1.0f) + max(2.0f, 3.0f);
  out[7] = __fmaf_rn(2.0f, 3.0f, 1.0f);
}

}  // namespace

EMU_TEST(vector_loads_and_ldg) {
  const int n4 = 50;
  std::vector<float> host(4 * n4);
  for (int i = 0; i < 4 * n4; ++i) host[i] = static_cast<float>(i % 17);
  emu_test::DeviceArray<float> in(host), out(n4);
  EMBER_LAUNCH(sum_float4, 2, 32, 0, 0, in.get(), out.get(), n4);
  const std::vector<float> got = out.to_host();
  for (int i = 0; i < n4; ++i) {
    EMU_CHECK_EQ(got[i], host[4 * i] + host[4 * i + 1] + host[4 * i + 2] + host[4 * i + 3]);
  }
}

EMU_TEST(intrinsics_bits) {
  emu_test::DeviceArray<unsigned> d(18);
  EMBER_LAUNCH(bit_intrinsics, 1, 1, 0, 0, d.get());
  const std::vector<unsigned> v = d.to_host();
  const unsigned expect[18] = {8,          31,         32,         0,          4,
                               0x1E6A2C48u, 0x77553311u, 0x23456789u, 0x6789ABCDu, 1,
                               0xFFFFFFFFu, static_cast<unsigned>(-15), 6, 0x3f800000u,
                               0x40000000u, 40,         7,          9};
  for (int i = 0; i < 18; ++i) EMU_CHECK_EQ(v[i], expect[i]);
}

EMU_TEST(intrinsics_float) {
  emu_test::DeviceArray<float> d(8);
  EMBER_LAUNCH(float_intrinsics, 1, 1, 0, 0, d.get());
  const std::vector<float> v = d.to_host();
  EMU_CHECK_EQ(v[0], 1.0f);
  EMU_CHECK_EQ(v[1], 0.0f);
  EMU_CHECK_EQ(v[2], 0.25f);
  EMU_CHECK(std::fabs(v[3] - 0.5f) < 1e-6f);      // GPU rsqrtf is approximate
  EMU_CHECK(std::fabs(v[4] - 2.7182818f) < 1e-5f); // so is __expf
  EMU_CHECK_EQ(v[5], 0.125f);
  EMU_CHECK_EQ(v[6], 2.0f);
  EMU_CHECK_EQ(v[7], 7.0f);
}
