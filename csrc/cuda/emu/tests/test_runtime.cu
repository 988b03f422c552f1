// The runtime API subset: memory, copies, streams, events, properties, attributes, and the
// errors the emulator gives where a GPU would not (double free, copies out of range).
#include "emu_test.h"

namespace {

__global__ void scale(float* data, int n, float factor) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) data[i] *= factor;
}

__global__ void fill_dynamic(float* out) {
  EMBER_DYNAMIC_SHARED(float, s);
  s[threadIdx.x] = static_cast<float>(threadIdx.x);
  __syncthreads();
  out[threadIdx.x] = s[blockDim.x - 1 - threadIdx.x];
}

__device__ unsigned g_thread_count;
__constant__ float c_weights[4];

__global__ void count_threads() { atomicAdd(&g_thread_count, 1u); }

__global__ void weigh(float* out) {
  out[threadIdx.x] = c_weights[threadIdx.x % 4] * static_cast<float>(threadIdx.x);
}

}  // namespace

EMU_TEST(runtime_symbols_and_launch_without_arguments) {
  const unsigned zero = 0;
  EMBER_CUDA_CHECK(cudaMemcpyToSymbol(g_thread_count, &zero, sizeof(zero)));
  EMBER_LAUNCH(count_threads, dim3(3, 2), dim3(5, 1, 7), 0, 0);
  unsigned count = 0;
  EMBER_CUDA_CHECK(cudaMemcpyFromSymbol(&count, g_thread_count, sizeof(count)));
  EMU_CHECK_EQ(count, 3u * 2u * 5u * 7u);

  const float weights[4] = {1.0f, -2.0f, 0.5f, 4.0f};
  EMBER_CUDA_CHECK(cudaMemcpyToSymbol(c_weights, weights, sizeof(weights)));
  emu_test::DeviceArray<float> d(32);
  EMBER_LAUNCH(weigh, 1, 32, 0, 0, d.get());
  const std::vector<float> out = d.to_host();
  for (int t = 0; t < 32; ++t) EMU_CHECK_EQ(out[t], weights[t % 4] * static_cast<float>(t));
}

EMU_TEST(runtime_copies_and_streams) {
  const int n = 300;
  std::vector<float> host(n);
  for (int i = 0; i < n; ++i) host[i] = static_cast<float>(i);
  emu_test::DeviceArray<float> a(host), b(n);
  cudaStream_t stream;
  cudaEvent_t start, stop;
  EMBER_CUDA_CHECK(cudaStreamCreate(&stream));
  EMBER_CUDA_CHECK(cudaEventCreate(&start));
  EMBER_CUDA_CHECK(cudaEventCreate(&stop));
  EMBER_CUDA_CHECK(cudaEventRecord(start, stream));
  EMBER_CUDA_CHECK(cudaMemcpyAsync(b.get(), a.get(), n * sizeof(float), cudaMemcpyDeviceToDevice,
                                   stream));
  EMBER_LAUNCH(scale, (n + 127) / 128, 128, 0, stream, b.get(), n, 2.0f);
  EMBER_CUDA_CHECK(cudaEventRecord(stop, stream));
  EMBER_CUDA_CHECK(cudaStreamSynchronize(stream));
  float ms = -1.0f;
  EMBER_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
  EMU_CHECK(ms >= 0.0f);
  const std::vector<float> out = b.to_host();
  for (int i = 0; i < n; ++i) EMU_CHECK_EQ(out[i], 2.0f * static_cast<float>(i));
  EMBER_CUDA_CHECK(cudaMemsetAsync(b.get(), 0, n * sizeof(float), stream));
  for (float v : b.to_host()) EMU_CHECK_EQ(v, 0.0f);
  EMBER_CUDA_CHECK(cudaEventDestroy(start));
  EMBER_CUDA_CHECK(cudaEventDestroy(stop));
  EMBER_CUDA_CHECK(cudaStreamDestroy(stream));
  EMBER_CUDA_CHECK(cudaDeviceSynchronize());
}

EMU_TEST(runtime_device_properties) {
  int count = 0, device = -1;
  EMBER_CUDA_CHECK(cudaGetDeviceCount(&count));
  EMU_CHECK(count >= 1);
  EMBER_CUDA_CHECK(cudaGetDevice(&device));
  cudaDeviceProp prop;
  EMBER_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  EMU_CHECK_EQ(prop.warpSize, 32);
  EMU_CHECK_EQ(prop.maxThreadsPerBlock, 1024);
  EMU_CHECK(prop.major >= 8);
  int smem = 0;
  EMBER_CUDA_CHECK(cudaDeviceGetAttribute(&smem, cudaDevAttrMaxSharedMemoryPerBlock, device));
  EMU_CHECK_EQ(smem, 48 * 1024);
}

// More than 48 KiB of dynamic shared memory needs the kernel's attribute raised first.
EMU_TEST(runtime_dynamic_smem_attribute) {
  const size_t smem = 64 * 1024;
  emu_test::DeviceArray<float> out(256);
  EMBER_CUDA_CHECK(cudaFuncSetAttribute(fill_dynamic, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                        48 * 1024));  // the default, in case a run raised it
  const std::string message = EMU_ERROR_OF(EMBER_LAUNCH(fill_dynamic, 1, 256, smem, 0, out.get()));
  EMU_CHECK_CONTAINS(message, "fill_dynamic");
  EMBER_CUDA_CHECK(cudaFuncSetAttribute(fill_dynamic, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                        static_cast<int>(smem)));
  EMBER_LAUNCH(fill_dynamic, 1, 256, smem, 0, out.get());
  const std::vector<float> host = out.to_host();
  for (int t = 0; t < 256; ++t) EMU_CHECK_EQ(host[t], static_cast<float>(255 - t));
}

EMU_TEST(runtime_check_macro_throws) {
  const std::string message = EMU_ERROR_OF(EMBER_CUDA_CHECK(cudaSetDevice(9999)));
  EMU_CHECK_CONTAINS(message, "cudaSetDevice(9999)");
  EMU_CHECK_CONTAINS(message, "invalid device ordinal");
  EMU_CHECK_CONTAINS(message, "test_runtime.cu");
  EMU_CHECK_EQ(cudaGetLastError(), cudaSuccess);  // the check consumed the error
}

#if defined(EMBER_CUDA_EMULATED)
EMU_TEST(runtime_double_free) {
  void* p = nullptr;
  EMBER_CUDA_CHECK(cudaMalloc(&p, 100));
  EMBER_CUDA_CHECK(cudaFree(p));
  EMU_CHECK_EQ(cudaFree(p), cudaErrorInvalidValue);
  EMU_CHECK_CONTAINS(ember::emu::last_error_detail(), "double cudaFree");
  EMU_CHECK_EQ(cudaGetLastError(), cudaErrorInvalidValue);
  EMU_CHECK_EQ(cudaGetLastError(), cudaSuccess);
  const std::string message = EMU_ERROR_OF(EMBER_CUDA_CHECK(cudaFree(p)));
  EMU_CHECK_CONTAINS(message, "cudaFree(p)");
  EMU_CHECK_CONTAINS(message, "double cudaFree");
  int host_value = 0;
  EMU_CHECK_EQ(cudaFree(&host_value), cudaErrorInvalidValue);
  EMU_CHECK_CONTAINS(ember::emu::last_error_detail(), "not device memory");
  emu_test::DeviceArray<int> d(10);
  EMU_CHECK_EQ(cudaFree(d.get() + 1), cudaErrorInvalidValue);
  EMU_CHECK_CONTAINS(ember::emu::last_error_detail(), "inside, not at the start");
  (void)cudaGetLastError();
}

EMU_TEST(runtime_copy_out_of_range) {
  emu_test::DeviceArray<float> d(10);
  std::vector<float> host(11, 1.0f);
  EMU_CHECK_EQ(cudaMemcpy(d.get(), host.data(), 11 * sizeof(float), cudaMemcpyHostToDevice),
               cudaErrorInvalidValue);
  EMU_CHECK_CONTAINS(ember::emu::last_error_detail(), "overruns the device allocation of 40");
  EMU_CHECK_EQ(cudaMemcpy(host.data(), d.get() + 5, 6 * sizeof(float), cudaMemcpyDeviceToHost),
               cudaErrorInvalidValue);
  EMU_CHECK_CONTAINS(ember::emu::last_error_detail(), "at offset 20");
  EMU_CHECK_EQ(cudaMemcpy(host.data(), host.data() + 1, 4, cudaMemcpyHostToDevice),
               cudaErrorInvalidValue);  // the destination is host memory
  EMU_CHECK_CONTAINS(ember::emu::last_error_detail(), "not device memory");
  EMU_CHECK_EQ(cudaMemset(d.get() + 9, 0, 8), cudaErrorInvalidValue);
  EMU_CHECK_EQ(cudaMemcpy(d.get() + 5, host.data(), 5 * sizeof(float), cudaMemcpyDefault),
               cudaSuccess);  // the last 5 elements: in range
  const std::string message = EMU_ERROR_OF(EMBER_CUDA_CHECK(
      cudaMemcpy(d.get(), d.get() + 1, 10 * sizeof(float), cudaMemcpyDeviceToDevice)));
  EMU_CHECK_CONTAINS(message, "source range of 40 bytes at offset 4");
  (void)cudaGetLastError();
}

EMU_TEST(runtime_bad_handles) {
  cudaStream_t s;
  EMBER_CUDA_CHECK(cudaStreamCreate(&s));
  EMBER_CUDA_CHECK(cudaStreamDestroy(s));
  EMU_CHECK_EQ(cudaStreamDestroy(s), cudaErrorInvalidResourceHandle);
  cudaEvent_t e;
  EMBER_CUDA_CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
  float ms;
  EMU_CHECK_EQ(cudaEventElapsedTime(&ms, e, e), cudaErrorInvalidResourceHandle);
  EMBER_CUDA_CHECK(cudaEventDestroy(e));
  (void)cudaGetLastError();
}
#endif
