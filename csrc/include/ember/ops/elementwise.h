// Placeholder: filled in by the elementwise family.
#pragma once

#include "ember/tensor.h"
