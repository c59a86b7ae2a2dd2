// Evaluation layer overheads, each as a ratio to the plain query it adds to
// (docs/performance.md, "Evaluation layer"). Warm runs (each query run once
// first), median of KPI_EVAL_BENCH_RUNS (default 7), all scan threads:
//   (a) evaluate of 10 KPIs by business_type, channel, month vs one select
//       computing the same 10 aggregates                       target <= 1.3x
//   (b) p90(duration(created -> agent_reply in cal)) vs without the calendar
//                                                              target <= 1.5x
//   (c) join with a 10,000-row agents table on agent_of(resolved), grouped
//       by agents.site, vs the same select grouped by agent_of(resolved)
//                                                              target <= +20 %
//   (d) StampResultHash on a 50,000-row result vs the query    target <= 5 %
// The store (KPI_EVAL_BENCH_TICKETS, default 1,000,000 generated tickets) is
// built once in KPI_EVAL_BENCH_DIR (default /tmp/kpi-eval-bench-<tickets>)
// and reused. Not a Google Benchmark binary: it prints one table.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "query/catalog/table_store.h"
#include "query/engine.h"
#include "query/evaluation/provenance.h"
#include "storage/store.h"

namespace kpi {
namespace {

int Runs() {
  const char* env = std::getenv("KPI_EVAL_BENCH_RUNS");
  return env ? std::max(1, std::atoi(env)) : 7;
}

double MedianSeconds(const std::function<void()>& fn) { return bench::MedianMs(Runs(), fn) / 1000.0; }

using bench::Must;

std::unique_ptr<storage::Store> OpenStore(uint64_t tickets) {
  const char* dir_env = std::getenv("KPI_EVAL_BENCH_DIR");
  return bench::OpenGeneratedStore(dir_env ? dir_env : "/tmp/kpi-eval-bench-" + std::to_string(tickets), tickets);
}

// The ten KPIs of (a), each with a default target.
const char* const kKpis[][3] = {
    {"e_frt", "p90(duration(created -> agent_reply))", "<= 1h"},
    {"e_frt50", "p50(duration(created -> agent_reply))", "<= 10m"},
    {"e_res", "p90(duration(created -> resolved))", "<= 2d"},
    {"e_fcr", "rate(count_of(agent_reply before resolved) = 1 and not has(reopened))", ">= 80%"},
    {"e_resolved", "rate(has(resolved))", ">= 90%"},
    {"e_escal", "rate(has(escalated))", "<= 3%"},
    {"e_csat", "avg(csat)", ">= 4.5"},
    {"e_sat", "rate(csat >= 4)", ">= 85%"},
    {"e_aht", "avg(handle_seconds)", "<= 5m"},
    {"e_tickets", "count()", ">= 100"},
};

void Print(const char* name, double base, double with, const char* target, double limit) {
  const double ratio = with / base;
  std::printf("%-62s %9.1f ms %9.1f ms %7.3fx  (target %s)%s\n", name, base * 1e3, with * 1e3, ratio, target,
              ratio <= limit ? "" : "  MISSED");
}

int Main() {
  const char* env = std::getenv("KPI_EVAL_BENCH_TICKETS");
  const uint64_t tickets = env ? std::strtoull(env, nullptr, 10) : 1000000;
  std::unique_ptr<storage::Store> store = OpenStore(tickets);
  query::Engine engine(store.get());

  // Definitions (redefining is harmless: the latest text wins).
  std::string list, aggs;
  for (const auto& k : kKpis) {
    Must(engine, std::string("define kpi ") + k[0] + " = " + k[1]);
    Must(engine, std::string("define target ") + k[0] + " " + k[2]);
    list += std::string(list.empty() ? "" : ", ") + k[0];
    aggs += std::string(aggs.empty() ? "" : ", ") + k[1] + " as " + k[0];
  }
  Must(engine, "define calendar bench_hours tz \"Europe/Berlin\" open mon-fri 08:00-18:00, sat 09:00-13:00 "
               "closed 2025-12-24 .. 2025-12-27");
  // 10,000 agents: the real ones (a001..) and filler rows.
  std::string csv = "agent,site,role\n";
  const query::Result agents = Must(engine, "select count() as n from tickets by agent_of(resolved)");
  size_t rows = 0;
  for (const auto& row : agents.rows) {
    if (row[0].type != query::ValueType::kString) continue;
    csv += row[0].text + ",site" + std::to_string(rows % 7) + ",frontline\n";
    ++rows;
  }
  for (; rows < 10000; ++rows) csv += "z" + std::to_string(rows) + ",site" + std::to_string(rows % 7) + ",backoffice\n";
  query::TableLoadReport report;
  if (!query::LoadTableCsvIntoStore(store.get(), "bench_agents", "agent", csv, "bench", store->NowMs(), &report).ok())
    std::abort();

  std::printf("evaluation bench: %llu tickets, median of %d warm runs\n", static_cast<unsigned long long>(tickets),
              Runs());
  std::printf("%-62s %12s %12s %8s\n", "", "base", "with", "ratio");

  const std::string by = " from tickets by business_type, channel, month";
  const double select10 = MedianSeconds([&] { Must(engine, "select " + aggs + by); });
  const double eval10 = MedianSeconds([&] { Must(engine, "evaluate " + list + by); });
  Print("(a) evaluate 10 KPIs vs select of the same 10 aggregates", select10, eval10, "<= 1.3x", 1.3);

  const double plain = MedianSeconds(
      [&] { Must(engine, "select p90(duration(created -> agent_reply)) as x from tickets by channel"); });
  const double cal = MedianSeconds(
      [&] { Must(engine, "select p90(duration(created -> agent_reply in bench_hours)) as x from tickets by channel"); });
  Print("(b) p90 duration in a business-hours calendar vs plain", plain, cal, "<= 1.5x", 1.5);

  const std::string aggs_c = "select count() as n, avg(csat) as csat, rate(has(escalated)) as esc from tickets";
  const double by_agent = MedianSeconds([&] { Must(engine, aggs_c + " by agent_of(resolved)"); });
  const double joined =
      MedianSeconds([&] { Must(engine, aggs_c + " join bench_agents on agent_of(resolved) by bench_agents.site"); });
  Print("(c) join 10k-row table, by table column vs by agent_of(resolved)", by_agent, joined, "<= 1.2x", 1.2);

  const std::string q50k = "select count() as n, avg(handle_seconds) as aht from tickets by customer limit 50000";
  query::Result big = Must(engine, q50k);
  const double query_s = MedianSeconds([&] { Must(engine, q50k); });
  const double hash_s = MedianSeconds([&] { query::StampResultHash(&big); });
  std::printf("%-62s %9.1f ms %9.1f ms %7.3f   (target <= 5 %%, %zu rows)%s\n",
              "(d) result hash vs the query that made it (share of query)", query_s * 1e3, hash_s * 1e3,
              hash_s / query_s, big.rows.size(), hash_s / query_s <= 0.05 ? "" : "  MISSED");
  return 0;
}

}  // namespace
}  // namespace kpi

int main() { return kpi::Main(); }
