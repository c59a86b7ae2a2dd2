// Bit packing: n unsigned values of a fixed width (0..64 bits) laid out as one
// little-endian bit stream, value i at bits [i*width, (i+1)*width), occupying
// exactly ceil(n*width/8) bytes. Internal to the codecs.
//
// Both directions apply a frame of reference `base` with wrapping uint64
// arithmetic, so any int64 range packs (the caller passes int64 values as
// their uint64 bit patterns). Unpack is specialised per width and reads only
// the PackedBytes(n, width) bytes it is given. Pure functions, thread-safe.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>

namespace kpi::codec {

// Bits needed to hold v (0 for v == 0).
inline int BitWidth(uint64_t v) { return static_cast<int>(std::bit_width(v)); }

// Bytes n values of `width` bits occupy. Requires n < 2^57 (counts are capped
// far below that).
inline size_t PackedBytes(size_t n, int width) {
  return static_cast<size_t>((static_cast<uint64_t>(n) * static_cast<uint64_t>(width) + 7) / 8);
}

// Appends PackedBytes(n, width) bytes holding (values[i] - base) mod 2^64,
// masked to `width` bits (the caller chooses width so nothing is lost).
void Pack(const uint64_t* values, size_t n, int width, uint64_t base, std::string* out);

// out[i] = base + (packed value i), mod 2^64, for i < n. `in` must hold
// PackedBytes(n, width) bytes; no byte past them is read. width in 0..64.
void Unpack(const uint8_t* in, size_t n, int width, uint64_t base, uint64_t* out);

// Unpack, told that `readable` >= PackedBytes(n, width) bytes may be read
// from `in` (more room lets more of the input take the wide-load fast path).
void UnpackWithin(const uint8_t* in, size_t readable, size_t n, int width, uint64_t base, uint64_t* out);

}  // namespace kpi::codec
