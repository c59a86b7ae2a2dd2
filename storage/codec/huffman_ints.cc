// Entropy-coded int blocks (codec.h, tag kIntHuffman): each value's offset
// from the block's minimum, u = v - min, is split into a bucket (its bit
// length and the k bits after its leading one; u < 2^(k+1) is a bucket of its
// own) coded with a canonical Huffman code, and the bits below those, stored
// raw. Time gaps spread over many octaves (an assignment seconds after
// creation, a rating days after the reply) cost their bit length's entropy
// instead of the widest gap's width.
//   payload (after the tag): varint count (>= 1), varint zigzag(min), byte k
//   (0..2), varint S (the buckets 0..S-1 the table covers), ceil(S/2) bytes
//   of 4-bit code lengths (0 = bucket unused; low nibble first, at most
//   kMaxCodeBits), varint payload bytes, then the bit stream, least
//   significant bit first: per value its bucket's code (the canonical code
//   bit-reversed, so a decoder indexes a table with the next bits) followed
//   by its raw bits.
// Tag kIntHuffman4 (the one written): the same with kWays streams, value i in
// stream i % kWays: the header then holds kWays varint payload sizes and
// the streams follow one another. A decoder's next code position depends on
// the previous code's length; four independent streams decode four values
// at a time (the single stream took ~4.4 ns per value, a third of a cold
// query's CPU).
// Written only for blocks whose range (max - min) is below 2^kMaxRangeBits,
// so a value needs at most kMaxCodeBits + kMaxRangeBits - 1 bits.
#include <algorithm>
#include <cstring>
#include <queue>
#include <string>
#include <vector>

#include "storage/codec/codec.h"
#include "storage/codec/codec_internal.h"

namespace kpi::codec {

namespace {

constexpr int kMaxCodeBits = 12;
constexpr int kWays = 4;
constexpr int kMaxRangeBits = 48;
constexpr int kMaxK = 2;

struct Bucket {
  uint32_t symbol;
  int extra;  // raw bits after the code
};

// The bucket of u (< 2^kMaxRangeBits) with k modelled bits.
inline Bucket BucketOf(uint64_t u, int k) {
  const int length = u == 0 ? 0 : 64 - __builtin_clzll(u);
  if (length <= k + 1) return {static_cast<uint32_t>(u), 0};
  const int extra = length - 1 - k;
  const uint32_t top = static_cast<uint32_t>((u >> extra) & ((1u << k) - 1));
  return {(1u << (k + 1)) + (static_cast<uint32_t>(length - k - 2) << k) + top, extra};
}

// Buckets k can have for ranges below 2^kMaxRangeBits.
inline uint32_t MaxBuckets(int k) { return (1u << (k + 1)) + (static_cast<uint32_t>(kMaxRangeBits - k - 1) << k); }

// Lowest u of a bucket, and its raw bits.
inline void BucketBase(uint32_t symbol, int k, uint64_t* base, int* extra) {
  if (symbol < (1u << (k + 1))) {
    *base = symbol;
    *extra = 0;
    return;
  }
  const uint32_t j = symbol - (1u << (k + 1));
  const int length = k + 2 + static_cast<int>(j >> k);
  *extra = length - 1 - k;
  *base = (uint64_t{(1u << k) | (j & ((1u << k) - 1))}) << *extra;
}

// Huffman code lengths (<= kMaxCodeBits) for the counts; 0 for count 0.
std::vector<uint8_t> CodeLengths(const std::vector<uint64_t>& counts) {
  std::vector<uint64_t> c = counts;
  std::vector<uint8_t> lengths(c.size(), 0);
  for (;;) {
    struct Node {
      uint64_t weight;
      int index;  // < size: a leaf, else an inner node
    };
    auto heavier = [](const Node& a, const Node& b) { return a.weight > b.weight; };
    std::priority_queue<Node, std::vector<Node>, decltype(heavier)> heap(heavier);
    std::vector<int> parent;
    const int leaves = static_cast<int>(c.size());
    for (int i = 0; i < leaves; ++i)
      if (c[i] > 0) heap.push({c[i], i});
    parent.assign(c.size(), -1);
    if (heap.size() == 1) {
      lengths[heap.top().index] = 1;
      return lengths;
    }
    while (heap.size() > 1) {
      const Node a = heap.top();
      heap.pop();
      const Node b = heap.top();
      heap.pop();
      const int inner = static_cast<int>(parent.size());
      parent.push_back(-1);
      parent[a.index] = parent[b.index] = inner;
      heap.push({a.weight + b.weight, inner});
    }
    int longest = 0;
    for (int i = 0; i < leaves; ++i) {
      if (c[i] == 0) continue;
      int depth = 0;
      for (int p = parent[i]; p >= 0; p = parent[p]) ++depth;
      lengths[i] = static_cast<uint8_t>(depth);
      longest = std::max(longest, depth);
    }
    if (longest <= kMaxCodeBits) return lengths;
    // Too deep: flatten the counts and build again.
    for (uint64_t& w : c)
      if (w > 0) w = (w >> 1) | 1;
  }
}

// Canonical codes, bit-reversed (least significant bit first).
std::vector<uint32_t> CanonicalCodes(const std::vector<uint8_t>& lengths) {
  uint32_t count[kMaxCodeBits + 1] = {}, next[kMaxCodeBits + 2] = {};
  for (uint8_t l : lengths)
    if (l > 0) ++count[l];
  uint32_t code = 0;
  for (int l = 1; l <= kMaxCodeBits; ++l) {
    code = (code + count[l - 1]) << 1;
    next[l] = code;
  }
  std::vector<uint32_t> codes(lengths.size(), 0);
  for (size_t s = 0; s < lengths.size(); ++s) {
    const int l = lengths[s];
    if (l == 0) continue;
    const uint32_t c = next[l]++;
    uint32_t reversed = 0;
    for (int b = 0; b < l; ++b) reversed |= ((c >> b) & 1u) << (l - 1 - b);
    codes[s] = reversed;
  }
  return codes;
}

class BitWriter {
 public:
  explicit BitWriter(std::string* out) : out_(out) {}
  void Put(uint64_t bits, int n) {  // n <= 48
    buffer_ |= bits << used_;
    used_ += n;
    while (used_ >= 8) {
      out_->push_back(static_cast<char>(buffer_ & 0xff));
      buffer_ >>= 8;
      used_ -= 8;
    }
  }
  void Finish() {
    if (used_ > 0) out_->push_back(static_cast<char>(buffer_ & 0xff));
    buffer_ = 0;
    used_ = 0;
  }

 private:
  std::string* out_;
  uint64_t buffer_ = 0;
  int used_ = 0;
};

struct Header {
  size_t count = 0;
  int64_t min = 0;
  int k = 0;
  int ways = 1;
  std::vector<uint8_t> lengths;
  std::string_view payload;  // every stream, one after the other
  uint64_t stream_bytes[kWays] = {};
};

Status ReadHeader(std::string_view* in, Header* h) {
  std::string_view p = *in;
  uint8_t tag = 0, k = 0;
  uint64_t zmin = 0, symbols = 0;
  if (!GetByte(&p, &tag) || (tag != static_cast<uint8_t>(Encoding::kIntHuffman) &&
                             tag != static_cast<uint8_t>(Encoding::kIntHuffman4)))
    return Corrupt("not a huffman block");
  h->ways = tag == static_cast<uint8_t>(Encoding::kIntHuffman4) ? kWays : 1;
  KPI_RETURN_IF_ERROR(GetCount(&p, kMaxBlockValues, &h->count));
  if (h->count == 0 || !GetVarint64(&p, &zmin) || !GetByte(&p, &k) || k > kMaxK || !GetVarint64(&p, &symbols) ||
      symbols == 0 || symbols > MaxBuckets(k) || (symbols + 1) / 2 > p.size())
    return Corrupt("huffman header");
  h->min = UnZigZag(zmin);
  h->k = k;
  h->lengths.resize(symbols);
  for (uint64_t s = 0; s < symbols; ++s) {
    const uint8_t byte = static_cast<uint8_t>(p[s / 2]);
    h->lengths[s] = (s % 2 == 0) ? (byte & 0xf) : (byte >> 4);
    if (h->lengths[s] > kMaxCodeBits) return Corrupt("huffman code length");
  }
  p.remove_prefix((symbols + 1) / 2);
  uint64_t total = 0;
  for (int w = 0; w < h->ways; ++w) {
    if (!GetVarint64(&p, &h->stream_bytes[w]) || h->stream_bytes[w] > p.size()) return Corrupt("huffman payload size");
    total += h->stream_bytes[w];
  }
  if (total > p.size()) return Corrupt("huffman payload size");
  h->payload = p.substr(0, total);
  p.remove_prefix(total);
  *in = p;
  return Status::OK();
}

template <typename T>
Status Decode(std::string_view* in, std::vector<T>* out) {
  std::string_view p = *in;
  Header h;
  KPI_RETURN_IF_ERROR(ReadHeader(&p, &h));
  // Kraft: the lengths must describe a prefix code.
  uint64_t kraft = 0;
  int longest = 0;
  for (uint8_t l : h.lengths) {
    if (l == 0) continue;
    kraft += uint64_t{1} << (kMaxCodeBits - l);
    longest = std::max<int>(longest, l);
  }
  if (longest == 0 || kraft > (uint64_t{1} << kMaxCodeBits)) return Corrupt("huffman code lengths");
  const std::vector<uint32_t> codes = CanonicalCodes(h.lengths);
  // table[next `longest` bits] = symbol << 16 | raw bits << 8 | code length
  // (0 = no code); base[symbol] = the bucket's lowest value.
  std::vector<uint32_t> table(size_t{1} << longest, 0);
  std::vector<uint64_t> base(h.lengths.size());
  uint64_t widest = 0;  // the largest value - min any code can give
  for (size_t s = 0; s < h.lengths.size(); ++s) {
    const uint32_t l = h.lengths[s];
    if (l == 0) continue;
    int e = 0;
    BucketBase(static_cast<uint32_t>(s), h.k, &base[s], &e);
    widest = std::max(widest, base[s] + ((uint64_t{1} << e) - 1));
    const uint32_t entry = (static_cast<uint32_t>(s) << 16) | (static_cast<uint32_t>(e) << 8) | l;
    for (uint32_t fill = 0; fill < (1u << (longest - l)); ++fill) table[codes[s] | (fill << l)] = entry;
  }
  // uint32 output: each value is checked unless every code gives one that fits.
  const bool check = sizeof(T) == 4 && (h.min < 0 || static_cast<uint64_t>(h.min) + widest > UINT32_MAX);
  // The streams with zero bytes after them, so that every load reads 8 bytes
  // (a load starts at most 12 + 47 bits past a stream's end, which is
  // checked after each round of one value per stream).
  std::string bits(h.payload);
  bits.append(16, '\0');
  const char* data = bits.data();
  uint64_t pos[kWays] = {}, end[kWays] = {};
  for (int w = 0, at = 0; w < h.ways; at += static_cast<int>(h.stream_bytes[w]), ++w) {
    pos[w] = uint64_t(at) * 8;
    end[w] = pos[w] + h.stream_bytes[w] * 8;
  }
  out->resize(h.count);
  T* values = out->data();
  const uint64_t mask = (uint64_t{1} << longest) - 1;
  const uint64_t min = static_cast<uint64_t>(h.min);
  // One value from stream w into values[i]; false on a bad code or value.
  auto one = [&](int w, size_t i) {
    // 57 bits or more from pos: the code and, but for the widest buckets,
    // its raw bits.
    uint64_t word;
    std::memcpy(&word, data + pos[w] / 8, 8);
    word >>= pos[w] % 8;
    const uint32_t entry = table[word & mask];
    const uint32_t length = entry & 0xff, raw = (entry >> 8) & 0xff;
    if (length + raw > 57) {  // ranges near 2^48: load again past the code
      std::memcpy(&word, data + (pos[w] + length) / 8, 8);
      word = (word >> ((pos[w] + length) % 8)) << length;
    }
    const uint64_t v = min + (base[entry >> 16] | ((word >> length) & ((uint64_t{1} << raw) - 1)));
    values[i] = static_cast<T>(v);
    pos[w] += length + raw;
    return length != 0 && !(check && v > UINT32_MAX);
  };
  auto in_bounds = [&] {
    bool ok = true;
    for (int w = 0; w < h.ways; ++w) ok &= pos[w] <= end[w];
    return ok;
  };
  size_t i = 0;
  bool ok = true;
  if (h.ways == kWays) {
    for (; ok && i + kWays <= h.count; i += kWays) {
      ok = one(0, i) & one(1, i + 1) & one(2, i + 2) & one(3, i + 3);
      ok &= in_bounds();
    }
  }
  for (; ok && i < h.count; ++i) {
    ok = one(static_cast<int>(i % h.ways), i);
    ok &= in_bounds();
  }
  if (!ok) {
    out->clear();
    return Corrupt("huffman stream");
  }
  *in = p;
  return Status::OK();
}

}  // namespace

bool EncodeIntsHuffman(std::span<const int64_t> values, size_t below, std::string* out, bool interleaved) {
  if (values.empty()) return false;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  const int64_t min = *lo;
  const uint64_t range = static_cast<uint64_t>(*hi) - static_cast<uint64_t>(min);
  if (range >> kMaxRangeBits != 0) return false;
  // One pass: how many values have each u < 8, and each (bit length, two
  // bits after the leading one) above; every k's bucket counts follow.
  constexpr int kSmall = 8;
  uint64_t small[kSmall] = {};
  std::vector<uint64_t> wide((kMaxRangeBits + 1) * 4, 0);
  for (int64_t v : values) {
    const uint64_t u = static_cast<uint64_t>(v) - static_cast<uint64_t>(min);
    if (u < kSmall) {
      ++small[u];
    } else {
      const int length = 64 - __builtin_clzll(u);
      ++wide[static_cast<size_t>(length) * 4 + ((u >> (length - 3)) & 3)];
    }
  }
  struct Choice {
    int k = -1;
    size_t size = SIZE_MAX;
    uint64_t payload = 0;
    std::vector<uint8_t> lengths;
  } best;
  for (int k = 0; k <= kMaxK; ++k) {
    std::vector<uint64_t> counts(MaxBuckets(k), 0);
    uint64_t raw_bits = 0;
    for (uint64_t u = 0; u < kSmall; ++u) {
      const Bucket b = BucketOf(u, k);
      counts[b.symbol] += small[u];
      raw_bits += small[u] * static_cast<uint64_t>(b.extra);
    }
    for (int length = 4; length <= kMaxRangeBits; ++length) {
      for (uint64_t top = 0; top < 4; ++top) {
        const uint64_t c = wide[static_cast<size_t>(length) * 4 + top];
        if (c == 0) continue;
        const Bucket b = BucketOf(((4 | top) << (length - 3)), k);  // any u of this length and top bits
        counts[b.symbol] += c;
        raw_bits += c * static_cast<uint64_t>(b.extra);
      }
    }
    size_t symbols = counts.size();
    while (symbols > 1 && counts[symbols - 1] == 0) --symbols;
    counts.resize(symbols);
    std::vector<uint8_t> lengths = CodeLengths(counts);
    uint64_t code_bits = 0;
    for (size_t s = 0; s < symbols; ++s) code_bits += counts[s] * lengths[s];
    const uint64_t payload = (code_bits + raw_bits + 7) / 8;
    const size_t size = 1 + VarintLength(values.size()) + VarintLength(ZigZag(min)) + 1 + VarintLength(symbols) +
                        (symbols + 1) / 2 + VarintLength(payload) + payload;
    if (size < best.size) best = {k, size, payload, std::move(lengths)};
  }
  // The streams round each to a byte and say their sizes: a few bytes more.
  const int ways = interleaved ? kWays : 1;
  if (best.size + 2 * (ways - 1) >= below) return false;
  const int k = best.k;
  const std::vector<uint8_t>& lengths = best.lengths;
  const size_t symbols = lengths.size();
  const std::vector<uint32_t> codes = CanonicalCodes(lengths);
  std::vector<std::string> streams(ways);
  {
    std::vector<BitWriter> writers;
    for (std::string& stream : streams) writers.emplace_back(&stream);
    for (size_t i = 0; i < values.size(); ++i) {
      BitWriter& w = writers[i % ways];
      const uint64_t u = static_cast<uint64_t>(values[i]) - static_cast<uint64_t>(min);
      const Bucket b = BucketOf(u, k);
      w.Put(codes[b.symbol], lengths[b.symbol]);
      if (b.extra > 0) w.Put(u & ((uint64_t{1} << b.extra) - 1), b.extra);
    }
    for (BitWriter& w : writers) w.Finish();
  }
  const size_t start = out->size();
  out->push_back(static_cast<char>(interleaved ? Encoding::kIntHuffman4 : Encoding::kIntHuffman));
  PutVarint64(out, values.size());
  PutVarint64(out, ZigZag(min));
  out->push_back(static_cast<char>(k));
  PutVarint64(out, symbols);
  for (size_t s = 0; s < symbols; s += 2)
    out->push_back(static_cast<char>(lengths[s] | (s + 1 < symbols ? lengths[s + 1] << 4 : 0)));
  for (const std::string& stream : streams) PutVarint64(out, stream.size());
  for (const std::string& stream : streams) out->append(stream);
  if (out->size() - start >= below) {
    out->resize(start);
    return false;
  }
  return true;
}

bool IsHuffmanInts(std::string_view in) {
  return !in.empty() && (static_cast<uint8_t>(in[0]) == static_cast<uint8_t>(Encoding::kIntHuffman) ||
                         static_cast<uint8_t>(in[0]) == static_cast<uint8_t>(Encoding::kIntHuffman4));
}

Status DecodeHuffmanInts(std::string_view* in, std::vector<int64_t>* out) { return Decode(in, out); }

Status DecodeHuffmanInts(std::string_view* in, std::vector<uint32_t>* out) { return Decode(in, out); }

Status SkipHuffmanInts(std::string_view* in) {
  Header h;
  return ReadHeader(in, &h);
}

}  // namespace kpi::codec
