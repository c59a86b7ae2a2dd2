#include "storage/segment_memo.h"

namespace kpi::storage {

SegmentMemo& SegmentMemo::operator=(const SegmentMemo&) {
  std::lock_guard lock(mu_);
  entries_.clear();
  bytes_ = capacity_ = 0;
  grew_ = nullptr;
  return *this;
}

void SegmentMemo::SetAccounting(size_t capacity, std::function<void(size_t)> grew) {
  std::lock_guard lock(mu_);
  capacity_ = capacity;
  grew_ = std::move(grew);
}

SegmentMemo::Value SegmentMemo::Find(std::string_view key) const {
  std::lock_guard lock(mu_);
  for (const Entry& e : entries_)
    if (e.key == key) return e.value;
  return nullptr;
}

SegmentMemo::Value SegmentMemo::Keep(std::string key, Value value, size_t bytes) {
  std::function<void(size_t)> grew;
  {
    std::lock_guard lock(mu_);
    for (const Entry& e : entries_)
      if (e.key == key) return e.value;
    if (capacity_ == 0 || bytes_ + bytes > capacity_) return nullptr;
    entries_.push_back(Entry{std::move(key), value});
    bytes_ += bytes;
    grew = grew_;
  }
  if (grew) grew(bytes);  // outside the lock: the cache takes its own
  return value;
}

size_t SegmentMemo::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

bool SegmentMemo::HasRoom(size_t bytes) const {
  std::lock_guard lock(mu_);
  return capacity_ > 0 && bytes_ + bytes <= capacity_;
}

}  // namespace kpi::storage
