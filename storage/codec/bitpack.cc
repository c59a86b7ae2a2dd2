#include "storage/codec/bitpack.h"

#include <array>
#include <cstring>
#include <utility>

#include "storage/codec/codec_internal.h"

namespace kpi::codec {

namespace {

constexpr uint64_t MaskOf(int width) { return width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1; }

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Value J of a group of eight W-bit values: the group spans exactly W bytes,
// so every offset and shift below is a compile-time constant.
template <int W, int J>
inline uint64_t Extract(const uint8_t* group) {
  constexpr int kBit = J * W;
  constexpr int kByte = kBit / 8;
  constexpr int kShift = kBit % 8;
  uint64_t word = Load64(group + kByte) >> kShift;
  if constexpr (kShift + W > 64) {  // only widths 57..63 straddle nine bytes
    word |= static_cast<uint64_t>(group[kByte + 8]) << (64 - kShift);
  }
  return word & MaskOf(W);
}

// Reads at most W + 9 bytes from `group` (the group's W bytes plus slack).
template <int W>
inline void UnpackGroup(const uint8_t* group, uint64_t base, uint64_t* out) {
  [&]<size_t... J>(std::index_sequence<J...>) {
    ((out[J] = base + Extract<W, static_cast<int>(J)>(group)), ...);
  }(std::make_index_sequence<8>{});
}

constexpr size_t kGroupSlack = 9;  // bytes a group may read past its own W

template <int W>
void UnpackWidth(const uint8_t* in, size_t readable, size_t n, uint64_t base, uint64_t* out) {
  if constexpr (W == 0) {
    (void)in;
    (void)readable;
    for (size_t i = 0; i < n; ++i) out[i] = base;
  } else {
    const size_t bytes = PackedBytes(n, W);
    const size_t groups = n / 8;
    size_t g = 0;
    // Fast path: whole groups whose slack reads stay inside the readable input.
    while (g < groups && (g + 1) * W + kGroupSlack <= readable) {
      UnpackGroup<W>(in + g * W, base, out + g * 8);
      ++g;
    }
    // Tail: fewer than W + 9 bytes remain; copy them into a zero-padded buffer
    // so the same group code runs without reading past `in`.
    size_t done = g * 8;
    if (done == n) return;
    uint8_t buf[2 * 64 + 2 * kGroupSlack] = {};
    const size_t tail_bytes = bytes - g * W;
    std::memcpy(buf, in + g * W, tail_bytes);
    const uint8_t* group = buf;
    while (done < n) {
      uint64_t tmp[8];
      UnpackGroup<W>(group, base, tmp);
      const size_t take = n - done < 8 ? n - done : 8;
      std::memcpy(out + done, tmp, take * sizeof(uint64_t));
      done += take;
      group += W;
    }
  }
}

using UnpackFn = void (*)(const uint8_t*, size_t, size_t, uint64_t, uint64_t*);

template <size_t... W>
constexpr std::array<UnpackFn, sizeof...(W)> MakeUnpackTable(std::index_sequence<W...>) {
  return {&UnpackWidth<static_cast<int>(W)>...};
}

constexpr auto kUnpackByWidth = MakeUnpackTable(std::make_index_sequence<65>{});

}  // namespace

void Pack(const uint64_t* values, size_t n, int width, uint64_t base, std::string* out) {
  const size_t bytes = PackedBytes(n, width);
  if (bytes == 0) return;
  const size_t start = out->size();
  out->resize(start + bytes);
  uint8_t* dst = reinterpret_cast<uint8_t*>(out->data() + start);
  const uint64_t mask = MaskOf(width);
  uint64_t acc = 0;  // bits not yet written, lowest first
  int fill = 0;      // how many bits of acc are in use (< 64)
  size_t pos = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t v = (values[i] - base) & mask;
    acc |= v << fill;
    fill += width;
    if (fill >= 64) {
      std::memcpy(dst + pos, &acc, 8);
      pos += 8;
      fill -= 64;
      acc = fill == 0 ? 0 : v >> (width - fill);  // the bits that did not fit
    }
  }
  std::memcpy(dst + pos, &acc, bytes - pos);  // ceil(fill / 8) bytes
}

void Unpack(const uint8_t* in, size_t n, int width, uint64_t base, uint64_t* out) {
  kUnpackByWidth[static_cast<size_t>(width)](in, PackedBytes(n, width), n, base, out);
}

void UnpackWithin(const uint8_t* in, size_t readable, size_t n, int width, uint64_t base, uint64_t* out) {
  kUnpackByWidth[static_cast<size_t>(width)](in, readable, n, base, out);
}

}  // namespace kpi::codec
