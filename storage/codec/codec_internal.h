// Helpers shared by the codec implementation files (not part of the public
// codec API): block header reading, size arithmetic and error construction.
// Everything here is pure and thread-safe. Readers take a std::string_view*
// and advance it only past what they successfully consumed.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace kpi::codec {

static_assert(std::endian::native == std::endian::little,
              "codecs store and load little-endian words with memcpy");

inline constexpr size_t kMaxVarintBytes = 10;

// Bytes PutVarint64(v) writes.
size_t VarintLength(uint64_t v);

// Corruption("codec: <what>").
Status Corrupt(const char* what);

// Reads one byte; false when *in is empty.
bool GetByte(std::string_view* in, uint8_t* b);

// Reads a varint value count and checks it against `limit` and kMaxBlockValues.
Status GetCount(std::string_view* in, uint64_t limit, size_t* count);

}  // namespace kpi::codec
