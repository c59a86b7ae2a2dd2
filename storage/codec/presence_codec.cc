// Presence blocks: which rows of a column of num_rows rows are non-null.
//
// Payloads (after the tag byte); num_rows is known to the caller, not stored:
//   bitmap: varint count, ceil(num_rows / 8) bytes, bit r (LSB first) = row r
//   rows:   varint count, [count > 0: varint first row,
//           FOR(count - 1 gaps between consecutive rows)]
// The encoder writes whichever is smaller. Rows that are not strictly
// ascending or not below num_rows cannot be a bitmap; they are written as a
// row list, which the decoder then rejects (the caller's bug surfaces there).
#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>

#include "storage/codec/codec.h"
#include "storage/codec/codec_internal.h"
#include "storage/codec/frame_of_reference.h"

namespace kpi::codec {

namespace {

size_t BitmapBytes(uint32_t num_rows) { return (static_cast<size_t>(num_rows) + 7) / 8; }

void PutBitmap(std::span<const uint32_t> rows, uint32_t num_rows, std::string* out) {
  out->push_back(static_cast<char>(Encoding::kPresenceBitmap));
  PutVarint64(out, rows.size());
  const size_t start = out->size();
  out->resize(start + BitmapBytes(num_rows), '\0');
  char* bits = out->data() + start;
  for (uint32_t r : rows) bits[r / 8] = static_cast<char>(bits[r / 8] | (1 << (r % 8)));
}

Status GetBitmap(std::string_view* in, uint32_t num_rows, size_t count, std::vector<uint32_t>* rows) {
  const size_t bytes = BitmapBytes(num_rows);
  if (bytes > in->size()) return Corrupt("truncated presence bitmap");
  const uint8_t* bits = reinterpret_cast<const uint8_t*>(in->data());
  if (num_rows % 8 != 0 && (bits[bytes - 1] >> (num_rows % 8)) != 0) return Corrupt("presence bit past the last row");
  rows->clear();
  rows->reserve(count);
  for (size_t offset = 0; offset < bytes; offset += 8) {
    uint64_t word = 0;
    std::memcpy(&word, bits + offset, std::min<size_t>(8, bytes - offset));
    while (word != 0) {
      if (rows->size() == count) return Corrupt("presence bitmap holds more rows than its count");
      rows->push_back(static_cast<uint32_t>(offset * 8 + std::countr_zero(word)));
      word &= word - 1;
    }
  }
  if (rows->size() != count) return Corrupt("presence bitmap holds fewer rows than its count");
  in->remove_prefix(bytes);
  return Status::OK();
}

Status GetRows(std::string_view* in, uint32_t num_rows, size_t count, std::vector<uint32_t>* rows) {
  rows->clear();
  if (count == 0) return Status::OK();
  uint64_t first;
  if (!GetVarint64(in, &first)) return Corrupt("truncated first present row");
  if (first >= num_rows) return Corrupt("present row out of range");
  ForView view;
  KPI_RETURN_IF_ERROR(GetFor(in, count - 1, &view));
  std::vector<uint64_t> gaps(count - 1);
  UnpackFor(view, gaps.data());
  rows->resize(count);
  uint64_t row = first;
  (*rows)[0] = static_cast<uint32_t>(row);
  for (size_t i = 1; i < count; ++i) {
    const uint64_t gap = gaps[i - 1];
    // gap >= 1 keeps rows strictly ascending; row + gap < num_rows bounds them.
    if (gap == 0 || gap >= num_rows - row) return Corrupt("present rows not ascending or out of range");
    row += gap;
    (*rows)[i] = static_cast<uint32_t>(row);
  }
  return Status::OK();
}

}  // namespace

Encoding EncodePresence(std::span<const uint32_t> rows, uint32_t num_rows, std::string* out) {
  const size_t n = rows.size();
  bool valid = true;
  int64_t min_gap = INT64_MAX, max_gap = INT64_MIN;
  std::vector<int64_t> gaps(n == 0 ? 0 : n - 1);
  for (size_t i = 0; i < n; ++i) {
    if (rows[i] >= num_rows) valid = false;
    if (i == 0) continue;
    const int64_t gap = static_cast<int64_t>(rows[i]) - static_cast<int64_t>(rows[i - 1]);
    if (gap <= 0) valid = false;
    gaps[i - 1] = gap;
    min_gap = std::min(min_gap, gap);
    max_gap = std::max(max_gap, gap);
  }
  if (n <= 1) min_gap = max_gap = 0;
  const size_t header = 1 + VarintLength(n);
  const size_t rows_size = header + (n == 0 ? 0 : VarintLength(rows[0]) + ForSize(n - 1, min_gap, max_gap));
  const size_t bitmap_size = header + BitmapBytes(num_rows);
  if (valid && bitmap_size < rows_size) {
    PutBitmap(rows, num_rows, out);
    return Encoding::kPresenceBitmap;
  }
  out->push_back(static_cast<char>(Encoding::kPresenceRows));
  PutVarint64(out, n);
  if (n > 0) {
    PutVarint64(out, rows[0]);
    PutFor(gaps.data(), gaps.size(), min_gap, max_gap, out);
  }
  return Encoding::kPresenceRows;
}

Status DecodePresence(std::string_view* in, uint32_t num_rows, std::vector<uint32_t>* rows) {
  std::string_view p = *in;
  uint8_t tag;
  size_t count;
  if (!GetByte(&p, &tag)) return Corrupt("missing presence block");
  KPI_RETURN_IF_ERROR(GetCount(&p, num_rows, &count));
  Status s;
  switch (static_cast<Encoding>(tag)) {
    case Encoding::kPresenceBitmap: s = GetBitmap(&p, num_rows, count, rows); break;
    case Encoding::kPresenceRows: s = GetRows(&p, num_rows, count, rows); break;
    default: return Corrupt("not a presence block");
  }
  if (!s.ok()) {
    rows->clear();
    return s;
  }
  *in = p;
  return Status::OK();
}

Status SkipPresence(std::string_view* in, uint32_t num_rows) {
  std::string_view p = *in;
  uint8_t tag;
  size_t count;
  if (!GetByte(&p, &tag)) return Corrupt("missing presence block");
  KPI_RETURN_IF_ERROR(GetCount(&p, num_rows, &count));
  switch (static_cast<Encoding>(tag)) {
    case Encoding::kPresenceBitmap:
      if (BitmapBytes(num_rows) > p.size()) return Corrupt("truncated presence bitmap");
      p.remove_prefix(BitmapBytes(num_rows));
      break;
    case Encoding::kPresenceRows: {
      if (count == 0) break;
      uint64_t first;
      ForView gaps;
      if (!GetVarint64(&p, &first)) return Corrupt("truncated first present row");
      KPI_RETURN_IF_ERROR(GetFor(&p, count - 1, &gaps));
      break;
    }
    default:
      return Corrupt("not a presence block");
  }
  *in = p;
  return Status::OK();
}

}  // namespace kpi::codec
