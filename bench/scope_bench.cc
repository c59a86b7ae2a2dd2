// Scoped-token overhead (docs/performance.md, "Scoped tokens"): a query run
// under a scope (ExecOptions::scope) against the same query with the
// scope's predicate written in its `where`, as a ratio. Target <= 1.10x.
// The two are not the same question (the scope is per ticket and also
// narrows the repeat_within pre-pass; `where` on events tests each event's
// sticky value), but they read the same rows, so the ratio is the price of
// applying the scope at the scan. Warm runs (each query run once first),
// median of KPI_SCOPE_BENCH_RUNS (default 9) runs of each,
// interleaved, all scan threads. The store
// (KPI_SCOPE_BENCH_TICKETS, default 1,000,000 generated tickets) is built
// once in KPI_SCOPE_BENCH_DIR (default /tmp/kpi-scope-bench-<tickets>; the
// trends bench's store, same generator, serves as well). Prints one table.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "query/execution/scope.h"

namespace kpi {
namespace {

int Runs() {
  const char* env = std::getenv("KPI_SCOPE_BENCH_RUNS");
  return env ? std::max(1, std::atoi(env)) : 9;
}

query::Result Run(const query::Engine& engine, const std::string& text, std::shared_ptr<const query::Scope> scope) {
  query::ExecOptions options;
  options.threads = 2;
  options.scope = std::move(scope);
  query::Result r;
  query::QueryError err;
  const Status s = engine.Execute(text, options, &r, &err);
  if (!s.ok()) {
    std::fprintf(stderr, "failed: %s\n%s\n", text.c_str(), err.ToString().c_str());
    std::exit(1);
  }
  return r;
}

// `select ... from SOURCE [where]REST` with the predicate in `where` vs under the scope.
bool Compare(const query::Engine& engine, const char* name, const std::string& head, const std::string& rest,
             const std::string& predicate) {
  const char* only = std::getenv("KPI_SCOPE_BENCH_ONLY");  // "a".."e": one comparison
  if (only != nullptr && name[1] != only[0]) return true;
  std::shared_ptr<const query::Scope> scope;
  if (!query::Scope::Parse(predicate, &scope).ok()) std::abort();
  const std::string with_where = head + " where " + predicate + rest;
  const std::string plain = head + rest;
  Run(engine, with_where, nullptr);
  Run(engine, plain, scope);
  // Interleaved, so that a change in the machine's load hits both alike.
  std::vector<double> where_ms, scoped_ms;
  for (int i = 0; i < Runs(); ++i) {
    where_ms.push_back(bench::MedianMs(1, [&] { Run(engine, with_where, nullptr); }));
    scoped_ms.push_back(bench::MedianMs(1, [&] { Run(engine, plain, scope); }));
  }
  std::sort(where_ms.begin(), where_ms.end());
  std::sort(scoped_ms.begin(), scoped_ms.end());
  const double where = where_ms[where_ms.size() / 2], scoped = scoped_ms[scoped_ms.size() / 2];
  const double ratio = scoped / where;
  std::printf("%-52s %9.1f ms %9.1f ms %7.3fx%s\n", name, where, scoped, ratio, ratio <= 1.10 ? "" : "  MISSED");
  return ratio <= 1.10;
}

int Main() {
  const char* env = std::getenv("KPI_SCOPE_BENCH_TICKETS");
  const uint64_t tickets = env ? std::strtoull(env, nullptr, 10) : 1000000;
  const char* dir = std::getenv("KPI_SCOPE_BENCH_DIR");
  std::unique_ptr<storage::Store> store =
      bench::OpenGeneratedStore(dir ? dir : "/tmp/kpi-scope-bench-" + std::to_string(tickets), tickets);
  query::Engine engine(store.get());
  std::printf("scope bench: %llu tickets, median of %d warm runs, target <= 1.10x\n",
              static_cast<unsigned long long>(tickets), Runs());
  std::printf("%-52s %12s %12s %8s\n", "", "in where", "scoped", "ratio");
  const std::string north = "region = \"north\"";
  const std::string fin = "business_type in (\"finance\", \"hotel\")";
  bool ok = true;
  ok &= Compare(engine, "(a) tickets: count, csat, p90 frt by channel", 
                "select count() as n, avg(csat) as csat, p90(duration(created -> agent_reply)) as frt from tickets",
                " by channel", north);
  ok &= Compare(engine, "(b) events: count, sum by agent",
                "select count() as n, sum(handle_seconds) as hs from events", " by agent", north);
  ok &= Compare(engine, "(c) tickets: repeat_within over a quarter",
                "select rate(repeat_within(7d, customer, category)) as rep from tickets",
                " during 2025-04-01 .. 2025-07-01 by channel", north);
  ok &= Compare(engine, "(d) tickets: in (2 values), by week",
                "select count() as n, rate(has(escalated)) as esc from tickets", " by week", fin);
  ok &= Compare(engine, "(e) events: count by day, a month",
                "select count() as n from events", " during 2025-03-01 .. 2025-04-01 by day", fin);
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace kpi

int main() { return kpi::Main(); }
