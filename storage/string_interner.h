// StringInterner: maps strings to dense indexes 0, 1, 2, ... in order of
// first appearance. Used for ticket ids (staging, sealing, the ticket ->
// segment index) and the catalog's dictionaries: ingest looks up millions of
// strings per seal, so the index is an open-addressing table of 8-byte slots
// (index and a hash tag) over the strings: one probe touches one cache line,
// lookups by string_view build no std::string, and no node is allocated per
// entry as in std::unordered_map.
//
// Contract: Intern(s) returns the same index for equal strings and a new
// index (== size() before the call) for a string not seen; Find returns
// kAbsent for a string never interned; id(i) is the string of index i.
// Not thread-safe: callers lock.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kpi::storage {

class StringInterner {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;

  uint32_t Intern(std::string_view id);
  // out[i] = Intern(keys[i]) for every i, in order; faster for many keys
  // (hashes first, then lookups with the slots and strings prefetched).
  void InternMany(std::span<const std::string_view> keys, uint32_t* out);
  uint32_t Find(std::string_view id) const;
  const std::string& id(uint32_t index) const { return ids_[index]; }
  const std::vector<std::string>& ids() const { return ids_; }
  size_t size() const { return ids_.size(); }
  bool empty() const { return ids_.empty(); }
  void Clear();
  void Reserve(size_t n);
  // Approximate heap bytes (strings, slots), for cache accounting.
  size_t MemoryBytes() const;

 private:
  struct Slot {
    uint32_t index_plus_one = 0;  // 0: empty
    uint32_t tag = 0;             // high half of the id's hash
  };
  static uint64_t Hash(std::string_view id);
  // Slot where id lives, or the empty slot where it would go.
  size_t Probe(std::string_view id, uint64_t hash) const;
  uint32_t InternHashed(std::string_view id, uint64_t hash);  // requires room for one more
  void Grow();

  std::vector<std::string> ids_;
  std::vector<Slot> slots_;  // size a power of two, at most half full
  std::vector<uint64_t> hashes_;  // InternMany's scratch
};

}  // namespace kpi::storage
