// Watches on `kpi serve --backend clickhouse` through the real binary, real
// sockets and the fixture cluster: two front ends share the cluster; the
// one holding the watch lease (server/watch_lease.h) runs the watch and
// POSTs each alert change once to a real loopback webhook receiver, GET
// /v1/alerts answers from the cluster on either front end, `from watch`
// reads the runs, and when the leader stops the other takes over and sends
// the next change (no repeat of the earlier ones).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "clickhouse/clickhouse_backend.h"
#include "answer_text.h"
#include "clickhouse_env.h"
#include "server/watch/webhook_receiver.h"
#include "test_util.h"

namespace kpi::clickhouse {
namespace {

// One `kpi serve` child: its stderr in `log`; SIGKILLed if the test ends early.
class ServeProcess {
 public:
  ~ServeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // Starts it and waits (30 s at most) until it listens.
  ::testing::AssertionResult Start(const std::string& flags, const std::string& log) {
    log_ = log;
    const std::string command = "exec '" + std::string(KPI_BINARY) + "' serve " + flags +
                                " --listen 127.0.0.1:0 2>'" + log + "'";
    pid_ = fork();
    if (pid_ == 0) {
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 600; ++i) {
      const std::string text = kpi::testing::ReadFile(log);
      const size_t at = text.find("listening on ");
      if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
        addr_ = text.substr(at + 13, text.find('\n', at) - at - 13);
        return ::testing::AssertionSuccess();
      }
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return ::testing::AssertionFailure() << "kpi serve exited: " << text;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return ::testing::AssertionFailure() << "kpi serve did not listen: " << kpi::testing::ReadFile(log);
  }

  // SIGTERM, then its exit status (-1: it had to be killed).
  int Stop() {
    kill(pid_, SIGTERM);
    for (int i = 0; i < 400; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -1;  // the destructor kills it
  }

  std::string Log() const { return kpi::testing::ReadFile(log_); }
  bool Leads() const { return Log().find("holds the watch lease and runs them") != std::string::npos; }
  const std::string& addr() const { return addr_; }

 private:
  pid_t pid_ = -1;
  std::string log_, addr_;
};

std::string Curl(const std::string& url) {
  std::string out;
  if (FILE* p = popen(("curl -s -m 10 '" + url + "'").c_str(), "r")) {
    char buf[4096];
    size_t n = 0;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  return out;
}

std::string Answer(const ClickHouseBackend& ch, const std::string& text) {
  return kpi::testing::AnswerText(ch, text);
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(ClickHouseWatches, OneOfTwoFrontEndsRunsTheWatchAndEachChangeIsSentOnce) {
  if (std::system("curl --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "curl is not installed";
  Config config;
  KPI_CLICKHOUSE_OR_SKIP("watch_serve", config);
  kpi::testing::ScratchDir dir("kpi-ch-watch");
  server::testing::WebhookReceiver hook;
  ASSERT_TRUE(hook.Start());
  const std::string flags = "--backend clickhouse --clickhouse-url " + config.urls[0] + "," + config.urls[1] +
                            " --cluster " + config.cluster + " --database " + config.database;
  kpi::testing::WriteFile(dir.path() + "/day1.ndjson",
                          R"({"ts":"2025-01-01T10:00:00Z","ticket":"T1","event":"created","channel":"chat"}
{"ts":"2025-01-02T09:00:00Z","ticket":"T2","event":"created","channel":"email"}
)");
  kpi::testing::WriteFile(dir.path() + "/day2.ndjson",
                          R"({"ts":"2025-01-03T10:00:00Z","ticket":"T3","event":"created","channel":"chat"}
)");
  const std::string ingest = "'" + std::string(KPI_BINARY) + "' ingest " + flags + " '" + dir.path();
  ASSERT_EQ(std::system((ingest + "/day1.ndjson' >/dev/null").c_str()), 0);
  std::unique_ptr<ClickHouseBackend> ch;
  ASSERT_TRUE(ClickHouseBackend::Open(config, nullptr, &ch).ok());
  EXPECT_EQ(Answer(*ch, "define kpi vol = count()"), "kpi vol defined");
  EXPECT_EQ(Answer(*ch, "define target vol >= 2"), "target vol defined");
  EXPECT_EQ(Answer(*ch, "define watch w1 every 1s as evaluate vol from tickets by channel notify \"http://127.0.0.1:" +
                            std::to_string(hook.port()) + "/hook\""),
            "watch w1 defined");

  ServeProcess a, b;
  ASSERT_TRUE(a.Start(flags + " --watch-lease-ms 1500", dir.path() + "/a.log"));
  ASSERT_TRUE(b.Start(flags + " --watch-lease-ms 1500", dir.path() + "/b.log"));
  // chat and email each have 1 ticket: both fire, once.
  ASSERT_TRUE(hook.WaitFor(2, 30000)) << a.Log() << b.Log();
  std::this_thread::sleep_for(std::chrono::seconds(3));  // runs go on, on one front end
  std::vector<std::string> bodies = hook.Bodies();
  ASSERT_EQ(bodies.size(), 2u) << a.Log() << b.Log();
  for (const std::string& body : bodies) EXPECT_NE(body.find("\"status\":\"firing\""), std::string::npos) << body;
  ASSERT_NE(a.Leads(), b.Leads()) << a.Log() << b.Log();
  ServeProcess& leader = a.Leads() ? a : b;
  ServeProcess& other = a.Leads() ? b : a;
  EXPECT_NE(other.Log().find("stands by"), std::string::npos) << other.Log();
  EXPECT_NE(Curl("http://" + leader.addr() + "/metrics").find("kpistore_watch_runner 1"), std::string::npos);
  EXPECT_NE(Curl("http://" + other.addr() + "/metrics").find("kpistore_watch_runner 0"), std::string::npos);
  // Either front end lists the alerts, from the cluster.
  const std::string alerts = Curl("http://" + other.addr() + "/v1/alerts");
  EXPECT_NE(alerts.find("\"firing\":2,\"resolved\":0"), std::string::npos) << alerts;
  EXPECT_NE(alerts.find("\"groups\":\"channel=chat\",\"state\":\"firing\""), std::string::npos) << alerts;
  EXPECT_EQ(Count(alerts, "\"delivery\":\"delivered\""), 2u) << alerts;
  // The run history, through the backend as through the local engine.
  const std::string history =
      Answer(*ch, "select channel, count() as runs, min(value) as lo, max(value) as hi, rate(met) as met "
                  "from watch w1 by channel");
  EXPECT_EQ(Count(history, "|1|1|0"), 2u) << history;
  EXPECT_EQ(history.find("chat|"), 0u) << history;

  // The leader stops (releasing the lease); the other takes over and sends the next change.
  EXPECT_EQ(leader.Stop(), 0) << leader.Log();
  ASSERT_EQ(std::system((ingest + "/day2.ndjson' >/dev/null").c_str()), 0);
  ASSERT_TRUE(hook.WaitFor(3, 30000)) << other.Log();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  bodies = hook.Bodies();
  ASSERT_EQ(bodies.size(), 3u) << other.Log();
  EXPECT_NE(bodies[2].find("\"status\":\"resolved\""), std::string::npos) << bodies[2];
  EXPECT_NE(bodies[2].find("\"channel\":\"chat\""), std::string::npos) << bodies[2];
  EXPECT_TRUE(other.Leads()) << other.Log();
  std::set<std::string> ids;
  for (const std::string& body : bodies) ids.insert(body.substr(body.find("\"id\":")));
  EXPECT_EQ(ids.size(), 3u);
  const std::string after = Curl("http://" + other.addr() + "/v1/alerts");
  EXPECT_NE(after.find("\"firing\":1,\"resolved\":1"), std::string::npos) << after;
  EXPECT_EQ(other.Stop(), 0) << other.Log();
}

TEST(ClickHouseWatches, FromWatchNamesAnUnknownWatchAndExplainsTheSource) {
  Config config;
  KPI_CLICKHOUSE_OR_SKIP("from_watch", config);
  std::unique_ptr<ClickHouseBackend> ch;
  ASSERT_TRUE(ClickHouseBackend::Open(config, nullptr, &ch).ok());
  EXPECT_EQ(Answer(*ch, "define watch nightly every 1d as select count() as n from tickets"), "watch nightly defined");
  const std::string unknown = Answer(*ch, "select count() as runs from watch nighty");
  EXPECT_NE(unknown.find("line 1, column 29: unknown watch 'nighty' (did you mean 'nightly'?)"), std::string::npos)
      << unknown;
  EXPECT_EQ(Answer(*ch, "select count() as runs from watch nightly"), "0");  // never ran
  const std::string plan = Answer(*ch, "explain select count() as runs from watch nightly");
  EXPECT_EQ(plan.find("source: watch nightly (0 runs kept, 0 rows)"), 0u) << plan;
  const std::string bad = Answer(*ch, "select count() as runs from watch nightly where chanel = 1");
  EXPECT_NE(bad.find("unknown column 'chanel'"), std::string::npos) << bad;
}

}  // namespace
}  // namespace kpi::clickhouse
