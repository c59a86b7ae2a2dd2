// `kpi ingest --memory-limit` (issue 13): 200,000 generated tickets streamed
// into a store need well over 192 MB without a limit; with --memory-limit
// 192M the ingest process's peak resident memory (its VmHWM, taken from the
// kernel's rusage of the finished children) stays under it, and the store
// answers exactly as the unlimited one. `kpi query --memory-limit` sizes the
// query process's caches: the same answers, and --timer reports the segment
// cache's hit rate; a query of one statement keeps no decoded segment.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "cli_test_util.h"
#include "test_util.h"

namespace kpi::testing {
namespace {

constexpr size_t kLimit = size_t{192} << 20;

// Runs `script` under /bin/sh in `cwd`; returns the peak resident bytes of the
// largest process it ran (-1 on failure). Only this child's processes count.
long long PeakOfShell(const std::string& script, const std::string& cwd) {
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(97);
    execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    _exit(98);
  }
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return static_cast<long long>(usage.ru_maxrss) * 1024;  // kilobytes on Linux
}

std::string Ingest(const std::string& db, const std::string& limit) {
  // exec: the shell itself is not in the way; gen needs ~30 MB.
  return "'" + std::string(KPI_BINARY) + "' gen --tickets 200000 --seed 5 -q --out - | '" + KPI_BINARY +
         "' ingest -q --no-sync --db " + db + " --memory-limit " + limit + " - >/dev/null";
}

TEST(MemoryLimitCliTest, IngestStaysUnderItsLimitAndAnswersAsWithout) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's shadow memory is not the ingest's";
#endif
  ScratchDir dir;
  const long long unlimited = PeakOfShell(Ingest("free", "none"), dir.path());
  ASSERT_GT(unlimited, 0) << "ingest without a limit failed";
  ASSERT_GT(unlimited, static_cast<long long>(kLimit)) << "the data no longer needs more than the limit";
  const long long limited = PeakOfShell(Ingest("bounded", "192M"), dir.path());
  ASSERT_GT(limited, 0) << "ingest with a limit failed";
  EXPECT_LT(limited, static_cast<long long>(kLimit)) << "peak " << (limited >> 20) << " MB";

  for (const char* q : {"select count(), avg(csat) as csat, p90(duration(created -> agent_reply)) as frt "
                        "from tickets by channel, month",
                        "select count() from events by event"}) {
    KpiRun want = RunKpi({"query", "--db", "free", q}, dir.path());
    KpiRun got = RunKpi({"query", "--db", "bounded", q}, dir.path());
    ASSERT_EQ(want.exit_code, 0) << want.err;
    EXPECT_GT(want.out.size(), 50u);
    EXPECT_EQ(got.out, want.out) << q;
  }
}

// 3,000 generated tickets in store `s` under `cwd`.
bool SmallGeneratedStore(const std::string& cwd) {
  return PeakOfShell("'" + std::string(KPI_BINARY) + "' gen --tickets 3000 --seed 3 -q --out - | '" + KPI_BINARY +
                         "' ingest -q --no-sync --db s - >/dev/null",
                     cwd) > 0;
}

TEST(MemoryLimitCliTest, ALimitBelowTheMinimumOrNotASizeIsAUsageError) {
  ScratchDir dir;
  for (const char* bad : {"10M", "lots", "-1G"}) {
    KpiRun run = RunKpi({"ingest", "-q", "--db", "s", "--memory-limit", bad, "-"}, dir.path(), "", true);
    EXPECT_EQ(run.exit_code, 2) << bad;
    EXPECT_NE(run.err.find("--memory-limit"), std::string::npos) << run.err;
  }
}

TEST(MemoryLimitCliTest, QueryWithALimitAnswersAsWithoutAndReportsItsSegmentCache) {
  ScratchDir dir;
  ASSERT_TRUE(SmallGeneratedStore(dir.path()));
  const std::string q = "select count(), p90(duration(created -> agent_reply)) as frt from tickets by channel";
  KpiRun want = RunKpi({"query", "--db", "s", q}, dir.path());
  ASSERT_EQ(want.exit_code, 0) << want.err;
  KpiRun got = RunKpi({"query", "--db", "s", "--memory-limit", "192M", "--timer", q + ";\n" + q}, dir.path());
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(got.out, want.out + "\n" + want.out);
  EXPECT_NE(got.err.find("segment cache: "), std::string::npos) << got.err;
  EXPECT_NE(got.err.find("50.0 % of "), std::string::npos) << got.err;  // the second run hit every segment
  for (const char* bad : {"10M", "lots"}) {
    KpiRun run = RunKpi({"query", "--db", "s", "--memory-limit", bad, q}, dir.path(), "", true);
    EXPECT_EQ(run.exit_code, 2) << bad;
    EXPECT_NE(run.err.find("--memory-limit"), std::string::npos) << run.err;
  }
}

TEST(MemoryLimitCliTest, OneStatementKeepsNoDecodedSegmentAndAnswersAsAScript) {
  ScratchDir dir;
  ASSERT_TRUE(SmallGeneratedStore(dir.path()));
  // repeat_within reads every segment twice: without the cache, twice from disk.
  for (const std::string q : {"select count(), p90(duration(created -> agent_reply)) as frt from tickets by channel",
                              "select rate(repeat_within(7d, customer, category)) as r from tickets by month"}) {
    KpiRun one = RunKpi({"query", "--db", "s", "--timer", q}, dir.path());
    ASSERT_EQ(one.exit_code, 0) << one.err;
    EXPECT_NE(one.err.find("segment cache: 0 B of 0 B in 0 segments"), std::string::npos) << one.err;
    KpiRun two = RunKpi({"query", "--db", "s", "--timer", q + ";\n" + q}, dir.path());
    ASSERT_EQ(two.exit_code, 0) << two.err;
    EXPECT_EQ(two.out, one.out + "\n" + one.out) << q;
    EXPECT_EQ(two.err.find("segment cache: 0 B of 0 B"), std::string::npos) << two.err;  // a script keeps them
  }
}

}  // namespace
}  // namespace kpi::testing
