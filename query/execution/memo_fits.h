// What a derived value read back from the files (disk_memo.h) must
// satisfy before a scan reads it: the `fits` checks of Memoized
// (ticket_memo.h). A value decodes only when its bytes are whole, and its
// checksums catch damage; but bytes a hostile writer of DIR/memo made to
// pass the checksums can still hold a value of the wrong length, an index
// past the rows it indexes or a null data pointer, which a scan would read
// out of bounds. Each check here is what the value's reader relies on
// (sizes, indices below their bound, the pointers its type reads); a value
// this build derived always passes (MemoFilesTest counts refusals), and one
// that does not is a miss: the value is derived afresh.
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "query/execution/kept_scan.h"
#include "query/execution/segment_rows.h"
#include "query/execution/vector.h"

namespace kpi::query {

// Which RowColumn vectors a derived row column fills (each with its rows).
enum RowFields : uint8_t { kCodes = 1, kValues = 2, kValid = 4, kTimes = 8, kMasks = 16 };

// `fields` sized `rows` each, the others empty; codes (when `code_bound`
// is not 0) each below it.
inline bool RowColumnFits(const RowColumn& c, uint8_t fields, size_t rows, uint64_t code_bound = 0) {
  auto sized = [&](size_t have, RowFields f) { return have == ((fields & f) != 0 ? rows : 0); };
  if (!sized(c.codes.size(), kCodes) || !sized(c.values.size(), kValues) || !sized(c.valid.size(), kValid) ||
      !sized(c.times.size(), kTimes) || !sized(c.masks.size(), kMasks))
    return false;
  if (code_bound != 0)
    for (uint32_t x : c.codes)
      if (x >= code_bound) return false;
  return true;
}

// Rows of a selection: ascending, each below `rows`.
inline bool RowsFit(const std::vector<uint32_t>& v, size_t rows) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] >= rows || (i > 0 && v[i] <= v[i - 1])) return false;
  return true;
}

// A Vec of `type` over `rows` rows as the evaluator computes it (vector.h
// layout): a constant (stride 0) or one value per row, the data pointer
// its type reads set (and the validity mask where the type has one), no
// literal string.
inline bool VecFits(const Vec& v, ValueType type, size_t rows) {
  if (v.type != type || v.n != rows || v.stride > 1 || v.vstride > 1 || v.text != nullptr) return false;
  switch (type) {
    case ValueType::kNull:
      return true;
    case ValueType::kBool:
      return v.b8 != nullptr;
    case ValueType::kNumber:
    case ValueType::kDuration:
      return v.f64 != nullptr && v.valid != nullptr;
    case ValueType::kTime:
      return v.i64 != nullptr && v.valid != nullptr;
    case ValueType::kString:
      return v.u32 != nullptr && v.valid != nullptr &&
             (v.str.kind == StrKind::kDict || v.str.kind == StrKind::kTicket);
  }
  return false;
}

// `at` placements of `tickets` tickets (DecodeMemoValue derives the rows).
inline bool AtFits(const AtPlacement& a, size_t tickets) {
  return a.place.size() == tickets && a.found.size() == tickets;
}

// Local groups of `rows` main rows with `k` parts each: every row's group
// one of them, every group's first row one of the rows.
inline bool LocalGroupsFit(const LocalGroups& g, size_t rows, size_t k) {
  const size_t groups = g.first.size();
  if (g.local.size() != rows || groups > rows || g.parts.size() != groups * k) return false;
  for (uint32_t x : g.local)
    if (x >= groups) return false;
  for (uint32_t x : g.first)
    if (x >= rows) return false;
  return true;
}

// A vector of exactly `n` elements.
template <typename T>
bool SizeIs(const std::vector<T>& v, size_t n) {
  return v.size() == n;
}

}  // namespace kpi::query
