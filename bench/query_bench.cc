// Query engine micro benchmarks: scan rate of simple aggregates and the cost
// of per-ticket functions, one worker thread (rows/s per core), warm cache.
//
// The store is built once from `kpi gen` data (KPI_QUERY_BENCH_TICKETS,
// default 200000 tickets, ~1.4M events) in KPI_QUERY_BENCH_DIR (default
// /tmp/kpi-query-bench-<tickets>) and reused across runs. items_processed is
// the number of rows the query covers (events or tickets), so the reported
// items/s is the scan rate.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "query/engine.h"
#include "storage/store.h"

namespace kpi {
namespace {

struct BenchStore {
  std::unique_ptr<storage::Store> store;
  int64_t events = 0, tickets = 0;
};

int64_t CountOf(const query::Engine& engine, const std::string& text) {
  return static_cast<int64_t>(bench::Must(engine, text).rows.at(0).at(0).number);
}

BenchStore& Store() {
  static BenchStore* s = [] {
    auto* out = new BenchStore;
    const char* env = std::getenv("KPI_QUERY_BENCH_TICKETS");
    const uint64_t tickets = env ? std::strtoull(env, nullptr, 10) : 200000;
    const char* dir_env = std::getenv("KPI_QUERY_BENCH_DIR");
    const std::string dir = dir_env ? dir_env : "/tmp/kpi-query-bench-" + std::to_string(tickets);
    out->store = bench::OpenGeneratedStore(dir, tickets);
    query::Engine engine(out->store.get());
    out->events = CountOf(engine, "select count() from events");
    out->tickets = CountOf(engine, "select count() from tickets");
    return out;
  }();
  return *s;
}

void RunQuery(benchmark::State& state, const char* text, bool per_event) {
  BenchStore& s = Store();
  query::Engine engine(s.store.get());
  query::ExecOptions options;
  options.threads = 1;
  for (auto _ : state) {
    query::Result r;
    query::QueryError err;
    if (!engine.Execute(text, options, &r, &err).ok()) {
      state.SkipWithError(err.ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(r.rows.data());
  }
  state.SetItemsProcessed(state.iterations() * (per_event ? s.events : s.tickets));
}

void BM_EventsCount(benchmark::State& state) { RunQuery(state, "select count() from events", true); }
void BM_EventsSumMeasure(benchmark::State& state) {
  RunQuery(state, "select sum(handle_seconds) from events", true);
}
void BM_EventsCountByChannel(benchmark::State& state) {
  RunQuery(state, "select count() from events by channel", true);
}
void BM_EventsFilteredAvgByAgentDay(benchmark::State& state) {
  RunQuery(state, "select avg(handle_seconds) from events where event = \"agent_reply\" by agent, day", true);
}
void BM_TicketsCount(benchmark::State& state) { RunQuery(state, "select count() from tickets", false); }
void BM_TicketsFrtP90ByChannel(benchmark::State& state) {
  RunQuery(state, "select p90(duration(created -> agent_reply)) from tickets by channel", false);
}
void BM_TicketsRepeatWithin(benchmark::State& state) {
  RunQuery(state, "select rate(repeat_within(7d, customer, category)) from tickets", false);
}

BENCHMARK(BM_EventsCount)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EventsSumMeasure)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EventsCountByChannel)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EventsFilteredAvgByAgentDay)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TicketsCount)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TicketsFrtP90ByChannel)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TicketsRepeatWithin)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kpi

BENCHMARK_MAIN();
