#include "storage/codec/codec_internal.h"

#include <algorithm>

#include "storage/codec/codec.h"

namespace kpi::codec {

Status Corrupt(const char* what) { return Status::Corruption(std::string("codec: ") + what); }

bool GetByte(std::string_view* in, uint8_t* b) {
  if (in->empty()) return false;
  *b = static_cast<uint8_t>(in->front());
  in->remove_prefix(1);
  return true;
}

Status GetCount(std::string_view* in, uint64_t limit, size_t* count) {
  uint64_t n;
  if (!GetVarint64(in, &n)) return Corrupt("truncated value count");
  if (n > std::min(limit, kMaxBlockValues)) return Corrupt("value count out of range");
  *count = static_cast<size_t>(n);
  return Status::OK();
}

}  // namespace kpi::codec
