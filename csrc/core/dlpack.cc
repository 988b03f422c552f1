#include "ember/dlpack.h"

#include <memory>
#include <vector>

#include "ember/error.h"
#include "ember/ops/copy.h"

namespace ember {
namespace {

DLDataType to_dl_dtype(DType dtype) {
  const uint8_t bits = static_cast<uint8_t>(8 * itemsize(dtype));
  switch (dtype) {
    case DType::Bool: return {kDLBool, bits, 1};
    case DType::UInt8: return {kDLUInt, bits, 1};
    case DType::Int32: case DType::Int64: return {kDLInt, bits, 1};
    case DType::Float32: case DType::Float64: return {kDLFloat, bits, 1};
  }
  throw TypeError("to_dlpack: unknown dtype");
}

DType from_dl_dtype(DLDataType t) {
  EMBER_CHECK(t.lanes == 1, TypeError, "from_dlpack: vector dtypes (lanes=", t.lanes,
              ") are not supported");
  if (t.code == kDLBool && t.bits == 8) return DType::Bool;
  if (t.code == kDLUInt && t.bits == 8) return DType::UInt8;
  if (t.code == kDLInt && t.bits == 32) return DType::Int32;
  if (t.code == kDLInt && t.bits == 64) return DType::Int64;
  if (t.code == kDLFloat && t.bits == 32) return DType::Float32;
  if (t.code == kDLFloat && t.bits == 64) return DType::Float64;
  throw TypeError(detail::concat("from_dlpack: unsupported DLPack dtype (code=", int(t.code),
                                 ", bits=", int(t.bits), "); ember supports bool, uint8, int32, "
                                 "int64, float32, float64"));
}

// What a managed tensor made here points into: the tensor (holding the storage) and the
// shape and strides arrays the DLTensor refers to.
template <class Managed>
struct Export {
  Managed managed{};
  Tensor tensor;
  std::vector<int64_t> shape, strides;
};

template <class Managed>
Managed* export_tensor(const Tensor& t) {
  auto ctx = std::make_unique<Export<Managed>>();
  ctx->tensor = t;
  ctx->shape = t.sizes();
  ctx->strides = t.strides();
  DLTensor& dl = ctx->managed.dl_tensor;
  // data is the storage base and byte_offset the view's offset, as the spec recommends (some
  // devices need aligned base pointers).
  dl.data = t.storage()->data();
  dl.byte_offset = static_cast<uint64_t>(t.storage_offset()) * t.itemsize();
  dl.device = to_dlpack_device(t.device());
  dl.ndim = static_cast<int32_t>(t.dim());
  dl.dtype = to_dl_dtype(t.dtype());
  dl.shape = ctx->shape.data();
  dl.strides = ctx->strides.data();
  ctx->managed.manager_ctx = ctx.get();
  ctx->managed.deleter = [](Managed* self) {
    delete static_cast<Export<Managed>*>(self->manager_ctx);
  };
  return &ctx.release()->managed;
}

// Calls the producer's deleter when destroyed, unless released.
template <class Managed>
struct Owner {
  explicit Owner(Managed* m) : managed(m) {}
  Owner(const Owner&) = delete;
  Owner& operator=(const Owner&) = delete;
  Managed* managed;
  ~Owner() {
    if (managed && managed->deleter) managed->deleter(managed);
  }
};

// Pinned host memory (kDLCUDAHost) is CPU memory to ember; kDLCUDA memory is a CUDA tensor's in
// a build with a CUDA backend (the emulator's "device" memory is host memory labelled so).
#if EMBER_WITH_CUDA
constexpr bool kWithCuda = true;
#else
constexpr bool kWithCuda = false;
#endif
Device from_dlpack_device(DLDevice d) {
  if (d.device_type == kDLCPU || d.device_type == kDLCUDAHost) return Device{};
  EMBER_CHECK(kWithCuda && d.device_type == kDLCUDA, RuntimeError,
              "from_dlpack: DLPack device type ", int(d.device_type), " is not available",
              kWithCuda ? " (ember has the CPU and CUDA)" : " (ember was built without CUDA)");
  return Device{DeviceType::CUDA, d.device_id};
}

template <class Managed>
Tensor import_tensor(Managed* managed) {
  EMBER_CHECK(managed != nullptr, ValueError, "from_dlpack: null DLPack tensor");
  auto owner = std::make_shared<Owner<Managed>>(managed);
  const DLTensor& dl = managed->dl_tensor;
  const Device device = from_dlpack_device(dl.device);
  const DType dtype = from_dl_dtype(dl.dtype);
  EMBER_CHECK(dl.ndim >= 0, ValueError, "from_dlpack: negative ndim ", dl.ndim);
  const int64_t item = static_cast<int64_t>(itemsize(dtype));
  Shape sizes(dl.shape, dl.shape + dl.ndim);
  Shape strides = dl.strides ? Shape(dl.strides, dl.strides + dl.ndim) : contiguous_strides(sizes);
  int64_t low = 0, high = 0;  // element extent around the first element
  bool empty = false;
  for (int32_t d = 0; d < dl.ndim; ++d) {
    EMBER_CHECK(sizes[d] >= 0, ValueError, "from_dlpack: negative size in shape ",
                shape_str(sizes));
    if (sizes[d] == 0) empty = true;
    else (strides[d] < 0 ? low : high) += strides[d] * (sizes[d] - 1);
  }
  char* first = static_cast<char*>(dl.data) + dl.byte_offset;
  const size_t nbytes = empty ? 0 : static_cast<size_t>((high - low + 1) * item);
  auto storage = std::make_shared<Storage>(first + low * item, nbytes, device,
                                           [owner](void*) mutable { owner.reset(); });
  return Tensor(std::move(storage), std::move(sizes), std::move(strides), -low, dtype);
}

}  // namespace

DLDevice to_dlpack_device(Device device) {
  return device.is_cpu() ? DLDevice{kDLCPU, 0} : DLDevice{kDLCUDA, device.index};
}

DLManagedTensorVersioned* to_dlpack_versioned(const Tensor& t, uint64_t flags) {
  DLManagedTensorVersioned* m = export_tensor<DLManagedTensorVersioned>(t);
  m->version = {DLPACK_MAJOR_VERSION, DLPACK_MINOR_VERSION};
  m->flags = flags;
  return m;
}

DLManagedTensor* to_dlpack_legacy(const Tensor& t) {
  return export_tensor<DLManagedTensor>(t);
}

Tensor from_dlpack(DLManagedTensorVersioned* managed) {
  if (managed != nullptr && managed->version.major > DLPACK_MAJOR_VERSION) {
    const uint32_t major = managed->version.major;
    const Owner<DLManagedTensorVersioned> release(managed);  // the producer's memory is not used
    throw RuntimeError(detail::concat("from_dlpack: DLPack version ", major,
                                      " is newer than the supported ", DLPACK_MAJOR_VERSION));
  }
  const bool read_only = managed != nullptr && (managed->flags & DLPACK_FLAG_BITMASK_READ_ONLY);
  Tensor view = import_tensor(managed);
  // ember has no read-only tensors: a view would let writes reach memory the producer
  // promised no one would change (or that is not writable at all).
  return read_only ? ops::clone(view) : view;
}

Tensor from_dlpack(DLManagedTensor* managed) { return import_tensor(managed); }

}  // namespace ember
