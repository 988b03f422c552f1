#include "ember/storage.h"

#include "core/device_dispatch.h"
#include "cuda/device.h"
#include "ember/allocator.h"

namespace ember {

std::shared_ptr<Storage> Storage::allocate(size_t nbytes, Device device) {
  if (device.is_cuda()) {
    EMBER_ON_CUDA("allocate", {
      const int index = device.index;
      void* data = cuda::allocate(nbytes, index);
      return std::make_shared<Storage>(data, nbytes, device, [nbytes, index](void* p) {
        cuda::deallocate(p, nbytes, index);
      });
    });
  }
  void* data = cpu::allocate(nbytes);
  return std::make_shared<Storage>(data, nbytes, device,
                                   [nbytes](void* p) { cpu::deallocate(p, nbytes); });
}

}  // namespace ember
