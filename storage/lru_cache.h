// LruCache: shared values bounded by their total size in bytes, the least
// recently used evicted first, with hit and miss counts (`kpi info`,
// /metrics). The decoded-segment cache and the dictionary page cache are
// two of these.
//
// A value larger than the whole capacity is not kept. Insert replaces the
// value under a key already present.
//
// Scan resistance: Find, Insert and Claim may name a scan (`scan` != 0, e.g.
// one statement's reads); an entry belongs to the scan that last inserted,
// hit or claimed it. A scan's inserts, and the growth of its entries, never
// evict its own entries: when only they could make room, the new value is
// not kept (a grown one is dropped). A scan that claims what it is about to
// read (Claim) and reads more than the capacity therefore keeps what fits,
// and hits all of it when run again, in any order, where a plain LRU evicts
// each entry just before it is read again and hits nothing. Other scans'
// entries, and those of scan 0 (unnamed), are evicted least recent first;
// unnamed inserts and growth evict as a plain LRU does.
//
// Ranks: an entry may rank above others (Insert's `rank`, 0 or 1). A
// scan's insert or growth of rank r may also evict that scan's own entries
// of a lower rank (least recent first) when the others' do not make room:
// a scan reading more than fits keeps what it ranks higher (the segment
// cache: values derived from segments, a few bytes per ticket, over the
// decoded columns they came from).
// Kinds: a cache may sort its keys into kinds (the constructor's `kind_of`,
// at most kMaxKinds; all of kind 0 without it) whose entries and bytes it
// counts apart, each count kept as entries come, grow and go, so that
// KindStats is O(1) (a report never walks the entries under the lock).
// Thread safety: all methods are safe to call concurrently; values are
// shared_ptr<const V>, so a value evicted while in use stays alive.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace kpi::storage {

struct CacheStats {
  uint64_t entries = 0, bytes = 0, capacity_bytes = 0;
  uint64_t hits = 0, misses = 0;
};

template <typename Key, typename Value, typename Hash = std::hash<Key>>
class LruCache {
 public:
  using Ptr = std::shared_ptr<const Value>;

  static constexpr size_t kMaxKinds = 4;
  using KindOf = std::function<uint8_t(const Key&)>;  // a key's kind, below kMaxKinds

  explicit LruCache(size_t capacity_bytes, KindOf kind_of = nullptr)
      : capacity_(capacity_bytes), kind_of_(std::move(kind_of)) {}

  // The value under `key` when `usable(value)` holds (a hit), else null (a
  // miss). A hit becomes `scan`'s entry.
  Ptr Find(const Key& key, const std::function<bool(const Value&)>& usable = nullptr, uint64_t scan = 0) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end() || (usable && !usable(*it->second->value))) {
      ++misses_;
      return nullptr;
    }
    ++hits_;
    lru_.splice(lru_.begin(), lru_, it->second);
    SetScan(*it->second, scan);
    return it->second->value;
  }

  // The value under `key` without counting or reordering; null when absent.
  Ptr Peek(const Key& key) const {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : it->second->value;
  }

  // Makes the entry under `key`, if any, `scan`'s without counting or
  // reordering: a scan claims what it will read before reading it.
  void Claim(const Key& key, uint64_t scan) {
    std::lock_guard lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) SetScan(*it->second, scan);
  }

  // Raises the entry under `key`, if any, to rank `rank` (never lowers it).
  void Raise(const Key& key, uint8_t rank) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end() || it->second->rank >= rank) return;
    Entry& e = *it->second;
    const uint64_t scan = e.scan;
    SetScan(e, 0);
    e.rank = rank;
    SetScan(e, scan);
  }

  // Keeps `value` as `scan`'s entry of rank `rank`; false when it is not
  // kept (larger than the capacity, or only `scan`'s own entries of its
  // rank or above could make room).
  bool Insert(const Key& key, Ptr value, size_t bytes, uint64_t scan = 0, uint8_t rank = 0) {
    std::lock_guard lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) Erase(it->second);
    if (bytes > capacity_) return false;
    if (scan != 0) {
      if (ScanBytes(scan, rank) + bytes > capacity_) return false;
      EvictOutside(scan, capacity_ - bytes, rank);
    }
    const uint8_t kind = kind_of_ ? kind_of_(key) : 0;
    lru_.push_front(Entry{key, std::move(value), bytes, 0, rank, kind});
    index_[key] = lru_.begin();
    bytes_ += bytes;
    kinds_[kind].entries++;
    kinds_[kind].bytes += bytes;
    SetScan(lru_.front(), scan);
    while (bytes_ > capacity_ && !lru_.empty()) Erase(std::prev(lru_.end()));
    return true;
  }

  // Charges `delta` more bytes to the entry under `key` when it still holds
  // `which` (a value that grew after its insert), evicting as its scan's
  // insert would (dropping the entry itself when only its scan's entries
  // are left); nothing otherwise. Whether the entry is still held.
  bool Grow(const Key& key, const Value* which, size_t delta) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end() || it->second->value.get() != which) return false;
    Entry& e = *it->second;
    e.bytes += delta;
    bytes_ += delta;
    kinds_[e.kind].bytes += delta;
    if (e.scan != 0) {
      scan_bytes_[e.scan][e.rank] += delta;
      EvictOutside(e.scan, capacity_, e.rank);
      if (bytes_ > capacity_) {
        Erase(it->second);
        return false;
      }
    }
    while (bytes_ > capacity_ && !lru_.empty()) Erase(std::prev(lru_.end()));
    return index_.count(key) != 0;
  }

  void EraseIf(const std::function<bool(const Key&)>& doomed) {
    std::lock_guard lock(mu_);
    for (auto it = lru_.begin(); it != lru_.end();) {
      auto next = std::next(it);
      if (doomed(it->key)) Erase(it);
      it = next;
    }
  }

  CacheStats Stats() const {
    std::lock_guard lock(mu_);
    return CacheStats{lru_.size(), bytes_, capacity_, hits_, misses_};
  }

  // The entries and bytes of kind `kind` (O(1)), with the capacity; no hit counts.
  CacheStats KindStats(uint8_t kind) const {
    std::lock_guard lock(mu_);
    return CacheStats{kinds_[kind].entries, kinds_[kind].bytes, capacity_, 0, 0};
  }

  // The entries and bytes of the keys `which` holds for, with the capacity;
  // no hit counts. A walk over every entry under the lock: what KindStats
  // counts as it goes, for checking it (tests), not for reports.
  CacheStats Count(const std::function<bool(const Key&)>& which) const {
    std::lock_guard lock(mu_);
    CacheStats out;
    out.capacity_bytes = capacity_;
    for (const Entry& e : lru_) {
      if (!which(e.key)) continue;
      out.entries++;
      out.bytes += e.bytes;
    }
    return out;
  }

 private:
  static constexpr int kRanks = 2;
  struct Entry {
    Key key;
    Ptr value;
    size_t bytes;
    uint64_t scan = 0;  // the scan that last inserted, hit or claimed it
    uint8_t rank = 0;
    uint8_t kind = 0;
  };
  struct KindCount {
    uint64_t entries = 0, bytes = 0;
  };
  using RankBytes = std::array<size_t, kRanks>;
  // The following require mu_.
  // The bytes of `scan`'s entries of rank `rank` or above.
  size_t ScanBytes(uint64_t scan, uint8_t rank) const {
    auto it = scan_bytes_.find(scan);
    size_t bytes = 0;
    if (it != scan_bytes_.end())
      for (int r = rank; r < kRanks; ++r) bytes += it->second[r];
    return bytes;
  }
  void Disown(const Entry& e) {
    if (e.scan == 0) return;
    auto it = scan_bytes_.find(e.scan);
    it->second[e.rank] -= e.bytes;
    if (it->second == RankBytes{}) scan_bytes_.erase(it);
  }
  void SetScan(Entry& e, uint64_t scan) {
    if (e.scan == scan) return;
    Disown(e);
    e.scan = scan;
    if (scan != 0) scan_bytes_[scan][e.rank] += e.bytes;
  }
  // Evicts entries of scans other than `scan`, then `scan`'s own of a rank
  // below `rank`, least recent first, until the cache holds at most
  // `target` bytes or only `scan`'s others are left.
  void EvictOutside(uint64_t scan, size_t target, uint8_t rank) {
    for (int pass = 0; pass < 2 && bytes_ > target; ++pass) {
      auto it = lru_.end();
      while (bytes_ > target && it != lru_.begin()) {
        auto victim = std::prev(it);
        if (pass == 0 ? victim->scan != scan : victim->rank < rank) Erase(victim);
        else it = victim;
      }
    }
  }
  void Erase(typename std::list<Entry>::iterator it) {
    Disown(*it);
    bytes_ -= it->bytes;
    kinds_[it->kind].entries--;
    kinds_[it->kind].bytes -= it->bytes;
    index_.erase(it->key);
    lru_.erase(it);
  }

  const size_t capacity_;
  const KindOf kind_of_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // front = most recent; GUARDED_BY(mu_)
  std::unordered_map<Key, typename std::list<Entry>::iterator, Hash> index_;  // GUARDED_BY(mu_)
  std::unordered_map<uint64_t, RankBytes> scan_bytes_;  // bytes of each named scan's entries by rank; GUARDED_BY(mu_)
  size_t bytes_ = 0;                                 // GUARDED_BY(mu_)
  std::array<KindCount, kMaxKinds> kinds_{};         // entries and bytes per kind; GUARDED_BY(mu_)
  uint64_t hits_ = 0, misses_ = 0;                   // GUARDED_BY(mu_)
};

}  // namespace kpi::storage
