// `kpi serve --backend clickhouse` through the real binary and real sockets,
// against the fixture cluster: /health, an NDJSON upload to /v1/events (a
// bad line reported, a re-sent body doubling nothing), /v1/query in CSV,
// a statement error's position, 503 for what needs the local store, and a
// clean shutdown on SIGTERM. HTTP requests are made with curl.
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
  const std::string flags = "--backend clickhouse --clickhouse-url " + config.urls[0] + "," + config.urls[1] +
                            " --cluster " + config.cluster + " --database " + config.database;
  const std::string query = "select count() as n, avg(duration(created -> agent_reply)) as frt from tickets by channel";
  // Starts the server, waits for its address, makes the requests (each
  // answer into a file: body, then the status code), stops it with SIGTERM.
  const std::string script =
      "cd '" + dir.path() + "' || exit 98; '" + KPI_BINARY + "' serve " + flags +
      " --listen 127.0.0.1:0 2>serve.log & pid=$!; i=0; "
      "while ! grep -q 'listening on' serve.log 2>/dev/null; do "
      "  i=$((i+1)); [ $i -gt 600 ] && { kill -9 $pid; exit 99; }; "
      "  kill -0 $pid 2>/dev/null || { wait $pid; exit $?; }; sleep 0.05; done; "
      "addr=$(sed -n 's/^listening on //p' serve.log | head -1); "
      "curl -s -w '\\n%{http_code}' http://$addr/health >health.txt; "
      "curl -s -w '\\n%{http_code}' -H 'Content-Type: application/x-ndjson' --data-binary @events.ndjson "
      "  http://$addr/v1/events >upload1.txt; "
      "curl -s -w '\\n%{http_code}' --data-binary @events.ndjson http://$addr/v1/events >upload2.txt; "
      "curl -s -w '\\n%{http_code}' --data-binary '" + query + "' \"http://$addr/v1/query?format=csv\" >query.txt; "
      "curl -s -w '\\n%{http_code}' --data-binary 'select count() from tickets where chanel = 1' "
      "  http://$addr/v1/query >error.txt; "
      "curl -s -w '\\n%{http_code}' http://$addr/v1/exemptions >store.txt; "
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
  const std::string store = read("store.txt");
  EXPECT_EQ(store.substr(store.size() - 3), "503") << store;
}

}  // namespace
}  // namespace kpi::clickhouse
