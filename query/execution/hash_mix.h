// MixBits: the 64-bit finalizer of MurmurHash3 (fmix64), which spreads every
// input bit over the whole word, so that the low bits of the result index an
// open-addressing table well even for keys that differ in their high bits
// only (codes, timestamps, doubles' bits). The hash of the group table
// (query/execution/group_table.h) and of distinct()'s set
// (query/aggregates/distinct.cc).
// Thread safety: a pure function.
#pragma once

#include <cstdint>

namespace kpi::query {

inline uint64_t MixBits(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

}  // namespace kpi::query
