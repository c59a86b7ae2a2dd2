// `kpi ingest --resume` with the real binary (issue 9): ingests killed with
// SIGKILL at random moments, the later ones while resuming, end with exactly
// the file's events, and each resume skips what was committed before instead
// of re-reading it; a complete checkpoint skips the file; a changed file is
// read again from line 1; progress shows committed events.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
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
  // Runs `kpi ingest ARGS`, killed with SIGKILL after `kill_ms` unless it
  // ended before; returns true when it ran to its end (exit 0).
  bool IngestKilledAfter(const std::string& args, int kill_ms, std::string* out, std::string* err) {
    const std::string script = "cd '" + dir_.path() + "' && { '" + std::string(KPI_BINARY) + "' ingest " + args +
                               " >run.out 2>run.err & pid=$!; sleep " + std::to_string(kill_ms / 1000.0) +
                               "; kill -9 $pid 2>/dev/null; wait $pid; } 2>/dev/null";
    int status = std::system(script.c_str());
    *out = ReadFile(dir_ / "run.out");
    *err = ReadFile(dir_ / "run.err");
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
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
    const int kill_ms = round < 30 ? 120 + static_cast<int>(rng() % 300) : 60000;
    done = IngestKilledAfter("--resume -q --batch 2000 --db store ev.ndjson", kill_ms, &out, &err);
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
