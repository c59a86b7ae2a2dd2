// What cli/main.cc does for a cheap start and exit, seen from outside the
// real binary: each subcommand still shows its own options in its help
// although only the named one gets them declared, `kpi --help` lists every
// subcommand, and the _exit after flushing still reports output that could
// not be written (stdout on /dev/full) instead of ending 0.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
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

}  // namespace
}  // namespace kpi::testing
