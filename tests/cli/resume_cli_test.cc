// `kpi ingest --resume` with the real binary (issue 9): ingests killed with
// SIGKILL at points chosen by what they did (a batch committed, "resuming
// at line" printed), many of them while resuming, end with exactly
// the file's events, and each resume skips what was committed before instead
// of re-reading it; a complete checkpoint skips the file; a changed file is
// read again from line 1; progress shows committed events.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <string>

#include "cli_test_util.h"
#include "test_util.h"

namespace kpi::testing {
namespace {

class ResumeCliTest : public ::testing::Test {
 protected:
  void Gen(int tickets, const std::string& out) {
    KpiRun gen = RunKpi({"gen", "--tickets", std::to_string(tickets), "--days", "20", "--seed", "11", "--out", out},
                        dir_.path());
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    const std::string data = ReadFile(dir_ / out);
    lines_ = std::count(data.begin(), data.end(), '\n');
  }
  // Runs `kpi ingest --resume -q --batch 2000 --db store ev.ndjson`, killed
  // with SIGKILL `delay` after `ready()` (never when empty); returns true
  // when it ran to its end (exit 0).
  bool IngestKilledWhen(const std::function<bool()>& ready, std::chrono::microseconds delay, std::string* out,
                        std::string* err) {
    bool killed = false, timed_out = false;
    const int code = RunKpiKilledWhen({"ingest", "--resume", "-q", "--batch", "2000", "--db", "store", "ev.ndjson"},
                                      dir_.path(), ready ? ready : [] { return false; }, delay,
                                      std::chrono::minutes(10), &killed, &timed_out);
    EXPECT_FALSE(timed_out) << "an ingest ran for 10 minutes";
    *out = ReadFile(dir_ / "run.out");
    *err = ReadFile(dir_ / "run.err");
    return code == 0;
  }
  // Bytes in the store's write-ahead logs not in `before` (name -> size at
  // the run's start): the open starts a new log, and each batch committed
  // (staged with its checkpoint, synced) is appended to it.
  std::map<std::string, uintmax_t> Logs() const {
    std::map<std::string, uintmax_t> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir_ / "store", ec))
      if (e.path().extension() == ".log") out[e.path().filename().string()] = e.file_size(ec);
    return out;
  }
  uintmax_t NewLogBytes(const std::map<std::string, uintmax_t>& before) const {
    uintmax_t n = 0;
    for (const auto& [name, size] : Logs())
      if (before.count(name) == 0) n += size;
    return n;
  }
  ScratchDir dir_{"kpi-cli-resume"};
  long long lines_ = 0;
};

TEST_F(ResumeCliTest, KilledIngestsAndResumesEndWithExactlyTheFileAndSkipWork) {
  Gen(60000, "ev.ndjson");
  ASSERT_GT(lines_, 200000);
  std::mt19937 rng(9);
  long long skipped_total = 0, resumes_that_skipped = 0, killed_while_resuming = 0;
  bool done = false;
  int round = 0;
  for (; round < 40 && !done; ++round) {
    // Every run uses --resume: the first has no checkpoint and starts at line 1.
    std::string out, err;
    // Kill points follow what the run has done, not a time (a loaded
    // machine may need seconds to start): even rounds once its new log holds
    // 128 KiB (a batch or two committed), odd ones once it says where it
    // resumes; then 0-300 ms. From round 30 on, a run goes to its end.
    const auto logs = Logs();
    std::function<bool()> ready;
    if (round < 30 && round % 2 == 0) ready = [&] { return NewLogBytes(logs) >= (128u << 10); };
    if (round < 30 && round % 2 == 1)
      ready = [&] { return ReadFile(dir_ / "run.err").find("resuming at line") != std::string::npos; };
    done = IngestKilledWhen(ready, std::chrono::microseconds(rng() % 300000), &out, &err);
    if (!done && err.find("resuming at line") != std::string::npos) ++killed_while_resuming;
    const long long skipped = SummaryField(out, "skipped");
    if (done) {
      // The run that finished read only what no earlier run committed.
      EXPECT_EQ(SummaryField(out, "duplicates"), 0) << out;
      if (skipped > 0) {
        EXPECT_EQ(SummaryField(out, "accepted") + skipped, lines_) << out;
      }
    }
    if (skipped > 0) {
      skipped_total += skipped;
      ++resumes_that_skipped;
    }
    // A kill before the store was created leaves no store (creation is
    // atomic: storage/store_dir.h), which holds nothing.
    const std::filesystem::path store_dir = std::filesystem::path(dir_.path()) / "store";
    const bool never_created = !std::filesystem::exists(store_dir) || std::filesystem::is_empty(store_dir);
    const long long stored = never_created ? 0 : StoredEvents("store", dir_.path());
    ASSERT_GE(stored, 0) << "round " << round << ": the store does not open after a kill";
    ASSERT_LE(stored, lines_);
  }
  ASSERT_TRUE(done);
  EXPECT_EQ(StoredEvents("store", dir_.path()), lines_);
  EXPECT_GE(round, 2) << "never killed: the test proves nothing";
  EXPECT_GT(resumes_that_skipped, 0);
  EXPECT_GT(killed_while_resuming, 0);
  EXPECT_GT(skipped_total, 0);
  RecordProperty("rounds", round);
  RecordProperty("resumes_that_skipped", static_cast<int>(resumes_that_skipped));
  RecordProperty("killed_while_resuming", static_cast<int>(killed_while_resuming));

  // Resuming a file committed to its end reads nothing.
  KpiRun again = RunKpi({"ingest", "--resume", "--db", "store", "ev.ndjson"}, dir_.path());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(SummaryField(again.out, "accepted"), 0) << again.out;
  EXPECT_EQ(SummaryField(again.out, "duplicates"), 0) << again.out;
  EXPECT_EQ(SummaryField(again.out, "skipped"), lines_) << again.out;
  EXPECT_NE(again.err.find("ev.ndjson: already committed to its end"), std::string::npos) << again.err;
}

TEST_F(ResumeCliTest, ChangedFileIsReadFromLineOneAndWithoutResumeEverythingIsRead) {
  Gen(300, "ev.ndjson");
  ASSERT_EQ(RunKpi({"ingest", "-q", "--db", "store", "ev.ndjson"}, dir_.path()).exit_code, 0);
  KpiRun plain = RunKpi({"ingest", "-q", "--db", "store", "ev.ndjson"}, dir_.path());
  EXPECT_EQ(SummaryField(plain.out, "duplicates"), lines_) << plain.out;  // no --resume: all read
  EXPECT_EQ(SummaryField(plain.out, "skipped"), -1) << plain.out;

  // Appending lines changes the file's identity: read again from line 1.
  std::string data = ReadFile(dir_ / "ev.ndjson");
  data += "{\"ts\":\"2025-03-01T08:00:00Z\",\"ticket\":\"NEW\",\"event\":\"created\"}\n";
  WriteFile(dir_ / "ev.ndjson", data);
  KpiRun changed = RunKpi({"ingest", "-q", "--resume", "--db", "store", "ev.ndjson"}, dir_.path());
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_NE(changed.err.find("ev.ndjson changed since its checkpoint (size"), std::string::npos) << changed.err;
  EXPECT_EQ(SummaryField(changed.out, "accepted"), 1) << changed.out;
  EXPECT_EQ(SummaryField(changed.out, "duplicates"), lines_) << changed.out;
}

TEST_F(ResumeCliTest, CsvResumeAndProgressShowsCommittedEvents) {
  std::string csv = "ts,ticket,event,team\n";
  for (int i = 0; i < 5000; ++i) csv += "2025-03-01T08:00:00Z,T" + std::to_string(i) + ",created,t" + std::to_string(i % 4) + "\n";
  WriteFile(dir_ / "a.csv", csv);
  // Progress lines (to a file: plain lines) name committed events.
  KpiRun first = RunKpi({"ingest", "--batch", "1000", "--db", "store", "a.csv"}, dir_.path());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  KpiRun resumed = RunKpi({"ingest", "--resume", "--db", "store", "a.csv"}, dir_.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(SummaryField(resumed.out, "skipped"), 5001) << resumed.out;
  EXPECT_EQ(StoredEvents("store", dir_.path()), 5000);
}

}  // namespace
}  // namespace kpi::testing
