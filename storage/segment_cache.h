// SegmentCache: decoded segments shared between queries, bounded in bytes,
// least-recently-used eviction (storage/lru_cache.h). Keyed by (partition,
// segment, generation): a rewritten segment gets a new generation, so a
// stale entry is never served (old snapshots still find the version they
// pinned). An entry may hold some columns only (SegmentColumns); a query
// needing more decodes the union and replaces it, so an entry only grows.
// Thread safety: all methods are safe to call concurrently.
#pragma once

#include <cstdint>
#include <memory>

#include "storage/lru_cache.h"
#include "storage/segment.h"

namespace kpi::storage {

class SegmentCache {
 public:
  explicit SegmentCache(size_t capacity_bytes) : lru_(capacity_bytes) {}

  // The cached segment when it holds every column of `want` (a hit), else null.
  std::shared_ptr<const Segment> Find(uint32_t partition, uint32_t segment, uint64_t generation,
                                      const SegmentColumns& want);
  // The columns the cached segment holds (none when absent); not a lookup.
  SegmentColumns CachedColumns(uint32_t partition, uint32_t segment, uint64_t generation) const;
  // Replaces what is cached for the segment. The value's memo gets room
  // for as many bytes as the segment itself, charged to the entry as it
  // fills (storage/segment_memo.h).
  void Insert(uint32_t partition, uint32_t segment, uint64_t generation, std::shared_ptr<const Segment> value);
  size_t bytes() const { return lru_.Stats().bytes; }
  CacheStats Stats() const { return lru_.Stats(); }

 private:
  struct Key {
    uint32_t partition, segment;
    uint64_t generation;
    bool operator==(const Key& o) const {
      return partition == o.partition && segment == o.segment && generation == o.generation;
    }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return (uint64_t{k.partition} << 32 | k.segment) * 0x9E3779B97F4A7C15ull ^ k.generation;
    }
  };

  LruCache<Key, Segment, KeyHash> lru_;
};

}  // namespace kpi::storage
