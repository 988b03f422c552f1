// The source element of each output element of padding (constant, reflect, replicate,
// circular) over the last 1 to 3 dims, with PyTorch's rules; shared by the CPU and CUDA kernels
// (EMBER_HOST_DEVICE). Fewer padded dims are the size-1, pad-0 case of the leading ones.
//
// Buffers, all contiguous: input (planes, in[0], in[1], in[2]),
// output (planes, out[0], out[1], out[2]), out[i] = before[i] + in[i] + after[i].
#pragma once

#include <cstdint>

#include "ember/host_device.h"

namespace ember {

enum class PadMode : int { Constant, Reflect, Replicate, Circular };

struct PadShape {
  int64_t planes;
  int64_t in[3], out[3], before[3];
  PadMode mode;
  double value;  // constant mode: the value of the padding

  EMBER_HOST_DEVICE int64_t in_plane() const { return in[0] * in[1] * in[2]; }
  EMBER_HOST_DEVICE int64_t out_plane() const { return out[0] * out[1] * out[2]; }
};

namespace pad_hd {

// The input index that output index o reads along one axis, or -1 in constant padding. The op
// checked that reflect padding is < in and circular padding <= in, so one fold suffices.
EMBER_HOST_DEVICE inline int64_t source(int64_t o, int64_t in, int64_t before, PadMode mode) {
  const int64_t i = o - before;
  if (i >= 0 && i < in) return i;
  switch (mode) {
    case PadMode::Reflect:
      return i < 0 ? -i : 2 * (in - 1) - i;
    case PadMode::Replicate:
      return i < 0 ? 0 : in - 1;
    case PadMode::Circular:
      return i < 0 ? i + in : i - in;
    default:
      return -1;
  }
}

// The offset inside its input plane that output offset o (inside its plane) reads, or -1.
EMBER_HOST_DEVICE inline int64_t source_offset(const PadShape& s, int64_t o) {
  const int64_t ow = o % s.out[2], oh = o / s.out[2] % s.out[1], od = o / (s.out[2] * s.out[1]);
  const int64_t id = source(od, s.in[0], s.before[0], s.mode);
  const int64_t ih = source(oh, s.in[1], s.before[1], s.mode);
  const int64_t iw = source(ow, s.in[2], s.before[2], s.mode);
  return id < 0 || ih < 0 || iw < 0 ? -1 : (id * s.in[1] + ih) * s.in[2] + iw;
}

}  // namespace pad_hd
}  // namespace ember
