// The server with the real query engine: what HTTP answers must equal what
// Engine::Execute answers on the same store; KPIs through their endpoints;
// real parse errors, deadlines and row caps.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "cli/gen/generator.h"
#include "http_client.h"
#include "query/engine.h"
#include "query/time_buckets.h"
#include "server/http_server.h"
#include "server/result_render.h"
#include "server/router.h"
#include "server/url.h"
#include "server_test_util.h"

namespace kpi::server {
namespace {

using nlohmann::json;
using testing::Fetch;
using testing::HttpReply;

std::string UrlEncode(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// Synthetic tickets as NDJSON, split in `parts` bodies.
std::vector<std::string> GeneratedBodies(uint64_t tickets, int parts) {
  gen::GenOptions options;
  options.tickets = tickets;
  options.days = 60;
  options.agents = 12;
  gen::Generator generator(options);
  std::vector<RawEvent> events, batch;
  while (generator.Next(4096, &batch)) events.insert(events.end(), batch.begin(), batch.end());
  std::vector<std::string> bodies(static_cast<size_t>(parts));
  for (size_t i = 0; i < events.size(); ++i) gen::AppendNdjson(events[i], &bodies[i * parts / events.size()]);
  return bodies;
}

class EngineHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = std::make_unique<query::Engine>(scratch_.store.get());
    Start();
  }
  void Start() {
    server_.reset();
    router_ = std::make_unique<Router>(
        [this](std::string_view text, const query::ExecOptions& o, query::Result* r, query::QueryError* e) {
          return engine_->Execute(text, o, r, e);
        },
        scratch_.store.get(), nullptr, &metrics_, limits_);
    HttpServerOptions options;
    options.listen = "127.0.0.1:0";
    server_ = std::make_unique<HttpServer>(router_.get(), &metrics_, options);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->tcp_port();
  }
  void Ingest(uint64_t tickets) {
    uint64_t accepted = 0;
    for (const std::string& body : GeneratedBodies(tickets, 3)) {
      HttpReply r = Fetch(port_, "POST", "/v1/events", body);
      ASSERT_EQ(r.status, 200) << r.body;
      json doc = json::parse(r.body);
      EXPECT_EQ(doc["rejected_count"], 0);
      accepted += doc["accepted"].get<uint64_t>();
    }
    EXPECT_GT(accepted, tickets);
  }

  testing::ScratchStore scratch_;
  std::unique_ptr<query::Engine> engine_;
  Metrics metrics_;
  RouterLimits limits_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(EngineHttpTest, HttpAnswersEqualDirectExecution) {
  Ingest(1500);
  const char* queries[] = {
      "select count() as tickets, p50(duration(created -> agent_reply)) as frt_p50,\n"
      "       p90(duration(created -> agent_reply)) as frt_p90\n"
      "from tickets during 2025-01-01 .. 2025-04-01 by channel",
      "select rate(duration(created -> agent_reply) <= 15m) as on_time from tickets where channel = \"email\" by week",
      "select rate(has(escalated)) as escalation from tickets by channel, month",
      "select count() as replies, avg(handle_seconds) as aht from events where event = \"agent_reply\" "
      "by agent, day tz \"Asia/Shanghai\"",
  };
  for (const char* q : queries) {
    query::Result direct;
    query::QueryError error;
    Status s = engine_->Execute(q, query::ExecOptions(), &direct, &error);
    ASSERT_TRUE(s.ok()) << q << "\n" << error.ToString();
    ASSERT_FALSE(direct.rows.empty()) << q;
    json expected = json::parse(RenderResultJson(direct));

    HttpReply get = Fetch(port_, "GET", "/v1/query?q=" + UrlEncode(q));
    ASSERT_EQ(get.status, 200) << q << "\n" << get.body;
    json got = json::parse(get.body);
    EXPECT_EQ(got["columns"], expected["columns"]) << q;
    EXPECT_EQ(got["rows"], expected["rows"]) << q;
    EXPECT_GT(got["stats"]["rows_read"].get<uint64_t>(), 0u) << q;

    HttpReply post = Fetch(port_, "POST", "/v1/query", json{{"query", q}}.dump(), "Content-Type: application/json\r\n");
    ASSERT_EQ(post.status, 200) << post.body;
    EXPECT_EQ(json::parse(post.body)["rows"], expected["rows"]) << q;

    HttpReply csv = Fetch(port_, "POST", "/v1/query?format=csv", q);
    ASSERT_EQ(csv.status, 200);
    EXPECT_EQ(csv.body, RenderResultCsv(direct)) << q;
  }
}

TEST_F(EngineHttpTest, ParseErrorsCarryPositions) {
  HttpReply r = Fetch(port_, "POST", "/v1/query", "select count()\nfrom tickts");
  ASSERT_EQ(r.status, 400) << r.body;
  json doc = json::parse(r.body);
  EXPECT_EQ(doc["error"]["line"], 2);
  EXPECT_GT(doc["error"]["column"].get<int>(), 0);
  EXPECT_FALSE(doc["error"]["message"].get<std::string>().empty());
}

// Over HTTP too the column counts characters and the snippet's caret is
// padded by terminal cells (2 for each CJK character).
TEST_F(EngineHttpTest, ParseErrorColumnsCountCharacters) {
  HttpReply r = Fetch(port_, "POST", "/v1/query", "select count() from tickets where channel = \"漢字\" wher");
  ASSERT_EQ(r.status, 400) << r.body;
  json doc = json::parse(r.body);
  EXPECT_EQ(doc["error"]["column"], 50);
  EXPECT_EQ(doc["error"]["snippet"], "  select count() from tickets where channel = \"漢字\" wher\n" +
                                         std::string(2 + 51, ' ') + "^");
}

TEST_F(EngineHttpTest, KpiLifecycle) {
  Ingest(200);
  HttpReply r = Fetch(port_, "PUT", "/v1/kpis/frt_median", "p50(duration(created -> agent_reply))");
  ASSERT_EQ(r.status, 200) << r.body;
  r = Fetch(port_, "GET", "/v1/kpis");
  ASSERT_EQ(r.status, 200);
  json doc = json::parse(r.body);
  ASSERT_EQ(doc["kpis"].size(), 1u);
  EXPECT_EQ(doc["kpis"][0]["name"], "frt_median");
  EXPECT_EQ(doc["kpis"][0]["expression"], "p50(duration(created -> agent_reply))");
  r = Fetch(port_, "GET", "/v1/kpis/frt_median");
  EXPECT_EQ(r.status, 200);
  r = Fetch(port_, "GET", "/v1/query?q=" + UrlEncode("select frt_median from tickets by channel"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["columns"][1]["name"], "frt_median");
  // A bad expression is reported on the body's own line.
  r = Fetch(port_, "PUT", "/v1/kpis/broken", "p50(\n  duration(created -> ))");
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(json::parse(r.body)["error"]["line"], 2);
  r = Fetch(port_, "DELETE", "/v1/kpis/frt_median");
  EXPECT_EQ(r.status, 200) << r.body;
  r = Fetch(port_, "DELETE", "/v1/kpis/frt_median");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(json::parse(Fetch(port_, "GET", "/v1/kpis").body)["kpis"].size(), 0u);
}

// A definition naming a column the store does not have is refused where a
// query naming it would be (the binder's check), at the body's line and
// column; columns the store has, per-row KPIs and events-only columns pass.
TEST_F(EngineHttpTest, KpiNamingAnUnknownColumnIsRefused) {
  Ingest(200);
  HttpReply r = Fetch(port_, "PUT", "/v1/kpis/chat_rate", "rate(\n  chanel = \"chat\")");
  ASSERT_EQ(r.status, 400) << r.body;
  json doc = json::parse(r.body);
  EXPECT_EQ(doc["error"]["line"], 2);
  EXPECT_EQ(doc["error"]["column"], 3);
  const std::string message = doc["error"]["message"];
  EXPECT_NE(message.find("unknown column 'chanel'"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'channel'"), std::string::npos) << message;
  EXPECT_EQ(json::parse(Fetch(port_, "GET", "/v1/kpis").body)["kpis"].size(), 0u);
  // Per row, and inside another KPI's expression.
  EXPECT_EQ(Fetch(port_, "PUT", "/v1/kpis/is_chat", "chanel = \"chat\" and has(resolved)").status, 400);
  ASSERT_EQ(Fetch(port_, "PUT", "/v1/kpis/is_chat", "channel = \"chat\" and has(resolved)").status, 200);
  EXPECT_EQ(Fetch(port_, "PUT", "/v1/kpis/chat_x", "rate(is_chat and nosuch > 1)").status, 400);
  for (const char* ok : {"rate(is_chat)", "avg(handle_seconds)", "rate(event = \"agent_reply\")",
                         "count() / count(agent)", "rate(agents.role = \"senior\")"})
    EXPECT_EQ(Fetch(port_, "PUT", "/v1/kpis/fine", ok).status, 200) << ok;
}

TEST_F(EngineHttpTest, DeadlineAndRowCap) {
  Ingest(300);
  limits_.query_timeout = std::chrono::milliseconds(0);  // expired before the scan starts
  Start();
  HttpReply r = Fetch(port_, "GET", "/v1/query?q=" + UrlEncode("select count() from tickets by channel"));
  EXPECT_EQ(r.status, 504) << r.body;
  limits_.query_timeout = std::chrono::milliseconds(30000);
  limits_.max_result_rows = 1;
  Start();
  r = Fetch(port_, "GET", "/v1/query?q=" + UrlEncode("select count() from tickets by channel"));
  EXPECT_EQ(r.status, 422) << r.body;
  r = Fetch(port_, "GET", "/v1/query?q=" + UrlEncode("select count() from tickets"));
  EXPECT_EQ(r.status, 200) << r.body;
}

// Clients query through the engine while uploads land: every count is a
// whole number of uploads (one seal per upload), and none is lost.
TEST_F(EngineHttpTest, ConcurrentEngineQueriesSeeWholeUploads) {
  constexpr int kUploads = 6, kPerUpload = 300, kClients = 20, kQueriesEach = 5;
  const std::string target = "/v1/query?q=" + UrlEncode("select count() as n from events");
  std::atomic<int> bad{0}, answered{0};
  std::thread writer([&] {
    for (int u = 0; u < kUploads; ++u) {
      HttpReply r = Fetch(port_, "POST", "/v1/events", testing::EventLines(u * kPerUpload, kPerUpload));
      EXPECT_EQ(r.status, 200) << r.body;
    }
  });
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      for (int q = 0; q < kQueriesEach; ++q) {
        HttpReply r = Fetch(port_, "GET", target);
        if (r.status != 200) {
          bad++;
          continue;
        }
        json rows = json::parse(r.body)["rows"];
        double n = rows.empty() || rows[0][0].is_null() ? 0 : rows[0][0].get<double>();
        long whole = static_cast<long>(n);
        if (whole != n || whole % kPerUpload != 0 || whole > kUploads * kPerUpload) bad++;
        answered++;
      }
    });
  }
  for (auto& t : clients) t.join();
  writer.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(answered.load(), kClients * kQueriesEach);
  HttpReply r = Fetch(port_, "GET", target);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["rows"][0][0], kUploads * kPerUpload);
}

// Answers given while uploads land, with and without `as of` (the present,
// as a dashboard asks for it), are the same when rerun `as of` their
// provenance's instant after every upload is sealed: an upload staged and not
// yet sealed is in no answer, and its instant is its seal's, after them
// (docs/provenance.md, "The instant of an answer").
TEST_F(EngineHttpTest, AnswersGivenWhileUploadsLandAreTheSameRerunAsOfTheirInstant) {
  constexpr int kUploads = 24, kPerUpload = 2000, kClients = 3;
  struct Answer {
    int64_t as_of_ms;
    std::string hash;
  };
  std::mutex mu;
  std::vector<Answer> answers;
  std::atomic<bool> writing{true};
  std::atomic<int> bad{0};
  std::thread writer([&] {
    for (int u = 0; u < kUploads; ++u) {
      HttpReply r = Fetch(port_, "POST", "/v1/events", testing::EventLines(u * kPerUpload, kPerUpload));
      EXPECT_EQ(r.status, 200) << r.body;
    }
    writing = false;
  });
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int q = 0; writing; ++q) {
        std::string statement = "select count() as n from events";
        if ((q + c) % 2 == 0) {
          const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch()).count();
          statement += " as of " + query::FormatInstantUtc(now);
        }
        HttpReply r = Fetch(port_, "GET", "/v1/query?q=" + UrlEncode(statement));
        if (r.status != 200) {
          bad++;
          continue;
        }
        const json provenance = json::parse(r.body)["provenance"];
        std::lock_guard lock(mu);
        answers.push_back({provenance["as_of_ms"].get<int64_t>(), provenance["result_hash"].get<std::string>()});
      }
    });
  }
  writer.join();
  for (auto& t : clients) t.join();
  EXPECT_EQ(bad.load(), 0);
  ASSERT_GT(answers.size(), 10u);
  int differ = 0;
  for (const Answer& a : answers) {
    const std::string rerun = "select count() as n from events as of " + query::FormatInstantUtc(a.as_of_ms);
    HttpReply r = Fetch(port_, "GET", "/v1/query?q=" + UrlEncode(rerun));
    ASSERT_EQ(r.status, 200) << r.body;
    if (json::parse(r.body)["provenance"]["result_hash"] != a.hash) differ++;
  }
  EXPECT_EQ(differ, 0) << "of " << answers.size() << " answers";
}

}  // namespace
}  // namespace kpi::server
