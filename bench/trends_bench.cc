// Trend clause overheads (docs/performance.md, "Trends"), each as a ratio
// to the plain query it adds to. Warm runs (each query run once first),
// median of KPI_TRENDS_BENCH_RUNS (default 7), all scan threads:
//   (a) compare with previous, by week over a quarter      target <= 2.2x
//   (b) compare with previous, no bucket, a quarter (the previous quarter
//       is a second full scan)                              target <= 2.2x
//   (c) by day rolling 7 vs by day: count, sum, avg, rate   target <= 1.5x
//   (d) by day rolling 7 vs by day: p90                     target <= 4x
// The store (KPI_TRENDS_BENCH_TICKETS, default 1,000,000 generated tickets
// over 2025) is built once in KPI_TRENDS_BENCH_DIR (default
// /tmp/kpi-trends-bench-<tickets>) and reused. Prints one table.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/bench_util.h"

namespace kpi {
namespace {

int Runs() {
  const char* env = std::getenv("KPI_TRENDS_BENCH_RUNS");
  return env ? std::max(1, std::atoi(env)) : 7;
}

void Compare(const query::Engine& engine, const char* name, const std::string& plain, const std::string& with,
             const char* target, double limit) {
  const double base = bench::MedianMs(Runs(), [&] { bench::Must(engine, plain); });
  const double trend = bench::MedianMs(Runs(), [&] { bench::Must(engine, with); });
  const double ratio = trend / base;
  std::printf("%-58s %9.1f ms %9.1f ms %7.3fx  (target %s, %zu rows)%s\n", name, base, trend, ratio, target,
              bench::Must(engine, with).rows.size(), ratio <= limit ? "" : "  MISSED");
}

int Main() {
  const char* env = std::getenv("KPI_TRENDS_BENCH_TICKETS");
  const uint64_t tickets = env ? std::strtoull(env, nullptr, 10) : 1000000;
  const char* dir = std::getenv("KPI_TRENDS_BENCH_DIR");
  std::unique_ptr<storage::Store> store =
      bench::OpenGeneratedStore(dir ? dir : "/tmp/kpi-trends-bench-" + std::to_string(tickets), tickets);
  query::Engine engine(store.get());
  std::printf("trends bench: %llu tickets, median of %d warm runs\n", static_cast<unsigned long long>(tickets),
              Runs());
  std::printf("%-58s %12s %12s %8s\n", "", "plain", "with", "ratio");

  const std::string week = "select count() as n, avg(csat) as csat, p90(duration(created -> agent_reply)) as frt "
                           "from tickets during 2025-04-01 .. 2025-07-01 by week, channel";
  Compare(engine, "(a) compare with previous, by week, channel over a quarter", week,
          week + " compare with previous", "<= 2.2x", 2.2);
  const std::string quarter = "select count() as n, avg(csat) as csat, p90(duration(created -> agent_reply)) as frt "
                              "from tickets during 2025-04-01 .. 2025-07-01 by channel";
  Compare(engine, "(b) compare with previous, no bucket (2nd scan of a quarter)", quarter,
          quarter + " compare with previous", "<= 2.2x", 2.2);
  const std::string sums = "select count() as n, sum(handle_seconds) as handled, avg(csat) as csat, "
                           "rate(has(escalated)) as esc from tickets by day";
  Compare(engine, "(c) by day rolling 7: count, sum, avg, rate", sums, sums + " rolling 7", "<= 1.5x", 1.5);
  const std::string p90 = "select p90(duration(created -> agent_reply)) as frt from tickets by day";
  Compare(engine, "(d) by day rolling 7: p90 (exact)", p90, p90 + " rolling 7", "<= 4x", 4.0);
  const std::string p90c = "select p90(duration(created -> agent_reply)) as frt from tickets by day, channel";
  Compare(engine, "(e) by day, channel rolling 7: p90 (exact)", p90c, p90c + " rolling 7", "<= 4x", 4.0);
  return 0;
}

}  // namespace
}  // namespace kpi

int main() { return kpi::Main(); }
