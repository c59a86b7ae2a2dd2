#include "storage/segment_cache.h"

namespace kpi::storage {

std::shared_ptr<const Segment> SegmentCache::Find(uint32_t partition, uint32_t segment, uint64_t generation,
                                                  const SegmentColumns& want) {
  return lru_.Find(Key{partition, segment, generation}, [&](const Segment& s) { return s.columns.Covers(want); });
}

SegmentColumns SegmentCache::CachedColumns(uint32_t partition, uint32_t segment, uint64_t generation) const {
  auto cached = lru_.Peek(Key{partition, segment, generation});
  return cached ? cached->columns : SegmentColumns();
}

void SegmentCache::Insert(uint32_t partition, uint32_t segment, uint64_t generation,
                          std::shared_ptr<const Segment> value) {
  const size_t bytes = value->MemoryBytes();
  const Key key{partition, segment, generation};
  const Segment* which = value.get();
  // A segment larger than the whole cache (all of them when the process
  // caches none: a one-statement `kpi query`) is not kept, so its memo
  // keeps nothing either: no one reads this object again, and values
  // derived over all its rows for later reads would be derived in vain.
  if (bytes <= lru_.Stats().capacity_bytes)
    value->memo.SetAccounting(bytes, [this, key, which](size_t grew) { lru_.Grow(key, which, grew); });
  lru_.Insert(key, std::move(value), bytes);
}

}  // namespace kpi::storage
