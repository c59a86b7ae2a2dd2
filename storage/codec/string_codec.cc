// String blocks.
//   strings:  tag, an int block of the lengths (its count is the number of
//             strings), then the bytes of all strings concatenated.
//   numbered: tag, varint prefix length, prefix bytes, varint digit width D,
//             then an int block of the numbers. Every string is the prefix
//             followed by its number in decimal: zero-padded to D digits when
//             D > 0, plain (no leading zero) when D == 0. Ticket ids
//             ("T000123", "INC0000045", "Case 3608") take ~1-2 bytes each
//             instead of their length, since sorted ids delta-pack.
#include <charconv>
#include <vector>

#include "storage/codec/codec.h"
#include "storage/codec/codec_internal.h"
#include "storage/codec/int_block_reader.h"

namespace kpi::codec {

namespace {

constexpr size_t kMaxDigits = 18;  // fits int64 with room
// Longest prefix the numbered form takes. Every decoded string repeats the
// prefix, so bounding it bounds what a small corrupt block can make the
// decoder allocate (count <= kMaxBlockValues strings of <= 82 bytes).
constexpr size_t kMaxPrefix = 64;

// Splits every string into (common prefix, number); false if they don't fit.
bool SplitNumbered(std::span<const std::string> values, std::string* prefix, uint64_t* width,
                   std::vector<int64_t>* numbers) {
  if (values.empty()) return false;
  const std::string& first = values[0];
  size_t cut = first.size();
  while (cut > 0 && first[cut - 1] >= '0' && first[cut - 1] <= '9') --cut;
  if (cut > kMaxPrefix) return false;
  *prefix = first.substr(0, cut);
  const size_t digits0 = first.size() - cut;
  bool fixed = true, leading_zero = false;
  numbers->resize(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string& s = values[i];
    if (s.size() <= cut || s.compare(0, cut, *prefix) != 0) return false;
    const size_t digits = s.size() - cut;
    if (digits > kMaxDigits) return false;
    int64_t n = 0;
    for (size_t j = cut; j < s.size(); ++j) {
      if (s[j] < '0' || s[j] > '9') return false;
      n = n * 10 + (s[j] - '0');
    }
    fixed &= digits == digits0;
    leading_zero |= digits > 1 && s[cut] == '0';
    (*numbers)[i] = n;
  }
  if (!fixed && leading_zero) return false;  // variable width needs canonical numbers
  *width = fixed ? digits0 : 0;
  if (*width == 1) *width = 0;  // one digit: canonical either way
  return true;
}

}  // namespace

Encoding EncodeStrings(std::span<const std::string> values, std::string* out) {
  std::string prefix;
  uint64_t width = 0;
  std::vector<int64_t> numbers;
  if (SplitNumbered(values, &prefix, &width, &numbers)) {
    out->push_back(static_cast<char>(Encoding::kStringsNumbered));
    PutVarint64(out, prefix.size());
    out->append(prefix);
    PutVarint64(out, width);
    EncodeInts(std::span<const int64_t>(numbers), out);
    return Encoding::kStringsNumbered;
  }
  std::vector<int64_t> lengths(values.size());
  size_t total = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    lengths[i] = static_cast<int64_t>(values[i].size());
    total += values[i].size();
  }
  out->push_back(static_cast<char>(Encoding::kStrings));
  EncodeInts(std::span<const int64_t>(lengths), out);
  out->reserve(out->size() + total);
  for (const std::string& s : values) out->append(s);
  return Encoding::kStrings;
}

namespace {

// Reads the int block of a string block (lengths or numbers), refusing more
// than kMaxBlockStrings values before expanding it.
Status GetStringInts(std::string_view* in, std::vector<int64_t>* values) {
  std::string_view p = *in;
  IntBlockReader reader;
  KPI_RETURN_IF_ERROR(reader.Open(&p));
  if (reader.size() > kMaxBlockStrings) return Corrupt("too many strings in a block");
  values->resize(reader.size());
  reader.ReadAll(reinterpret_cast<uint64_t*>(values->data()));  // int64/uint64 may alias
  *in = p;
  return Status::OK();
}

// The numbered form's prefix and digit width (after the tag).
Status GetNumberedHeader(std::string_view* p, std::string_view* prefix, uint64_t* width) {
  uint64_t prefix_len = 0;
  if (!GetVarint64(p, &prefix_len) || prefix_len > kMaxPrefix || prefix_len > p->size()) {
    return Corrupt("numbered prefix");
  }
  *prefix = p->substr(0, prefix_len);
  p->remove_prefix(prefix_len);
  if (!GetVarint64(p, width) || *width > kMaxDigits) return Corrupt("numbered width");
  return Status::OK();
}

// The plain form's lengths (after the tag) and their total, which the bytes
// that follow must hold.
Status GetStringLengths(std::string_view* p, std::vector<int64_t>* lengths, uint64_t* total) {
  KPI_RETURN_IF_ERROR(GetStringInts(p, lengths));
  *total = 0;
  for (int64_t len : *lengths) {
    if (len < 0 || static_cast<uint64_t>(len) > p->size() - *total) return Corrupt("string lengths exceed the block");
    *total += static_cast<uint64_t>(len);
  }
  return Status::OK();
}

Status DecodeNumbered(std::string_view* in, std::vector<std::string>* out) {
  std::string_view p = *in;
  std::string_view prefix;
  uint64_t width = 0;
  KPI_RETURN_IF_ERROR(GetNumberedHeader(&p, &prefix, &width));
  std::vector<int64_t> numbers;
  KPI_RETURN_IF_ERROR(GetStringInts(&p, &numbers));
  out->clear();
  out->reserve(numbers.size());
  char digits[24];
  for (int64_t n : numbers) {
    if (n < 0) return Corrupt("numbered value is negative");
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
    size_t len = static_cast<size_t>(end - digits);
    if (width > 0 && len > width) return Corrupt("numbered value wider than its digits");
    std::string s(prefix);
    if (width > len) s.append(width - len, '0');
    s.append(digits, len);
    out->push_back(std::move(s));
  }
  *in = p;
  return Status::OK();
}

}  // namespace

Status DecodeStrings(std::string_view* in, std::vector<std::string>* out) {
  std::string_view p = *in;
  uint8_t tag;
  if (!GetByte(&p, &tag)) return Corrupt("missing string block");
  if (tag == static_cast<uint8_t>(Encoding::kStringsNumbered)) {
    KPI_RETURN_IF_ERROR(DecodeNumbered(&p, out));
    *in = p;
    return Status::OK();
  }
  if (tag != static_cast<uint8_t>(Encoding::kStrings)) return Corrupt("not a string block");
  std::vector<int64_t> lengths;
  uint64_t total = 0;
  KPI_RETURN_IF_ERROR(GetStringLengths(&p, &lengths, &total));
  out->clear();
  out->reserve(lengths.size());
  for (int64_t len : lengths) {
    out->emplace_back(p.substr(0, static_cast<size_t>(len)));
    p.remove_prefix(static_cast<size_t>(len));
  }
  *in = p;
  return Status::OK();
}

Status SkipStrings(std::string_view* in) {
  std::string_view p = *in;
  uint8_t tag;
  if (!GetByte(&p, &tag)) return Corrupt("missing string block");
  if (tag == static_cast<uint8_t>(Encoding::kStringsNumbered)) {
    std::string_view prefix;
    uint64_t width = 0;
    KPI_RETURN_IF_ERROR(GetNumberedHeader(&p, &prefix, &width));
    KPI_RETURN_IF_ERROR(SkipInts(&p));
  } else if (tag == static_cast<uint8_t>(Encoding::kStrings)) {
    std::vector<int64_t> lengths;  // the bytes follow: their total is needed
    uint64_t total = 0;
    KPI_RETURN_IF_ERROR(GetStringLengths(&p, &lengths, &total));
    p.remove_prefix(total);
  } else {
    return Corrupt("not a string block");
  }
  *in = p;
  return Status::OK();
}

}  // namespace kpi::codec
