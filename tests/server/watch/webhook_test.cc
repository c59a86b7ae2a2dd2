// Alert notifications end to end with a local webhook receiver on loopback
// (server/webhook_sender.h, query/watch/alerts.h): a row whose `met` turns
// false fires once, turning true resolves once; a receiver that is down and
// comes back gets the notification once, later; firing state survives a
// restart (no second firing); a receiver that never answers blocks nothing.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "server/watch/watch_fixture.h"
#include "server/watch/webhook_receiver.h"
#include "server/webhook_client.h"

namespace kpi::server::testing {
namespace {

using nlohmann::json;

class WebhookTest : public WatchFixture {
 protected:
  void SetUp() override {
    WatchFixture::SetUp();
    // email: 1 of 1 tickets escalated (100 %), chat: none.
    Ingest({{"2025-06-10T10:00:00Z", "C1", "created", "chat"},
            {"2025-06-10T11:00:00Z", "E1", "created", "email"},
            {"2025-06-10T11:30:00Z", "E1", "escalated", ""}});
    Run("define kpi escalation = rate(has(escalated))");
    Run("define target escalation <= 10%");
  }
  void DefineWatch(uint16_t port) {
    Run("define watch esc every 1s as evaluate escalation from tickets by channel notify \"http://127.0.0.1:" +
        std::to_string(port) + "/hook\"");
  }
  // Twenty more email tickets, none escalated: 1 of 21 < 10 %.
  void Recover() {
    std::vector<std::vector<std::string>> events;
    for (int i = 0; i < 20; ++i) events.push_back({"2025-06-10T12:00:00Z", "E" + std::to_string(100 + i), "created", "email"});
    Ingest(events);
  }
  std::string AlertColumn(size_t column) {
    const query::Result r = Run("show alerts");
    return r.rows.empty() ? "(no alert)" : r.rows[0][column].text;
  }
};

TEST_F(WebhookTest, FiresOnceThenResolvesOnce) {
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start());
  DefineWatch(receiver.port());
  StartWatches();
  ASSERT_TRUE(receiver.WaitFor(1, 15000));
  const json fired = json::parse(receiver.Bodies()[0]);
  EXPECT_EQ(fired["status"], "firing");
  EXPECT_EQ(fired["watch"], "esc");
  EXPECT_EQ(fired["kpi"], "escalation");
  EXPECT_EQ(fired["groups"], json({{"channel", "email"}}));
  EXPECT_DOUBLE_EQ(fired["value"].get<double>(), 1);
  EXPECT_DOUBLE_EQ(fired["target"].get<double>(), 0.1);
  EXPECT_EQ(fired["op"], "<=");
  EXPECT_EQ(fired["since"], fired["run_at"]);

  // Later runs still miss: no second firing.
  const uint64_t runs = State("esc").runs;
  ASSERT_TRUE(WaitUntil([&] { return State("esc").runs >= runs + 2; }, 15000));
  EXPECT_EQ(receiver.Bodies().size(), 1u);
  EXPECT_EQ(AlertColumn(3), "firing");
  ASSERT_TRUE(WaitUntil([&] { return AlertColumn(9) == "delivered"; }, 5000)) << AlertColumn(9);
  const query::Result open = Run("show alerts");
  EXPECT_EQ(open.message, "1 firing, 0 resolved");

  Recover();
  ASSERT_TRUE(receiver.WaitFor(2, 15000));
  const json resolved = json::parse(receiver.Bodies()[1]);
  EXPECT_EQ(resolved["status"], "resolved");
  EXPECT_EQ(resolved["since"], fired["since"]);
  EXPECT_NEAR(resolved["value"].get<double>(), 1.0 / 21, 1e-12);
  EXPECT_NE(resolved["id"], fired["id"]);
  const uint64_t later = State("esc").runs;
  ASSERT_TRUE(WaitUntil([&] { return State("esc").runs >= later + 2; }, 15000));
  EXPECT_EQ(receiver.Bodies().size(), 2u) << "one resolve, once";
  EXPECT_EQ(AlertColumn(3), "resolved");
}

TEST_F(WebhookTest, ReceiverDownThenBackGetsItOnceLater) {
  const uint16_t port = FreePort();
  ASSERT_NE(port, 0);
  DefineWatch(port);
  StartWatches();
  // Fired and tried: the receiver is not there.
  ASSERT_TRUE(WaitUntil([&] { return AlertColumn(3) == "firing"; }, 15000));
  ASSERT_TRUE(WaitUntil([&] { return sender_->RenderPrometheus().find("result=\"retried\"} 0") == std::string::npos; },
                        5000));
  EXPECT_EQ(AlertColumn(9), "pending");
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // a few retries fail

  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start(port));
  ASSERT_TRUE(receiver.WaitFor(1, 10000));
  const json fired = json::parse(receiver.Bodies()[0]);
  EXPECT_EQ(fired["status"], "firing");
  ASSERT_TRUE(WaitUntil([&] { return AlertColumn(9) == "delivered"; }, 5000)) << AlertColumn(9);
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  EXPECT_EQ(receiver.Bodies().size(), 1u) << "delivered once";
  EXPECT_NE(sender_->RenderPrometheus().find("kpistore_webhook_deliveries_total{result=\"delivered\"} 1\n"),
            std::string::npos)
      << sender_->RenderPrometheus();
}

TEST_F(WebhookTest, FiringStateSurvivesARestart) {
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start());
  DefineWatch(receiver.port());
  StartWatches();
  ASSERT_TRUE(receiver.WaitFor(1, 15000));
  ASSERT_TRUE(WaitUntil([&] { return AlertColumn(9) == "delivered"; }, 5000));
  const uint64_t runs = State("esc").runs;
  StopWatches();

  StartWatches();  // as after a restart of kpi serve: state from the store
  ASSERT_TRUE(WaitUntil([&] { return State("esc").runs >= runs + 2; }, 15000));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(receiver.Bodies().size(), 1u) << "the alert was already firing: no second firing";
  Recover();
  ASSERT_TRUE(receiver.WaitFor(2, 15000));
  EXPECT_EQ(json::parse(receiver.Bodies()[1])["status"], "resolved");
}

TEST_F(WebhookTest, ASilentReceiverBlocksNothing) {
  // Accepts connections (the kernel does) but never answers.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 64), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const uint16_t port = ntohs(addr.sin_port);

  query::WebhookUrl url;
  std::string why;
  ASSERT_TRUE(query::ParseWebhookUrl("http://127.0.0.1:" + std::to_string(port) + "/x", &url, &why));
  const auto start = std::chrono::steady_clock::now();
  const Status posted = PostJson(url, "{}", std::chrono::milliseconds(300));
  EXPECT_FALSE(posted.ok());
  EXPECT_NE(posted.message().find("no reply within 300 ms"), std::string::npos) << posted.ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2000));

  DefineWatch(port);
  StartWatches();
  ASSERT_TRUE(WaitUntil([&] { return State("esc").runs >= 4; }, 20000)) << "runs go on while the webhook hangs";
  EXPECT_EQ(AlertColumn(9), "pending");
  EXPECT_EQ(Run("select count() as n from tickets").rows[0][0].number, 2) << "and queries answer";
  StopWatches();
  close(fd);
}

TEST(WebhookClient, RefusedAndNon2xx) {
  query::WebhookUrl url;
  std::string why;
  ASSERT_TRUE(query::ParseWebhookUrl("http://127.0.0.1:" + std::to_string(FreePort()) + "/", &url, &why));
  const Status refused = PostJson(url, "{}", std::chrono::milliseconds(1000));
  EXPECT_FALSE(refused.ok());
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start());
  receiver.set_status(503);
  ASSERT_TRUE(query::ParseWebhookUrl("http://127.0.0.1:" + std::to_string(receiver.port()) + "/h", &url, &why));
  const Status busy = PostJson(url, "{\"a\":1}", std::chrono::milliseconds(2000));
  EXPECT_EQ(busy.message(), "HTTP 503");
  receiver.set_status(204);
  EXPECT_TRUE(PostJson(url, "{\"a\":1}", std::chrono::milliseconds(2000)).ok());
  ASSERT_EQ(receiver.Bodies().size(), 1u);
  EXPECT_EQ(receiver.Bodies()[0], "{\"a\":1}");
}

}  // namespace
}  // namespace kpi::server::testing
