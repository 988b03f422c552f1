// Random number generators: a seed and a position in the seed's Philox4x32-10 stream.
//
// The stream of a seed is a sequence of 128-bit blocks; block b is
//     philox4x32_10(counter = (lo32(b), hi32(b), 0, 0), key = (lo32(seed), hi32(seed)))
// giving four 32-bit words w0..w3 (ember/philox.h). A Generator's offset is the index of the
// next unused block. A call that fills n elements (in row-major order of the result) starts at
// block o = offset and maps element i to words as follows:
//   32-bit draws (float32 uniform/normal, bernoulli): element i takes word i % 4 of block
//       o + i / 4;
//   64-bit draws (float64 uniform/normal, integers, randperm's sort keys): element i takes
//       join64(w[2k], w[2k+1]) with k = i % 2, of block o + i / 2;
//   normal: elements 2j and 2j+1 are the Box-Muller pair of the draws u1 = draw(2j) mapped to
//       (0, 1] and u2 = draw(2j+1) mapped to [0, 1): r = sqrt(-2 log u1), theta = 2 pi u2,
//       element 2j = mean + std r cos(theta), element 2j+1 = mean + std r sin(theta).
// and then advances offset by the number of blocks it touched, ceil(n / values per block).
// Every element is thus a pure function of (seed, offset, i): the result does not depend on
// the number of threads or on how the work is split, and a CUDA kernel with one thread per
// block reproduces it bit for bit (the integer draws exactly; transcendental functions up to
// the device's math library).
#pragma once

#include <cstdint>
#include <mutex>

namespace ember {

class Generator {
 public:
  // PyTorch's default seed, so that an unseeded run is still reproducible.
  static constexpr uint64_t kDefaultSeed = 67280421310721ull;

  explicit Generator(uint64_t seed = kDefaultSeed) : seed_(seed) {}
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  // Restart the stream of `seed` at block 0.
  void manual_seed(uint64_t seed);
  // Seed from the operating system's entropy; returns the seed.
  uint64_t seed();
  uint64_t initial_seed() const;
  uint64_t offset() const;
  void set_state(uint64_t seed, uint64_t offset);

  struct Draw {
    uint64_t seed;
    uint64_t offset;  // first block of this call
  };
  // The blocks [offset, offset + blocks) for one call; advances offset past them. Thread-safe.
  Draw reserve(uint64_t blocks);

 private:
  mutable std::mutex mutex_;
  uint64_t seed_;
  uint64_t offset_ = 0;
};

// The generator of ember.manual_seed and of every call not given a generator.
Generator& default_generator();

}  // namespace ember
