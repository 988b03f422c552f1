// ember from C++: make tensors, run ops, read the result. Prints "ember_demo ok" on success.
#include <cstdio>

#include <ember/ember.h>

int main() {
  using namespace ember;
  Tensor x = Tensor::empty({2, 3}, DType::Float32);
  float* p = x.data<float>();
  for (int i = 0; i < 6; ++i) p[i] = static_cast<float>(i);

  // A transposed view, made contiguous and converted to float64.
  Tensor xt = x.as_strided({3, 2}, {1, 3}, 0);
  Tensor y = ops::to_dtype(ops::contiguous(xt), DType::Float64);
  const double* q = y.data<double>();
  const double expected[6] = {0, 3, 1, 4, 2, 5};
  for (int i = 0; i < 6; ++i) {
    if (q[i] != expected[i]) {
      std::printf("mismatch at %d: %g != %g\n", i, q[i], expected[i]);
      return 1;
    }
  }
  try {
    ops::copy_(x, Tensor::empty({5}, DType::Float32));
    return 1;  // must have thrown
  } catch (const ValueError& e) {
    std::printf("caught: %s\n", e.what());
  }
  std::printf("ember %s (%s), %d threads\nember_demo ok\n", build_config().version.c_str(),
              build_config().cpu_in_use.c_str(), get_num_threads());
  return 0;
}
