// Synthetic data generator throughput: WriteNdjson to /dev/null (events/s
// and bytes/s), the RawEvent stream alone, and the disorder modes.
//
//   build-x/bench/gen_bench --benchmark_filter=WriteNdjson
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "cli/gen/generator.h"

namespace {

using kpi::gen::GenOptions;

GenOptions Options(const benchmark::State& state) {
  GenOptions o;
  o.tickets = static_cast<uint64_t>(state.range(0));
  o.shuffle = state.range(1) == 1;
  o.late_fraction = state.range(1) == 2 ? 0.1 : 0.0;
  return o;
}

// Events and NDJSON bytes of `o`, counted outside the timed region.
void Measure(const GenOptions& o, uint64_t* events, uint64_t* bytes) {
  kpi::gen::Generator g(o);
  std::vector<kpi::RawEvent> batch;
  std::string line;
  *events = *bytes = 0;
  while (g.Next(4096, &batch)) {
    for (const auto& e : batch) {
      line.clear();
      kpi::gen::AppendNdjson(e, &line);
      *bytes += line.size();
    }
    *events += batch.size();
  }
}

// range(0): tickets; range(1): 0 time order, 1 shuffle, 2 late_fraction 0.1.
void BM_WriteNdjsonDevNull(benchmark::State& state) {
  const GenOptions o = Options(state);
  uint64_t events = 0, bytes = 0;
  Measure(o, &events, &bytes);
  for (auto _ : state) {
    const kpi::Status s = kpi::gen::WriteNdjson(o, "/dev/null", nullptr);
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
  state.SetItemsProcessed(static_cast<int64_t>(events * state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes * state.iterations()));
  state.counters["events_per_ticket"] =
      static_cast<double>(events) / static_cast<double>(o.tickets);
}
BENCHMARK(BM_WriteNdjsonDevNull)
    ->Args({100000, 0})
    ->Args({1000000, 0})
    ->Args({1000000, 1})
    ->Args({1000000, 2})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

// The RawEvent stream alone (what ingest benches consume), no formatting.
void BM_GeneratorNext(benchmark::State& state) {
  const GenOptions o = Options(state);
  uint64_t events = 0;
  for (auto _ : state) {
    kpi::gen::Generator g(o);
    std::vector<kpi::RawEvent> batch;
    while (g.Next(4096, &batch)) events += batch.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
}
BENCHMARK(BM_GeneratorNext)->Args({1000000, 0})->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_AppendNdjson(benchmark::State& state) {
  GenOptions o;
  o.tickets = 1000;
  kpi::gen::Generator g(o);
  std::vector<kpi::RawEvent> events;
  g.Next(100000, &events);
  std::string out;
  size_t i = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    out.clear();
    kpi::gen::AppendNdjson(events[i], &out);
    bytes += static_cast<int64_t>(out.size());
    benchmark::DoNotOptimize(out.data());
    if (++i == events.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_AppendNdjson);

}  // namespace

BENCHMARK_MAIN();
