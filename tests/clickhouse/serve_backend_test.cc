// `kpi serve --backend clickhouse` through the real binary and real sockets,
// against the fixture cluster: /health, an NDJSON upload to /v1/events (a
// bad line reported, a re-sent body doubling nothing), /v1/query in CSV,
// a statement error's position, and a clean shutdown on SIGTERM; then the
// definition endpoints over the cluster's definitions (tables, targets,
// exemptions, completion, dashboards), a scoped token's statements and
// uploads, and 501 for backups. HTTP requests are made with curl.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "clickhouse_env.h"
#include "test_util.h"

namespace kpi::clickhouse {
namespace {

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\' || c == '$' || c == '`') out += '\\';
    out += c;
  }
  return out;
}

// The flags that point kpi serve at the fixture cluster's database.
std::string ClusterFlags(const Config& config) {
  return "--backend clickhouse --clickhouse-url " + config.urls[0] + "," + config.urls[1] + " --cluster " +
         config.cluster + " --database " + config.database;
}

// The start of a test script: runs kpi serve in `dir`, waits for its
// address ($addr; the server's pid in $pid, its stderr in serve.log).
std::string StartServe(const kpi::testing::ScratchDir& dir, const std::string& flags) {
  return "cd '" + dir.path() + "' || exit 98; '" + KPI_BINARY + "' serve " + flags +
         " --listen 127.0.0.1:0 2>serve.log & pid=$!; i=0; "
         "while ! grep -q 'listening on' serve.log 2>/dev/null; do "
         "  i=$((i+1)); [ $i -gt 600 ] && { kill -9 $pid; exit 99; }; "
         "  kill -0 $pid 2>/dev/null || { wait $pid; exit $?; }; sleep 0.05; done; "
         "addr=$(sed -n 's/^listening on //p' serve.log | head -1); ";
}

TEST(ClickHouseServe, QueriesUploadsAndHealthOverARealSocket) {
  if (std::system("curl --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "curl is not installed";
  Config config;
  KPI_CLICKHOUSE_OR_SKIP("serve", config);
  kpi::testing::ScratchDir dir("kpi-ch-serve");
  std::ofstream(dir.path() + "/events.ndjson")
      << R"({"ts":"2025-01-01T10:00:00Z","ticket":"T1","event":"created","channel":"chat"}
{"ts":"2025-01-01T10:05:00Z","ticket":"T1","event":"agent_reply","agent":"a1"}
{"ts":"2025-01-02T09:00:00Z","ticket":"T2","event":"created","channel":"email"}
not json
{"ts":"2025-01-02T09:30:00Z","ticket":"T2","event":"agent_reply","agent":"a2"}
)";
  const std::string flags = ClusterFlags(config);
  const std::string query = "select count() as n, avg(duration(created -> agent_reply)) as frt from tickets by channel";
  // Starts the server, waits for its address, makes the requests (each
  // answer into a file: body, then the status code), stops it with SIGTERM.
  const std::string script =
      StartServe(dir, flags) + "curl -s -w '\\n%{http_code}' http://$addr/health >health.txt; "
      "curl -s -w '\\n%{http_code}' -H 'Content-Type: application/x-ndjson' --data-binary @events.ndjson "
      "  http://$addr/v1/events >upload1.txt; "
      "curl -s -w '\\n%{http_code}' --data-binary @events.ndjson http://$addr/v1/events >upload2.txt; "
      "curl -s -w '\\n%{http_code}' --data-binary '" + query + "' \"http://$addr/v1/query?format=csv\" >query.txt; "
      "curl -s -w '\\n%{http_code}' --data-binary 'select count() from tickets where chanel = 1' "
      "  http://$addr/v1/query >error.txt; "
      "kill -TERM $pid; wait $pid";
  const int status = std::system(("sh -c \"" + Escape(script) + "\"").c_str());
  const std::string log = kpi::testing::ReadFile(dir.path() + "/serve.log");
  ASSERT_TRUE(WIFEXITED(status)) << log;
  EXPECT_EQ(WEXITSTATUS(status), 0) << log;
  EXPECT_NE(log.find("backend: clickhouse"), std::string::npos) << log;
  EXPECT_NE(log.find("stopped"), std::string::npos) << log;
  auto read = [&](const char* name) { return kpi::testing::ReadFile(dir.path() + "/" + name); };
  EXPECT_EQ(read("health.txt"), "{\"status\":\"ok\"}\n\n200") << read("health.txt");
  for (const char* upload : {"upload1.txt", "upload2.txt"}) {
    const std::string body = read(upload);
    EXPECT_NE(body.find("\"accepted\":4"), std::string::npos) << body;
    EXPECT_NE(body.find("\"line\":4"), std::string::npos) << body;  // the bad line, reported
    EXPECT_EQ(body.substr(body.size() - 3), "200") << body;
  }
  // Sent twice, counted once: the queries keep one copy of each event.
  EXPECT_EQ(read("query.txt"), "channel,n,frt\nchat,1,300\nemail,1,1800\n\n200") << read("query.txt");
  const std::string error = read("error.txt");
  EXPECT_NE(error.find("unknown column 'chanel'"), std::string::npos) << error;
  EXPECT_NE(error.find("\"column\":35"), std::string::npos) << error;
  EXPECT_EQ(error.substr(error.size() - 3), "400") << error;
}

// The endpoints that read and write definitions, through the cluster's
// (kpi_meta: a second front end would see them), and scoped tokens.
TEST(ClickHouseServe, DefinitionEndpointsAndScopedTokens) {
  if (std::system("curl --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "curl is not installed";
  Config config;
  KPI_CLICKHOUSE_OR_SKIP("serve_defs", config);
  kpi::testing::ScratchDir dir("kpi-ch-serve-defs");
  // T3 moved from acme to globex: outside `client = "acme"` (its latest value counts).
  std::ofstream(dir.path() + "/events.ndjson")
      << R"({"ts":"2025-01-01T10:00:00Z","ticket":"T1","event":"created","channel":"chat","client":"acme"}
{"ts":"2025-01-01T10:05:00Z","ticket":"T1","event":"agent_reply","agent":"a1"}
{"ts":"2025-01-02T09:00:00Z","ticket":"T2","event":"created","channel":"email","client":"globex"}
{"ts":"2025-01-02T09:30:00Z","ticket":"T2","event":"agent_reply","agent":"a2"}
{"ts":"2025-01-03T09:00:00Z","ticket":"T3","event":"created","channel":"chat","client":"acme"}
{"ts":"2025-01-03T09:20:00Z","ticket":"T3","event":"agent_reply","agent":"a1","client":"globex"}
)";
  std::ofstream(dir.path() + "/tokens") << "admin-token-1 admin\n"
                                        << "acme-read-token read scope client = \"acme\"\n"
                                        << "acme-write-token write scope client = \"acme\"\n";
  // A scoped writer: a new acme ticket and an event on an acme ticket go
  // in; an event on globex's ticket and one moving T1 to globex do not.
  std::ofstream(dir.path() + "/scoped.ndjson")
      << R"({"ts":"2025-01-04T10:00:00Z","ticket":"T4","event":"created","channel":"email","client":"acme"}
{"ts":"2025-01-04T10:01:00Z","ticket":"T2","event":"agent_reply","agent":"a9"}
{"ts":"2025-01-04T10:02:00Z","ticket":"T1","event":"resolved"}
{"ts":"2025-01-04T10:03:00Z","ticket":"T1","event":"note","client":"globex"}
)";
  std::ofstream(dir.path() + "/agents.csv") << "agent,site\na1,lisbon\na2,porto\n";
  std::ofstream(dir.path() + "/targets.csv") << "kpi,op,target,channel\nfrt,<=,10m,chat\n";
  std::ofstream(dir.path() + "/bad_targets.csv") << "kpi,op,target\nfrtt,<=,1h\n";
  std::ofstream(dir.path() + "/board.json")
      << R"({"title":"Desk","tiles":[{"statement":"select count() as n from tickets by channel"}]})";
  const std::string flags = ClusterFlags(config) + " --tokens tokens";
  auto call = [](const std::string& out, const std::string& token, const std::string& args) {
    return "curl -s -w '\\n%{http_code}' -H 'Authorization: Bearer " + token + "' " + args + " >" + out + "; ";
  };
  const std::string admin = "admin-token-1", acme = "acme-read-token";
  const std::string by_channel = "select count() as n from tickets by channel";
  const std::string script =
      StartServe(dir, flags) +
      call("upload.txt", admin, "--data-binary @events.ndjson http://$addr/v1/events") +
      call("all.txt", admin, "--data-binary '" + by_channel + "' \"http://$addr/v1/query?format=csv\"") +
      call("acme.txt", acme, "--data-binary '" + by_channel + "' \"http://$addr/v1/query?format=csv\"") +
      call("scoped_upload.txt", "acme-write-token", "--data-binary @scoped.ndjson http://$addr/v1/events") +
      call("acme_after.txt", acme, "--data-binary '" + by_channel + "' \"http://$addr/v1/query?format=csv\"") +
      call("table.txt", admin, "-X PUT --data-binary @agents.csv \"http://$addr/v1/tables/agents?key=agent\"") +
      call("join.txt", acme,
           "--data-binary 'select count() as n from events join agents on agent where event = \"agent_reply\" "
           "by agents.site' \"http://$addr/v1/query?format=csv\"") +
      call("kpi.txt", admin, "--data-binary 'define kpi frt = avg(duration(created -> agent_reply))' http://$addr/v1/query") +
      call("targets.txt", admin, "-X PUT --data-binary @targets.csv http://$addr/v1/targets") +
      call("bad_targets.txt", admin, "-X PUT --data-binary @bad_targets.csv http://$addr/v1/targets") +
      call("evaluate.txt", acme, "--data-binary 'evaluate frt from tickets by channel' \"http://$addr/v1/query?format=csv\"") +
      call("exemption.txt", admin,
           "--data-binary 'define exemption peak during 2025-11-20 .. 2025-12-01 relax frt <= 1h' http://$addr/v1/query") +
      call("exemptions.txt", acme, "http://$addr/v1/exemptions") +
      call("complete.txt", acme, "\"http://$addr/v1/complete?q=select%20frt%20from%20tickets%20by%20cha\"") +
      call("board.txt", admin, "-X PUT --data-binary @board.json http://$addr/v1/dashboards/desk") +
      call("boards.txt", acme, "http://$addr/v1/dashboards") +
      call("backup.txt", admin, "-X POST \"http://$addr/v1/backup?to=/tmp/kpi-ch-backup-never\"") +
      "kill -TERM $pid; wait $pid";
  const int status = std::system(("sh -c \"" + Escape(script) + "\"").c_str());
  const std::string log = kpi::testing::ReadFile(dir.path() + "/serve.log");
  ASSERT_TRUE(WIFEXITED(status)) << log;
  EXPECT_EQ(WEXITSTATUS(status), 0) << log;
  auto read = [&](const char* name) { return kpi::testing::ReadFile(dir.path() + "/" + name); };
  auto code = [&](const char* name) {
    const std::string body = read(name);
    return body.size() < 3 ? std::string() : body.substr(body.size() - 3);
  };
  EXPECT_EQ(code("upload.txt"), "200") << read("upload.txt");
  EXPECT_EQ(read("all.txt"), "channel,n\nchat,2\nemail,1\n\n200");
  EXPECT_EQ(read("acme.txt"), "channel,n\nchat,1\n\n200");  // T1 only
  const std::string scoped = read("scoped_upload.txt");
  EXPECT_NE(scoped.find("\"accepted\":2"), std::string::npos) << scoped;
  EXPECT_NE(scoped.find("{\"line\":2,\"error\":\"ticket T2: outside this token's scope (client = \\\"acme\\\")\"}"),
            std::string::npos)
      << scoped;
  EXPECT_NE(scoped.find("{\"line\":4,\"error\":\"ticket T1: outside"), std::string::npos) << scoped;
  EXPECT_EQ(read("acme_after.txt"), "channel,n\nchat,1\nemail,1\n\n200");
  EXPECT_EQ(code("table.txt"), "200") << read("table.txt");
  EXPECT_NE(read("table.txt").find("\"rows\":2"), std::string::npos) << read("table.txt");
  EXPECT_EQ(read("join.txt"), "agents.site,n\nlisbon,1\n\n200");  // T1's reply; T3's is outside the scope
  EXPECT_EQ(code("kpi.txt"), "200") << read("kpi.txt");
  EXPECT_EQ(code("targets.txt"), "200") << read("targets.txt");
  EXPECT_NE(read("targets.txt").find("\"targets\":1"), std::string::npos) << read("targets.txt");
  EXPECT_EQ(code("bad_targets.txt"), "400") << read("bad_targets.txt");
  EXPECT_NE(read("bad_targets.txt").find("line 2: unknown kpi 'frtt'"), std::string::npos) << read("bad_targets.txt");
  EXPECT_EQ(code("evaluate.txt"), "200") << read("evaluate.txt");
  EXPECT_NE(read("evaluate.txt").find("chat,frt,300"), std::string::npos) << read("evaluate.txt");
  // email: T4 only (not answered yet); T2's 1800 s are outside the scope.
  EXPECT_NE(read("evaluate.txt").find("email,frt,,"), std::string::npos) << read("evaluate.txt");
  EXPECT_EQ(code("exemption.txt"), "200") << read("exemption.txt");
  EXPECT_EQ(code("exemptions.txt"), "200") << read("exemptions.txt");
  EXPECT_NE(read("exemptions.txt").find("\"name\":\"peak\""), std::string::npos) << read("exemptions.txt");
  EXPECT_EQ(code("complete.txt"), "200") << read("complete.txt");
  EXPECT_NE(read("complete.txt").find("\"channel\""), std::string::npos) << read("complete.txt");
  EXPECT_EQ(code("board.txt"), "200") << read("board.txt");
  EXPECT_NE(read("boards.txt").find("\"name\":\"desk\""), std::string::npos) << read("boards.txt");
  EXPECT_EQ(code("backup.txt"), "501") << read("backup.txt");
  EXPECT_NE(read("backup.txt").find("ClickHouse"), std::string::npos) << read("backup.txt");
}

}  // namespace
}  // namespace kpi::clickhouse
