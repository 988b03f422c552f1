// Atomics: add (int, unsigned long long, float, double), max/min, exch (_block), inc, and a
// CAS loop.
#include "emu_test.h"

namespace {

struct Totals {
  int hist[8];
  float fsum;
  double dsum;
  unsigned long long usum;
  int imax;
  unsigned umin;
  unsigned inc;
  int cas_max;  // float max by CAS on its bits (values are >= 0, so int order = float order)
  int exch_seen;
};

__device__ void cas_max_float(int* address, float v) {
  int old = *address;
  while (__int_as_float(old) < v) {
    const int assumed = old;
    old = atomicCAS(address, assumed, __float_as_int(v));
    if (old == assumed) break;
  }
}

__global__ void accumulate(const int* in, int n, Totals* t) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const int v = in[i];
  atomicAdd(&t->hist[v % 8], 1);
  atomicAdd(&t->fsum, static_cast<float>(v));
  atomicAdd(&t->dsum, 0.5 * v);
  atomicAdd(&t->usum, static_cast<unsigned long long>(v) << 20);
  atomicMax(&t->imax, v);
  atomicMin(&t->umin, static_cast<unsigned>(v));
  atomicInc(&t->inc, 9u);  // counts modulo 10
  cas_max_float(&t->cas_max, 0.25f * v);
  atomicExch_block(&t->exch_seen, 1);
}

}  // namespace

EMU_TEST(atomics) {
  const int n = 777;
  std::vector<int> in(n);
  for (int i = 0; i < n; ++i) in[i] = (i * 131) % 1009;
  const std::vector<Totals> out = EMU_SAME_UNDER_EVERY_SCHEDULE([&] {
    Totals init;
    std::memset(&init, 0, sizeof(init));  // padding too: results are compared bitwise
    init.umin = 0xffffffffu;
    emu_test::DeviceArray<int> d_in(in);
    emu_test::DeviceArray<Totals> d(std::vector<Totals>{init});
    EMBER_LAUNCH(accumulate, (n + 63) / 64, 64, 0, 0, d_in.get(), n, d.get());
    return d.to_host();
  }());
  const Totals& t = out[0];
  int hist[8] = {};
  long long sum = 0;
  int vmax = 0;
  int vmin = 1 << 30;
  for (int v : in) {
    ++hist[v % 8];
    sum += v;
    vmax = std::max(vmax, v);
    vmin = std::min(vmin, v);
  }
  for (int b = 0; b < 8; ++b) EMU_CHECK_EQ(t.hist[b], hist[b]);
  EMU_CHECK_EQ(t.fsum, static_cast<float>(sum));  // < 2^24: exact in any order
  EMU_CHECK_EQ(t.dsum, 0.5 * static_cast<double>(sum));
  EMU_CHECK_EQ(t.usum, static_cast<unsigned long long>(sum) << 20);
  EMU_CHECK_EQ(t.imax, vmax);
  EMU_CHECK_EQ(t.umin, static_cast<unsigned>(vmin));
  EMU_CHECK_EQ(t.inc, static_cast<unsigned>(n % 10));
  float cas_max;
  std::memcpy(&cas_max, &t.cas_max, sizeof(float));
  EMU_CHECK_EQ(cas_max, 0.25f * static_cast<float>(vmax));
  EMU_CHECK_EQ(t.exch_seen, 1);
}
