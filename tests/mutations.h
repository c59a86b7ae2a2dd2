// Mutations of a valid encoding, for the hostile-input tests: what a
// writer that is no encoder could leave. Each byte (every one of a value of
// up to `dense` bytes, else the first and last 64 and an even sample) set to
// 0x00 and 0xff, its top bit flipped and incremented; the value cut at
// every length (sampled likewise); then `random` seeded mutations of 1-4
// random bytes each, a byte inserted or a byte removed.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace kpi::testing {

inline void ForEachMutation(const std::string& valid, const std::function<void(const std::string&)>& fn,
                            size_t dense = 512, size_t random = 400, uint32_t seed = 1) {
  const size_t n = valid.size();
  std::vector<size_t> positions;
  for (size_t i = 0; i < n; ++i)
    if (n <= dense || i < 64 || i + 64 >= n || i % (n / dense + 1) == 0) positions.push_back(i);
  std::string m;
  for (size_t i : positions) {
    for (int kind = 0; kind < 4; ++kind) {
      m = valid;
      const auto b = static_cast<uint8_t>(m[i]);
      m[i] = static_cast<char>(kind == 0 ? 0x00 : kind == 1 ? 0xff : kind == 2 ? b ^ 0x80 : b + 1);
      if (m != valid) fn(m);
    }
    fn(valid.substr(0, i));
  }
  std::mt19937 rng(seed);
  for (size_t r = 0; r < random && n > 0; ++r) {
    m = valid;
    switch (rng() % 3) {
      case 0:
        for (uint32_t k = 0, changes = 1 + rng() % 4; k < changes; ++k) m[rng() % n] = static_cast<char>(rng());
        break;
      case 1:
        m.insert(m.begin() + static_cast<ptrdiff_t>(rng() % (n + 1)), static_cast<char>(rng()));
        break;
      default:
        m.erase(m.begin() + static_cast<ptrdiff_t>(rng() % n));
        break;
    }
    fn(m);
  }
}

}  // namespace kpi::testing
