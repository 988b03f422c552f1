// The driver of the register-blocked direct convolution (cpu/conv_blocked.h): packs the weights
// once per call into (groups, blocks, c_in_group, taps, ocb), the output channels of each group
// in blocks of ocb = vectors * lanes (one vector when the group has no more channels than a
// vector holds, else two), and runs the ISA's kernel per task (sample, group, block), the tasks
// split over the threads. Each thread keeps one padded, phase-split copy of the (sample, group)
// it is on (c_in_group * padded volume elements), so memory stays bounded whatever the batch.
// The reference it is tested against is the direct kernel of cpu/conv.cc
// (core/conv_scalar.h's output_element).
#include "cpu/conv_blocked.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include "ember/parallel.h"

namespace ember::cpu {

EMBER_DEFINE_DISPATCH(ConvBlockedFn<float>, conv_blocked_f32_stub);
EMBER_DEFINE_DISPATCH(ConvBlockedFn<double>, conv_blocked_f64_stub);
EMBER_DEFINE_DISPATCH(ConvBlockedWeightFn<float>, conv_blocked_weight_f32_stub);
EMBER_DEFINE_DISPATCH(ConvBlockedWeightFn<double>, conv_blocked_weight_f64_stub);
EMBER_DEFINE_DISPATCH(ConvBlockedLanesFn, conv_blocked_lanes_f32_stub);
EMBER_DEFINE_DISPATCH(ConvBlockedLanesFn, conv_blocked_lanes_f64_stub);

bool conv_blocked_available() { return conv_blocked_lanes_f32_stub.get() != nullptr; }

bool conv_blocked_auto(const ConvShape& s) {
  const bool pointwise = s.k[1] == 1 && s.k[2] == 1 && s.stride[1] == 1 && s.stride[2] == 1 &&
                         s.pad[1] == 0 && s.pad[2] == 0;
  return capability() == Capability::AVX512 && s.is_2d() && !pointwise;
}

namespace {

ConvBlockedFn<float> blocked_kernel(float*) { return conv_blocked_f32_stub.get(); }
ConvBlockedFn<double> blocked_kernel(double*) { return conv_blocked_f64_stub.get(); }
int blocked_lanes(float*) { return conv_blocked_lanes_f32_stub.get()(); }
int blocked_lanes(double*) { return conv_blocked_lanes_f64_stub.get()(); }
ConvBlockedWeightFn<float> blocked_weight_kernel(float*) {
  return conv_blocked_weight_f32_stub.get();
}
ConvBlockedWeightFn<double> blocked_weight_kernel(double*) {
  return conv_blocked_weight_f64_stub.get();
}

// Whether the backward kernels apply: stride 1, a CPU with a blocked kernel.
bool backward_applies(const ConvShape& s) {
  for (int a = 0; a < ConvShape::kDims; ++a)
    if (s.stride[a] != 1) return false;
  return conv_blocked_available();
}

// ceil(a / b) for b > 0 and any sign of a.
int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -(-a / b); }

// The extent along axis a of the input that the taps read, padding included.
int64_t padded_extent(const ConvShape& s, int a) {
  return (s.out[a] - 1) * s.stride[a] + (s.k[a] - 1) * s.dil[a] + 1;
}

// The padded, phase-split layout of one (sample, group) (cpu/conv_blocked.h), the blocks of
// output channels (`vectors` vectors of `lanes`) and, for the forward, the packed weights of
// every group.
template <class T>
struct BlockedPlan {
  BlockedPlan(const ConvShape& s, int lanes, int vectors)
      : s(s), cig(s.c_in_group()), cog(s.c_out_group()), taps(s.taps()),
        padded_d(padded_extent(s, 0)), padded_h(padded_extent(s, 1)),
        phases(s.stride[2]), padded_wq(s.out[2] + (s.k[2] - 1) * s.dil[2] / s.stride[2]),
        vectors(vectors), ocb(vectors * lanes), blocks((cog + ocb - 1) / ocb),
        tap_offset(static_cast<size_t>(taps)) {
    const int64_t row = phases * padded_wq;
    for (int64_t td = 0; td < s.k[0]; ++td)
      for (int64_t th = 0; th < s.k[1]; ++th)
        for (int64_t tw = 0; tw < s.k[2]; ++tw) {
          const int64_t x = tw * s.dil[2];
          tap_offset[(td * s.k[1] + th) * s.k[2] + tw] =
              (td * s.dil[0] * padded_h + th * s.dil[1]) * row + x % phases * padded_wq +
              x / phases;
        }
  }

  void pack_weights(const T* weight) {
    // weights (groups, blocks, cig, taps, ocb), zero past each group's last channel
    const int64_t block_size = cig * taps * ocb;
    packed.reset(new T[static_cast<size_t>(std::max<int64_t>(s.groups * blocks * block_size, 1))]);
    for (int64_t g = 0; g < s.groups; ++g)
      for (int64_t blk = 0; blk < blocks; ++blk) {
        T* dst = packed.get() + (g * blocks + blk) * block_size;
        for (int64_t c = 0; c < cig; ++c)
          for (int64_t t = 0; t < taps; ++t)
            for (int64_t j = 0; j < ocb; ++j) {
              const int64_t co = blk * ocb + j;
              dst[(c * taps + t) * ocb + j] =
                  co < cog ? weight[((g * cog + co) * cig + c) * taps + t] : T(0);
            }
      }
  }

  int64_t channel_stride() const { return padded_d * padded_h * phases * padded_wq; }
  int64_t block_size() const { return cig * taps * ocb; }

  // The kernels' view of one block (oc_count left to the caller).
  BlockedGeometry geometry() const {
    BlockedGeometry g;
    g.channels = cig;
    g.taps = taps;
    g.tap_offset = tap_offset.data();
    g.channel_stride = channel_stride();
    g.depth_step = s.stride[0] * padded_h * phases * padded_wq;
    g.row_step = s.stride[1] * phases * padded_wq;
    g.out_d = s.out[0];
    g.out_h = s.out[1];
    g.out_w = s.out[2];
    g.vectors = vectors;
    g.oc_count = 0;
    return g;
  }

  // padded (cig, padded_d, padded_h, phases, padded_wq) = the group planes in (cig, in volume)
  // shifted by the padding (which may be negative: a crop), zero outside the input.
  void pad(const T* in, T* padded) const {
    for (int64_t c = 0; c < cig; ++c)
      for (int64_t pz = 0; pz < padded_d; ++pz)
        for (int64_t py = 0; py < padded_h; ++py)
          for (int64_t r = 0; r < phases; ++r) {
            T* dst = padded + (((c * padded_d + pz) * padded_h + py) * phases + r) * padded_wq;
            const int64_t z = pz - s.pad[0], y = py - s.pad[1];
            if (z < 0 || z >= s.in[0] || y < 0 || y >= s.in[1]) {
              std::fill(dst, dst + padded_wq, T(0));
              continue;
            }
            // q in [q0, q1) reads input column x = q * phases + r - pad_w inside [0, in_w)
            const int64_t shift = r - s.pad[2];
            const int64_t q0 = std::clamp<int64_t>(ceil_div(-shift, phases), 0, padded_wq);
            const int64_t q1 =
                std::clamp<int64_t>(ceil_div(s.in[2] - shift, phases), q0, padded_wq);
            const T* src = in + ((c * s.in[0] + z) * s.in[1] + y) * s.in[2];
            std::fill(dst, dst + q0, T(0));
            if (phases == 1)
              std::copy(src + q0 + shift, src + q1 + shift, dst + q0);
            else
              for (int64_t q = q0; q < q1; ++q) dst[q] = src[q * phases + shift];
            std::fill(dst + q1, dst + padded_wq, T(0));
          }
  }

  const ConvShape& s;
  int64_t cig, cog, taps, padded_d, padded_h, phases, padded_wq;
  int vectors;
  int64_t ocb, blocks;
  std::vector<int64_t> tap_offset;
  std::unique_ptr<T[]> packed;
};

}  // namespace

template <class T>
bool conv_forward_blocked(const ConvShape& s, const T* input, const T* weight, const T* bias,
                          T* output) {
  const auto kernel = blocked_kernel(output);
  if (kernel == nullptr) return false;
  if (s.n == 0 || s.c_out == 0 || s.out_volume() == 0) return true;
  const int lanes = blocked_lanes(output);
  BlockedPlan<T> plan(s, lanes, s.c_out_group() <= lanes ? 1 : 2);
  plan.pack_weights(weight);
  const int64_t out_vol = s.out_volume(), in_vol = s.in_volume();
  const int64_t block_size = plan.block_size();
  const BlockedGeometry geo = plan.geometry();
  // Tasks (sample, group, block), blocks fastest: a thread pads each (sample, group) once.
  const int64_t tasks = s.n * s.groups * plan.blocks;
  parallel_for(0, tasks, 1, [&](int64_t t0, int64_t t1) {
    std::unique_ptr<T[]> padded(new T[static_cast<size_t>(plan.cig * geo.channel_stride)]);
    int64_t padded_for = -1;  // the (sample, group) in `padded`
    BlockedGeometry g = geo;
    for (int64_t task = t0; task < t1; ++task) {
      const int64_t bg = task / plan.blocks, blk = task % plan.blocks;
      const int64_t b = bg / s.groups, grp = bg % s.groups;
      if (bg != padded_for) {
        plan.pad(input + (b * s.c_in + grp * plan.cig) * in_vol, padded.get());
        padded_for = bg;
      }
      const int64_t co = grp * plan.cog + blk * plan.ocb;
      g.oc_count = std::min(plan.ocb, plan.cog - blk * plan.ocb);
      kernel(g, padded.get(), plan.packed.get() + (grp * plan.blocks + blk) * block_size,
             bias ? bias + co : nullptr, output + (b * s.c_out + co) * out_vol);
    }
  });
  return true;
}

template <class T>
bool conv_backward_input_blocked(const ConvShape& s, const T* grad_output, const T* weight,
                                 T* grad_input, bool only_where_faster) {
  if (!backward_applies(s) || (only_where_faster && s.c_in_group() < 16)) return false;
  // grad_input[i] = sum_t grad_output[i + pad - t * dil] * w[t]: a stride-1 convolution of
  // grad_output with the taps reversed, padding dil * (k - 1) - pad (negative: a crop).
  ConvShape t = s;
  std::swap(t.c_in, t.c_out);
  for (int a = 0; a < ConvShape::kDims; ++a) {
    t.in[a] = s.out[a];
    t.out[a] = s.in[a];
    t.pad[a] = s.dil[a] * (s.k[a] - 1) - s.pad[a];
  }
  // rotated (c_in, c_out_group, taps) from weight (c_out, c_in_group, taps)
  const int64_t cig = s.c_in_group(), cog = s.c_out_group(), taps = s.taps();
  const int64_t rotated_size = std::max<int64_t>(s.c_out * cig * taps, 1);
  std::unique_ptr<T[]> rotated(new T[static_cast<size_t>(rotated_size)]);
  for (int64_t g = 0; g < s.groups; ++g)
    for (int64_t co = 0; co < cog; ++co)
      for (int64_t c = 0; c < cig; ++c)
        for (int64_t k = 0; k < taps; ++k)
          rotated[(((g * cig + c) * cog + co) * taps) + taps - 1 - k] =
              weight[((g * cog + co) * cig + c) * taps + k];
  return conv_forward_blocked(t, grad_output, rotated.get(), static_cast<const T*>(nullptr),
                              grad_input);
}

template <class T>
bool conv_backward_weight_blocked(const ConvShape& s, const T* grad_output, const T* input,
                                  T* grad_weight) {
  if (!backward_applies(s)) return false;
  const auto kernel = blocked_weight_kernel(grad_weight);
  const int lanes = blocked_lanes(grad_weight);
  const int64_t cog = s.c_out_group();
  BlockedPlan<T> plan(s, lanes, cog <= lanes ? 1 : 2);  // 4 vectors (6 columns) measured slower
  const int64_t cols = plan.cig * plan.taps, out_vol = s.out_volume(), in_vol = s.in_volume();
  const int64_t part_size = s.groups * plan.blocks * cols * plan.ocb;
  // col_offset (cols): where column (c, t) reads, from the pixel that output (0, 0, 0) reads
  std::vector<int64_t> col_offset(static_cast<size_t>(cols));
  for (int64_t c = 0; c < plan.cig; ++c)
    for (int64_t t = 0; t < plan.taps; ++t)
      col_offset[c * plan.taps + t] = c * plan.channel_stride() + plan.tap_offset[t];
  const BlockedGeometry geo = plan.geometry();
  // total (groups, blocks, cols, ocb): the threads' partial sums added up
  std::vector<T> total(static_cast<size_t>(part_size), T(0));
  std::mutex sum_lock;
  parallel_for(0, s.n, 1, [&](int64_t b0, int64_t b1) {
    std::vector<T> part(static_cast<size_t>(part_size), T(0));
    std::unique_ptr<T[]> padded(new T[static_cast<size_t>(plan.cig * plan.channel_stride())]);
    std::unique_ptr<T[]> go_t(new T[static_cast<size_t>(out_vol * plan.ocb)]);
    BlockedGeometry block = geo;
    for (int64_t b = b0; b < b1; ++b)
      for (int64_t g = 0; g < s.groups; ++g) {
        plan.pad(input + (b * s.c_in + g * plan.cig) * in_vol, padded.get());
        for (int64_t blk = 0; blk < plan.blocks; ++blk) {
          const int64_t co = blk * plan.ocb;
          block.oc_count = std::min(plan.ocb, cog - co);
          kernel(block, padded.get(), grad_output + (b * s.c_out + g * cog + co) * out_vol,
                 go_t.get(), col_offset.data(), cols,
                 part.data() + (g * plan.blocks + blk) * cols * plan.ocb);
        }
      }
    std::lock_guard<std::mutex> hold(sum_lock);
    for (int64_t e = 0; e < part_size; ++e) total[e] += part[e];
  });
  // grad_weight (c_out, cols) from total
  for (int64_t g = 0; g < s.groups; ++g)
    for (int64_t co = 0; co < cog; ++co) {
      const T* src = total.data() + (g * plan.blocks + co / plan.ocb) * cols * plan.ocb +
                     co % plan.ocb;
      T* dst = grad_weight + (g * cog + co) * cols;
      for (int64_t j = 0; j < cols; ++j) dst[j] = src[j * plan.ocb];
    }
  return true;
}

template bool conv_forward_blocked(const ConvShape&, const float*, const float*, const float*,
                                   float*);
template bool conv_forward_blocked(const ConvShape&, const double*, const double*,
                                   const double*, double*);
template bool conv_backward_input_blocked(const ConvShape&, const float*, const float*, float*,
                                          bool);
template bool conv_backward_input_blocked(const ConvShape&, const double*, const double*,
                                          double*, bool);
template bool conv_backward_weight_blocked(const ConvShape&, const float*, const float*,
                                           float*);
template bool conv_backward_weight_blocked(const ConvShape&, const double*, const double*,
                                           double*);

}  // namespace ember::cpu
