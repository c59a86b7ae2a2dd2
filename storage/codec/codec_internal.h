// Helpers shared by the codec implementation files (not part of the public
// codec API): block header reading, size arithmetic and error construction.
// Everything here is pure and thread-safe. Readers take a std::string_view*
// and advance it only past what they successfully consumed.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

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

// Compressed int blocks (zstd_ints.cc): whether the block at the front of
// `in` is one, and its decoders, which DecodeInts and SkipInts call for it.
bool IsCompressedInts(std::string_view in);
Status DecodeCompressedInts(std::string_view* in, std::vector<int64_t>* out);
Status DecodeCompressedInts(std::string_view* in, std::vector<uint32_t>* out);
Status SkipCompressedInts(std::string_view* in);

// Entropy-coded int blocks (huffman_ints.cc). EncodeIntsHuffman appends the
// block (tag kIntHuffman4; kIntHuffman, one stream, when not `interleaved`:
// only tests write those now) and returns true when it is smaller than
// `below` bytes, or returns false having appended nothing (also when the
// values' range is too wide).
bool EncodeIntsHuffman(std::span<const int64_t> values, size_t below, std::string* out, bool interleaved = true);
bool IsHuffmanInts(std::string_view in);
Status DecodeHuffmanInts(std::string_view* in, std::vector<int64_t>* out);
Status DecodeHuffmanInts(std::string_view* in, std::vector<uint32_t>* out);
Status SkipHuffmanInts(std::string_view* in);

}  // namespace kpi::codec
