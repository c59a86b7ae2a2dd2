#include "storage/codec/frame_of_reference.h"

#include "storage/codec/bitpack.h"
#include "storage/codec/codec.h"
#include "storage/codec/codec_internal.h"

namespace kpi::codec {

int ForWidth(int64_t min, int64_t max) {
  return BitWidth(static_cast<uint64_t>(max) - static_cast<uint64_t>(min));
}

size_t ForSize(size_t n, int64_t min, int64_t max) {
  return VarintLength(ZigZag(min)) + 1 + PackedBytes(n, ForWidth(min, max));
}

void PutFor(const int64_t* values, size_t n, int64_t min, int64_t max, std::string* out) {
  const int width = ForWidth(min, max);
  PutVarint64(out, ZigZag(min));
  out->push_back(static_cast<char>(width));
  // int64_t and uint64_t may alias: the packer reads the two's complement bits.
  Pack(reinterpret_cast<const uint64_t*>(values), n, width, static_cast<uint64_t>(min), out);
}

Status GetFor(std::string_view* in, size_t n, ForView* view) {
  std::string_view p = *in;
  uint64_t zmin;
  uint8_t width;
  if (!GetVarint64(&p, &zmin) || !GetByte(&p, &width)) return Corrupt("truncated frame header");
  if (width > 64) return Corrupt("bit width above 64");
  const size_t bytes = PackedBytes(n, width);
  if (bytes > p.size()) return Corrupt("truncated packed values");
  view->base = static_cast<uint64_t>(UnZigZag(zmin));
  view->width = width;
  view->n = n;
  view->packed = reinterpret_cast<const uint8_t*>(p.data());
  view->readable = p.size();
  p.remove_prefix(bytes);
  *in = p;
  return Status::OK();
}

void UnpackFor(const ForView& view, uint64_t* out) {
  UnpackWithin(view.packed, view.readable, view.n, view.width, view.base, out);
}

void UnpackForRange(const ForView& view, size_t begin, size_t count, uint64_t* out) {
  const size_t skip = begin / 8 * static_cast<size_t>(view.width);  // whole bytes before value `begin`
  UnpackWithin(view.packed + skip, view.readable - skip, count, view.width, view.base, out);
}

}  // namespace kpi::codec
