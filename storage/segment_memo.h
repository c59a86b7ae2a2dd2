// SegmentMemo: values a reader derives from one decoded segment, kept with
// that segment object so that later reads of it find them instead of
// deriving them again (the query layer keeps per-ticket columns here:
// query/execution/ticket_memo.h). Storage knows nothing of what they are:
// an opaque key -> a shared immutable value and its size in bytes.
//
// A memo belongs to one Segment object: copying or assigning a Segment gives
// an empty memo (another object's values need not hold for it). A memo
// keeps nothing until SetAccounting() gives it a capacity: the decoded-
// segment cache does so for the segments it holds (storage/snapshot.cc),
// charging what the memo keeps to the cache entry, so the cache's byte bound
// covers both. Values are never dropped while the segment lives, so a
// pointer into one stays valid as long as the segment.
// Thread safety: Find and Keep may be called concurrently (a mutex).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace kpi::storage {

class SegmentMemo {
 public:
  using Value = std::shared_ptr<const void>;

  SegmentMemo() = default;
  SegmentMemo(const SegmentMemo&) {}
  SegmentMemo& operator=(const SegmentMemo&);

  // At most `capacity` bytes are kept; `grew` is told each kept value's bytes.
  void SetAccounting(size_t capacity, std::function<void(size_t)> grew);

  // The value kept under `key`, or null.
  Value Find(std::string_view key) const;
  // Keeps `value` under `key` if there is room and the key is new; returns
  // the value now kept under the key (an earlier one wins), or null when
  // there was no room.
  Value Keep(std::string key, Value value, size_t bytes);
  size_t bytes() const;
  // Whether `bytes` more would be kept.
  bool HasRoom(size_t bytes) const;

 private:
  struct Entry {
    std::string key;
    Value value;
  };
  mutable std::mutex mu_;
  std::vector<Entry> entries_;  // few: one per derived column asked for; GUARDED_BY(mu_)
  size_t bytes_ = 0, capacity_ = 0;  // GUARDED_BY(mu_)
  std::function<void(size_t)> grew_;  // GUARDED_BY(mu_)
};

}  // namespace kpi::storage
