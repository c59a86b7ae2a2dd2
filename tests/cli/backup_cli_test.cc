// `kpi backup` and `kpi restore` from the command line: a backup reads back
// with the same events; refusals (existing backup directory, non-empty
// restore target without --force, a directory that is no backup, a store a
// running `kpi serve` holds, pointing at POST /v1/backup); --force moves the
// old store aside instead of deleting it; a killed backup harms nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "cli_test_util.h"
#include "test_util.h"

namespace kpi::testing {
namespace {

class BackupCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string lines;
    for (int i = 0; i < 50; ++i)
      lines += "{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"X" + std::to_string(i) + "\",\"event\":\"created\"}\n";
    WriteFile(dir_ / "e.ndjson", lines);
    ASSERT_EQ(RunKpi({"ingest", "--db", "store", "e.ndjson", "-q"}, dir_.path()).exit_code, 0);
  }
  ScratchDir dir_{"kpi-cli-backup"};
};

TEST_F(BackupCliTest, BackupThenRestore) {
  KpiRun b = RunKpi({"backup", "--db", "store", "--to", "b1"}, dir_.path());
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(b.out.find("backup b1:"), std::string::npos) << b.out;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "b1/ACKNOWLEDGED"));

  KpiRun again = RunKpi({"backup", "--db", "store", "--to", "b1"}, dir_.path());
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("exists"), std::string::npos) << again.err;

  KpiRun r = RunKpi({"restore", "--from", "b1", "--db", "copy"}, dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("50 events"), std::string::npos) << r.out;
  EXPECT_EQ(StoredEvents("copy", dir_.path()), 50);

  KpiRun busy = RunKpi({"restore", "--from", "b1", "--db", "store"}, dir_.path());
  EXPECT_EQ(busy.exit_code, 2);
  EXPECT_NE(busy.err.find("not empty; nothing was changed"), std::string::npos) << busy.err;

  KpiRun none = RunKpi({"restore", "--from", "e.ndjson", "--db", "other"}, dir_.path());
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("is not a backup"), std::string::npos) << none.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "other"));

  // More events after the backup; --force puts the backup back and keeps the old store aside.
  WriteFile(dir_ / "more.ndjson", "{\"ts\":\"2025-03-02T08:00:00Z\",\"ticket\":\"Y1\",\"event\":\"created\"}\n");
  ASSERT_EQ(RunKpi({"ingest", "--db", "store", "more.ndjson", "-q"}, dir_.path()).exit_code, 0);
  KpiRun forced = RunKpi({"restore", "--from", "b1", "--db", "store", "--force"}, dir_.path());
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(forced.out.find("store.replaced-"), std::string::npos) << forced.out;
  EXPECT_EQ(StoredEvents("store", dir_.path()), 50);
  int aside = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_.path()))
    if (e.path().filename().string().rfind("store.replaced-", 0) == 0) {
      aside++;
      EXPECT_EQ(StoredEvents(e.path().string(), dir_.path()), 51);
    }
  EXPECT_EQ(aside, 1);
}

// Paths as people type them: a trailing '/', spaces, non-ASCII, a link.
// `restore --db "new dir/"` used to build its copy inside the target
// ("new dir/.restoring-PID"), fail ("Directory not empty") and leave it
// there; `backup --to "b 漢/"` said "b 漢 is not a directory".
TEST_F(BackupCliTest, OddPathsAreTheDirectoriesTheyName) {
  KpiRun b = RunKpi({"backup", "--db", "store/", "--to", "b 漢 1/"}, dir_.path());
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "b 漢 1/CURRENT"));
  KpiRun r = RunKpi({"restore", "--from", "b 漢 1/", "--db", "new dir/"}, dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(StoredEvents("new dir", dir_.path()), 50);
  for (const auto& e : std::filesystem::directory_iterator(dir_ / "new dir"))
    EXPECT_EQ(e.path().filename().string().find("restoring"), std::string::npos) << e.path();
  std::filesystem::create_directories(dir_ / "disk/empty");
  std::filesystem::create_directory_symlink(dir_ / "disk/empty", dir_ / "link");
  KpiRun linked = RunKpi({"restore", "--from", "./b 漢 1", "--db", "link/"}, dir_.path());
  ASSERT_EQ(linked.exit_code, 0) << linked.err;
  EXPECT_TRUE(std::filesystem::is_symlink(dir_ / "link"));
  EXPECT_EQ(StoredEvents("disk/empty", dir_.path()), 50);
  for (const auto& e : std::filesystem::directory_iterator(dir_.path()))
    EXPECT_EQ(e.path().filename().string().find("restoring"), std::string::npos) << e.path();
}

TEST_F(BackupCliTest, StoreHeldByAServerIsRefusedWithTheEndpoint) {
  KpiRun probe = RunKpi({"serve", "--db", "missing"}, dir_.path());
  if (probe.err.find("this build has no HTTP server") != std::string::npos) GTEST_SKIP() << "built without server/";
  const KpiRun b = RunKpiWhileServing("store", {"backup", "--db", "store", "--to", "b2"}, dir_.path());
  ASSERT_NE(b.exit_code, -1) << b.err;
  EXPECT_EQ(b.exit_code, 2);
  EXPECT_NE(b.err.find("open in another process"), std::string::npos) << b.err;
  EXPECT_NE(b.err.find("/v1/backup?to="), std::string::npos) << b.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "b2"));
}

// Crash test: `kpi backup` of a 20k-ticket store SIGKILLed at moments spread
// over 1.5 times what a whole backup takes on this machine now (measured first, so
// the kills land alike on an idle and a loaded machine). The store always
// opens with every event; a backup that finished opens with every event; an
// interrupted one is only RocksDB's `<to>.tmp`. Each killed process is reaped
// before the store is opened again (`timeout -s KILL`, used before, returns
// before its child is gone, which then still holds the store's lock).
TEST_F(BackupCliTest, KilledBackupsLeaveStoreAndFinishedBackupsWhole) {
  ASSERT_EQ(RunKpi({"gen", "--tickets", "20000", "-q", "-o", "big.ndjson"}, dir_.path()).exit_code, 0);
  ASSERT_EQ(RunKpi({"ingest", "--db", "big", "big.ndjson", "-q"}, dir_.path()).exit_code, 0);
  const long long events = StoredEvents("big", dir_.path());
  ASSERT_GT(events, 100000);
  const auto start = std::chrono::steady_clock::now();
  const KpiRun whole = RunKpi({"backup", "--db", "big", "--to", "whole"}, dir_.path());
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  ASSERT_EQ(StoredEvents("whole", dir_.path()), events);
  int finished = 0, interrupted = 0;
  constexpr int kRounds = 12;
  for (int round = 0; round < kRounds; ++round) {
    const std::string to = "k" + std::to_string(round);
    bool killed = false;
    RunKpiKilledAfter({"backup", "--db", "big", "--to", to}, dir_.path(), took * 3 * round / (2 * kRounds),
                      &killed);  // from at once to past the whole backup's time
    ASSERT_EQ(StoredEvents("big", dir_.path()), events) << "round " << round << (killed ? ", killed" : "");
    if (std::filesystem::exists(dir_ / to)) {
      EXPECT_EQ(StoredEvents(to, dir_.path()), events) << to;
      finished++;
    } else {
      EXPECT_TRUE(killed) << "round " << round << ": the backup ended without its directory";
      interrupted++;
    }
  }
  std::printf("a whole backup took %lld ms; %d backups finished, %d killed\n", static_cast<long long>(took.count()),
              finished, interrupted);
  EXPECT_GT(interrupted, 0) << "no backup was killed: the test proves nothing";  // round 0 is killed at once
}

}  // namespace
}  // namespace kpi::testing
