// The input and output transforms of the Winograd F(2x2, 3x3) convolution (cpu/conv_winograd.h),
// plain loops that the compiler vectorizes for each instruction set. The tiles of a block are
// taken a run at a time (the tiles of one tile row of one sample), so every loop runs along a
// row of tiles: the input rows are combined whole (B^T d for every column at once), then each
// tile's columns; the 16 products of a run are combined into its 2x2 outputs at once.
#include "cpu/conv_winograd.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {

// A run of tiles in one tile row of one sample: tile columns [tx0, tx0 + count), the block's
// columns [q, q + count) of v and m.
struct Segment {
  int64_t b, ty, tx0, count, q;
};

// Calls f(segment) over the tiles [p0, p1) in order.
template <class F>
void for_each_segment(const WinogradGeometry& geo, int64_t p0, int64_t p1, const F& f) {
  const int64_t tw = geo.tiles_w(), per_sample = geo.tiles_per_sample();
  for (int64_t p = p0; p < p1;) {
    const int64_t b = p / per_sample, r = p % per_sample, tx0 = r % tw;
    const int64_t count = std::min(tw - tx0, p1 - p);
    f(Segment{b, r / tw, tx0, count, p - p0});
    p += count;
  }
}

// The loops below take their rows through __restrict pointers: they never overlap, and
// without the promise the compiler checks each pair at run time or does not vectorize.

// t_i[x] = (B^T d)_i[x] over the columns [0, n) of the input rows s_i.
template <class T>
void rows_transform(int64_t n, const T* __restrict s0, const T* __restrict s1,
                    const T* __restrict s2, const T* __restrict s3, T* __restrict t0,
                    T* __restrict t1, T* __restrict t2, T* __restrict t3) {
  for (int64_t x = 0; x < n; ++x) {
    const T a = s0[x], b = s1[x], d = s2[x], e = s3[x];
    t0[x] = a - d;
    t1[x] = b + d;
    t2[x] = d - b;
    t3[x] = b - e;
  }
}

// v_j[k] = (t B)_j of tile k (columns 2k to 2k + 3 of the row t), k in [0, n).
template <class T>
void columns_transform(int64_t n, const T* __restrict t, T* __restrict v0, T* __restrict v1,
                       T* __restrict v2, T* __restrict v3) {
  for (int64_t k = 0; k < n; ++k) {
    const T a = t[2 * k], b = t[2 * k + 1], d = t[2 * k + 2], e = t[2 * k + 3];
    v0[k] = a - d;
    v1[k] = b + d;
    v2[k] = d - b;
    v3[k] = b - e;
  }
}

template <class T>
void input_transform(const WinogradGeometry& geo, const T* input, int64_t g, int64_t p0,
                     int64_t p1, T* v, int64_t ldv, T* rows) {
  const int64_t cig = geo.cig(), plane_size = geo.in_h * geo.in_w;
  const int64_t position_stride = cig * ldv;
  for_each_segment(geo, p0, p1, [&](const Segment& sg) {
    // t (4, width): B^T d over the columns [x0, x0 + width) of the segment's 4 input rows,
    // zero where they fall outside the input; the input columns [lo, hi) are inside.
    const int64_t width = 2 * sg.count + 2, x0 = 2 * sg.tx0 - geo.pad_w;
    const int64_t lo = std::clamp<int64_t>(-x0, 0, width);
    const int64_t hi = std::clamp<int64_t>(geo.in_w - x0, lo, width);
    T* zeros = rows + 4 * width;
    for (int64_t x = 0; x < width; ++x) zeros[x] = T(0);
    for (int i = 0; i < 4; ++i)
      for (int64_t x = 0; x < width; ++x)
        if (x < lo || x >= hi) rows[i * width + x] = T(0);
    for (int64_t c = 0; c < cig; ++c) {
      const T* plane = input + (sg.b * geo.c_in + g * cig + c) * plane_size;
      const T* src[4];
      for (int i = 0; i < 4; ++i) {
        const int64_t y = 2 * sg.ty - geo.pad_h + i;
        src[i] = y >= 0 && y < geo.in_h ? plane + y * geo.in_w + x0 + lo : zeros;
      }
      rows_transform(hi - lo, src[0], src[1], src[2], src[3], rows + lo, rows + width + lo,
                     rows + 2 * width + lo, rows + 3 * width + lo);
      T* vc = v + c * ldv + sg.q;
      for (int i = 0; i < 4; ++i) {
        T* vi = vc + 4 * i * position_stride;
        columns_transform(sg.count, rows + i * width, vi, vi + position_stride,
                          vi + 2 * position_stride, vi + 3 * position_stride);
      }
    }
  });
}

// y (4, n) = the 2x2 outputs (row-major) A^T M A + add of tiles [0, n), from their 16
// products e[xi * ps + k].
template <class T>
void tiles_transform(int64_t n, const T* __restrict e, int64_t ps, T add, T* __restrict y0,
                     T* __restrict y1, T* __restrict y2, T* __restrict y3) {
  for (int64_t k = 0; k < n; ++k) {
    T s[4], d[4];  // the two rows of A^T M
    for (int j = 0; j < 4; ++j) {
      s[j] = e[j * ps + k] + e[(4 + j) * ps + k] + e[(8 + j) * ps + k];
      d[j] = e[(4 + j) * ps + k] - e[(8 + j) * ps + k] - e[(12 + j) * ps + k];
    }
    y0[k] = s[0] + s[1] + s[2] + add;
    y1[k] = s[1] - s[2] - s[3] + add;
    y2[k] = d[0] + d[1] + d[2] + add;
    y3[k] = d[1] - d[2] - d[3] + add;
  }
}

// out[2k] = left[k], out[2k + 1] = right[k] for k in [0, n).
template <class T>
void interleave(int64_t n, const T* __restrict left, const T* __restrict right,
                T* __restrict out) {
  for (int64_t k = 0; k < n; ++k) {
    out[2 * k] = left[k];
    out[2 * k + 1] = right[k];
  }
}

// The block's 16 products of each output channel are combined at once (a block holds several
// short tile rows when the image is small: 7 tiles on 14x14), then scattered segment by segment.
template <class T>
void output_transform(const WinogradGeometry& geo, const T* m, int64_t ldm, const T* bias,
                      int64_t g, int64_t p0, int64_t p1, T* output, T* rows) {
  const int64_t cog = geo.cog(), ps = cog * ldm, plane_size = geo.out_h * geo.out_w;
  const int64_t n = p1 - p0;
  for (int64_t co = 0; co < cog; ++co) {
    tiles_transform(n, m + co * ldm, ps, bias ? bias[co] : T(0), rows, rows + n, rows + 2 * n,
                    rows + 3 * n);
    for_each_segment(geo, p0, p1, [&](const Segment& sg) {
      const int64_t y0 = 2 * sg.ty, x0 = 2 * sg.tx0;
      // Tiles [0, whole) lie inside the output's columns; the last may have one column only.
      const int64_t whole = std::min(sg.count, (geo.out_w - x0) / 2);
      const T* y = rows + sg.q;
      T* top = output + (sg.b * geo.c_out + g * cog + co) * plane_size + y0 * geo.out_w + x0;
      interleave(whole, y, y + n, top);
      if (whole < sg.count) top[2 * whole] = y[whole];
      if (y0 + 1 == geo.out_h) return;
      interleave(whole, y + 2 * n, y + 3 * n, top + geo.out_w);
      if (whole < sg.count) top[geo.out_w + 2 * whole] = y[2 * n + whole];
    });
  }
}

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(winograd_input_f32_stub, &EMBER_CPU_NS::input_transform<float>);
EMBER_REGISTER_DISPATCH(winograd_input_f64_stub, &EMBER_CPU_NS::input_transform<double>);
EMBER_REGISTER_DISPATCH(winograd_output_f32_stub, &EMBER_CPU_NS::output_transform<float>);
EMBER_REGISTER_DISPATCH(winograd_output_f64_stub, &EMBER_CPU_NS::output_transform<double>);

}  // namespace ember::cpu
