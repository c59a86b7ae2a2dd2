// GroupTable: composite keys (a fixed number of 64-bit parts, see
// key_parts.h) -> dense group ids 0, 1, 2, ... in order of first insertion.
// Open addressing over a flat key array; no allocation per lookup.
// Thread safety: one table per worker thread; merged on one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kpi::query {

class GroupTable {
 public:
  explicit GroupTable(size_t parts) : parts_(parts) {}

  size_t parts() const { return parts_; }
  size_t size() const { return size_; }

  // The id of `key` (parts() values), inserting it when new (*inserted = true).
  uint32_t FindOrInsert(const uint64_t* key, bool* inserted);
  // The id of `key`, or -1.
  int64_t Find(const uint64_t* key) const;
  // The hash the table places `key` (`parts` values) by.
  static uint64_t HashKey(const uint64_t* key, size_t parts);
  const uint64_t* Key(uint32_t gid) const { return keys_.data() + static_cast<size_t>(gid) * parts_; }

 private:
  uint64_t Hash(const uint64_t* key) const;
  bool Equal(uint32_t gid, const uint64_t* key) const;
  void Grow();

  size_t parts_;
  size_t size_ = 0;
  std::vector<uint64_t> keys_;   // size_ * parts_
  std::vector<uint32_t> slots_;  // gid + 1; 0 = empty
};

}  // namespace kpi::query
