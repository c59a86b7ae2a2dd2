#include "storage/string_interner.h"

#include <xxhash.h>

#include <algorithm>

namespace kpi::storage {

uint64_t StringInterner::Hash(std::string_view id) { return XXH3_64bits(id.data(), id.size()); }

size_t StringInterner::Probe(std::string_view id, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  const uint32_t tag = static_cast<uint32_t>(hash >> 32);
  for (size_t pos = hash & mask;; pos = (pos + 1) & mask) {
    const Slot& s = slots_[pos];
    if (s.index_plus_one == 0) return pos;
    if (s.tag == tag && ids_[s.index_plus_one - 1] == id) return pos;
  }
}

uint32_t StringInterner::Find(std::string_view id) const {
  if (slots_.empty()) return kAbsent;
  const Slot& s = slots_[Probe(id, Hash(id))];
  return s.index_plus_one == 0 ? kAbsent : s.index_plus_one - 1;
}

uint32_t StringInterner::Intern(std::string_view id) {
  if ((ids_.size() + 1) * 2 > slots_.size()) Grow();
  const uint64_t hash = Hash(id);
  Slot& s = slots_[Probe(id, hash)];
  if (s.index_plus_one != 0) return s.index_plus_one - 1;
  const uint32_t index = static_cast<uint32_t>(ids_.size());
  ids_.emplace_back(id);
  s.index_plus_one = index + 1;
  s.tag = static_cast<uint32_t>(hash >> 32);
  return index;
}

void StringInterner::Reserve(size_t n) {
  ids_.reserve(n);
  size_t want = 16;
  while (want < n * 2) want *= 2;
  if (want <= slots_.size()) return;
  slots_.assign(want, Slot{});
  for (uint32_t i = 0; i < ids_.size(); ++i) {
    const uint64_t hash = Hash(ids_[i]);
    Slot& s = slots_[Probe(ids_[i], hash)];
    s.index_plus_one = i + 1;
    s.tag = static_cast<uint32_t>(hash >> 32);
  }
}

void StringInterner::Grow() { Reserve(std::max<size_t>(ids_.size() * 2, 8)); }

void StringInterner::Clear() {
  ids_.clear();
  slots_.clear();
}

}  // namespace kpi::storage
