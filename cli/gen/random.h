// Deterministic pseudo-random numbers for the synthetic data generator.
//
// The generator's output must be byte-identical for a given seed on every
// platform, so nothing here uses <random> distributions (their algorithms
// differ between standard libraries). Rng is xoshiro256** seeded through
// splitmix64; the continuous helpers use only +,*,/ and std::log/exp/sqrt/cos,
// which glibc rounds the same everywhere it runs, and the generator rounds
// their results to whole milliseconds or cents anyway.
// Thread safety: an Rng is a value; do not share one between threads.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace kpi::gen {

// splitmix64's output function: a bijective, well-mixing 64-bit hash.
inline uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A hash of (seed, stream, a, b): independent random words for independent
// purposes (one stream per purpose) without sharing a sequential generator.
inline uint64_t HashKey(uint64_t seed, uint64_t stream, uint64_t a, uint64_t b = 0) {
  return Mix64(Mix64(Mix64(seed ^ (stream * 0xd1b54a32d192ed03ULL)) + a) + b);
}

// Maps 64 random bits to a double in [0, 1).
inline double UnitFromBits(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : state_) {
      seed += 0x9e3779b97f4a7c15ULL;
      word = Mix64(seed);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double Uniform() { return UnitFromBits(Next()); }
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  bool Chance(double p) { return Uniform() < p; }

  // Uniform integer in [0, n); n must be > 0. Lemire's multiply-shift with
  // rejection, so the result is unbiased and the same on every platform.
  uint64_t Below(uint64_t n) {
    unsigned __int128 m = static_cast<unsigned __int128>(Next()) * n;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<unsigned __int128>(Next()) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

  // Standard normal (Box-Muller; one value per call keeps the state simple).
  double Normal() {
    const double u1 = 1.0 - Uniform();  // (0, 1]: log never sees 0
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

  // Lognormal with the given median and log-space sigma, clamped to [lo, hi].
  double LogNormal(double median, double sigma, double lo, double hi) {
    const double v = median * std::exp(sigma * Normal());
    return v < lo ? lo : (v > hi ? hi : v);
  }

  // Index drawn from `n` weights (need not sum to 1; must not all be 0).
  size_t Pick(const double* weights, size_t n) {
    double total = 0;
    for (size_t i = 0; i < n; ++i) total += weights[i];
    double r = Uniform() * total;
    for (size_t i = 0; i + 1 < n; ++i) {
      if (r < weights[i]) return i;
      r -= weights[i];
    }
    return n - 1;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

}  // namespace kpi::gen
