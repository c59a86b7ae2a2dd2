// SegmentCache: decoded segments, and the values readers derived from them,
// shared between queries, bounded in bytes together, least-recently-used
// eviction made scan-resistant (storage/lru_cache.h): each snapshot is one
// scan (NewScan) that claims the cached entries its plan will read
// (Snapshot::Plan), so a statement reading more than the capacity keeps
// what fits, and hits it when run again, instead of evicting every segment
// before its next read. Keyed by (partition, segment, generation): a
// rewritten segment gets a new generation, so a stale entry is never served
// (old snapshots still find the version they pinned).
//
// Each version has up to two entries, evicted independently: its decoded
// columns (a Segment; it may hold some columns only, SegmentColumns: a
// query needing more decodes the union and replaces it, so an entry only
// grows), and its derived values (MemoValues, storage/segment_memo.h: a
// few bytes per ticket, where the columns are ~20 per event), which every
// decoded copy of the version shares. A reader that needs the derived
// values only is served by the second when the first is gone (a hollow
// segment, Snapshot::Load). For such readers the values rank above the
// columns (storage/lru_cache.h): a statement whose columns do not fit
// keeps its values, and repeats without decoding.
// Thread safety: all methods are safe to call concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "storage/lru_cache.h"
#include "storage/segment.h"

namespace kpi::storage {

class SegmentCache {
 public:
  explicit SegmentCache(size_t capacity_bytes) : lru_(capacity_bytes, [](const Key& k) { return k.kind; }) {}

  // A scan id no earlier call returned (never 0), for one snapshot's loads.
  uint64_t NewScan() { return next_scan_.fetch_add(1, std::memory_order_relaxed); }
  // The cached segment when it holds every column of `want` (a hit), else
  // null. A hit becomes `scan`'s (0: no scan).
  std::shared_ptr<const Segment> Find(uint32_t partition, uint32_t segment, uint64_t generation,
                                      const SegmentColumns& want, uint64_t scan = 0);
  // The cached derived values of the version (a hit) or null; a hit
  // becomes `scan`'s, ranked above decoded columns (a reader of hollow
  // segments wants them: see Insert).
  std::shared_ptr<MemoValues> FindMemo(uint32_t partition, uint32_t segment, uint64_t generation, uint64_t scan);
  // A hollow segment FindMemo served was decoded after all: its hit counts
  // as a miss (MemoStats' hits are segments read without decoding).
  void HollowDecoded();
  // A version a scan will read: (partition, segment, generation).
  struct Version {
    uint32_t partition, segment;
    uint64_t generation;
  };
  // Makes the versions' cached entries, if any, `scan`'s (storage/lru_cache.h
  // Claim) before the cache next makes room (an insert or a growing
  // entry, of any scan), not now: until then nothing is evicted, so the
  // claims would change nothing earlier, and a scan that only hits (a
  // warm statement) never looks its versions up (at 20M tickets, 2 x
  // 9,942 lookups missing the CPU caches were half of a warm statement's CPU).
  void ClaimLater(std::vector<Version> versions, uint64_t scan);
  // `scan` reads no more: its claims not made yet are dropped.
  void EndScan(uint64_t scan);
  // The columns the cached segment holds (none when absent); not a lookup.
  SegmentColumns CachedColumns(uint32_t partition, uint32_t segment, uint64_t generation) const;
  // Replaces what is cached for the segment's columns. Not kept when larger
  // than the cache or when only `scan`'s own entries could make room for it
  // (storage/lru_cache.h). Either way `value`'s memo is given the version's
  // derived values when it has none (the cached ones, else new ones kept as
  // an entry of their own when they fit), with room for about twice the
  // bytes `value` holds, charged to that entry as it fills; none when they do
  // not fit either (a cache of no capacity keeps nothing). With
  // `values_first` (a reader of hollow segments, which repeats from the
  // values alone) the values rank above decoded columns (storage/lru_cache.h):
  // a scan filling the cache evicts its own columns to keep them. Otherwise
  // they rank with the columns: a reader that decodes anyway is better
  // served by whole segments.
  void Insert(uint32_t partition, uint32_t segment, uint64_t generation, std::shared_ptr<const Segment> value,
              uint64_t scan = 0, bool values_first = false);
  size_t bytes() const { return lru_.Stats().bytes; }
  // The decoded segments (entries, bytes, the capacity shared with the
  // derived values; segment lookups and their hits). O(1), as MemoStats:
  // the cache counts each kind of entry as it goes (storage/lru_cache.h).
  CacheStats Stats() const;
  // The derived values: entries and bytes; hits are segments read without
  // decoding (hollow, never materialized), misses those decoded when
  // their values were wanted.
  CacheStats MemoStats() const;

 private:
  enum Kind : uint8_t { kColumns = 0, kMemo = 1 };
  struct Key {
    uint32_t partition, segment;
    uint64_t generation;
    Kind kind;
    bool operator==(const Key& o) const {
      return partition == o.partition && segment == o.segment && generation == o.generation && kind == o.kind;
    }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return ((uint64_t{k.partition} << 32 | k.segment) * 0x9E3779B97F4A7C15ull ^ k.generation) + k.kind;
    }
  };
  // One entry: a segment (kColumns) or a version's derived values (kMemo).
  struct Item {
    std::shared_ptr<const Segment> segment;
    std::shared_ptr<MemoValues> memo;
  };
  // The version's values (cached, else new and kept when they fit), their
  // room raised to `decoded`'s bytes, their rank to `rank`; null when not kept.
  std::shared_ptr<MemoValues> MemoFor(const Key& memo_key, const Segment& decoded, uint64_t scan, uint8_t rank);

  // Makes every pending claim (ClaimLater).
  void ClaimPending();

  LruCache<Key, Item, KeyHash> lru_;
  std::mutex pending_mu_;
  std::vector<std::pair<uint64_t, std::vector<Version>>> pending_;  // (scan, versions); GUARDED_BY(pending_mu_)
  std::atomic<bool> any_pending_{false};
  std::atomic<uint64_t> next_scan_{1};
  std::atomic<uint64_t> hits_{0}, misses_{0}, memo_hits_{0}, memo_misses_{0};
};

}  // namespace kpi::storage
