// Everything an embedding C++ program needs: #include <ember/ember.h>.
#pragma once

#include "ember/allocator.h"
#include "ember/config.h"
#include "ember/cuda.h"
#include "ember/device.h"
#include "ember/dlpack.h"
#include "ember/dtype.h"
#include "ember/error.h"
#include "ember/ops.h"
#include "ember/parallel.h"
#include "ember/random.h"
#include "ember/storage.h"
#include "ember/tensor.h"
