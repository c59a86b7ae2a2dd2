#include "storage/segment_cache.h"

namespace kpi::storage {

std::shared_ptr<const Segment> SegmentCache::Find(uint32_t partition, uint32_t segment, uint64_t generation) {
  std::lock_guard lock(mu_);
  auto it = index_.find(Key{partition, segment, generation});
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->value;
}

void SegmentCache::Insert(uint32_t partition, uint32_t segment, uint64_t generation,
                          std::shared_ptr<const Segment> value) {
  size_t bytes = value->MemoryBytes();
  std::lock_guard lock(mu_);
  Key key{partition, segment, generation};
  if (index_.count(key) != 0 || bytes > capacity_) return;
  lru_.push_front(Entry{key, std::move(value), bytes});
  index_[key] = lru_.begin();
  bytes_ += bytes;
  while (bytes_ > capacity_ && !lru_.empty()) {
    bytes_ -= lru_.back().bytes;
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

size_t SegmentCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace kpi::storage
