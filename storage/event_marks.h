// EventMarks: a set of event indexes within one staged batch, one bit per
// event up to the highest marked. What a spilled seal's look-ahead notes per
// later batch: the events it sealed ahead (Sealer::ahead_taken_, then
// Store::Impl::sealed_ahead until the run that takes the batch skips them;
// storage/sealer_staged.cc). A run marks a large share of each batch it
// looks ahead in (millions of events at 20M tickets), so a bit per event
// holds them in ~1/32 of what a sorted vector of 4-byte indexes did.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace kpi::storage {

class EventMarks {
 public:
  EventMarks() = default;
  // The indexes in `ascending` order.
  explicit EventMarks(std::span<const uint32_t> ascending) {
    if (ascending.empty()) return;
    words_.assign(ascending.back() / 64 + 1, 0);
    for (uint32_t i : ascending) words_[i / 64] |= uint64_t{1} << (i % 64);
  }

  bool Marked(uint32_t i) const { return i / 64 < words_.size() && ((words_[i / 64] >> (i % 64)) & 1) != 0; }

  // Marks every index `other` marks too.
  void Add(const EventMarks& other) {
    if (other.words_.size() > words_.size()) words_.resize(other.words_.size(), 0);
    for (size_t w = 0; w < other.words_.size(); ++w) words_[w] |= other.words_[w];
  }

  bool empty() const {
    return std::all_of(words_.begin(), words_.end(), [](uint64_t w) { return w == 0; });
  }
  size_t MemoryBytes() const { return words_.capacity() * sizeof(uint64_t); }

 private:
  std::vector<uint64_t> words_;
};

}  // namespace kpi::storage
