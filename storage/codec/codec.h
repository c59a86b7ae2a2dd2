// Column codecs: the lightweight encodings of sealed segment columns.
//
// Each Encode* call appends one self-describing block (a one-byte encoding tag
// followed by the encoding's payload) to *out and returns the tag it chose.
// The encoder scores the candidate encodings on the data and keeps the
// smallest (DuckDB-style analyze/score/compress). Each Decode* call reads one
// block from the front of *in, advances *in past it and replaces *out's
// contents. Decoders never trust their input: truncated or inconsistent bytes
// give Status::Corruption, never a crash or an over-read.
//
// Thread safety: all functions are pure; call them from any thread.
// FORMAT: the tag values below are stored on disk. Never renumber or reuse.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"

namespace kpi::codec {

enum class Encoding : uint8_t {
  kIntConstant = 1,    // all values equal: the value once
  kIntBitpacked = 2,   // frame of reference: min, bit width, packed (value - min)
  kIntRunLength = 3,   // (value, run length) pairs, each side frame-of-reference packed
  kIntDelta = 4,       // first value, then zigzag deltas frame-of-reference packed
  kIntPatched = 5,     // frame of reference at a narrow width; wider values patched from an exception list
  kIntZstd = 6,        // an int block of the above, zstd-compressed (EncodeIntsCompressed)
  kIntHuffman = 7,     // bit-length buckets Huffman-coded, the low bits raw (read only; written 2026-12-07)
  kIntHuffman4 = 8,    // the same in four interleaved streams (EncodeIntsCompressed)
  kDoubleScaled = 16,  // all values are k-decimal numbers (k <= 6): integers * 10^-k, ints block
  kDoublePlain = 17,   // raw little-endian IEEE-754 doubles
  kStrings = 32,       // lengths as an ints block, then the bytes concatenated
  kStringsNumbered = 33,  // every string is one prefix + a decimal number: prefix, digit width, ints block
  kPresenceBitmap = 48,  // which rows are non-null: one bit per row
  kPresenceRows = 49,    // which rows are non-null: ascending row numbers, delta packed
};

// Largest number of values one block may hold. Decoders reject larger counts
// as Corruption so that a few corrupt bytes (a constant or run-length block can
// claim any count) cannot demand a huge allocation. Encoders require
// values.size() <= kMaxBlockValues; a bigger block would not decode.
inline constexpr uint64_t kMaxBlockValues = uint64_t{1} << 24;
// The same for string blocks (each decoded string costs a std::string).
inline constexpr uint64_t kMaxBlockStrings = uint64_t{1} << 20;

// Human-readable name of an encoding ("bitpacked", "rle", ...), for `kpi info`.
// Any byte is accepted; unknown tags give "unknown".
const char* EncodingName(Encoding e);

// --- integers ---------------------------------------------------------------
Encoding EncodeInts(std::span<const int64_t> values, std::string* out);
Encoding EncodeInts(std::span<const uint32_t> values, std::string* out);
Status DecodeInts(std::string_view* in, std::vector<int64_t>* out);
// Fails with Corruption if a value does not fit in uint32_t.
Status DecodeInts(std::string_view* in, std::vector<uint32_t>* out);
// The same values, stored zstd-compressed (tag kIntZstd) when that makes the
// block at least an eighth (and 16 bytes) smaller, or entropy-coded (tag
// kIntHuffman4, huffman_ints.cc) when that is smaller still by a 32nd.
// DecodeInts and SkipInts read every form; other readers of int blocks
// (strings, doubles) never see these two.
Encoding EncodeIntsCompressed(std::span<const int64_t> values, std::string* out);
Encoding EncodeIntsCompressed(std::span<const uint32_t> values, std::string* out);

// --- doubles (measures) -------------------------------------------------------
// Round-trips every finite double bit-exactly (scaled only when exact).
Encoding EncodeDoubles(std::span<const double> values, std::string* out);
Status DecodeDoubles(std::string_view* in, std::vector<double>* out);

// --- strings ------------------------------------------------------------------
Encoding EncodeStrings(std::span<const std::string> values, std::string* out);
Status DecodeStrings(std::string_view* in, std::vector<std::string>* out);

// --- presence (null bitmap) -----------------------------------------------------
// `rows` are the ascending indexes (< num_rows) of the non-null rows of a
// column of num_rows rows. Chooses a bitmap or a row list, whichever is smaller.
Encoding EncodePresence(std::span<const uint32_t> rows, uint32_t num_rows, std::string* out);
// Decodes into ascending row indexes; fails if any index >= num_rows.
Status DecodePresence(std::string_view* in, uint32_t num_rows, std::vector<uint32_t>* rows);

// --- skipping -----------------------------------------------------------------
// Each Skip* advances *in past one block of its kind without decoding the
// values, for a reader that wants only some columns of a segment. It checks
// what it reads (tag, counts, that the bytes are there), so it never reads
// past the input; a block it skips may still fail to decode.
Status SkipInts(std::string_view* in);
Status SkipDoubles(std::string_view* in);
Status SkipStrings(std::string_view* in);
Status SkipPresence(std::string_view* in, uint32_t num_rows);

// --- primitives shared by the segment format ----------------------------------
void PutVarint64(std::string* out, uint64_t v);
bool GetVarint64Long(std::string_view* in, uint64_t* v);  // GetVarint64's general case
// False on truncation/overflow. One-byte varints (most counts and gaps of the
// format, e.g. every zone map's codes an open reads) are read inline.
inline bool GetVarint64(std::string_view* in, uint64_t* v) {
  if (!in->empty() && static_cast<unsigned char>(in->front()) < 0x80) {
    *v = static_cast<unsigned char>(in->front());
    in->remove_prefix(1);
    return true;
  }
  return GetVarint64Long(in, v);
}
inline uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

}  // namespace kpi::codec
