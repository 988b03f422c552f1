// Placeholder: filled in by the reduce family.
#pragma once

#include "ember/tensor.h"
