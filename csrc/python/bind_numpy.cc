// Zero-copy exchange with numpy: a tensor made from an array keeps the array alive, and an
// array made from a tensor keeps the tensor's storage alive.
#include "python/bindings.h"

namespace ember::python {
namespace {

DType dtype_from_numpy(const py::dtype& dt, const char* op) {
  const char kind = dt.kind();
  const auto size = dt.itemsize();
  if (kind == 'b') return DType::Bool;
  if (kind == 'u' && size == 1) return DType::UInt8;
  if (kind == 'i' && size == 4) return DType::Int32;
  if (kind == 'i' && size == 8) return DType::Int64;
  if (kind == 'f' && size == 4) return DType::Float32;
  if (kind == 'f' && size == 8) return DType::Float64;
  throw TypeError(detail::concat(op, ": unsupported numpy dtype ", std::string(py::str(dt)),
                                 "; ember supports bool, uint8, int32, int64, float32, float64"));
}

py::dtype dtype_to_numpy(DType t) {
  switch (t) {
    case DType::Bool: return py::dtype::of<bool>();
    case DType::UInt8: return py::dtype::of<uint8_t>();
    case DType::Int32: return py::dtype::of<int32_t>();
    case DType::Int64: return py::dtype::of<int64_t>();
    case DType::Float32: return py::dtype::of<float>();
    case DType::Float64: return py::dtype::of<double>();
  }
  throw TypeError("numpy: unknown dtype");
}

Tensor from_numpy(const py::array& array) {
  const DType dtype = dtype_from_numpy(array.dtype(), "from_numpy");
  EMBER_CHECK(array.dtype().byteorder() != '>', TypeError,
              "from_numpy: arrays in non-native byte order are not supported");
  const int64_t item = static_cast<int64_t>(ember::itemsize(dtype));
  const int64_t ndim = array.ndim();
  Shape sizes(ndim), strides(ndim);
  int64_t low = 0, high = 0;  // byte extent around the first element
  bool empty = false;
  for (int64_t d = 0; d < ndim; ++d) {
    sizes[d] = array.shape(d);
    const int64_t stride = array.strides(d);
    EMBER_CHECK(stride % item == 0, ValueError, "from_numpy: byte strides of array (",
                stride, " in dim ", d, ") are not a multiple of its itemsize ", item);
    strides[d] = stride / item;
    if (sizes[d] == 0) empty = true;
    else (stride < 0 ? low : high) += stride * (sizes[d] - 1);
  }
  char* first = static_cast<char*>(const_cast<void*>(array.data()));
  const size_t nbytes = empty ? 0 : static_cast<size_t>(high - low + item);
  auto* owner = new py::object(array);
  auto storage = std::make_shared<Storage>(first + low, nbytes, Device{}, [owner](void*) {
    if (!Py_IsInitialized()) return;  // interpreter gone: the array went with it
    py::gil_scoped_acquire gil;
    delete owner;
  });
  return Tensor(std::move(storage), std::move(sizes), std::move(strides), -low / item, dtype);
}

py::array to_numpy(const Tensor& t) {
  EMBER_CHECK(t.device().is_cpu(), TypeError, "numpy: can't convert ", t.device(),
              " tensor to numpy; use Tensor.cpu() to copy the tensor to host memory first");
  std::vector<py::ssize_t> shape(t.sizes().begin(), t.sizes().end());
  std::vector<py::ssize_t> strides(t.dim());
  for (int64_t d = 0; d < t.dim(); ++d)
    strides[d] = t.strides()[d] * static_cast<int64_t>(t.itemsize());
  py::capsule owner(new Tensor(t), [](void* p) { delete static_cast<Tensor*>(p); });
  return py::array(dtype_to_numpy(t.dtype()), shape, strides, t.data_ptr(), owner);
}

}  // namespace

void bind_numpy(py::module_& m) {
  m.def("from_numpy", &from_numpy, py::arg("array"));
  m.def("to_numpy", &to_numpy, py::arg("tensor"));
}

}  // namespace ember::python
