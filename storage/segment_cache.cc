#include "storage/segment_cache.h"

namespace kpi::storage {

std::shared_ptr<const Segment> SegmentCache::Find(uint32_t partition, uint32_t segment, uint64_t generation,
                                                  const SegmentColumns& want, uint64_t scan) {
  return lru_.Find(
      Key{partition, segment, generation}, [&](const Segment& s) { return s.columns.Covers(want); }, scan);
}

void SegmentCache::Claim(uint32_t partition, uint32_t segment, uint64_t generation, uint64_t scan) {
  lru_.Claim(Key{partition, segment, generation}, scan);
}

SegmentColumns SegmentCache::CachedColumns(uint32_t partition, uint32_t segment, uint64_t generation) const {
  auto cached = lru_.Peek(Key{partition, segment, generation});
  return cached ? cached->columns : SegmentColumns();
}

void SegmentCache::Insert(uint32_t partition, uint32_t segment, uint64_t generation,
                          std::shared_ptr<const Segment> value, uint64_t scan) {
  const size_t bytes = value->MemoryBytes();
  const Key key{partition, segment, generation};
  const Segment* which = value.get();
  // A segment not kept (larger than the whole cache, as all are when the
  // process caches none: a one-statement `kpi query`; or only its scan's
  // own entries could make room) keeps no memo either: no one reads this
  // object again, and values derived over all its rows for later reads
  // would be derived in vain. Set after the insert: a reader finding the
  // entry before then keeps nothing in its memo, which is only slower.
  std::shared_ptr<const Segment> segment_ptr = value;
  if (lru_.Insert(key, std::move(value), bytes, scan))
    segment_ptr->memo.SetAccounting(bytes, [this, key, which](size_t grew) { lru_.Grow(key, which, grew); });
}

}  // namespace kpi::storage
