// Placeholder: filled in by the views family.
#pragma once

#include "ember/tensor.h"
