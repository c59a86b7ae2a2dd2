// Warm query timings of the contract examples on a generated store. Opt-in
// (it builds a large store once): KPI_ENGINE_PERF_TICKETS=1000000
// [KPI_ENGINE_PERF_DIR=/tmp/...] query_engine_tests --gtest_filter='EnginePerf*'
// Prints figures; asserts only that every query succeeds (no timing asserts).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli/gen/generator.h"
#include "query/engine.h"
#include "storage/store.h"

namespace kpi::query {
namespace {

TEST(EnginePerf, ContractExamplesWarm) {
  const char* env = std::getenv("KPI_ENGINE_PERF_TICKETS");
  if (env == nullptr) GTEST_SKIP() << "set KPI_ENGINE_PERF_TICKETS to run";
  const uint64_t tickets = std::strtoull(env, nullptr, 10);
  const char* dir_env = std::getenv("KPI_ENGINE_PERF_DIR");
  const std::string dir = dir_env ? dir_env : "/tmp/kpi-engine-perf-" + std::to_string(tickets);
  const bool fresh = !std::filesystem::exists(dir + "/READY");
  if (fresh) std::filesystem::remove_all(dir);

  storage::StoreOptions options;
  options.sync = false;
  std::unique_ptr<storage::Store> store;
  ASSERT_TRUE(storage::Store::Open(dir, options, &store).ok());
  if (fresh) {
    const auto t0 = std::chrono::steady_clock::now();
    gen::GenOptions g;
    g.tickets = tickets;
    gen::Generator gen(g);
    std::vector<RawEvent> batch;
    uint64_t events = 0;
    while (gen.Next(500000, &batch)) {
      std::vector<storage::EventReject> rejects;
      storage::IngestStats stats;
      ASSERT_TRUE(store->Ingest(batch, &rejects, &stats).ok());
      events += batch.size();
    }
    std::FILE* f = std::fopen((dir + "/READY").c_str(), "w");
    if (f) std::fclose(f);
    std::printf("built store: %llu events in %.1f s\n", static_cast<unsigned long long>(events),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  Engine engine(store.get());
  const std::vector<std::pair<std::string, std::string>> queries = {
      {"frt_by_channel",
       "select count() as tickets, p50(duration(created -> agent_reply)) as frt_p50, "
       "p90(duration(created -> agent_reply)) as frt_p90 from tickets during 2025-01-01 .. 2025-04-01 by channel"},
      {"on_time_weekly",
       "select rate(duration(created -> agent_reply) <= 15m) as on_time from tickets where channel = \"email\" by week"},
      {"fcr_by_team",
       "select rate(count_of(agent_reply before resolved) = 1 and not has(reopened)) as fcr from tickets "
       "where has(resolved) by team"},
      {"resolution_by_category_month",
       "select avg(duration(created -> resolved)) as avg_res, p90(duration(created -> resolved)) as p90_res "
       "from tickets at resolved by category, month"},
      {"escalation_by_channel_month", "select rate(has(escalated)) as escalation from tickets by channel, month"},
      {"csat_by_agent_quarter",
       "select avg(csat) as csat, rate(csat >= 4) as satisfied from tickets where has(rated) "
       "by agent_of(resolved), quarter"},
      {"repeat_within_7d",
       "select rate(repeat_within(7d, customer, category)) as repeat_rate from tickets by month"},
      {"aht_by_agent_day",
       "select count() as replies, avg(handle_seconds) as aht from events where event = \"agent_reply\" "
       "by agent, day tz \"Asia/Shanghai\""},
      {"qa_accuracy", "select avg(accurate) as accuracy from events where event = \"qa_reviewed\" by team"},
      {"cost_per_contact",
       "select ratio(cost, 1) as cost_per_contact from events where event = \"agent_reply\" by channel, month"},
      {"count_events", "select count() as n from events"},
      {"sum_events", "select sum(handle_seconds) as s, count() as n from events"},
      {"count_tickets_by_channel", "select count() as n from tickets by channel"},
  };
  const char* only = std::getenv("KPI_ENGINE_PERF_ONLY");  // one query by name (for profiling)
  const char* runs_env = std::getenv("KPI_ENGINE_PERF_RUNS");
  const int runs = runs_env ? std::max(2, std::atoi(runs_env)) : 6;
  for (const auto& [name, q] : queries) {
    if (only != nullptr && name != only) continue;
    double best = 1e300, best_cpu = 1e300;
    uint64_t rows_read = 0;
    auto cpu_ms = [] {
      rusage u;
      getrusage(RUSAGE_SELF, &u);
      return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
    };
    for (int i = 0; i < runs; ++i) {
      Result r;
      QueryError e;
      ExecOptions o;
      o.threads = std::getenv("KPI_ENGINE_PERF_THREADS") ? std::atoi(std::getenv("KPI_ENGINE_PERF_THREADS")) : 2;
      const auto t0 = std::chrono::steady_clock::now();
      const double c0 = cpu_ms();
      const Status st = engine.Execute(q, o, &r, &e);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (i > 0) best_cpu = std::min(best_cpu, cpu_ms() - c0);
      ASSERT_TRUE(st.ok()) << name << ": " << e.ToString();
      if (i > 0) best = std::min(best, ms);
      rows_read = r.stats.rows_read;
    }
    std::printf("%-30s %8.1f ms wall %8.1f ms cpu  (%llu events read, %.0f M events/s per cpu)\n", name.c_str(),
                best, best_cpu, static_cast<unsigned long long>(rows_read), rows_read / best_cpu / 1000.0);
  }
}

}  // namespace
}  // namespace kpi::query
