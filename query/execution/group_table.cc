#include "query/execution/group_table.h"

#include "query/execution/hash_mix.h"

namespace kpi::query {

uint64_t GroupTable::HashKey(const uint64_t* key, size_t parts) {
  uint64_t h = 0x9e3779b97f4a7c15ULL;
  for (size_t i = 0; i < parts; ++i) h = MixBits(h ^ key[i]) + i;
  return h;
}

uint64_t GroupTable::Hash(const uint64_t* key) const { return HashKey(key, parts_); }

bool GroupTable::Equal(uint32_t gid, const uint64_t* key) const {
  const uint64_t* k = Key(gid);
  for (size_t i = 0; i < parts_; ++i)
    if (k[i] != key[i]) return false;
  return true;
}

void GroupTable::Grow() {
  const size_t cap = slots_.empty() ? 16 : slots_.size() * 2;
  slots_.assign(cap, 0);
  for (uint32_t g = 0; g < size_; ++g) {
    size_t i = Hash(Key(g)) & (cap - 1);
    while (slots_[i] != 0) i = (i + 1) & (cap - 1);
    slots_[i] = g + 1;
  }
}

uint32_t GroupTable::FindOrInsert(const uint64_t* key, bool* inserted) {
  if (parts_ == 0) {  // one group: the whole input
    *inserted = size_ == 0;
    size_ = 1;
    return 0;
  }
  if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
  const size_t mask = slots_.size() - 1;
  size_t i = Hash(key) & mask;
  while (slots_[i] != 0) {
    if (Equal(slots_[i] - 1, key)) {
      *inserted = false;
      return slots_[i] - 1;
    }
    i = (i + 1) & mask;
  }
  const uint32_t gid = static_cast<uint32_t>(size_);
  keys_.insert(keys_.end(), key, key + parts_);
  slots_[i] = gid + 1;
  ++size_;
  *inserted = true;
  return gid;
}

int64_t GroupTable::Find(const uint64_t* key) const {
  if (parts_ == 0) return size_ > 0 ? 0 : -1;
  if (slots_.empty()) return -1;
  const size_t mask = slots_.size() - 1;
  size_t i = Hash(key) & mask;
  while (slots_[i] != 0) {
    if (Equal(slots_[i] - 1, key)) return slots_[i] - 1;
    i = (i + 1) & mask;
  }
  return -1;
}

}  // namespace kpi::query
