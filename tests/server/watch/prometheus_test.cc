// Debian's `prometheus` scraping a real `kpi serve` that runs a watch: the
// watch's gauges (kpistore_watch_value / _target / _met) read back through
// Prometheus's HTTP API equal the watch's own last run (from watch NAME).
// Both processes run on loopback ports of their own in a scratch directory.
// Skips, saying so, only where the prometheus binary is not installed
// (.ci/setup installs it: apt-get install prometheus).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <functional>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "server/http_client.h"
#include "server/url.h"
#include "server/watch/webhook_receiver.h"
#include "test_util.h"

extern char** environ;

namespace kpi::server::testing {
namespace {

using nlohmann::json;

std::string FindPrometheus() {
  for (const char* path : {"/usr/bin/prometheus", "/usr/local/bin/prometheus", "/bin/prometheus"})
    if (access(path, X_OK) == 0) return path;
  return "";
}

// A child process with stdout and stderr in `log`; SIGTERM and reaped on destruction.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::string& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Child() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 200; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  bool running() const { return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }

 private:
  pid_t pid_ = -1;
};

bool WaitUntil(const std::function<bool()>& done, int timeout_ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

std::string Encode(const std::string& s) {
  std::string out;
  const char* hex = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '_' || c == '-' || c == '.') out.push_back(static_cast<char>(c));
    else out += std::string("%") + hex[c >> 4] + hex[c & 15];
  }
  return out;
}

// The value Prometheus holds for `query` now, or "" (no sample yet).
std::string PromValue(uint16_t port, const std::string& query) {
  const HttpReply r = Fetch(port, "GET", "/api/v1/query?query=" + Encode(query));
  if (r.status != 200) return "";
  const json doc = json::parse(r.body, nullptr, false);
  if (doc.is_discarded() || doc["status"] != "success" || doc["data"]["result"].empty()) return "";
  return doc["data"]["result"][0]["value"][1].get<std::string>();
}

TEST(Prometheus, ScrapesTheWatchGaugesOfKpiServe) {
  const std::string prometheus = FindPrometheus();
  if (prometheus.empty())
    GTEST_SKIP() << "prometheus is not installed here (Debian: apt-get install prometheus; .ci/setup installs it)";
  kpi::testing::ScratchDir dir("kpi-prom");
  kpi::testing::WriteFile(dir / "e.ndjson",
                          "{\"ts\":\"2025-06-10T10:00:00Z\",\"ticket\":\"C1\",\"event\":\"created\",\"channel\":\"chat\"}\n"
                          "{\"ts\":\"2025-06-10T11:00:00Z\",\"ticket\":\"E1\",\"event\":\"created\",\"channel\":\"email\"}\n"
                          "{\"ts\":\"2025-06-10T11:05:00Z\",\"ticket\":\"E2\",\"event\":\"created\",\"channel\":\"email\"}\n"
                          "{\"ts\":\"2025-06-10T11:30:00Z\",\"ticket\":\"E1\",\"event\":\"escalated\"}\n");
  const std::string kpi = KPI_BINARY;
  ASSERT_EQ(std::system(("'" + kpi + "' ingest --db '" + (dir / "store") + "' '" + (dir / "e.ndjson") + "' -q").c_str()),
            0);
  kpi::testing::WriteFile(dir / "defs.kpiql",
                          "define kpi escalation = rate(has(escalated));\n"
                          "define target escalation <= 10%;\n"
                          "define watch esc every 1s as evaluate escalation from tickets by channel;\n");
  ASSERT_EQ(std::system(("'" + kpi + "' query --db '" + (dir / "store") + "' -f '" + (dir / "defs.kpiql") +
                         "' > /dev/null")
                            .c_str()),
            0);

  Child serve({kpi, "serve", "--db", dir / "store", "--listen", "127.0.0.1:0"}, dir / "serve.log");
  uint16_t kpi_port = 0;
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::smatch m;
        const std::string log = kpi::testing::ReadFile(dir / "serve.log");
        if (!std::regex_search(log, m, std::regex("listening on 127\\.0\\.0\\.1:([0-9]+)"))) return false;
        kpi_port = static_cast<uint16_t>(std::stoi(m[1]));
        return true;
      },
      20000))
      << kpi::testing::ReadFile(dir / "serve.log");

  const uint16_t prom_port = FreePort();
  kpi::testing::WriteFile(dir / "prometheus.yml",
                          "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                          "scrape_configs:\n  - job_name: kpistore\n    static_configs:\n"
                          "      - targets: ['127.0.0.1:" + std::to_string(kpi_port) + "']\n");
  Child prom({prometheus, "--config.file=" + (dir / "prometheus.yml"), "--storage.tsdb.path=" + (dir / "tsdb"),
              "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)},
             dir / "prometheus.log");

  // The gauges as Prometheus scraped them.
  const std::string email = "{watch=\"esc\",kpi=\"escalation\",channel=\"email\"}";
  std::string value;
  ASSERT_TRUE(WaitUntil([&] { return !(value = PromValue(prom_port, "kpistore_watch_value" + email)).empty(); }, 60000))
      << "prometheus never had the gauge\n--- prometheus.log\n" << kpi::testing::ReadFile(dir / "prometheus.log")
      << "\n--- serve.log\n" << kpi::testing::ReadFile(dir / "serve.log");
  EXPECT_EQ(PromValue(prom_port, "kpistore_watch_target" + email), "0.1");
  EXPECT_EQ(PromValue(prom_port, "kpistore_watch_met" + email), "0");
  EXPECT_EQ(PromValue(prom_port, "kpistore_watch_met{watch=\"esc\",channel=\"chat\"}"), "1");
  EXPECT_EQ(PromValue(prom_port, "kpistore_watch_failed{watch=\"esc\"}"), "0");
  EXPECT_EQ(PromValue(prom_port, "up{job=\"kpistore\"}"), "1");

  // ... equal the watch's own last run, read back from the server.
  const HttpReply latest = Fetch(kpi_port, "POST", "/v1/query",
                                 "select max(value) as v from watch esc where channel = \"email\"");
  ASSERT_EQ(latest.status, 200) << latest.body;
  const json doc = json::parse(latest.body);
  EXPECT_DOUBLE_EQ(std::stod(value), doc["rows"][0][0].get<double>());
  EXPECT_DOUBLE_EQ(std::stod(value), 0.5);
  EXPECT_TRUE(serve.running());
}

}  // namespace
}  // namespace kpi::server::testing
