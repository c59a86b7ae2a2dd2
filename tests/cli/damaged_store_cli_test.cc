// Damaged stores from the command line (issue 9, "Loss and damage"): a store
// whose CURRENT file is gone is refused by every command, nothing in it is
// deleted or replaced, and no message suggests a command that could destroy
// data; a damaged table file is named in the error.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "cli_test_util.h"
#include "test_util.h"

namespace kpi::testing {
namespace {

namespace fs = std::filesystem;

// Name -> size of every file of a directory.
std::map<std::string, uintmax_t> Listing(const std::string& dir) {
  std::map<std::string, uintmax_t> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) out[e.path().filename().string()] = e.file_size();
  }
  return out;
}

class DamagedStoreCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KpiRun gen = RunKpi({"gen", "--tickets", "400", "--days", "5", "--seed", "3", "--out", "ev.ndjson"}, dir_.path());
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    KpiRun ingest = RunKpi({"ingest", "-q", "--db", "store", "ev.ndjson"}, dir_.path());
    ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
    events_ = StoredEvents("store", dir_.path());
    ASSERT_GT(events_, 400);
  }
  // Every message a damaged store gives must stay away from commands that
  // could make things worse.
  static void ExpectNoDestructiveAdvice(const std::string& err) {
    for (const char* bad : {"rm ", "rm -", "--create", "repair", "Repair", "destroy", "Destroy", "delete the",
                            "create one with"}) {
      EXPECT_EQ(err.find(bad), std::string::npos) << "message suggests '" << bad << "': " << err;
    }
  }
  ScratchDir dir_{"kpi-cli-damage"};
  long long events_ = 0;
};

TEST_F(DamagedStoreCliTest, MissingCurrentIsRefusedByEveryCommandAndNothingIsDeleted) {
  const std::string store = dir_ / "store";
  ASSERT_TRUE(fs::remove(fs::path(store) / "CURRENT"));
  const auto before = Listing(store);
  bool has_table_file = false;
  for (const auto& [name, size] : before) has_table_file |= name.ends_with(".sst");
  ASSERT_TRUE(has_table_file);

  const std::vector<std::vector<std::string>> commands = {
      {"ingest", "-q", "--db", "store", "ev.ndjson"},
      {"info", "--db", "store"},
      {"query", "--db", "store", "select count() from events"},
      {"table", "load", "--db", "store", "--key", "agent", "agents", "agents.csv"},
  };
  WriteFile(dir_ / "agents.csv", "agent,team\na1,x\n");
  for (const auto& args : commands) {
    KpiRun run = RunKpi(args, dir_.path());
    EXPECT_EQ(run.exit_code, 2) << args[0] << ": " << run.out << run.err;
    EXPECT_NE(run.err.find("CURRENT"), std::string::npos) << args[0] << ": " << run.err;
    EXPECT_NE(run.err.find("nothing was changed"), std::string::npos) << args[0] << ": " << run.err;
    EXPECT_NE(run.err.find("docs/operations.md"), std::string::npos) << args[0] << ": " << run.err;
    ExpectNoDestructiveAdvice(run.err);
    EXPECT_EQ(Listing(store), before) << args[0] << " changed the directory";
  }

  // serve --create: must refuse at once too (timeout: a server that did
  // start over the directory would otherwise run forever).
  const std::string cmd = "cd '" + dir_.path() + "' && timeout 20 '" + std::string(KPI_BINARY) +
                          "' serve --db store --create --listen 127.0.0.1:0 </dev/null >serve.out 2>serve.err";
  int status = std::system(cmd.c_str());
  const std::string serve_err = ReadFile(dir_ / "serve.err");
  if (serve_err.find("this build has no HTTP server") == std::string::npos) {
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 2) << serve_err;
    EXPECT_NE(serve_err.find("CURRENT"), std::string::npos) << serve_err;
    ExpectNoDestructiveAdvice(serve_err);
    EXPECT_EQ(Listing(store), before) << "serve --create changed the directory";
  }

  // The documented fix: CURRENT names the newest MANIFEST; the data is all there.
  std::string manifest;
  for (const auto& [name, size] : before) {
    if (name.starts_with("MANIFEST-") && name > manifest) manifest = name;
  }
  ASSERT_FALSE(manifest.empty());
  WriteFile(fs::path(store) / "CURRENT", manifest + "\n");
  EXPECT_EQ(StoredEvents("store", dir_.path()), events_);
}

TEST_F(DamagedStoreCliTest, EmptyOrMissingDirectoryStillCreatesAStore) {
  fs::create_directories(dir_ / "empty");
  KpiRun run = RunKpi({"ingest", "-q", "--db", "empty", "ev.ndjson"}, dir_.path());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(StoredEvents("empty", dir_.path()), events_);
  KpiRun info = RunKpi({"info", "--db", "nowhere"}, dir_.path());
  EXPECT_EQ(info.exit_code, 2);
  EXPECT_NE(info.err.find("no store at nowhere"), std::string::npos) << info.err;
}

}  // namespace
}  // namespace kpi::testing
