// `kpi ingest` of a shuffled load under a small --memory-limit seals its
// spilled batches in several runs (StoreOptions::spilled_seal_bytes); a run
// that leaves batches for the next also seals its tickets' events it finds
// in them (storage/sealer_staged.cc). Killed right after such a run commits
// (its "seal-run-committed" line in KPI_MEMORY_TRACE, docs/operations.md),
// the store holds batches partly in segments and still staged. `kpi query`
// then opens it (sealing what is staged, whole) and answers; the ingest run
// again to its end stores every line exactly once (none doubled, none
// lost); and the first answer, rerun as of its instant by `kpi audit
// verify`, is unchanged.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "cli_test_util.h"
#include "test_util.h"

namespace kpi::testing {
namespace {

using json = nlohmann::json;

TEST(SealRunsCrashCliTest, AnIngestKilledBetweenTwoRunsOfASealDoublesAndLosesNothing) {
  ScratchDir dir("kpi-cli-seal-runs");
  // 100k tickets (~690k events): at 192M a seal's runs hold ~13 MB
  // (StoreOptions::spilled_seal_bytes, storage/memory_budget.cc), so the
  // spilled seals of a few hundred thousand events take more than one run.
  KpiRun gen = RunKpi({"gen", "--tickets", "100000", "--shuffle", "--seed", "7", "-q", "-o", "ev.ndjson"}, dir.path());
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const std::string text = ReadFile(dir.path() + "/ev.ndjson");
  long long lines = 0;
  for (char c : text) lines += c == '\n';

  const std::string script =
      "cd '" + dir.path() + "' || exit 98; KPI_MEMORY_TRACE=trace.txt '" + std::string(KPI_BINARY) +
      "' ingest -q --db store --memory-limit 192M ev.ndjson >run.out 2>run.err & pid=$!; "
      "while ! grep -q seal-run-committed trace.txt 2>/dev/null; do "
      "  kill -0 $pid 2>/dev/null || { wait $pid; exit 7; }; sleep 0.01; done; "
      "kill -9 $pid; wait $pid; exit 0";
  WriteFile(dir.path() + "/kill.sh", script);
  const int status = std::system(("sh '" + dir.path() + "/kill.sh'").c_str());
  ASSERT_TRUE(WIFEXITED(status)) << status;
  ASSERT_NE(WEXITSTATUS(status), 7) << "the ingest ended before a seal took more than one run: the test proves nothing";
  ASSERT_EQ(WEXITSTATUS(status), 0) << ReadFile(dir.path() + "/run.err");

  const std::string statement = "select count() as events, avg(csat) as csat from events";
  KpiRun between = RunKpi({"query", "--db", "store", "--format", "json", statement}, dir.path());
  ASSERT_EQ(between.exit_code, 0) << between.err;
  WriteFile(dir.path() + "/r.json", between.out);
  const long long seen = json::parse(between.out)["rows"][0][0].get<long long>();
  EXPECT_GT(seen, 0);
  EXPECT_LE(seen, lines);  // the load's last seal is spilled, so usually every line was staged then

  KpiRun rest = RunKpi({"ingest", "--db", "store", "--memory-limit", "192M", "ev.ndjson"}, dir.path());
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_EQ(SummaryField(rest.out, "accepted") + SummaryField(rest.out, "duplicates"), lines) << rest.out;
  EXPECT_EQ(StoredEvents("store", dir.path()), lines);
  KpiRun all = RunKpi({"query", "--db", "store", "--format", "csv",
                       "select count() as events from events; select count() as tickets from tickets"},
                      dir.path());
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out, "events\n" + std::to_string(lines) + "\n\ntickets\n100000\n");

  KpiRun verify = RunKpi({"audit", "verify", "--db", "store", "r.json"}, dir.path());
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace kpi::testing
