// SegmentCache: decoded segments shared between queries, bounded in bytes,
// least-recently-used eviction made scan-resistant (storage/lru_cache.h):
// each snapshot is one scan (NewScan) that claims the cached segments its
// plan will read (Snapshot::Plan), so a statement reading more than the
// capacity keeps what fits, and hits it when run again, instead of
// evicting every segment before its next read. Keyed by (partition,
// segment, generation): a rewritten segment gets a new generation, so a
// stale entry is never served (old snapshots still find the version they
// pinned). An entry may hold some columns only (SegmentColumns); a query
// needing more decodes the union and replaces it, so an entry only grows.
// Thread safety: all methods are safe to call concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "storage/lru_cache.h"
#include "storage/segment.h"

namespace kpi::storage {

class SegmentCache {
 public:
  explicit SegmentCache(size_t capacity_bytes) : lru_(capacity_bytes) {}

  // A scan id no earlier call returned (never 0), for one snapshot's loads.
  uint64_t NewScan() { return next_scan_.fetch_add(1, std::memory_order_relaxed); }
  // The cached segment when it holds every column of `want` (a hit), else
  // null. A hit becomes `scan`'s (0: no scan).
  std::shared_ptr<const Segment> Find(uint32_t partition, uint32_t segment, uint64_t generation,
                                      const SegmentColumns& want, uint64_t scan = 0);
  // Makes the cached segment, if any, `scan`'s (storage/lru_cache.h Claim).
  void Claim(uint32_t partition, uint32_t segment, uint64_t generation, uint64_t scan);
  // The columns the cached segment holds (none when absent); not a lookup.
  SegmentColumns CachedColumns(uint32_t partition, uint32_t segment, uint64_t generation) const;
  // Replaces what is cached for the segment. Not kept when larger than the
  // cache or when only `scan`'s own entries could make room for it
  // (storage/lru_cache.h). A kept value's memo gets room for as many bytes
  // as the segment itself, charged to the entry as it fills
  // (storage/segment_memo.h); a value not kept keeps no memo.
  void Insert(uint32_t partition, uint32_t segment, uint64_t generation, std::shared_ptr<const Segment> value,
              uint64_t scan = 0);
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
  std::atomic<uint64_t> next_scan_{1};
};

}  // namespace kpi::storage
