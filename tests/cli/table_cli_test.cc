// End-to-end tests of `kpi table load`, running the real binary; the stored
// table is then read back in-process.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "cli_test_util.h"
#include "query/catalog/table_store.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::testing {
namespace {

constexpr const char* kEvent = "{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"X1\",\"event\":\"created\"}\n";
constexpr const char* kAgents = "agent,role,score,limit\na1,frontline,4.5,15m\na2,lead,,1h\n";

class TableCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_ / "ev.ndjson", kEvent);
    KpiRun ingest = RunKpi({"ingest", "--db", "store", "ev.ndjson", "-q"}, dir_.path());
    ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  }

  // The stored table `name`, read after the binary exited (nullptr if none).
  std::shared_ptr<const query::LookupTable> Stored(const std::string& name) {
    std::unique_ptr<storage::Store> store;
    storage::StoreOptions options;
    options.create_if_missing = false;
    if (!storage::Store::Open(dir_ / "store", options, &store).ok()) return nullptr;
    std::shared_ptr<const query::LookupTable> table;
    if (!query::LoadTableNamed(*store, name, -1, &table).ok()) return nullptr;
    return table;
  }

  ScratchDir dir_{"kpi-table-cli"};
};

TEST_F(TableCliTest, LoadsAndReplaces) {
  WriteFile(dir_ / "agents.csv", kAgents);
  KpiRun run = RunKpi({"table", "load", "--db", "store", "agents", "agents.csv", "--key", "agent"}, dir_.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "table agents: 2 rows loaded from agents.csv (key agent)\n"
            "  agent  string\n"
            "  role   string\n"
            "  score  number\n"
            "  limit  number\n");
  auto table = Stored("agents");
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->rows, 2u);
  EXPECT_DOUBLE_EQ(table->columns[3].numbers[table->FindRow("a1")], 900);

  // From stdin, replacing the whole table.
  KpiRun again = RunKpi({"table", "load", "--db", "store", "agents", "-", "--key", "agent"}, dir_.path(),
                        "agent,role\nb1,qa\n", /*has_stdin=*/true);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out.rfind("table agents: 1 rows loaded from <stdin> (key agent)\n", 0), 0u) << again.out;
  table = Stored("agents");
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->FindRow("a1"), -1);
  EXPECT_EQ(table->FindRow("b1"), 0);
}

TEST_F(TableCliTest, BadCsvNamesFileAndLineAndLoadsNothing) {
  WriteFile(dir_ / "bad.csv", "agent,role\na1,x\na2,y\na1,z\n");
  KpiRun run = RunKpi({"table", "load", "--db", "store", "agents", "bad.csv", "--key", "agent"}, dir_.path());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "kpi table load: bad.csv:4: duplicate key 'a1' (first on line 2)\n");
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(Stored("agents"), nullptr);

  KpiRun stdin_err = RunKpi({"table", "load", "--db", "store", "agents", "-", "--key", "agent"}, dir_.path(),
                            "agent,score\na1,3\na2,n/a\n", true);
  EXPECT_EQ(stdin_err.exit_code, 1);
  EXPECT_NE(stdin_err.err.find("<stdin>:3: column 'score' holds a string"), std::string::npos) << stdin_err.err;

  WriteFile(dir_ / "agents.csv", kAgents);
  KpiRun no_key = RunKpi({"table", "load", "--db", "store", "agents", "agents.csv", "--key", "id"}, dir_.path());
  EXPECT_EQ(no_key.exit_code, 1);
  EXPECT_NE(no_key.err.find("agents.csv:1: header: no key column 'id'"), std::string::npos) << no_key.err;
}

TEST_F(TableCliTest, UsageErrors) {
  WriteFile(dir_ / "agents.csv", kAgents);
  KpiRun bad_name = RunKpi({"table", "load", "--db", "store", "a-b", "agents.csv", "--key", "agent"}, dir_.path());
  EXPECT_EQ(bad_name.exit_code, 2);
  EXPECT_NE(bad_name.err.find("bad table name 'a-b'"), std::string::npos) << bad_name.err;
  KpiRun missing = RunKpi({"table", "load", "--db", "store", "agents", "nope.csv", "--key", "agent"}, dir_.path());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot open nope.csv"), std::string::npos) << missing.err;
  KpiRun no_store = RunKpi({"table", "load", "--db", "nostore", "agents", "agents.csv", "--key", "agent"}, dir_.path());
  EXPECT_EQ(no_store.exit_code, 2);
  EXPECT_NE(no_store.err.find("no store at nostore"), std::string::npos) << no_store.err;
  KpiRun no_key_flag = RunKpi({"table", "load", "--db", "store", "agents", "agents.csv"}, dir_.path());
  EXPECT_EQ(no_key_flag.exit_code, 2);
  KpiRun no_sub = RunKpi({"table"}, dir_.path());
  EXPECT_EQ(no_sub.exit_code, 2);
}

}  // namespace
}  // namespace kpi::testing
