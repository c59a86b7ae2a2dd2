// Integer blocks: constant, frame-of-reference bitpacked, run-length and
// delta. One analysis pass gathers what each candidate's exact size depends
// on; the smallest candidate is then encoded (ties go to the cheaper decoder,
// in the order constant, bitpacked, run-length, delta).
//
// Payloads (after the tag byte), FOR = frame_of_reference.h sub-block:
//   constant:   varint count, varint zigzag(value)
//   bitpacked:  varint count, FOR(values)
//   run-length: varint count, varint runs, FOR(run values), FOR(run lengths)
//   delta:      varint count, [count > 0: varint zigzag(first),
//               FOR(count - 1 wrapping differences v[i] - v[i-1])]
//   patched:    varint count, varint zigzag(min), byte width w,
//               FOR(low w bits of v[i] - min), varint exceptions e,
//               FOR(e ascending positions), FOR(e values (v - min) >> w).
//               For skewed data (time gaps: mostly minutes, a few days) where
//               a handful of outliers would widen every packed value.
// The delta frame's min is stored zigzag, so mixed-sign deltas pack as well as
// positive ones; packing (delta - min) is never wider than packing zigzag(delta).
#include <algorithm>
#include <vector>

#include "storage/codec/codec.h"
#include "storage/codec/codec_internal.h"
#include "storage/codec/frame_of_reference.h"
#include "storage/codec/int_block_reader.h"

namespace kpi::codec {

namespace {

// Wrapping difference: exact for any pair, undone by wrapping addition.
inline int64_t WrappingDelta(int64_t cur, int64_t prev) {
  return static_cast<int64_t>(static_cast<uint64_t>(cur) - static_cast<uint64_t>(prev));
}

struct IntProfile {
  size_t n = 0;
  int64_t min = 0, max = 0;
  size_t runs = 0;
  int64_t min_run = 0, max_run = 0;
  int64_t min_delta = 0, max_delta = 0;
};

IntProfile Profile(const int64_t* v, size_t n) {
  IntProfile p;
  p.n = n;
  if (n == 0) return p;
  p.min = p.max = v[0];
  p.runs = 1;
  p.min_run = INT64_MAX;
  p.max_run = 0;
  p.min_delta = INT64_MAX;
  p.max_delta = INT64_MIN;
  size_t run_start = 0;
  for (size_t i = 1; i < n; ++i) {
    p.min = std::min(p.min, v[i]);
    p.max = std::max(p.max, v[i]);
    const int64_t d = WrappingDelta(v[i], v[i - 1]);
    p.min_delta = std::min(p.min_delta, d);
    p.max_delta = std::max(p.max_delta, d);
    if (v[i] != v[i - 1]) {
      const int64_t len = static_cast<int64_t>(i - run_start);
      p.min_run = std::min(p.min_run, len);
      p.max_run = std::max(p.max_run, len);
      run_start = i;
      ++p.runs;
    }
  }
  const int64_t last = static_cast<int64_t>(n - run_start);
  p.min_run = std::min(p.min_run, last);
  p.max_run = std::max(p.max_run, last);
  if (n == 1) p.min_delta = p.max_delta = 0;
  return p;
}

size_t HeaderSize(size_t n) { return 1 + VarintLength(n); }

size_t BitpackedSize(const IntProfile& p) { return HeaderSize(p.n) + ForSize(p.n, p.min, p.max); }

size_t RunLengthSize(const IntProfile& p) {
  return HeaderSize(p.n) + VarintLength(p.runs) + ForSize(p.runs, p.min, p.max) +
         ForSize(p.runs, p.min_run, p.max_run);
}

size_t DeltaSize(const IntProfile& p, int64_t first) {
  return HeaderSize(p.n) + VarintLength(ZigZag(first)) + ForSize(p.n - 1, p.min_delta, p.max_delta);
}

// The patched plan: width w and the exact encoded size, or size 0 when no
// narrower width than the full range helps.
struct PatchedPlan {
  int width = 0;
  size_t exceptions = 0;
  size_t size = 0;
};

inline int BitLength(uint64_t u) { return u == 0 ? 0 : 64 - __builtin_clzll(u); }

PatchedPlan PlanPatched(const int64_t* v, const IntProfile& p) {
  PatchedPlan plan;
  size_t histogram[65] = {};
  const uint64_t min = static_cast<uint64_t>(p.min);
  for (size_t i = 0; i < p.n; ++i) histogram[BitLength(static_cast<uint64_t>(v[i]) - min)]++;
  int full = 64;
  while (full > 0 && histogram[full] == 0) --full;
  const int position_bits = BitLength(p.n);
  // Only widths that beat plain bitpacking (n values of `full` bits) are worth
  // the exact-size pass below; uniform data skips it.
  const size_t plain_bits = p.n * size_t(full);
  size_t best_bits = plain_bits;
  size_t above = 0;  // values wider than w
  for (int w = full; w >= 0; --w) {
    const size_t bits = p.n * size_t(w) + above * size_t(position_bits + full - w);
    if (bits < best_bits && w < full) {
      best_bits = bits;
      plan.width = w;
      plan.exceptions = above;
    }
    above += histogram[w];
  }
  if (best_bits == plain_bits || plan.exceptions == 0) return PatchedPlan();
  // Exact size: positions and high parts framed by their own min/max.
  int64_t max_pos = 0, min_pos = INT64_MAX, max_high = 0, min_high = INT64_MAX;
  for (size_t i = 0; i < p.n; ++i) {
    const uint64_t u = static_cast<uint64_t>(v[i]) - min;
    if (BitLength(u) > plan.width) {
      const int64_t high = static_cast<int64_t>(plan.width == 64 ? 0 : u >> plan.width);
      min_pos = std::min<int64_t>(min_pos, static_cast<int64_t>(i));
      max_pos = static_cast<int64_t>(i);
      min_high = std::min(min_high, high);
      max_high = std::max(max_high, high);
    }
  }
  const int64_t low_max = plan.width == 0 ? 0 : static_cast<int64_t>((~uint64_t{0}) >> (64 - plan.width));
  plan.size = HeaderSize(p.n) + ForSize(p.n, 0, low_max) + VarintLength(plan.exceptions) +
              ForSize(plan.exceptions, min_pos, max_pos) + ForSize(plan.exceptions, min_high, max_high);
  // The frame's min rides in front of the low-bit sub-block.
  plan.size += VarintLength(ZigZag(p.min));
  return plan;
}

void PutHeader(Encoding e, size_t n, std::string* out) {
  out->push_back(static_cast<char>(e));
  PutVarint64(out, n);
}

void PutRunLength(const int64_t* v, const IntProfile& p, std::string* out) {
  std::vector<int64_t> values, lengths;
  values.reserve(p.runs);
  lengths.reserve(p.runs);
  size_t run_start = 0;
  for (size_t i = 1; i <= p.n; ++i) {
    if (i == p.n || v[i] != v[i - 1]) {
      values.push_back(v[run_start]);
      lengths.push_back(static_cast<int64_t>(i - run_start));
      run_start = i;
    }
  }
  PutHeader(Encoding::kIntRunLength, p.n, out);
  PutVarint64(out, p.runs);
  PutFor(values.data(), values.size(), p.min, p.max, out);
  PutFor(lengths.data(), lengths.size(), p.min_run, p.max_run, out);
}

void PutDelta(const int64_t* v, const IntProfile& p, std::string* out) {
  std::vector<int64_t> deltas(p.n - 1);
  for (size_t i = 1; i < p.n; ++i) deltas[i - 1] = WrappingDelta(v[i], v[i - 1]);
  PutHeader(Encoding::kIntDelta, p.n, out);
  PutVarint64(out, ZigZag(v[0]));
  PutFor(deltas.data(), deltas.size(), p.min_delta, p.max_delta, out);
}

void PutPatched(const int64_t* v, const IntProfile& p, const PatchedPlan& plan, std::string* out) {
  const uint64_t min = static_cast<uint64_t>(p.min);
  const uint64_t mask = plan.width == 0 ? 0 : (~uint64_t{0}) >> (64 - plan.width);
  std::vector<int64_t> lows(p.n), positions, highs;
  positions.reserve(plan.exceptions);
  highs.reserve(plan.exceptions);
  for (size_t i = 0; i < p.n; ++i) {
    const uint64_t u = static_cast<uint64_t>(v[i]) - min;
    lows[i] = static_cast<int64_t>(u & mask);
    if ((u & ~mask) != 0) {
      positions.push_back(static_cast<int64_t>(i));
      highs.push_back(static_cast<int64_t>(u >> plan.width));
    }
  }
  PutHeader(Encoding::kIntPatched, p.n, out);
  PutVarint64(out, ZigZag(p.min));
  PutFor(lows.data(), lows.size(), 0, static_cast<int64_t>(mask), out);
  PutVarint64(out, positions.size());
  PutFor(positions.data(), positions.size(), positions.front(), positions.back(), out);
  PutFor(highs.data(), highs.size(), *std::min_element(highs.begin(), highs.end()),
         *std::max_element(highs.begin(), highs.end()), out);
}

}  // namespace

Encoding EncodeInts(std::span<const int64_t> values, std::string* out) {
  const int64_t* v = values.data();
  const IntProfile p = Profile(v, values.size());
  if (p.n == 0 || p.min == p.max) {
    PutHeader(Encoding::kIntConstant, p.n, out);
    PutVarint64(out, p.n == 0 ? 0 : ZigZag(v[0]));
    return Encoding::kIntConstant;
  }
  const size_t bitpacked = BitpackedSize(p);
  const size_t run_length = RunLengthSize(p);
  const size_t delta = DeltaSize(p, v[0]);
  const PatchedPlan patched = PlanPatched(v, p);
  if (patched.size != 0 && patched.size < bitpacked && patched.size < run_length && patched.size < delta) {
    PutPatched(v, p, patched, out);
    return Encoding::kIntPatched;
  }
  if (bitpacked <= run_length && bitpacked <= delta) {
    PutHeader(Encoding::kIntBitpacked, p.n, out);
    PutFor(v, p.n, p.min, p.max, out);
    return Encoding::kIntBitpacked;
  }
  if (run_length <= delta) {
    PutRunLength(v, p, out);
    return Encoding::kIntRunLength;
  }
  PutDelta(v, p, out);
  return Encoding::kIntDelta;
}

Encoding EncodeInts(std::span<const uint32_t> values, std::string* out) {
  const std::vector<int64_t> wide(values.begin(), values.end());
  return EncodeInts(std::span<const int64_t>(wide), out);
}

Status DecodeInts(std::string_view* in, std::vector<int64_t>* out) {
  if (IsCompressedInts(*in)) return DecodeCompressedInts(in, out);
  if (IsHuffmanInts(*in)) return DecodeHuffmanInts(in, out);
  IntBlockReader reader;
  KPI_RETURN_IF_ERROR(reader.Open(in));
  out->resize(reader.size());
  // int64 and uint64 may alias: the reader writes two's complement bit patterns.
  uint64_t* bits = reinterpret_cast<uint64_t*>(out->data());
  reader.ReadAll(bits);
  return Status::OK();
}

Status DecodeInts(std::string_view* in, std::vector<uint32_t>* out) {
  if (IsCompressedInts(*in)) return DecodeCompressedInts(in, out);
  if (IsHuffmanInts(*in)) return DecodeHuffmanInts(in, out);
  std::string_view p = *in;
  IntBlockReader reader;
  KPI_RETURN_IF_ERROR(reader.Open(&p));
  out->resize(reader.size());
  uint64_t chunk[IntBlockReader::kMaxChunk];
  for (size_t pos = 0, got; (got = reader.Next(chunk)) != 0; pos += got) {
    uint64_t high_bits = 0;  // negative values have them set too
    for (size_t i = 0; i < got; ++i) {
      high_bits |= chunk[i] >> 32;
      (*out)[pos + i] = static_cast<uint32_t>(chunk[i]);
    }
    if (high_bits != 0) {
      out->clear();
      return Corrupt("value does not fit uint32");
    }
  }
  *in = p;
  return Status::OK();
}

Status SkipInts(std::string_view* in) {
  if (IsCompressedInts(*in)) return SkipCompressedInts(in);
  if (IsHuffmanInts(*in)) return SkipHuffmanInts(in);
  return IntBlockReader::Skip(in);
}

}  // namespace kpi::codec
