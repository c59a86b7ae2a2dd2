// Column codec micro-benchmarks: encode and decode throughput per encoding
// (items = values, bytes = decoded in-memory bytes). Run with e.g.
//   build/bench/codec_bench --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "storage/codec/bitpack.h"
#include "storage/codec/codec.h"

namespace kpi::codec {
namespace {

constexpr size_t kValues = 1 << 16;  // a large segment column

std::vector<int64_t> RandomOfWidth(int width) {
  std::mt19937_64 rng(width);
  const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  std::vector<int64_t> v(kValues);
  for (auto& x : v) x = static_cast<int64_t>(rng() & mask);
  if (width > 0) v[0] = static_cast<int64_t>(mask);  // pin the width
  return v;
}

std::vector<int64_t> Timestamps() {
  std::mt19937_64 rng(1);
  std::vector<int64_t> v(kValues);
  int64_t t = 1700000000000;
  for (auto& x : v) x = t += 500 + static_cast<int64_t>(rng() % 60000);
  return v;
}

std::vector<int64_t> RunCodes() {
  std::mt19937_64 rng(2);
  std::vector<int64_t> v;
  while (v.size() < kValues) v.insert(v.end(), 20 + rng() % 200, static_cast<int64_t>(rng() % 40));
  v.resize(kValues);
  return v;
}

std::vector<double> Cents() {
  std::mt19937_64 rng(3);
  std::vector<double> v(kValues);
  for (auto& x : v) x = static_cast<double>(rng() % 10000000) / 100.0;
  return v;
}

std::vector<uint32_t> PresentRows(double density) {
  std::mt19937_64 rng(4);
  std::bernoulli_distribution keep(density);
  std::vector<uint32_t> rows;
  for (uint32_t r = 0; r < kValues; ++r) {
    if (keep(rng)) rows.push_back(r);
  }
  return rows;
}

void Report(benchmark::State& state, size_t items, size_t bytes, size_t encoded, Encoding e) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * items));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["enc_bytes"] = static_cast<double>(encoded);
  state.SetLabel(EncodingName(e));
}

// --- raw bit unpacking (the inner loop of every int decode) ---

void BM_Unpack(benchmark::State& state) {
  const int width = static_cast<int>(state.range(0));
  const std::vector<int64_t> v = RandomOfWidth(width);
  std::string packed;
  Pack(reinterpret_cast<const uint64_t*>(v.data()), v.size(), width, 0, &packed);
  std::vector<uint64_t> out(v.size());
  for (auto _ : state) {
    Unpack(reinterpret_cast<const uint8_t*>(packed.data()), out.size(), width, 0, out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  Report(state, v.size(), v.size() * 8, packed.size(), Encoding::kIntBitpacked);
}
BENCHMARK(BM_Unpack)->Arg(1)->Arg(4)->Arg(8)->Arg(12)->Arg(16)->Arg(20)->Arg(32)->Arg(48)->Arg(64);

// --- ints ---

void EncodeIntsBench(benchmark::State& state, const std::vector<int64_t>& v) {
  std::string block;
  Encoding e{};
  for (auto _ : state) {
    block.clear();
    e = EncodeInts(std::span<const int64_t>(v), &block);
    benchmark::DoNotOptimize(block.data());
  }
  Report(state, v.size(), v.size() * 8, block.size(), e);
}

void DecodeIntsBench(benchmark::State& state, const std::vector<int64_t>& v) {
  std::string block;
  const Encoding e = EncodeInts(std::span<const int64_t>(v), &block);
  std::vector<int64_t> out;
  for (auto _ : state) {
    std::string_view in = block;
    if (!DecodeInts(&in, &out).ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(out.data());
  }
  Report(state, v.size(), v.size() * 8, block.size(), e);
}

void BM_EncodeBitpacked(benchmark::State& state) { EncodeIntsBench(state, RandomOfWidth(static_cast<int>(state.range(0)))); }
void BM_DecodeBitpacked(benchmark::State& state) { DecodeIntsBench(state, RandomOfWidth(static_cast<int>(state.range(0)))); }
BENCHMARK(BM_EncodeBitpacked)->Arg(8)->Arg(16)->Arg(32);
BENCHMARK(BM_DecodeBitpacked)->Arg(8)->Arg(16)->Arg(32);

void BM_EncodeDeltaTimestamps(benchmark::State& state) { EncodeIntsBench(state, Timestamps()); }
void BM_DecodeDeltaTimestamps(benchmark::State& state) { DecodeIntsBench(state, Timestamps()); }
BENCHMARK(BM_EncodeDeltaTimestamps);
BENCHMARK(BM_DecodeDeltaTimestamps);

void BM_EncodeRleCodes(benchmark::State& state) { EncodeIntsBench(state, RunCodes()); }
void BM_DecodeRleCodes(benchmark::State& state) { DecodeIntsBench(state, RunCodes()); }
BENCHMARK(BM_EncodeRleCodes);
BENCHMARK(BM_DecodeRleCodes);

void BM_DecodeUint32Codes(benchmark::State& state) {
  const std::vector<int64_t> wide = RandomOfWidth(10);
  const std::vector<uint32_t> v(wide.begin(), wide.end());
  std::string block;
  const Encoding e = EncodeInts(std::span<const uint32_t>(v), &block);
  std::vector<uint32_t> out;
  for (auto _ : state) {
    std::string_view in = block;
    if (!DecodeInts(&in, &out).ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(out.data());
  }
  Report(state, v.size(), v.size() * 4, block.size(), e);
}
BENCHMARK(BM_DecodeUint32Codes);

std::vector<int64_t> SkewedGaps() {  // mostly seconds to minutes, 1 in 50 spans days
  std::mt19937_64 rng(5);
  std::vector<int64_t> v(kValues);
  for (auto& x : v) x = rng() % 50 == 0 ? 200000000 + static_cast<int64_t>(rng() % 100000000) : static_cast<int64_t>(rng() % 60000);
  return v;
}

void BM_EncodePatchedGaps(benchmark::State& state) { EncodeIntsBench(state, SkewedGaps()); }
void BM_DecodePatchedGaps(benchmark::State& state) { DecodeIntsBench(state, SkewedGaps()); }
BENCHMARK(BM_EncodePatchedGaps);
BENCHMARK(BM_DecodePatchedGaps);

// --- doubles ---

void BM_EncodeScaledDoubles(benchmark::State& state) {
  const std::vector<double> v = Cents();
  std::string block;
  Encoding e{};
  for (auto _ : state) {
    block.clear();
    e = EncodeDoubles(v, &block);
    benchmark::DoNotOptimize(block.data());
  }
  Report(state, v.size(), v.size() * 8, block.size(), e);
}
BENCHMARK(BM_EncodeScaledDoubles);

void BM_DecodeScaledDoubles(benchmark::State& state) {
  const std::vector<double> v = Cents();
  std::string block;
  const Encoding e = EncodeDoubles(v, &block);
  std::vector<double> out;
  for (auto _ : state) {
    std::string_view in = block;
    if (!DecodeDoubles(&in, &out).ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(out.data());
  }
  Report(state, v.size(), v.size() * 8, block.size(), e);
}
BENCHMARK(BM_DecodeScaledDoubles);

// --- presence (argument: density in percent) ---

void BM_EncodePresence(benchmark::State& state) {
  const std::vector<uint32_t> rows = PresentRows(static_cast<double>(state.range(0)) / 100.0);
  std::string block;
  Encoding e{};
  for (auto _ : state) {
    block.clear();
    e = EncodePresence(rows, kValues, &block);
    benchmark::DoNotOptimize(block.data());
  }
  Report(state, rows.size(), rows.size() * 4, block.size(), e);
}
BENCHMARK(BM_EncodePresence)->Arg(2)->Arg(50)->Arg(100);

void BM_DecodePresence(benchmark::State& state) {
  const std::vector<uint32_t> rows = PresentRows(static_cast<double>(state.range(0)) / 100.0);
  std::string block;
  const Encoding e = EncodePresence(rows, kValues, &block);
  std::vector<uint32_t> out;
  for (auto _ : state) {
    std::string_view in = block;
    if (!DecodePresence(&in, kValues, &out).ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(out.data());
  }
  Report(state, rows.size(), rows.size() * 4, block.size(), e);
}
BENCHMARK(BM_DecodePresence)->Arg(2)->Arg(50)->Arg(100);

}  // namespace
}  // namespace kpi::codec

BENCHMARK_MAIN();
