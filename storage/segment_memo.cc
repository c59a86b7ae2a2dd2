#include "storage/segment_memo.h"

#include <algorithm>

namespace kpi::storage {

void MemoValues::SetAccounting(size_t capacity, std::function<bool(size_t)> charge) {
  std::lock_guard lock(mu_);
  capacity_ = std::max(capacity_, capacity);
  charge_ = std::move(charge);
}

MemoValues::Value MemoValues::Find(std::string_view key) const {
  std::lock_guard lock(mu_);
  for (const Entry& e : entries_)
    if (e.key == key) return e.value;
  return nullptr;
}

MemoValues::Value MemoValues::Keep(std::string key, Value value, size_t bytes) {
  std::function<bool(size_t)> charge;
  {
    std::lock_guard lock(mu_);
    for (const Entry& e : entries_)
      if (e.key == key) return e.value;
    if (capacity_ == 0 || bytes_ + bytes > capacity_) return nullptr;
    entries_.push_back(Entry{std::move(key), value});
    bytes_ += bytes;
    charge = charge_;
  }
  // Outside the lock: the cache takes its own. An object the cache no
  // longer holds keeps this value (its reader has it) and nothing more.
  if (!charge || !charge(bytes)) {
    std::lock_guard lock(mu_);
    capacity_ = 0;
  }
  return value;
}

size_t MemoValues::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

bool MemoValues::HasRoom(size_t bytes) const {
  std::lock_guard lock(mu_);
  return capacity_ > 0 && bytes_ + bytes <= capacity_;
}

SegmentMemo& SegmentMemo::operator=(const SegmentMemo&) {
  values_ = nullptr;
  decode_ = nullptr;
  status_ = Status::OK();
  return *this;
}

void SegmentMemo::Materialize() const {
  if (!decode_) return;
  // Moved out first: the decoder fills the segment this handle belongs to.
  std::function<Status()> decode = std::move(decode_);
  decode_ = nullptr;
  status_ = decode();
}

}  // namespace kpi::storage
