// Every op of ember's C++ API. Each validates its arguments, allocates its output and runs the
// kernel for the tensors' device.
#pragma once

#include "ember/ops/copy.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/reduce.h"
#include "ember/ops/linalg.h"
#include "ember/ops/views.h"
#include "ember/ops/creation.h"
#include "ember/ops/random.h"
#include "ember/ops/activation.h"
#include "ember/ops/softmax_loss.h"
