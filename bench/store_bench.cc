// Store micro benchmarks: Stage+Seal throughput on generated events (no
// parsing), bytes per event after sealing, and segment decode speed.
// Run: build/bench/store_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>

#include "cli/gen/generator.h"
#include "storage/store.h"

namespace {

std::vector<kpi::RawEvent> Generate(uint64_t tickets) {
  kpi::gen::GenOptions o;
  o.tickets = tickets;
  o.days = 365;
  kpi::gen::Generator g(o);
  std::vector<kpi::RawEvent> all, chunk;
  while (g.Next(65536, &chunk)) all.insert(all.end(), chunk.begin(), chunk.end());
  return all;
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) n += e.file_size();
  return n;
}

// Durable ingest (WAL synced per staged batch and per seal) of 100k tickets.
void BM_StoreIngest(benchmark::State& state) {
  static const std::vector<kpi::RawEvent> events = Generate(state.range(0));
  std::string dir = "/tmp/kpi-store-bench";
  uint64_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
    std::unique_ptr<kpi::storage::Store> store;
    kpi::storage::StoreOptions o;
    o.sync = state.range(1) != 0;
    if (!kpi::storage::Store::Open(dir, o, &store).ok()) state.SkipWithError("open");
    kpi::storage::IngestStats stats;
    auto t0 = std::chrono::steady_clock::now();
    double stage_s = 0, seal_s = 0;
    auto lap = [&](double* acc) { auto t = std::chrono::steady_clock::now(); *acc += std::chrono::duration<double>(t - t0).count(); t0 = t; };
    for (size_t i = 0; i < events.size(); i += 65536) {
      std::span<const kpi::RawEvent> part(events.data() + i, std::min<size_t>(65536, events.size() - i));
      if (!store->Stage(part, nullptr, &stats).ok()) state.SkipWithError("stage");
      lap(&stage_s);
      if (store->staged_events() >= (size_t{2} << 20) && !store->Seal(&stats).ok()) state.SkipWithError("seal");
      lap(&seal_s);
    }
    if (!store->Seal(&stats).ok()) state.SkipWithError("seal");
    lap(&seal_s);
    if (!store->Flush().ok()) state.SkipWithError("flush");
    if (getenv("KPI_BENCH_COLUMNS") != nullptr) {
      kpi::storage::StoreInfo info;
      if (store->GetInfo(&info).ok())
        for (const auto& c : info.columns)
          fprintf(stderr, "%-24s %10llu B  %.2f B/event  %s\n", c.column.c_str(), (unsigned long long)c.bytes,
                  double(c.bytes) / events.size(), c.encoding.c_str());
    }
    state.counters["stage_s"] = stage_s;
    state.counters["seal_s"] = seal_s;
    store.reset();
    state.PauseTiming();
    bytes = DirBytes(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * events.size());
  state.counters["bytes_per_event"] = double(bytes) / events.size();
  state.counters["events"] = double(events.size());
}
BENCHMARK(BM_StoreIngest)->Args({100000, 1})->Args({100000, 0})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
