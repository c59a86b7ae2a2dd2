// The pure router: routing, auth matrix, limits, query/KPI/ingest handlers,
// with a fake statement runner and a real store.
#include "server/router.h"

#include <gtest/gtest.h>

#include "query/parser/parser.h"
#include <zlib.h>

#include <nlohmann/json.hpp>

#include "server_test_util.h"

namespace kpi::server {
namespace {

using nlohmann::json;
using testing::EventLine;
using testing::EventLines;

// Records what it was asked and answers as told.
struct FakeRunner {
  std::string last_text;
  query::ExecOptions last_options;
  int calls = 0;
  Status status = Status::OK();
  query::QueryError error;
  query::Result result;

  QueryRunner AsRunner() {
    return [this](std::string_view text, const query::ExecOptions& o, query::Result* r, query::QueryError* e) {
      ++calls;
      last_text = std::string(text);
      last_options = o;
      *r = result;
      *e = error;
      return status;
    };
  }
};

constexpr const char* kReadToken = "read-token-123";
constexpr const char* kWriteToken = "write-token-123";
constexpr const char* kAdminToken = "admin-token-123";

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    EXPECT_TRUE(TokenTable::Parse(std::string(kReadToken) + " read\n" + kWriteToken + " write\n" + kAdminToken +
                                      " admin\n",
                                  &tokens_)
                    .ok());
    fake_.result.columns = {{"n", query::ValueType::kNumber}};
    fake_.result.rows = {{query::Value::Number(7)}};
    limits_.max_body_bytes = 1 << 20;
    limits_.query_timeout = std::chrono::milliseconds(30000);
    limits_.max_result_rows = 500;
    MakeRouter();
  }

  void MakeRouter() {
    router_ = std::make_unique<Router>(fake_.AsRunner(), scratch_.store.get(), &tokens_, &metrics_, limits_);
  }

  static Request Req(std::string method, std::string target, std::string body = "", const char* token = nullptr) {
    Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    if (token != nullptr) r.headers.emplace_back("Authorization", std::string("Bearer ") + token);
    return r;
  }

  Response Send(std::string method, std::string target, std::string body = "", const char* token = kAdminToken) {
    return router_->Route(Req(std::move(method), std::move(target), std::move(body), token));
  }

  static std::string Header(const Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

  testing::ScratchStore scratch_;
  TokenTable tokens_;
  Metrics metrics_;
  FakeRunner fake_;
  RouterLimits limits_;
  std::unique_ptr<Router> router_;
};

TEST_F(RouterTest, HealthNeedsNoToken) {
  Response r = Send("GET", "/health", "", nullptr);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["status"], "ok");
}

TEST_F(RouterTest, UnknownPathAndWrongMethod) {
  Response r = Send("GET", "/v2/nothing");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(json::parse(r.body)["error"]["message"].is_string());
  r = Send("DELETE", "/v1/query");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(Header(r, "Allow"), "GET, POST");
  r = Send("GET", "/v1/events");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(Header(r, "Allow"), "POST");
  EXPECT_EQ(Send("POST", "/v1/kpis/frt").status, 405);
  EXPECT_EQ(Send("GET", "/v1/query?q=%ZZ").status, 400);
}

TEST_F(RouterTest, AuthMatrix) {
  struct Case {
    const char* method;
    const char* target;
    const char* body;
    int none, wrong, read, write, admin;  // expected statuses per credential
  };
  // 200 where allowed; the events body is one valid line.
  std::string line = EventLine(1);
  const Case cases[] = {
      {"GET", "/v1/query?q=select%201", "", 401, 401, 200, 200, 200},
      {"POST", "/v1/query", "select 1", 401, 401, 200, 200, 200},
      {"POST", "/v1/query", "define kpi x = count()", 401, 401, 403, 403, 200},
      {"POST", "/v1/query", "  -- c\n DROP kpi x", 401, 401, 403, 403, 200},
      {"POST", "/v1/events", line.c_str(), 401, 401, 403, 200, 200},
      {"GET", "/v1/kpis", "", 401, 401, 200, 200, 200},
      {"PUT", "/v1/kpis/frt", "count()", 401, 401, 403, 403, 200},
      {"DELETE", "/v1/kpis/frt", "", 401, 401, 403, 403, 200},
      {"GET", "/metrics", "", 401, 401, 200, 200, 200},
      {"GET", "/health", "", 200, 200, 200, 200, 200},
  };
  for (const Case& c : cases) {
    const char* tokens[] = {nullptr, "wrong-token-999", kReadToken, kWriteToken, kAdminToken};
    int expected[] = {c.none, c.wrong, c.read, c.write, c.admin};
    for (int i = 0; i < 5; ++i) {
      Response r = Send(c.method, c.target, c.body, tokens[i]);
      EXPECT_EQ(r.status, expected[i]) << c.method << " " << c.target << " body=" << c.body << " credential #" << i;
      if (r.status == 401) {
        EXPECT_NE(Header(r, "WWW-Authenticate").find("Bearer"), std::string::npos);
      }
      if (tokens[i] != nullptr) {
        EXPECT_EQ(r.body.find(tokens[i]), std::string::npos);  // never echoed
      }
    }
  }
}

TEST_F(RouterTest, WithoutTokensOnlyTrustedPeers) {
  router_ = std::make_unique<Router>(fake_.AsRunner(), scratch_.store.get(), nullptr, &metrics_, limits_);
  Request r = Req("GET", "/v1/query?q=x");
  r.trusted_peer = false;
  EXPECT_EQ(router_->Route(r).status, 403);
  r.trusted_peer = true;
  EXPECT_EQ(router_->Route(r).status, 200);
  Request put = Req("PUT", "/v1/kpis/frt", "count()");
  put.trusted_peer = true;
  EXPECT_EQ(router_->Route(put).status, 200);
}

TEST_F(RouterTest, QueryTextFromEveryForm) {
  EXPECT_EQ(Send("GET", "/v1/query?q=select+count()%0Afrom%20tickets").status, 200);
  EXPECT_EQ(fake_.last_text, "select count()\nfrom tickets");
  EXPECT_EQ(Send("POST", "/v1/query", "select 2").status, 200);
  EXPECT_EQ(fake_.last_text, "select 2");
  Request j = Req("POST", "/v1/query", R"({"query":"select \"x\"\n"})", kReadToken);
  j.headers.emplace_back("content-type", "Application/JSON; charset=utf-8");
  EXPECT_EQ(router_->Route(j).status, 200);
  EXPECT_EQ(fake_.last_text, "select \"x\"\n");
  // The runner gets the configured limits.
  EXPECT_EQ(fake_.last_options.max_result_rows, 500u);
  auto left = fake_.last_options.deadline - std::chrono::steady_clock::now();
  EXPECT_GT(left, std::chrono::seconds(20));
  EXPECT_LE(left, std::chrono::seconds(30));
  Send("GET", "/v1/query?q=x&timeout_ms=100");
  EXPECT_LE(fake_.last_options.deadline - std::chrono::steady_clock::now(), std::chrono::milliseconds(100));
  Send("GET", "/v1/query?q=x&timeout_ms=99999999");  // cannot raise the server's limit
  EXPECT_LE(fake_.last_options.deadline - std::chrono::steady_clock::now(), std::chrono::seconds(30));
}

TEST_F(RouterTest, BadQueryRequests) {
  int calls = fake_.calls;
  Request j = Req("POST", "/v1/query", "{\"query\": ", kReadToken);
  j.headers.emplace_back("Content-Type", "application/json");
  Response r = router_->Route(j);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(json::parse(r.body)["error"]["message"].get<std::string>().find("JSON"), std::string::npos);
  j.body = R"({"q":"select 1"})";
  EXPECT_EQ(router_->Route(j).status, 400);
  j.body = R"(["select 1"])";
  EXPECT_EQ(router_->Route(j).status, 400);
  EXPECT_EQ(Send("GET", "/v1/query").status, 400);
  EXPECT_EQ(Send("POST", "/v1/query", "  \n\t").status, 400);
  EXPECT_EQ(Send("GET", "/v1/query?q=x&format=xml").status, 400);
  EXPECT_EQ(Send("GET", "/v1/query?q=x&timeout_ms=-5").status, 400);
  EXPECT_EQ(fake_.calls, calls);  // none reached the engine
}

TEST_F(RouterTest, OversizedBodyIs413) {
  Response r = Send("POST", "/v1/query", std::string((1 << 20) + 1, 'x'));
  EXPECT_EQ(r.status, 413);
  r = Send("POST", "/v1/events", std::string((1 << 20) + 1, '\n'));
  EXPECT_EQ(r.status, 413);
}

TEST_F(RouterTest, QueryResultAsJsonAndCsv) {
  Response r = Send("GET", "/v1/query?q=x");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  json doc = json::parse(r.body);
  EXPECT_EQ(doc["columns"][0]["name"], "n");
  EXPECT_EQ(doc["rows"][0][0], 7);
  EXPECT_TRUE(doc["stats"].contains("rows_read"));
  r = Send("GET", "/v1/query?q=x&format=csv");
  EXPECT_EQ(r.content_type.rfind("text/csv", 0), 0u);
  EXPECT_EQ(r.body, "n\n7\n");
  Request a = Req("GET", "/v1/query?q=x", "", kReadToken);
  a.headers.emplace_back("Accept", "text/csv, */*;q=0.1");
  EXPECT_EQ(router_->Route(a).body, "n\n7\n");
}

TEST_F(RouterTest, StatementErrorsMapToStatuses) {
  fake_.status = Status::InvalidArgument("parse error");
  fake_.error.message = "expected 'from'";
  fake_.error.line = 2;
  fake_.error.column = 8;
  fake_.error.snippet = "  from tickts\n       ^";
  Response r = Send("GET", "/v1/query?q=x");
  EXPECT_EQ(r.status, 400);
  json doc = json::parse(r.body);
  EXPECT_EQ(doc["error"]["message"], "expected 'from'");
  EXPECT_EQ(doc["error"]["line"], 2);
  EXPECT_EQ(doc["error"]["column"], 8);
  EXPECT_EQ(doc["error"]["snippet"], "  from tickts\n       ^");
  fake_.error = query::QueryError();
  fake_.status = Status::TimedOut("deadline passed");
  r = Send("GET", "/v1/query?q=x");
  EXPECT_EQ(r.status, 504);
  EXPECT_EQ(json::parse(r.body)["error"]["message"], "deadline passed");
  fake_.status = Status::ResourceExhausted("more than 500 rows");
  EXPECT_EQ(Send("GET", "/v1/query?q=x").status, 422);
  fake_.status = Status::IOError("disk");
  EXPECT_EQ(Send("GET", "/v1/query?q=x").status, 500);
}

TEST_F(RouterTest, KpiEndpointsRunStatements) {
  fake_.result.message = "kpi frt defined";
  Response r = Send("PUT", "/v1/kpis/frt", "  p50(duration(created -> agent_reply))\n");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(fake_.last_text, "define kpi frt =\np50(duration(created -> agent_reply))");
  EXPECT_EQ(json::parse(r.body)["name"], "frt");

  fake_.result.message = "kpi frt dropped";
  r = Send("DELETE", "/v1/kpis/frt");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(fake_.last_text, "drop kpi frt");

  fake_.result = query::Result();
  fake_.result.columns = {{"name", query::ValueType::kString}, {"expression", query::ValueType::kString}};
  fake_.result.rows = {{query::Value::String("aht"), query::Value::String("avg(handle_seconds)")},
                       {query::Value::String("frt"), query::Value::String("p50(duration(created -> agent_reply))")}};
  r = Send("GET", "/v1/kpis", "", kReadToken);
  EXPECT_EQ(fake_.last_text, "show kpis");
  json doc = json::parse(r.body);
  ASSERT_EQ(doc["kpis"].size(), 2u);
  EXPECT_EQ(doc["kpis"][1]["name"], "frt");
  r = Send("GET", "/v1/kpis/aht", "", kReadToken);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["expression"], "avg(handle_seconds)");
  EXPECT_EQ(Send("GET", "/v1/kpis/nope", "", kReadToken).status, 404);
}

TEST_F(RouterTest, KpiErrors) {
  int calls = fake_.calls;
  EXPECT_EQ(Send("PUT", "/v1/kpis/bad%20name", "count()").status, 400);
  EXPECT_EQ(Send("PUT", "/v1/kpis/x;drop", "count()").status, 400);
  EXPECT_EQ(Send("PUT", "/v1/kpis/frt", "   ").status, 400);
  EXPECT_EQ(fake_.calls, calls);
  // A parse error in the body is reported at the body's own line.
  fake_.status = Status::InvalidArgument("bad");
  fake_.error.message = "expected ')'";
  fake_.error.line = 3;
  fake_.error.column = 4;
  Response r = Send("PUT", "/v1/kpis/frt", "p50(\n  x");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"]["line"], 2);
  // One in the "define kpi" line the server wrote: no position, no snippet.
  fake_.error.line = 1;
  fake_.error.snippet = "define kpi frt =\n  ^";
  r = Send("PUT", "/v1/kpis/frt", "p50(x)");
  EXPECT_EQ(r.status, 400);
  EXPECT_FALSE(json::parse(r.body)["error"].contains("line")) << r.body;
  EXPECT_FALSE(json::parse(r.body)["error"].contains("snippet")) << r.body;
  fake_.status = Status::NotFound("no kpi frt");
  fake_.error = query::QueryError();
  EXPECT_EQ(Send("DELETE", "/v1/kpis/frt").status, 404);
  // An unknown KPI: the message, without a position in "drop kpi frt",
  // which the client never sent.
  fake_.error.message = "unknown kpi 'frt'";
  fake_.error.line = 1;
  fake_.error.column = 10;
  fake_.error.snippet = "  drop kpi frt\n           ^";
  r = Send("DELETE", "/v1/kpis/frt");
  EXPECT_EQ(r.status, 404);
  const json error = json::parse(r.body)["error"];
  EXPECT_EQ(error["message"], "unknown kpi 'frt'");
  EXPECT_FALSE(error.contains("line")) << r.body;
  EXPECT_FALSE(error.contains("column")) << r.body;
  EXPECT_FALSE(error.contains("snippet")) << r.body;
}

std::string Gzip(const std::string& data) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(compressBound(data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST_F(RouterTest, IngestReportsAcceptedDuplicatesAndRejects) {
  std::string body = EventLines(1, 3) + "{broken json\n" + EventLine(4) +
                     "{\"ts\":\"20250-01-01T00:00:00Z\",\"ticket\":\"X\",\"event\":\"created\"}\n";
  Response r = Send("POST", "/v1/events", body, kWriteToken);
  ASSERT_EQ(r.status, 200) << r.body;
  json doc = json::parse(r.body);
  EXPECT_EQ(doc["accepted"], 4);
  EXPECT_EQ(doc["duplicates"], 0);
  ASSERT_EQ(doc["rejected"].size(), 2u);
  EXPECT_EQ(doc["rejected"][0]["line"], 4);
  EXPECT_EQ(doc["rejected"][1]["line"], 6);
  EXPECT_TRUE(doc["rejected"][1]["error"].is_string());
  EXPECT_EQ(doc["rejected_count"], 2);
  EXPECT_EQ(metrics_.events_ingested(), 4u);
  EXPECT_EQ(metrics_.events_rejected(), 2u);
  // The events are sealed: a query sees them.
  router_ = std::make_unique<Router>(testing::CountEventsRunner(scratch_.store.get()), scratch_.store.get(), &tokens_,
                                     &metrics_, limits_);
  EXPECT_EQ(json::parse(Send("GET", "/v1/query?q=x").body)["rows"][0][0], 4);
  // Re-posting is idempotent.
  doc = json::parse(Send("POST", "/v1/events", body, kWriteToken).body);
  EXPECT_EQ(doc["accepted"], 0);
  EXPECT_EQ(doc["duplicates"], 4);
  EXPECT_EQ(json::parse(Send("GET", "/v1/query?q=x").body)["rows"][0][0], 4);
}

TEST_F(RouterTest, IngestCsvAndGzip) {
  std::string csv = "ts,ticket,event,channel,csat\n2025-03-01T08:00:00Z,C1,created,chat,\n"
                    "2025-03-01T09:00:00Z,C1,rated,,5\n";
  Request r = Req("POST", "/v1/events", csv, kWriteToken);
  r.headers.emplace_back("Content-Type", "text/csv");
  json doc = json::parse(router_->Route(r).body);
  EXPECT_EQ(doc["accepted"], 2);
  EXPECT_EQ(doc["rejected"].size(), 0u);
  doc = json::parse(Send("POST", "/v1/events?format=csv",
                         "ts,ticket,event\n2025-03-01T10:00:00Z,C2,created\n", kWriteToken)
                        .body);
  EXPECT_EQ(doc["accepted"], 1);

  Request g = Req("POST", "/v1/events", Gzip(EventLines(100, 50)), kWriteToken);
  g.headers.emplace_back("Content-Encoding", "gzip");
  Response gr = router_->Route(g);
  ASSERT_EQ(gr.status, 200) << gr.body;
  EXPECT_EQ(json::parse(gr.body)["accepted"], 50);
}

TEST_F(RouterTest, IngestFailuresStoreNothing) {
  Request br = Req("POST", "/v1/events", EventLine(1), kWriteToken);
  br.headers.emplace_back("Content-Encoding", "br");
  EXPECT_EQ(router_->Route(br).status, 415);
  std::string gz = Gzip(EventLines(1, 100));
  gz.resize(gz.size() / 2);
  gz += "garbage-garbage-garbage";
  Response r = Send("POST", "/v1/events", gz, kWriteToken);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.body.find("/proc/self"), std::string::npos);  // the body is named as such
  EXPECT_EQ(Send("POST", "/v1/events?format=xml", EventLine(1), kWriteToken).status, 400);
  limits_.max_upload_events = 10;
  MakeRouter();
  r = Send("POST", "/v1/events", EventLines(1, 11), kWriteToken);
  EXPECT_EQ(r.status, 413);
  storage::StoreInfo info;
  ASSERT_TRUE(scratch_.store->GetInfo(&info).ok());
  EXPECT_EQ(info.events, 0u);
  EXPECT_EQ(Send("POST", "/v1/events", EventLines(1, 10), kWriteToken).status, 200);
}

TEST_F(RouterTest, HostileTargetsAndBodiesNeverCrash) {
  const char* targets[] = {"/", "//", "/v1/kpis/", "/v1/kpis/%00", "/v1/query?&&&=&q", "/v1/query?q=%",
                           "/v1/kpis/a/b", "/health?x=%zz", "/v1/events?format="};
  for (const char* t : targets) {
    for (const char* m : {"GET", "POST", "PUT", "DELETE", "PATCH", ""}) {
      Response r = Send(m, t, std::string("\0\xff{", 3));
      EXPECT_GE(r.status, 200) << m << " " << t;
      // Every answer is JSON but the web UI's page (GET /).
      if (r.content_type.rfind("text/html", 0) == 0) {
        EXPECT_EQ(std::string(m) + " " + t, "GET /");
        continue;
      }
      EXPECT_FALSE(json::parse(r.body, nullptr, false).is_discarded()) << m << " " << t;
    }
  }
}

TEST_F(RouterTest, MetricsEndpoint) {
  Send("GET", "/v1/query?q=x");
  Send("GET", "/nope");
  Send("POST", "/v1/events", EventLines(1, 5), kWriteToken);
  Response r = Send("GET", "/metrics", "", kReadToken);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type.rfind("text/plain", 0), 0u);
  EXPECT_NE(r.body.find("kpi_http_requests_total{endpoint=\"query\",status=\"200\"} 1\n"), std::string::npos);
  EXPECT_NE(r.body.find("kpi_http_requests_total{endpoint=\"other\",status=\"404\"} 1\n"), std::string::npos);
  EXPECT_NE(r.body.find("kpi_events_ingested_total 5\n"), std::string::npos);
  EXPECT_NE(r.body.find("kpi_store_events 5\n"), std::string::npos);
  EXPECT_EQ(r.body.find("kpi_store_bytes 0\n"), std::string::npos);
}

// The server authorizes by what the parser says a statement is (one lexer:
// strings and comments cannot disguise a definition).
TEST(StatementKindTest, DefinitionsNeedTheParserNotTheFirstWord) {
  EXPECT_EQ(query::ClassifyStatement("  -- a comment\n\tDEFINE kpi x = count()"), query::StatementKind::kDefinition);
  EXPECT_EQ(query::ClassifyStatement("drop target fcr where channel = \"chat\""), query::StatementKind::kDefinition);
  EXPECT_EQ(query::ClassifyStatement("define calendar c tz \"UTC\" open mon 09:00-17:00"),
            query::StatementKind::kDefinition);
  EXPECT_EQ(query::ClassifyStatement("select count() from tickets"), query::StatementKind::kQuery);
  EXPECT_EQ(query::ClassifyStatement("evaluate fcr from tickets"), query::StatementKind::kQuery);
  EXPECT_EQ(query::ClassifyStatement("show targets"), query::StatementKind::kQuery);
  EXPECT_EQ(query::ClassifyStatement("-- only"), query::StatementKind::kInvalid);
  EXPECT_EQ(query::ClassifyStatement(""), query::StatementKind::kInvalid);
}

}  // namespace
}  // namespace kpi::server
