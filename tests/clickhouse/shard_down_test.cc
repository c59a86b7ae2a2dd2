// A stopped shard: statements fail with a clear error, never a partial
// answer. Runs its own two-shard cluster (tests/clickhouse/cluster.sh in a
// scratch folder), since it stops one of the servers.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "clickhouse/clickhouse_backend.h"
#include "test_util.h"

namespace kpi::clickhouse {
namespace {

std::string EnvValue(const std::string& file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  return "";
}

TEST(ClickHouseShardDown, AStoppedShardFailsTheStatementClearly) {
  if (access("/usr/sbin/clickhouse-server", X_OK) != 0)
    GTEST_SKIP() << "SKIP: clickhouse-server is not installed (apt-get install clickhouse-server clickhouse-client)";
  kpi::testing::ScratchDir dir("kpi-ch-down");
  const std::string script = std::string(KPI_TEST_DATA_DIR) + "/clickhouse/cluster.sh";
  const std::string cluster = dir.path() + "/cluster";
  ASSERT_EQ(std::system(("bash " + script + " start " + cluster + " >/dev/null").c_str()), 0);
  struct Stop {
    std::string cmd;
    ~Stop() { std::system(cmd.c_str()); }
  } stop{"bash " + script + " stop " + cluster};

  Config config;
  config.urls = {EnvValue(cluster + "/env", "CLICKHOUSE_URL"), EnvValue(cluster + "/env", "CLICKHOUSE_URL2")};
  config.cluster = EnvValue(cluster + "/env", "CLICKHOUSE_CLUSTER");
  std::unique_ptr<ClickHouseBackend> ch;
  ASSERT_TRUE(ClickHouseBackend::Open(config, nullptr, &ch).ok());
  std::vector<RawEvent> events;
  for (int i = 0; i < 20; ++i) {
    RawEvent& e = events.emplace_back();
    e.ts_ms = 1000 + i;
    e.ticket = "T" + std::to_string(i);
    e.event = "created";
  }
  std::vector<storage::EventReject> rejects;
  storage::IngestStats stats;
  ASSERT_TRUE(ch->Ingest(events, &rejects, &stats).ok());
  query::Result r;
  query::QueryError e;
  ASSERT_TRUE(ch->Execute("select count() as n from tickets", {}, &r, &e).ok()) << e.ToString();
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0].number, 20);

  const pid_t shard2 = static_cast<pid_t>(std::atol(kpi::testing::ReadFile(cluster + "/shard2/pid").c_str()));
  ASSERT_GT(shard2, 0);
  ASSERT_EQ(kill(shard2, SIGKILL), 0);
  for (int i = 0; i < 100 && kill(shard2, 0) == 0; ++i) usleep(50000);
  const Status s = ch->Execute("select count() as n from tickets", {}, &r, &e);
  ASSERT_FALSE(s.ok()) << "a partial answer: " << (r.rows.empty() ? 0 : r.rows[0][0].number) << " tickets";
  EXPECT_NE(s.ToString().find("clickhouse at " + config.urls[0]), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace kpi::clickhouse
