#include "query/repeat_index.h"

#include <algorithm>

namespace kpi::query {

void RepeatIndex::Add(const uint32_t* codes, int64_t created_ms) {
  for (size_t i = 0; i < scratch_.size(); ++i) scratch_[i] = codes[i];
  bool inserted;
  const uint32_t g = table_.FindOrInsert(scratch_.data(), &inserted);
  if (inserted) times_.emplace_back();
  times_[g].push_back(created_ms);
}

void RepeatIndex::Merge(const RepeatIndex& other) {
  for (uint32_t g = 0; g < other.table_.size(); ++g) {
    bool inserted;
    const uint32_t d = table_.FindOrInsert(other.table_.Key(g), &inserted);
    if (inserted) times_.emplace_back();
    times_[d].insert(times_[d].end(), other.times_[g].begin(), other.times_[g].end());
  }
}

void RepeatIndex::Finish() {
  for (auto& t : times_) std::sort(t.begin(), t.end());
}

bool RepeatIndex::HasWithin(const uint32_t* codes, int64_t created_ms, int64_t window_ms) const {
  uint64_t key[16];
  std::vector<uint64_t> big;
  uint64_t* k = key;
  const size_t n = table_.parts();
  if (n > 16) {
    big.resize(n);
    k = big.data();
  }
  for (size_t i = 0; i < n; ++i) k[i] = codes[i];
  const int64_t g = table_.Find(k);
  if (g < 0) return false;
  const std::vector<int64_t>& t = times_[static_cast<size_t>(g)];
  auto it = std::lower_bound(t.begin(), t.end(), created_ms - window_ms);
  return it != t.end() && *it < created_ms;
}

}  // namespace kpi::query
