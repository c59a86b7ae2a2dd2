// What cli/main.cc does for a cheap start and exit, seen from outside the
// real binary: each subcommand still shows its own options in its help
// although only the named one gets them declared, `kpi --help` lists every
// subcommand, and the _exit after flushing still reports output that could
// not be written (stdout on /dev/full) instead of ending 0; and a `kpi
// query` whose store stayed read-only, which ends without closing it, still
// writes its derived-value files, and leaves the store to be read and
// written by the next process.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli_test_util.h"
#include "test_util.h"

namespace kpi::testing {
namespace {

TEST(ProcessStartExitCliTest, EverySubcommandIsListedAndShowsItsOwnOptions) {
  ScratchDir dir("kpi-cli-start");
  KpiRun top = RunKpi({"--help"}, dir.path());
  EXPECT_EQ(top.exit_code, 0) << top.err;
  for (const char* name : {"ingest", "gen", "info", "backup", "restore", "compact", "query", "repl", "audit",
                           "report", "table", "targets", "serve"}) {
    EXPECT_NE(top.out.find(std::string("\n  ") + name + " "), std::string::npos) << name << "\n" << top.out;
  }
  KpiRun query = RunKpi({"query", "--help"}, dir.path());
  EXPECT_EQ(query.exit_code, 0) << query.err;
  EXPECT_NE(query.out.find("--db"), std::string::npos) << query.out;
  EXPECT_NE(query.out.find("--format"), std::string::npos) << query.out;
  EXPECT_EQ(query.out.find("--listen"), std::string::npos) << query.out;  // serve's, not query's
  KpiRun serve = RunKpi({"serve", "--help"}, dir.path());
  EXPECT_NE(serve.out.find("--listen"), std::string::npos) << serve.out;
  KpiRun verify = RunKpi({"audit", "verify", "--help"}, dir.path());
  EXPECT_NE(verify.out.find("--db"), std::string::npos) << verify.out;
  // Another subcommand's option is an error, as before.
  KpiRun wrong = RunKpi({"info", "--db", "x", "--listen", "y"}, dir.path());
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.err.find("--listen"), std::string::npos) << wrong.err;
}

TEST(ProcessStartExitCliTest, OutputThatCannotBeWrittenIsAnError) {
  ScratchDir dir("kpi-cli-exit");
  const std::string err_file = dir.path() + "/err.txt";
  const std::string cmd = std::string("\"") + KPI_BINARY + "\" --help > /dev/full 2> \"" + err_file + "\"";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 2);
  std::ifstream in(err_file);
  std::stringstream err;
  err << in.rdbuf();
  EXPECT_NE(err.str().find("writing the output failed"), std::string::npos) << err.str();
}

// cli/query_command.h process_ends_after: the store is left open at the
// _exit, so what must be on disk by then is written before RunQuery
// returns: the answer (stdout), the derived-value files (each scan flushes
// them), and nothing of the store's own (read-only: nothing to write).
TEST(ProcessStartExitCliTest, AQueryThatEndsWithoutClosingItsStoreLeavesItWhole) {
  ScratchDir dir("kpi-cli-exit-open");
  KpiRun gen = RunKpi({"gen", "--tickets", "200", "--days", "10", "--seed", "3", "--out", "ev.ndjson", "-q"},
                      dir.path());
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  {
    std::ofstream more(dir.path() + "/more.ndjson");
    more << R"({"ts":"2025-01-03T08:00:00Z","ticket":"X1","event":"created","channel":"email"})" "\n"
         << R"({"ts":"2025-01-03T09:00:00Z","ticket":"X1","event":"escalated"})" "\n";
  }
  KpiRun ingest = RunKpi({"ingest", "--db", "store", "ev.ndjson", "-q"}, dir.path());
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  const std::string statement =
      "select count() as n, rate(has(escalated)) as escalation, avg(duration(created -> resolved)) as res "
      "from tickets by channel";
  auto query = [&] { return RunKpi({"query", "--db", "store", "--format", "csv", statement}, dir.path()); };
  KpiRun first = query();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_NE(first.out.find("n,escalation,res"), std::string::npos) << first.out;
  // The files the first process derived are on disk (not left in a buffer
  // its close would have flushed).
  namespace fs = std::filesystem;
  const fs::path memo = fs::path(dir.path()) / "store" / "memo";
  uintmax_t bytes = 0;
  if (fs::exists(memo))
    for (const auto& e : fs::recursive_directory_iterator(memo))
      if (e.is_regular_file()) bytes += e.file_size();
  EXPECT_GT(bytes, 0u) << "no derived-value file written";
  // A second process reads them and answers the same; then the store opens
  // writable (no lock left behind), takes more events, and answers with them.
  KpiRun second = query();
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, first.out);
  KpiRun more = RunKpi({"ingest", "--db", "store", "more.ndjson", "-q"}, dir.path());
  ASSERT_EQ(more.exit_code, 0) << more.err;
  KpiRun after = RunKpi({"query", "--db", "store", "--format", "csv", "select count() as n from tickets"}, dir.path());
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out, "n\n201\n");
  KpiRun third = query();
  EXPECT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third.out, first.out);  // the new events counted, not a stale file
}

}  // namespace
}  // namespace kpi::testing
