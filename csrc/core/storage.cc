#include "ember/storage.h"

#include "ember/allocator.h"
#include "ember/error.h"

namespace ember {

std::shared_ptr<Storage> Storage::allocate(size_t nbytes, Device device) {
  EMBER_CHECK(device.is_cpu(), RuntimeError, "allocate: device ", device,
              " is not available (ember was built without CUDA)");
  void* data = cpu::allocate(nbytes);
  return std::make_shared<Storage>(data, nbytes, device,
                                   [nbytes](void* p) { cpu::deallocate(p, nbytes); });
}

}  // namespace ember
