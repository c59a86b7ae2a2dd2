// `kpi ingest|query|repl --backend clickhouse` through the real binary,
// against the fixture cluster: the local ingest's rejects (file:line: reason)
// and exit code, a re-sent file doubling nothing, query output, explain's
// SQL, and flag errors (exit 2); kpi table load and kpi targets load into
// the cluster and named definitions shared between processes.
#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "clickhouse_env.h"
#include "test_util.h"

namespace kpi::clickhouse {
namespace {

struct KpiRun {
  int code = -1;
  std::string out, err;
};

KpiRun Kpi(const std::string& args, const kpi::testing::ScratchDir& dir, const std::string& stdin_file = "/dev/null") {
  const std::string out = dir.path() + "/out.txt", err = dir.path() + "/err.txt";
  const std::string cmd = std::string("'") + KPI_BINARY + "' " + args + " <" + stdin_file + " >" + out + " 2>" + err;
  const int status = std::system(cmd.c_str());
  KpiRun r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = kpi::testing::ReadFile(out);
  r.err = kpi::testing::ReadFile(err);
  return r;
}

// Two tickets, each created and answered.
constexpr const char* kTwoTickets = R"({"ts":"2025-01-01T10:00:00Z","ticket":"T1","event":"created","channel":"chat"}
{"ts":"2025-01-01T10:05:00Z","ticket":"T1","event":"agent_reply","agent":"a1"}
{"ts":"2025-01-02T09:00:00Z","ticket":"T2","event":"created","channel":"email"}
{"ts":"2025-01-02T09:30:00Z","ticket":"T2","event":"agent_reply","agent":"a2"}
)";

// The flags that point a command at the fixture cluster's database.
std::string ClusterFlags(const Config& config) {
  return "--backend clickhouse --clickhouse-url " + config.urls[0] + "," + config.urls[1] + " --cluster " +
         config.cluster + " --database " + config.database;
}

TEST(ClickHouseCli, IngestQueryAndReplThroughTheBinary) {
  Config config;
  KPI_CLICKHOUSE_OR_SKIP("cli", config);
  kpi::testing::ScratchDir dir("kpi-ch-cli");
  const std::string file = dir.path() + "/events.ndjson";
  std::ofstream(file) << R"({"ts":"2025-01-01T10:00:00Z","ticket":"T1","event":"created","channel":"chat"}
{"ts":"2025-01-01T10:05:00Z","ticket":"T1","event":"agent_reply","agent":"a1"}
{"ts":"2025-01-02T09:00:00Z","ticket":"T2","event":"created","channel":"email"}
{"ts":"2025-01-02T09:30:00Z","ticket":"T2","event":"agent_reply","agent":"a2"}
{"ts":"2025-01-03T09:00:00Z","ticket":"T3","event":"created","channel":42}
not json
)";
  const std::string flags = ClusterFlags(config);
  for (int round = 0; round < 2; ++round) {
    const KpiRun r = Kpi("ingest -q " + flags + " " + file, dir);
    EXPECT_EQ(r.code, 1) << r.err;  // some lines rejected
    EXPECT_NE(r.err.find(file + ":5: \"channel\" is a dimension in this store; got a number"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(file + ":6:"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("sent 4, rejected 2"), std::string::npos) << r.out;
  }
  KpiRun q = Kpi("query --format csv " + flags +
                  " 'select count() as n, avg(duration(created -> agent_reply)) as frt from tickets by channel'",
              dir);
  ASSERT_EQ(q.code, 0) << q.err;
  EXPECT_EQ(q.out, "channel,n,frt\nchat,1,300\nemail,1,1800\n");
  q = Kpi("query " + flags + " 'explain select count() from tickets'", dir);
  ASSERT_EQ(q.code, 0) << q.err;
  EXPECT_NE(q.out.find("GROUP BY ticket"), std::string::npos) << q.out;
  const std::string script = dir.path() + "/script.kpi";
  std::ofstream(script) << "select count() as n from events where event = \"agent_reply\";\n";
  q = Kpi("repl --format csv " + flags, dir, script);
  ASSERT_EQ(q.code, 0) << q.err;
  EXPECT_NE(q.out.find("n\n2\n"), std::string::npos) << q.out;
  q = Kpi("query --backend clickhouse 'select count() from tickets'", dir);
  EXPECT_EQ(q.code, 2);
  EXPECT_NE(q.err.find("--clickhouse-url"), std::string::npos) << q.err;
  q = Kpi("query --backend duckdb --db x 'select count() from tickets'", dir);
  EXPECT_EQ(q.code, 2);
  EXPECT_NE(q.err.find("--backend must be local or clickhouse"), std::string::npos) << q.err;
}

// kpi table load --backend clickhouse: the table goes to the cluster's
// definitions, where a query (another process) joins it; a define through
// kpi query is seen by the next one.
TEST(ClickHouseCli, TableLoadAndDefinitionsThroughTheBinary) {
  Config config;
  KPI_CLICKHOUSE_OR_SKIP("cli_tables", config);
  kpi::testing::ScratchDir dir("kpi-ch-cli-tables");
  const std::string events = dir.path() + "/events.ndjson", table = dir.path() + "/channels.csv",
                    bad = dir.path() + "/bad.csv";
  std::ofstream(events) << kTwoTickets;
  std::ofstream(table) << "channel,sla_seconds\nchat,600\nemail,3600\n";
  std::ofstream(bad) << "channel,sla_seconds\nchat,600\nchat,60\n";
  const std::string flags = ClusterFlags(config);
  ASSERT_EQ(Kpi("ingest -q " + flags + " " + events, dir).code, 0);
  KpiRun r = Kpi("table load " + flags + " channels " + table + " --key channel", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("table channels: 2 rows loaded"), std::string::npos) << r.out;
  r = Kpi("table load " + flags + " channels " + bad + " --key channel", dir);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(bad + ":3: duplicate key 'chat'"), std::string::npos) << r.err;
  r = Kpi("query " + flags + " 'define kpi frt = avg(duration(created -> agent_reply))'", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  r = Kpi("query --format csv " + flags +
              " 'select frt, max(channels.sla_seconds) as sla from tickets join channels on channel by channel'",
          dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "channel,frt,sla\nchat,300,600\nemail,1800,3600\n");
  r = Kpi("table load channels " + table + " --key channel", dir);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--db is required"), std::string::npos) << r.err;
}

// kpi targets load --backend clickhouse: the same checks as locally against
// the cluster's KPIs and dimensions (file:line errors, nothing written),
// then the targets are the cluster's: show and evaluate (other processes) see them.
TEST(ClickHouseCli, TargetsLoadThroughTheBinary) {
  Config config;
  KPI_CLICKHOUSE_OR_SKIP("cli_targets", config);
  kpi::testing::ScratchDir dir("kpi-ch-cli-targets");
  const std::string events = dir.path() + "/events.ndjson", good = dir.path() + "/targets.csv",
                    unknown_kpi = dir.path() + "/kpi.csv", unknown_dim = dir.path() + "/dim.csv";
  std::ofstream(events) << kTwoTickets;
  std::ofstream(good) << "kpi,op,target,channel\nfrt,<=,10m,chat\nfrt,<=,20m,\n";
  std::ofstream(unknown_kpi) << "kpi,op,target\nfrt,<=,1h\nfrtt,<=,1h\n";
  std::ofstream(unknown_dim) << "kpi,op,target,chanel\nfrt,<=,1h,chat\n";
  const std::string flags = ClusterFlags(config);
  ASSERT_EQ(Kpi("ingest -q " + flags + " " + events, dir).code, 0);
  KpiRun r = Kpi("query " + flags + " 'define kpi frt = avg(duration(created -> agent_reply))'", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  r = Kpi("targets load " + flags + " " + unknown_kpi, dir);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("kpi targets load: " + unknown_kpi + ":3: unknown kpi 'frtt' (did you mean 'frt'?)", 0), 0u)
      << r.err;
  r = Kpi("targets load " + flags + " " + unknown_dim, dir);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("kpi targets load: " + unknown_dim + ":2: unknown dimension 'chanel' (did you mean 'channel'?)", 0),
            0u)
      << r.err;
  r = Kpi("query --format csv " + flags + " 'show targets'", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("frt"), std::string::npos) << r.out;  // nothing written by the bad files
  r = Kpi("targets load " + flags + " " + good, dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("targets: 2 loaded from " + good + " (2 new, 0 redefined)"), std::string::npos) << r.out;
  r = Kpi("query --format csv " + flags + " 'evaluate frt from tickets by channel'", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("chat,frt,300,<=,600,true"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("email,frt,1800,<=,1200,false"), std::string::npos) << r.out;
  // A saved JSON answer verifies against the cluster after more events land.
  r = Kpi("query --format json " + flags + " 'evaluate frt from tickets by channel'", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  std::ofstream(dir.path() + "/saved.json") << r.out;
  std::ofstream(events) << R"({"ts":"2025-01-03T10:00:00Z","ticket":"T3","event":"created","channel":"chat"}
{"ts":"2025-01-03T11:00:00Z","ticket":"T3","event":"agent_reply","agent":"a1"}
)";
  ASSERT_EQ(Kpi("ingest -q " + flags + " " + events, dir).code, 0);
  r = Kpi("audit verify " + flags + " " + dir.path() + "/saved.json", dir);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("verified: hash ", 0), 0u) << r.out;
  r = Kpi("targets load " + good, dir);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--db is required"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace kpi::clickhouse
