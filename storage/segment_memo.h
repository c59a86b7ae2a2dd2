// Values a reader derives from one version of a segment, kept so that later
// reads of it find them instead of deriving them again (the query layer
// keeps per-ticket columns here: query/execution/ticket_memo.h). Storage
// knows nothing of what they are: an opaque key -> a shared immutable value
// and its size in bytes.
//
// MemoValues holds the values of one segment version, (partition, segment,
// generation): the decoded-segment cache keeps it as an entry of its own
// (storage/segment_cache.h), so the values outlive the decoded columns they
// were derived from; with them it keeps the version's ticket structure
// (event_begin), from which a reader that needs the values only gets a
// hollow segment (below) without decoding anything. A version never
// changes (a rewrite is a new generation), so values derived from any
// decoded copy of it hold for every other.
//
// SegmentMemo is a Segment's handle on them. Copying or assigning a Segment
// gives an empty handle (another object's values need not hold for a copy:
// `as of` views drop rows). An empty handle keeps and finds nothing: a
// segment the cache does not keep derives everything afresh.
//
// A hollow segment (Snapshot::Load with hollow allowed) holds its ticket
// structure and its memo only; its other columns are decoded into it by
// Materialize(), which a reader calls before it derives a value from them
// (on its memo's first miss: ticket_memo.h). A hollow segment is private to
// the one reader that loaded it, so filling it in place is safe; a reader
// that must read a column outside a memo miss does not ask for one.
// Materialize() reads through the snapshot that loaded the segment, which
// the segment holds a share of until then (the Store must still outlive it,
// as it does every snapshot).
//
// Values are never dropped while a handle lives, so a pointer into one
// stays valid as long as the segment. At most `capacity` bytes are kept
// per version, each kept value charged to its cache entry as it is kept.
// Thread safety: MemoValues' Find and Keep may be called concurrently (a
// mutex). A handle is set before its segment is shared; Materialize is the
// owning reader's only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"

namespace kpi::storage {

class MemoValues {
 public:
  using Value = std::shared_ptr<const void>;

  // `event_begin`: the version's ticket structure, for hollow segments
  // (empty: none are made from it).
  explicit MemoValues(std::vector<uint32_t> event_begin) : event_begin_(std::move(event_begin)) {}

  // Raises the room to `capacity` bytes (never lowers it); `charge(bytes)`
  // is asked for each value kept and says whether the cache still holds
  // this object (when not, it keeps nothing more).
  void SetAccounting(size_t capacity, std::function<bool(size_t)> charge);

  // The value kept under `key`, or null.
  Value Find(std::string_view key) const;
  // Keeps `value` under `key` if there is room and the key is new; returns
  // the value now kept under the key (an earlier one wins), or null when
  // there was no room.
  Value Keep(std::string key, Value value, size_t bytes);
  size_t bytes() const;
  // Whether `bytes` more would be kept.
  bool HasRoom(size_t bytes) const;
  const std::vector<uint32_t>& event_begin() const { return event_begin_; }

 private:
  struct Entry {
    std::string key;
    Value value;
  };
  const std::vector<uint32_t> event_begin_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;  // few: one per derived column asked for; GUARDED_BY(mu_)
  size_t bytes_ = 0, capacity_ = 0;  // GUARDED_BY(mu_)
  std::function<bool(size_t)> charge_;  // GUARDED_BY(mu_)
};

class SegmentMemo {
 public:
  using Value = MemoValues::Value;

  SegmentMemo() = default;
  SegmentMemo(const SegmentMemo&) {}
  SegmentMemo& operator=(const SegmentMemo&);

  // Shares `values` (null: the handle stays empty).
  void Attach(std::shared_ptr<MemoValues> values) { values_ = std::move(values); }
  const std::shared_ptr<MemoValues>& values() const { return values_; }

  Value Find(std::string_view key) const { return values_ ? values_->Find(key) : nullptr; }
  Value Keep(std::string key, Value value, size_t bytes) const {
    return values_ ? values_->Keep(std::move(key), std::move(value), bytes) : nullptr;
  }
  bool HasRoom(size_t bytes) const { return values_ && values_->HasRoom(bytes); }
  size_t bytes() const { return values_ ? values_->bytes() : 0; }

  // Hollow segments: `decode` fills the segment in; set by the loader.
  void SetHollow(std::function<Status()> decode) { decode_ = std::move(decode); }
  // Whether the segment's columns are still to be decoded.
  bool hollow() const { return decode_ != nullptr; }
  // Decodes a hollow segment's columns into it (once; nothing otherwise).
  // On failure the columns are empty-valued and status() says why: the
  // reader must not use what it derived from them.
  void Materialize() const;
  const Status& status() const { return status_; }

 private:
  std::shared_ptr<MemoValues> values_;
  mutable std::function<Status()> decode_;
  mutable Status status_;
};

}  // namespace kpi::storage
