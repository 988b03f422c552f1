// CUDA devices. In a build without a CUDA backend every query answers "no devices" and the
// rest raise ember::Error.
#pragma once

#include <string>

#include "ember/allocator.h"

namespace ember::cuda {

bool is_available();  // a CUDA backend (real or emulated) and at least one device
int device_count();   // 0 when there is no backend, driver or device; never throws
std::string device_name(int device);
void synchronize(int device);
MemoryStats memory_stats(int device);  // the device's caching allocator
void empty_cache();                    // give every cached block back to the driver

}  // namespace ember::cuda
