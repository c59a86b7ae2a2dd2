// Double blocks. Measures are mostly decimals with few digits (durations,
// amounts, scores), so a block whose every value is exactly integer * 10^-k
// (k in 0..6, |integer| < 2^53) is stored as k plus an int block, decoded as
// integer / 10^k. "Exactly" means the decode reproduces the value's bits:
// -0.0, NaN, infinities and anything inexact force the plain encoding.
//
// Payloads (after the tag byte):
//   scaled: varint count, byte k, int block (its own tag and count == count)
//   plain:  varint count, count little-endian IEEE-754 doubles
// The scaled form is used only when it is also smaller than plain.
#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

#include "storage/codec/codec.h"
#include "storage/codec/codec_internal.h"
#include "storage/codec/int_block_reader.h"

namespace kpi::codec {

namespace {

constexpr int kMaxScale = 6;
constexpr double kPow10[kMaxScale + 1] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};  // all exact
constexpr double kTwoPow53 = 9007199254740992.0;

// The integer value * 10^k, if decoding it gives back `value` bit-exactly.
inline bool ScaledExactly(double value, int k, int64_t* scaled) {
  const double x = value * kPow10[k];
  if (!(std::fabs(x) < kTwoPow53)) return false;  // also rejects NaN and Inf
  const int64_t i = static_cast<int64_t>(std::nearbyint(x));
  if (std::bit_cast<uint64_t>(static_cast<double>(i) / kPow10[k]) != std::bit_cast<uint64_t>(value)) return false;
  *scaled = i;
  return true;
}

bool AllScaleExactly(std::span<const double> values, int k) {
  int64_t ignored;
  for (double v : values) {
    if (!ScaledExactly(v, k, &ignored)) return false;
  }
  return true;
}

// The smallest k at which every value scales exactly, or -1.
int FindScale(std::span<const double> values) {
  int k = 0;
  bool raised_midway = false;
  int64_t ignored;
  for (size_t i = 0; i < values.size(); ++i) {
    while (!ScaledExactly(values[i], k, &ignored)) {
      if (++k > kMaxScale) return -1;
      raised_midway |= i > 0;
    }
  }
  if (!raised_midway) return k;
  // Earlier values were checked at a smaller k; confirm them at this one.
  for (; k <= kMaxScale; ++k) {
    if (AllScaleExactly(values, k)) return k;
  }
  return -1;
}

size_t PlainSize(size_t n) { return 1 + VarintLength(n) + 8 * n; }

void PutPlain(std::span<const double> values, std::string* out) {
  out->push_back(static_cast<char>(Encoding::kDoublePlain));
  PutVarint64(out, values.size());
  out->append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(double));
}

Status GetScaled(std::string_view* in, size_t n, std::vector<double>* out) {
  uint8_t k;
  if (!GetByte(in, &k)) return Corrupt("truncated decimal scale");
  if (k > kMaxScale) return Corrupt("decimal scale above 6");
  IntBlockReader reader;
  KPI_RETURN_IF_ERROR(reader.Open(in));
  if (reader.size() != n) return Corrupt("scaled doubles: count mismatch");
  out->resize(n);
  const double divisor = kPow10[k];
  uint64_t chunk[IntBlockReader::kMaxChunk];
  for (size_t pos = 0, got; (got = reader.Next(chunk)) != 0; pos += got) {
    for (size_t i = 0; i < got; ++i) {
      (*out)[pos + i] = static_cast<double>(static_cast<int64_t>(chunk[i])) / divisor;
    }
  }
  return Status::OK();
}

Status GetPlain(std::string_view* in, size_t n, std::vector<double>* out) {
  if (n > in->size() / sizeof(double)) return Corrupt("truncated plain doubles");
  out->resize(n);
  if (n > 0) std::memcpy(out->data(), in->data(), n * sizeof(double));  // data() may be null when empty
  in->remove_prefix(n * sizeof(double));
  return Status::OK();
}

}  // namespace

Encoding EncodeDoubles(std::span<const double> values, std::string* out) {
  const int k = FindScale(values);
  if (k >= 0) {
    std::vector<int64_t> ints(values.size());
    for (size_t i = 0; i < values.size(); ++i) ScaledExactly(values[i], k, &ints[i]);
    const size_t start = out->size();
    out->push_back(static_cast<char>(Encoding::kDoubleScaled));
    PutVarint64(out, values.size());
    out->push_back(static_cast<char>(k));
    EncodeInts(std::span<const int64_t>(ints), out);
    if (out->size() - start <= PlainSize(values.size())) return Encoding::kDoubleScaled;
    out->resize(start);
  }
  PutPlain(values, out);
  return Encoding::kDoublePlain;
}

Status DecodeDoubles(std::string_view* in, std::vector<double>* out) {
  std::string_view p = *in;
  uint8_t tag;
  size_t n;
  if (!GetByte(&p, &tag)) return Corrupt("missing double block");
  KPI_RETURN_IF_ERROR(GetCount(&p, kMaxBlockValues, &n));
  Status s;
  switch (static_cast<Encoding>(tag)) {
    case Encoding::kDoubleScaled: s = GetScaled(&p, n, out); break;
    case Encoding::kDoublePlain: s = GetPlain(&p, n, out); break;
    default: return Corrupt("not a double block");
  }
  if (!s.ok()) {
    out->clear();
    return s;
  }
  *in = p;
  return Status::OK();
}

Status SkipDoubles(std::string_view* in) {
  std::string_view p = *in;
  uint8_t tag, k;
  size_t n;
  if (!GetByte(&p, &tag)) return Corrupt("missing double block");
  KPI_RETURN_IF_ERROR(GetCount(&p, kMaxBlockValues, &n));
  switch (static_cast<Encoding>(tag)) {
    case Encoding::kDoubleScaled:
      if (!GetByte(&p, &k)) return Corrupt("truncated decimal scale");
      KPI_RETURN_IF_ERROR(SkipInts(&p));
      break;
    case Encoding::kDoublePlain:
      if (n > p.size() / sizeof(double)) return Corrupt("truncated plain doubles");
      p.remove_prefix(n * sizeof(double));
      break;
    default:
      return Corrupt("not a double block");
  }
  *in = p;
  return Status::OK();
}

}  // namespace kpi::codec
