// DLPack: the common in-memory tensor structure for zero-copy exchange between frameworks
// (https://dmlc.github.io/dlpack/latest/), and ember's conversions to and from it.
//
// The structs below follow the DLPack 1.1 C header field for field (same order, types and enum
// values), so a DLManagedTensor(Versioned) made by numpy, PyTorch, JAX or CuPy can be read here
// and one made here can be read there.
#pragma once

#include <cstdint>

#include "ember/tensor.h"

extern "C" {

#define DLPACK_MAJOR_VERSION 1
#define DLPACK_MINOR_VERSION 1

typedef struct {
  uint32_t major;
  uint32_t minor;
} DLPackVersion;

typedef enum {
  kDLCPU = 1,
  kDLCUDA = 2,
  kDLCUDAHost = 3,
  kDLOpenCL = 4,
  kDLVulkan = 7,
  kDLMetal = 8,
  kDLVPI = 9,
  kDLROCM = 10,
  kDLROCMHost = 11,
  kDLExtDev = 12,
  kDLCUDAManaged = 13,
  kDLOneAPI = 14,
  kDLWebGPU = 15,
  kDLHexagon = 16,
  kDLMAIA = 17,
} DLDeviceType;

typedef struct {
  DLDeviceType device_type;
  int32_t device_id;
} DLDevice;

typedef enum {
  kDLInt = 0U,
  kDLUInt = 1U,
  kDLFloat = 2U,
  kDLOpaqueHandle = 3U,
  kDLBfloat = 4U,
  kDLComplex = 5U,
  kDLBool = 6U,
  kDLFloat8_e3m4 = 7U,
  kDLFloat8_e4m3 = 8U,
  kDLFloat8_e4m3b11fnuz = 9U,
  kDLFloat8_e4m3fn = 10U,
  kDLFloat8_e4m3fnuz = 11U,
  kDLFloat8_e5m2 = 12U,
  kDLFloat8_e5m2fnuz = 13U,
  kDLFloat8_e8m0fnu = 14U,
  kDLFloat6_e2m3fn = 15U,
  kDLFloat6_e3m2fn = 16U,
  kDLFloat4_e2m1fn = 17U,
} DLDataTypeCode;

typedef struct {
  uint8_t code;   // a DLDataTypeCode
  uint8_t bits;
  uint16_t lanes;
} DLDataType;

typedef struct {
  void* data;            // with byte_offset, the first element
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t* shape;
  int64_t* strides;      // in elements; NULL means compact row-major
  uint64_t byte_offset;
} DLTensor;

// The legacy (pre-1.0) managed tensor, exchanged in capsules named "dltensor".
typedef struct DLManagedTensor {
  DLTensor dl_tensor;
  void* manager_ctx;
  void (*deleter)(struct DLManagedTensor* self);
} DLManagedTensor;

#define DLPACK_FLAG_BITMASK_READ_ONLY (1UL << 0UL)
#define DLPACK_FLAG_BITMASK_IS_COPIED (1UL << 1UL)
#define DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED (1UL << 2UL)

// The versioned managed tensor (DLPack >= 1.0), exchanged in capsules named
// "dltensor_versioned".
typedef struct DLManagedTensorVersioned {
  DLPackVersion version;
  void* manager_ctx;
  void (*deleter)(struct DLManagedTensorVersioned* self);
  uint64_t flags;
  DLTensor dl_tensor;
} DLManagedTensorVersioned;

}  // extern "C"

namespace ember {

DLDevice to_dlpack_device(Device device);

// A managed tensor viewing t's memory and keeping its storage alive until the consumer calls
// the deleter. flags are set on the versioned form (e.g. DLPACK_FLAG_BITMASK_IS_COPIED).
DLManagedTensorVersioned* to_dlpack_versioned(const Tensor& t, uint64_t flags = 0);
DLManagedTensor* to_dlpack_legacy(const Tensor& t);

// A tensor viewing the producer's memory; it takes ownership of the managed tensor and calls
// its deleter when the last view of that memory goes away (also when the conversion fails).
// Raises for devices other than the CPU, multi-lane or unsupported dtypes, and a major version
// newer than this header's. A versioned tensor flagged read-only is copied (ember's tensors
// are all writable), releasing the producer's memory at once.
Tensor from_dlpack(DLManagedTensorVersioned* managed);
Tensor from_dlpack(DLManagedTensor* managed);

}  // namespace ember
