// Placeholder: filled in by the creation family.
#pragma once

#include "ember/tensor.h"
