// `kpi serve` from the command line: store checks, startup, clean shutdown
// on SIGINT / SIGTERM (the HTTP API itself is tested in server_tests).
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli_test_util.h"
#include "test_util.h"

namespace kpi::testing {
namespace {

class ServeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KpiRun probe = RunKpi({"serve", "--db", "missing"}, dir_.path());
    if (probe.err.find("this build has no HTTP server") != std::string::npos) GTEST_SKIP() << "built without server/";
  }
  // Starts `kpi serve ARGS` in the background, waits for its "listening"
  // line, sends `signal`, and returns its exit status (99 if it never
  // listened). Not SIGINT: a non-interactive shell starts background
  // commands with SIGINT ignored.
  int ServeAndStop(const std::string& args, const char* signal) {
    const std::string script = "cd '" + dir_.path() + "' || exit 98; '" + KPI_BINARY + "' serve " + args +
                               " 2>serve.log & pid=$!; i=0; "
                               "while ! grep -q listening serve.log 2>/dev/null; do "
                               "  i=$((i+1)); [ $i -gt 600 ] && { kill -9 $pid; exit 99; }; "
                               "  kill -0 $pid 2>/dev/null || { wait $pid; exit $?; }; sleep 0.05; done; "
                               "kill -" + std::string(signal) + " $pid; wait $pid";
    int status = std::system(("sh -c \"" + Escape(script) + "\"").c_str());
    log_ = ReadFile(dir_ / "serve.log");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  static std::string Escape(const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == '"' || c == '\\' || c == '$' || c == '`') out += '\\';
      out += c;
    }
    return out;
  }
  ScratchDir dir_{"kpi-cli-serve"};
  std::string log_;
};

TEST_F(ServeCliTest, MissingStoreIsAnErrorUnlessCreateIsGiven) {
  KpiRun run = RunKpi({"serve", "--db", "nowhere", "--listen", "127.0.0.1:0"}, dir_.path());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("no store at nowhere"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("--create"), std::string::npos) << run.err;

  EXPECT_EQ(ServeAndStop("--db fresh --create --listen 127.0.0.1:0", "TERM"), 0) << log_;
  EXPECT_NE(log_.find("listening on 127.0.0.1:"), std::string::npos) << log_;
  EXPECT_EQ(RunKpi({"info", "--db", "fresh"}, dir_.path()).exit_code, 0);  // the store now exists
}

// --create over a directory of other files refuses and changes nothing.
TEST_F(ServeCliTest, CreateRefusesADirectoryOfOtherFiles) {
  ASSERT_EQ(::mkdir((dir_.path() + "/home").c_str(), 0755), 0);
  WriteFile(dir_.path() + "/home/notes.txt", "mine\n");
  KpiRun run = RunKpi({"serve", "--db", "home", "--create", "--listen", "127.0.0.1:0"}, dir_.path());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("home is not a kpistore store (it holds notes.txt"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("--create)"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/home/CURRENT"));
}

TEST_F(ServeCliTest, CleanShutdownOnSigtermOverAnExistingStore) {
  WriteFile(dir_ / "e.ndjson", "{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"X1\",\"event\":\"created\"}\n");
  ASSERT_EQ(RunKpi({"ingest", "--db", "store", "e.ndjson", "-q"}, dir_.path()).exit_code, 0);
  EXPECT_EQ(ServeAndStop("--db store --listen 127.0.0.1:0", "TERM"), 0) << log_;
  EXPECT_NE(log_.find("stopped"), std::string::npos) << log_;
  EXPECT_EQ(StoredEvents("store", dir_.path()), 1);
}

TEST_F(ServeCliTest, BadListenAddressExitsTwo) {
  WriteFile(dir_ / "e.ndjson", "{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"X1\",\"event\":\"created\"}\n");
  ASSERT_EQ(RunKpi({"ingest", "--db", "store", "e.ndjson", "-q"}, dir_.path()).exit_code, 0);
  KpiRun run = RunKpi({"serve", "--db", "store", "--listen", "not an address"}, dir_.path());
  EXPECT_EQ(run.exit_code, 2) << run.err;
}

}  // namespace
}  // namespace kpi::testing
