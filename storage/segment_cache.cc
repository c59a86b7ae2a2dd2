#include "storage/segment_cache.h"

#include <cstdlib>
#include <string_view>

namespace kpi::storage {

std::shared_ptr<const Segment> SegmentCache::Find(uint32_t partition, uint32_t segment, uint64_t generation,
                                                  const SegmentColumns& want) {
  return lru_.Find(Key{partition, segment, generation}, [&](const Segment& s) { return s.columns.Covers(want); });
}

SegmentColumns SegmentCache::CachedColumns(uint32_t partition, uint32_t segment, uint64_t generation) const {
  auto cached = lru_.Peek(Key{partition, segment, generation});
  return cached ? cached->columns : SegmentColumns();
}

namespace {

// KPI_SEGMENT_MEMO=off in the environment: cached segments keep no memo, so
// a statement repeated in one process finds its columns decoded but derives
// its per-ticket values again. A measurement switch (bench/cold_runs.py's
// "cached" column, docs/performance.md), read once per process.
bool MemoOff() {
  static const bool off = [] {
    const char* v = std::getenv("KPI_SEGMENT_MEMO");
    return v != nullptr && std::string_view(v) == "off";
  }();
  return off;
}

}  // namespace

void SegmentCache::Insert(uint32_t partition, uint32_t segment, uint64_t generation,
                          std::shared_ptr<const Segment> value) {
  const size_t bytes = value->MemoryBytes();
  const Key key{partition, segment, generation};
  const Segment* which = value.get();
  value->memo.SetAccounting(MemoOff() ? 0 : bytes, [this, key, which](size_t grew) { lru_.Grow(key, which, grew); });
  lru_.Insert(key, std::move(value), bytes);
}

}  // namespace kpi::storage
