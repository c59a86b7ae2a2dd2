// LruCache: shared values bounded by their total size in bytes, the least
// recently used evicted first, with hit and miss counts (`kpi info`,
// /metrics). The decoded-segment cache and the dictionary page cache are
// two of these.
//
// A value larger than the whole capacity is not kept. Insert replaces the
// value under a key already present.
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

  // The value under `key` when `usable(value)` holds (a hit), else null (a miss).
  Ptr Find(const Key& key, const std::function<bool(const Value&)>& usable = nullptr) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end() || (usable && !usable(*it->second->value))) {
      ++misses_;
      return nullptr;
    }
    ++hits_;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->value;
  }

  // The value under `key` without counting or reordering; null when absent.
  Ptr Peek(const Key& key) const {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : it->second->value;
  }

  void Insert(const Key& key, Ptr value, size_t bytes) {
    std::lock_guard lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) Erase(it->second);
    if (bytes > capacity_) return;
    lru_.push_front(Entry{key, std::move(value), bytes});
    index_[key] = lru_.begin();
    bytes_ += bytes;
    while (bytes_ > capacity_ && !lru_.empty()) Erase(std::prev(lru_.end()));
  }

  // Charges `delta` more bytes to the entry under `key` when it still holds
  // `which` (a value that grew after its insert), evicting the least
  // recently used entries past the capacity; nothing otherwise.
  void Grow(const Key& key, const Value* which, size_t delta) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end() || it->second->value.get() != which) return;
    it->second->bytes += delta;
    bytes_ += delta;
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
  };
  void Erase(typename std::list<Entry>::iterator it) {  // requires mu_
    bytes_ -= it->bytes;
    index_.erase(it->key);
    lru_.erase(it);
  }

  const size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // front = most recent; GUARDED_BY(mu_)
  std::unordered_map<Key, typename std::list<Entry>::iterator, Hash> index_;  // GUARDED_BY(mu_)
  size_t bytes_ = 0;                                                        // GUARDED_BY(mu_)
  uint64_t hits_ = 0, misses_ = 0;                                          // GUARDED_BY(mu_)
};

}  // namespace kpi::storage
