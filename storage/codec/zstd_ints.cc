// Compressed int blocks (codec.h, EncodeIntsCompressed): an int block that
// zstd makes at least an eighth smaller is stored wrapped.
//   payload (after the tag): varint raw size, varint compressed size, then a
//   zstd frame of the raw int block (which is never itself wrapped).
// Sequences the frame-of-reference encodings cannot see (an event-code
// pattern repeated ticket after ticket, an agent's runs of replies) are what
// zstd finds. Segments are stored in RocksDB with its zstd block compression
// too, but RocksDB keeps a block uncompressed unless compression saves 1/8 of
// it, so once the codecs leave little to gain it stops compressing at all
// (docs/performance.md, "Bytes on disk"). EncodeIntsCompressed also weighs
// the entropy-coded block (huffman_ints.cc) and keeps the smaller.
#include <zstd.h>

#include <string>
#include <vector>

#include "storage/codec/codec.h"
#include "storage/codec/codec_internal.h"

namespace kpi::codec {

namespace {

constexpr int kLevel = 3;
// Largest raw block a wrapper may claim: kMaxBlockValues varint-sized values
// and headers (so corrupt sizes cannot demand more than a real block holds).
constexpr uint64_t kMaxRawBytes = kMaxBlockValues * 10 + 64;

// One decompression context per thread, kept for the thread's life:
// ZSTD_decompress creates and frees one (~100 KB) per call, which for the
// few-KB frames of a segment cost as much as the decompression
// (docs/performance.md, "Cold queries").
ZSTD_DCtx* ThreadDecompressor() {
  struct Holder {
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    ~Holder() { ZSTD_freeDCtx(dctx); }
  };
  thread_local Holder holder;
  return holder.dctx;
}

// The wrapped block's raw bytes; *in is advanced past the wrapper only on
// success.
Status Unwrap(std::string_view* in, std::string* raw, bool decompress) {
  std::string_view p = *in;
  uint8_t tag;
  uint64_t raw_size = 0, size = 0;
  if (!GetByte(&p, &tag) || tag != static_cast<uint8_t>(Encoding::kIntZstd)) return Corrupt("not a zstd block");
  if (!GetVarint64(&p, &raw_size) || !GetVarint64(&p, &size) || raw_size == 0 || raw_size > kMaxRawBytes ||
      size > p.size())
    return Corrupt("zstd block sizes");
  if (decompress) {
    const unsigned long long content = ZSTD_getFrameContentSize(p.data(), size);
    if (content != raw_size) return Corrupt("zstd frame size");
    raw->resize(raw_size);
    ZSTD_DCtx* dctx = ThreadDecompressor();
    if (dctx == nullptr) return Status::ResourceExhausted("zstd: cannot allocate a decompression context");
    const size_t got = ZSTD_decompressDCtx(dctx, raw->data(), raw->size(), p.data(), size);
    if (ZSTD_isError(got) || got != raw_size) return Corrupt("zstd frame");
    if (IsCompressedInts(*raw) || IsHuffmanInts(*raw)) return Corrupt("nested zstd block");
  }
  p.remove_prefix(size);
  *in = p;
  return Status::OK();
}

template <typename T>
Status DecodeWrapped(std::string_view* in, std::vector<T>* out) {
  std::string_view p = *in;
  std::string raw;
  KPI_RETURN_IF_ERROR(Unwrap(&p, &raw, true));
  std::string_view view = raw;
  KPI_RETURN_IF_ERROR(DecodeInts(&view, out));
  if (!view.empty()) {
    out->clear();
    return Corrupt("zstd block holds more than one block");
  }
  *in = p;
  return Status::OK();
}

// The plain block, or it zstd-wrapped (into `out`).
template <typename T>
Encoding EncodePlainOrZstd(std::span<const T> values, std::string* out) {
  std::string raw;
  const Encoding e = EncodeInts(values, &raw);
  std::string frame(ZSTD_compressBound(raw.size()), '\0');
  const size_t size = ZSTD_compress(frame.data(), frame.size(), raw.data(), raw.size(), kLevel);
  const size_t wrapped = ZSTD_isError(size) ? SIZE_MAX : 1 + VarintLength(raw.size()) + VarintLength(size) + size;
  if (wrapped > raw.size() - raw.size() / 8 || wrapped + 16 > raw.size()) {
    out->append(raw);
    return e;
  }
  out->push_back(static_cast<char>(Encoding::kIntZstd));
  PutVarint64(out, raw.size());
  PutVarint64(out, size);
  out->append(frame.data(), size);
  return Encoding::kIntZstd;
}

// The smaller of that and the entropy-coded block, which must win by a 32nd
// (it decodes slower than a packed block).
Encoding EncodeCompressed(std::span<const int64_t> values, std::string* out) {
  std::string plain;
  const Encoding e = EncodePlainOrZstd(values, &plain);
  // Below ~64 bytes the code table eats the gain.
  if (e != Encoding::kIntConstant && plain.size() >= 64 && EncodeIntsHuffman(values, plain.size() * 32 / 33, out))
    return Encoding::kIntHuffman4;
  out->append(plain);
  return e;
}

}  // namespace

bool IsCompressedInts(std::string_view in) {
  return !in.empty() && static_cast<uint8_t>(in[0]) == static_cast<uint8_t>(Encoding::kIntZstd);
}

Encoding EncodeIntsCompressed(std::span<const int64_t> values, std::string* out) {
  return EncodeCompressed(values, out);
}

Encoding EncodeIntsCompressed(std::span<const uint32_t> values, std::string* out) {
  const std::vector<int64_t> wide(values.begin(), values.end());
  return EncodeCompressed(std::span<const int64_t>(wide), out);
}

Status DecodeCompressedInts(std::string_view* in, std::vector<int64_t>* out) { return DecodeWrapped(in, out); }

Status DecodeCompressedInts(std::string_view* in, std::vector<uint32_t>* out) { return DecodeWrapped(in, out); }

Status SkipCompressedInts(std::string_view* in) {
  std::string raw;
  return Unwrap(in, &raw, false);
}

}  // namespace kpi::codec
