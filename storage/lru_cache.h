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
// Thread safety: all methods are safe to call concurrently; values are
// shared_ptr<const V>, so a value evicted while in use stays alive.
#pragma once

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

  explicit LruCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

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

  // Keeps `value` as `scan`'s entry; false when it is not kept (larger than
  // the capacity, or only `scan`'s own entries could make room).
  bool Insert(const Key& key, Ptr value, size_t bytes, uint64_t scan = 0) {
    std::lock_guard lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) Erase(it->second);
    if (bytes > capacity_) return false;
    if (scan != 0) {
      if (ScanBytes(scan) + bytes > capacity_) return false;
      EvictOutside(scan, capacity_ - bytes);
    }
    lru_.push_front(Entry{key, std::move(value), bytes});
    index_[key] = lru_.begin();
    bytes_ += bytes;
    SetScan(lru_.front(), scan);
    while (bytes_ > capacity_ && !lru_.empty()) Erase(std::prev(lru_.end()));
    return true;
  }

  // Charges `delta` more bytes to the entry under `key` when it still holds
  // `which` (a value that grew after its insert), evicting as its scan's
  // insert would (dropping the entry itself when only its scan's entries
  // are left); nothing otherwise.
  void Grow(const Key& key, const Value* which, size_t delta) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end() || it->second->value.get() != which) return;
    Entry& e = *it->second;
    e.bytes += delta;
    bytes_ += delta;
    if (e.scan != 0) {
      scan_bytes_[e.scan] += delta;
      EvictOutside(e.scan, capacity_);
      if (bytes_ > capacity_) Erase(it->second);
    }
    while (bytes_ > capacity_ && !lru_.empty()) Erase(std::prev(lru_.end()));
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

 private:
  struct Entry {
    Key key;
    Ptr value;
    size_t bytes;
    uint64_t scan = 0;  // the scan that last inserted, hit or claimed it
  };
  // The following require mu_.
  size_t ScanBytes(uint64_t scan) const {
    auto it = scan_bytes_.find(scan);
    return it == scan_bytes_.end() ? 0 : it->second;
  }
  void Disown(const Entry& e) {
    if (e.scan == 0) return;
    auto it = scan_bytes_.find(e.scan);
    if ((it->second -= e.bytes) == 0) scan_bytes_.erase(it);
  }
  void SetScan(Entry& e, uint64_t scan) {
    if (e.scan == scan) return;
    Disown(e);
    e.scan = scan;
    if (scan != 0) scan_bytes_[scan] += e.bytes;
  }
  // Evicts entries of scans other than `scan`, least recent first, until
  // the cache holds at most `target` bytes or only `scan`'s are left.
  void EvictOutside(uint64_t scan, size_t target) {
    auto it = lru_.end();
    while (bytes_ > target && it != lru_.begin()) {
      auto victim = std::prev(it);
      if (victim->scan != scan) Erase(victim);
      else it = victim;
    }
  }
  void Erase(typename std::list<Entry>::iterator it) {
    Disown(*it);
    bytes_ -= it->bytes;
    index_.erase(it->key);
    lru_.erase(it);
  }

  const size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // front = most recent; GUARDED_BY(mu_)
  std::unordered_map<Key, typename std::list<Entry>::iterator, Hash> index_;  // GUARDED_BY(mu_)
  std::unordered_map<uint64_t, size_t> scan_bytes_;  // bytes of each named scan's entries; GUARDED_BY(mu_)
  size_t bytes_ = 0;                                 // GUARDED_BY(mu_)
  uint64_t hits_ = 0, misses_ = 0;                   // GUARDED_BY(mu_)
};

}  // namespace kpi::storage
