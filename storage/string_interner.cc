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
  return InternHashed(id, Hash(id));
}

void StringInterner::InternMany(std::span<const std::string_view> keys, uint32_t* out) {
  const size_t n = keys.size();
  if (n == 0) return;
  if (slots_.empty()) Grow();
  hashes_.resize(n);
  for (size_t i = 0; i < n; ++i) hashes_[i] = Hash(keys[i]);
  // Two-stage prefetch: a key's slot kSlotAhead lookups early, and the string
  // that slot points at kStringAhead early (by then the slot is in cache).
  constexpr size_t kSlotAhead = 16, kStringAhead = 8;
  size_t mask = slots_.size() - 1;
  for (size_t i = 0; i < n; ++i) {
    // The table grows as Intern's does, when it is half full, not by the
    // batch's size up front: most keys of a batch are already there (a
    // seal's tickets), and room for all of them doubled the table of a
    // 1.0M-ticket run to 4M slots (32 MB) although 2M held them. A rehash
    // only makes the slots prefetched before it stale (a miss, not an error).
    if ((ids_.size() + 1) * 2 > slots_.size()) {
      Grow();
      mask = slots_.size() - 1;
    }
    if (i + kSlotAhead < n) __builtin_prefetch(&slots_[hashes_[i + kSlotAhead] & mask]);
    if (i + kStringAhead < n) {
      const Slot& ahead = slots_[hashes_[i + kStringAhead] & mask];
      if (ahead.index_plus_one != 0) __builtin_prefetch(&ids_[ahead.index_plus_one - 1]);
    }
    out[i] = InternHashed(keys[i], hashes_[i]);
  }
}

uint32_t StringInterner::InternHashed(std::string_view id, uint64_t hash) {
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

size_t StringInterner::MemoryBytes() const {
  size_t bytes = ids_.capacity() * sizeof(std::string) + slots_.capacity() * sizeof(Slot) +
                 hashes_.capacity() * sizeof(uint64_t);
  for (const std::string& s : ids_) bytes += s.size() > 15 ? s.capacity() + 1 : 0;  // beyond the inline buffer
  return bytes;
}

void StringInterner::Clear() {
  ids_.clear();
  slots_.clear();
  hashes_.clear();
}

}  // namespace kpi::storage
