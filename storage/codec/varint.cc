// LEB128 varints: 7 bits per byte, least significant group first.
#include "storage/codec/codec.h"
#include "storage/codec/codec_internal.h"

namespace kpi::codec {

void PutVarint64(std::string* out, uint64_t v) {
  char buf[kMaxVarintBytes];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

bool GetVarint64Long(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (size_t i = 0; i < in->size() && i < kMaxVarintBytes; ++i) {
    uint64_t byte = static_cast<uint8_t>((*in)[i]);
    // The tenth byte holds only bit 63: anything more overflows 64 bits.
    if (i == kMaxVarintBytes - 1 && byte > 1) return false;
    result |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      *v = result;
      in->remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

size_t VarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace kpi::codec
