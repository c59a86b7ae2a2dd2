// End-to-end tests of `kpi targets load`, running the real binary; then
// `evaluate` through `kpi query` sees the loaded targets.
#include <gtest/gtest.h>

#include <string>

#include "cli_test_util.h"
#include "test_util.h"

namespace kpi::testing {
namespace {

constexpr const char* kEvents =
    "{\"ts\":\"2025-03-01T08:00:00Z\",\"ticket\":\"X1\",\"event\":\"created\",\"channel\":\"chat\"}\n"
    "{\"ts\":\"2025-03-01T08:10:00Z\",\"ticket\":\"X1\",\"event\":\"resolved\",\"agent\":\"a1\"}\n"
    "{\"ts\":\"2025-03-01T09:00:00Z\",\"ticket\":\"X2\",\"event\":\"created\",\"channel\":\"email\"}\n";

class TargetsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_ / "ev.ndjson", kEvents);
    KpiRun ingest = RunKpi({"ingest", "--db", "store", "ev.ndjson", "-q"}, dir_.path());
    ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
    KpiRun kpi = RunKpi({"query", "--db", "store", "define kpi fcr = rate(has(resolved))"}, dir_.path());
    ASSERT_EQ(kpi.exit_code, 0) << kpi.err;
  }

  std::string Query(const std::string& text) {
    KpiRun run = RunKpi({"query", "--db", "store", "--format", "csv", text}, dir_.path());
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.out;
  }

  ScratchDir dir_{"kpi-targets-cli"};
};

TEST_F(TargetsCliTest, LoadsAndEvaluateUsesThem) {
  WriteFile(dir_ / "targets.csv", "kpi,op,target,channel\nfcr,>=,0.9,chat\nfcr,>=,50%,\n");
  KpiRun run = RunKpi({"targets", "load", "--db", "store", "targets.csv"}, dir_.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "targets: 2 loaded from targets.csv (2 new, 0 redefined)\n"
            "  fcr where channel = \"chat\"\n"
            "  fcr\n");
  EXPECT_EQ(Query("evaluate fcr from tickets by channel"),
            "channel,kpi,value,op,target,met,attainment,target_from\n"
            "chat,fcr,1,>=,0.9,true,1.1111111111111112,target\n"
            "email,fcr,0,>=,0.5,false,0,target\n");

  // Again from stdin: one redefined, one new.
  KpiRun again = RunKpi({"targets", "load", "--db", "store", "-"}, dir_.path(),
                        "kpi,op,target,channel\nfcr,>=,0.95,chat\nfcr,>=,0.4,email\n", /*has_stdin=*/true);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out.rfind("targets: 2 loaded from <stdin> (1 new, 1 redefined)\n", 0), 0u) << again.out;
  EXPECT_NE(Query("show targets").find("fcr where channel = \"\"email\"\""), std::string::npos);  // CSV-quoted
}

TEST_F(TargetsCliTest, BadFileNamesFileAndLineAndLoadsNothing) {
  WriteFile(dir_ / "targets.csv", "kpi,op,target,channel\nfcr,>=,0.9,chat\n\nfcrr,>=,0.8,email\n");
  KpiRun run = RunKpi({"targets", "load", "--db", "store", "targets.csv"}, dir_.path());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err.rfind("kpi targets load: targets.csv:4: unknown kpi 'fcrr' (did you mean 'fcr'?)", 0), 0u)
      << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(Query("show targets"), "name,definition,defined_at\n");

  WriteFile(dir_ / "dup.csv", "kpi,op,target,channel\nfcr,>=,0.9,chat\nfcr,>=,0.8,chat\n");
  KpiRun dup = RunKpi({"targets", "load", "--db", "store", "dup.csv"}, dir_.path());
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_EQ(dup.err, "kpi targets load: dup.csv:3: duplicate target fcr where channel = \"chat\" (first on line 2)\n");

  KpiRun missing = RunKpi({"targets", "load", "--db", "store", "nope.csv"}, dir_.path());
  EXPECT_EQ(missing.exit_code, 2);
  KpiRun no_store = RunKpi({"targets", "load", "--db", "nostore", "targets.csv"}, dir_.path());
  EXPECT_EQ(no_store.exit_code, 2);
}

}  // namespace
}  // namespace kpi::testing
