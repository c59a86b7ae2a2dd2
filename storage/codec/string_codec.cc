// String blocks: tag, an int block of the lengths (its count is the number of
// strings), then the bytes of all strings concatenated.
#include <vector>

#include "storage/codec/codec.h"
#include "storage/codec/codec_internal.h"

namespace kpi::codec {

Encoding EncodeStrings(std::span<const std::string> values, std::string* out) {
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

Status DecodeStrings(std::string_view* in, std::vector<std::string>* out) {
  std::string_view p = *in;
  uint8_t tag;
  if (!GetByte(&p, &tag)) return Corrupt("missing string block");
  if (tag != static_cast<uint8_t>(Encoding::kStrings)) return Corrupt("not a string block");
  std::vector<int64_t> lengths;
  KPI_RETURN_IF_ERROR(DecodeInts(&p, &lengths));
  uint64_t total = 0;
  for (int64_t len : lengths) {
    if (len < 0 || static_cast<uint64_t>(len) > p.size() - total) return Corrupt("string lengths exceed the block");
    total += static_cast<uint64_t>(len);
  }
  out->clear();
  out->reserve(lengths.size());
  for (int64_t len : lengths) {
    out->emplace_back(p.substr(0, static_cast<size_t>(len)));
    p.remove_prefix(static_cast<size_t>(len));
  }
  *in = p;
  return Status::OK();
}

}  // namespace kpi::codec
