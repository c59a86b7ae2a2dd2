// `kpi compact` from the command line: it prints disk bytes and bytes/event
// before and after and the time taken, keeps every event, and a store a
// running `kpi serve` holds is refused with a message saying so. And `kpi
// ingest` compacts by itself when it rewrote much of the store.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli_test_util.h"
#include "test_util.h"

namespace kpi::testing {
namespace {

class CompactCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Two files over the same tickets: the second ingest rewrites the segments the first sealed.
    std::string first, second;
    for (int i = 0; i < 300; ++i) {
      const std::string t = "\"ticket\":\"T" + std::to_string(i) + "\"";
      first += "{\"ts\":\"2025-03-01T08:15:02Z\"," + t + ",\"event\":\"created\"}\n";
      second += "{\"ts\":\"2025-03-01T09:00:00Z\"," + t + ",\"event\":\"resolved\"}\n";
    }
    WriteFile(dir_ / "a.ndjson", first);
    WriteFile(dir_ / "b.ndjson", second);
    ASSERT_EQ(RunKpi({"ingest", "--db", "store", "a.ndjson", "-q"}, dir_.path()).exit_code, 0);
    ASSERT_EQ(RunKpi({"ingest", "--db", "store", "b.ndjson", "-q"}, dir_.path()).exit_code, 0);
  }
  ScratchDir dir_{"kpi-cli-compact"};
};

TEST_F(CompactCliTest, PrintsBytesBeforeAndAfterAndKeepsTheEvents) {
  KpiRun c = RunKpi({"compact", "--db", "store"}, dir_.path());
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("compact store: "), std::string::npos) << c.out;
  EXPECT_NE(c.out.find(" bytes ("), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("bytes/event, 600 events), "), std::string::npos) << c.out;
  EXPECT_NE(c.out.find(" s\n"), std::string::npos) << c.out;
  EXPECT_EQ(StoredEvents("store", dir_.path()), 600);

  KpiRun none = RunKpi({"compact", "--db", "missing"}, dir_.path());
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("missing"), std::string::npos) << none.err;
}

// The second ingest rewrote every segment the first wrote (all 300 tickets
// got an event): it compacts at its end (storage/compact.h,
// WorthCompacting), so the segments, zones, tickets and values families
// hold one table file each instead of one per ingest's flush; the catalog,
// which compaction leaves alone, one per ingest.
TEST_F(CompactCliTest, AnIngestThatRewroteMuchOfTheStoreEndsCompacted) {
  int tables = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_ / "store"))
    tables += e.path().extension() == ".sst";
  EXPECT_LE(tables, 6);
  EXPECT_EQ(StoredEvents("store", dir_.path()), 600);
}

TEST_F(CompactCliTest, StoreHeldByAServerIsRefused) {
  KpiRun probe = RunKpi({"serve", "--db", "missing"}, dir_.path());
  if (probe.err.find("this build has no HTTP server") != std::string::npos) GTEST_SKIP() << "built without server/";
  const KpiRun c = RunKpiWhileServing("store", {"compact", "--db", "store"}, dir_.path());
  ASSERT_NE(c.exit_code, -1) << c.err;
  EXPECT_EQ(c.exit_code, 2);
  EXPECT_NE(c.err.find("open in another process"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("kpi serve"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("nothing was changed"), std::string::npos) << c.err;
  EXPECT_EQ(StoredEvents("store", dir_.path()), 600);
}

// Query and ingest on a store a server holds: one clear message, where they
// printed RocksDB's "While lock file: store/LOCK: Resource temporarily
// unavailable".
TEST_F(CompactCliTest, QueryAndIngestOnAHeldStoreSaySo) {
  KpiRun probe = RunKpi({"serve", "--db", "missing"}, dir_.path());
  if (probe.err.find("this build has no HTTP server") != std::string::npos) GTEST_SKIP() << "built without server/";
  WriteFile(dir_ / "one.ndjson", "{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"X1\",\"event\":\"created\"}\n");
  for (const std::vector<std::string>& args : {std::vector<std::string>{"query", "--db", "store", "show kpis"},
                                               std::vector<std::string>{"ingest", "--db", "store", "one.ndjson"}}) {
    const KpiRun c = RunKpiWhileServing("store", args, dir_.path());
    ASSERT_NE(c.exit_code, -1) << c.err;
    EXPECT_EQ(c.exit_code, 2);
    EXPECT_NE(c.err.find("the store is open in another process (its LOCK is held: a running `kpi serve`"),
              std::string::npos)
        << c.err;
    EXPECT_NE(c.err.find("nothing was changed"), std::string::npos) << c.err;
  }
  EXPECT_EQ(StoredEvents("store", dir_.path()), 600);
}

}  // namespace
}  // namespace kpi::testing
