#include "query/repeat_index.h"

#include <algorithm>

namespace kpi::query {

namespace {
constexpr size_t kMaxInlineParts = 16;
}

RepeatIndex::RepeatIndex(size_t dims) : dims_(dims), table_(dims <= 2 ? 1 : dims) {}

size_t RepeatIndex::Pack(const uint32_t* codes, uint64_t* key) const {
  if (dims_ <= 2) {
    key[0] = dims_ == 0 ? 0 : (dims_ == 1 ? codes[0] : (uint64_t{codes[0]} << 32) | codes[1]);
    return 1;
  }
  for (size_t i = 0; i < dims_; ++i) key[i] = codes[i];
  return dims_;
}

void RepeatIndex::Add(const uint32_t* codes, int64_t created_ms) {
  uint64_t inline_key[kMaxInlineParts];
  std::vector<uint64_t> big;
  uint64_t* key = inline_key;
  if (dims_ > kMaxInlineParts) {
    big.resize(dims_);
    key = big.data();
  }
  Pack(codes, key);
  bool inserted;
  pair_group_.push_back(table_.FindOrInsert(key, &inserted));
  pair_time_.push_back(created_ms);
}

void RepeatIndex::Merge(const RepeatIndex& other) {
  std::vector<uint32_t> map(other.table_.size());
  for (uint32_t g = 0; g < other.table_.size(); ++g) {
    bool inserted;
    map[g] = table_.FindOrInsert(other.table_.Key(g), &inserted);
  }
  for (size_t i = 0; i < other.pair_group_.size(); ++i) {
    pair_group_.push_back(map[other.pair_group_[i]]);
    pair_time_.push_back(other.pair_time_[i]);
  }
}

void RepeatIndex::Finish() {
  const size_t groups = table_.size();
  offsets_.assign(groups + 1, 0);
  for (uint32_t g : pair_group_) offsets_[g + 1]++;
  for (size_t g = 0; g < groups; ++g) offsets_[g + 1] += offsets_[g];
  times_.resize(pair_time_.size());
  std::vector<uint32_t> fill(offsets_.begin(), offsets_.end() - 1);
  for (size_t i = 0; i < pair_group_.size(); ++i) times_[fill[pair_group_[i]]++] = pair_time_[i];
  for (size_t g = 0; g < groups; ++g) std::sort(times_.begin() + offsets_[g], times_.begin() + offsets_[g + 1]);
  pair_group_ = {};
  pair_time_ = {};
}

bool RepeatIndex::HasWithin(const uint32_t* codes, int64_t created_ms, int64_t window_ms) const {
  uint64_t inline_key[kMaxInlineParts];
  std::vector<uint64_t> big;
  uint64_t* key = inline_key;
  if (dims_ > kMaxInlineParts) {
    big.resize(dims_);
    key = big.data();
  }
  Pack(codes, key);
  const int64_t g = table_.Find(key);
  if (g < 0 || static_cast<size_t>(g) + 1 >= offsets_.size()) return false;
  const auto begin = times_.begin() + offsets_[g], end = times_.begin() + offsets_[g + 1];
  auto it = std::lower_bound(begin, end, created_ms - window_ms);
  return it != end && *it < created_ms;
}

}  // namespace kpi::query
