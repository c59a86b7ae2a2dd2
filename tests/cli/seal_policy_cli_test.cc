// `kpi ingest` seal policy (cli/ingest_command.cc MaybeStartSeal): when a
// seal would re-encode much of the store (shuffled input), staged events are
// spilled and sealed once at the end, read back from disk per partition
// group (below --max-staged-events staged; at it, seals go on as before);
// however the seals fall, the store answers exactly as one loaded in time
// order.
#include <gtest/gtest.h>

#include <string>

#include "cli_test_util.h"
#include "test_util.h"

namespace kpi::testing {
namespace {

class SealPolicyCliTest : public ::testing::Test {
 protected:
  ScratchDir dir_{"kpi-seal-policy"};
};

TEST_F(SealPolicyCliTest, ShuffledInputAnswersAsSortedWhateverTheStagingLimit) {
  for (const char* shuffle : {"", "--shuffle"}) {
    std::vector<std::string> gen = {"gen", "--tickets", "400", "--days", "6", "--seed", "11", "-q", "--out"};
    gen.push_back(*shuffle ? "shuffled.ndjson" : "sorted.ndjson");
    if (*shuffle) gen.push_back(shuffle);
    KpiRun run = RunKpi(gen, dir_.path());
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  const std::string query =
      "select count(), p90(duration(created -> agent_reply)) as frt, avg(csat) as csat, sum(total(handle_seconds)) as handled "
      "from tickets by channel, day";
  KpiRun sorted = RunKpi({"ingest", "-q", "--no-sync", "--db", "sorted", "sorted.ndjson"}, dir_.path());
  ASSERT_EQ(sorted.exit_code, 0) << sorted.err;
  KpiRun expected = RunKpi({"query", "--db", "sorted", query}, dir_.path());
  ASSERT_EQ(expected.exit_code, 0) << expected.err;
  ASSERT_GT(expected.out.size(), 100u);
  // Tiny seals (every seal after the first re-encodes nearly everything, so
  // the rest is spilled), a limit that forces seals anyway, and no limit in
  // reach.
  for (const char* limit : {"0", "900", "100000000"}) {
    const std::string db = std::string("shuffled-") + limit;
    KpiRun ingest = RunKpi({"ingest", "-q", "--no-sync", "--db", db, "--batch", "101", "--seal-events", "300",
                            "--max-staged-events", limit, "shuffled.ndjson"},
                           dir_.path());
    ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
    EXPECT_EQ(SummaryField(ingest.out, "accepted"), SummaryField(sorted.out, "accepted")) << limit;
    KpiRun got = RunKpi({"query", "--db", db, query}, dir_.path());
    ASSERT_EQ(got.exit_code, 0) << got.err;
    EXPECT_EQ(got.out, expected.out) << "--max-staged-events " << limit;
  }
}

}  // namespace
}  // namespace kpi::testing
