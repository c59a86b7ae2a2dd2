// The evaluation layer over real sockets with the real engine: PUT
// /v1/targets (admin, CSV body, errors naming the body's line, all or
// nothing), then `define` / `evaluate` / `evaluate scorecard` through
// POST /v1/query, whose JSON carries the judged columns and provenance.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http_client.h"
#include "query/catalog/definition_store.h"
#include "query/engine.h"
#include "query/evaluation/provenance.h"
#include "server/http_server.h"
#include "server/router.h"
#include "server_test_util.h"

namespace kpi::server {
namespace {

using nlohmann::json;
using testing::Fetch;
using testing::HttpReply;

constexpr const char* kAdmin = "Authorization: Bearer admin-token-1\r\n";
constexpr const char* kReader = "Authorization: Bearer read-token-1\r\n";

class EvaluationHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(TokenTable::Parse("admin-token-1 admin\nread-token-1 read\n", &tokens_).ok());
    engine_ = std::make_unique<query::Engine>(scratch_.store.get());
    router_ = std::make_unique<Router>(
        [this](std::string_view text, const query::ExecOptions& o, query::Result* r, query::QueryError* e) {
          return engine_->Execute(text, o, r, e);
        },
        scratch_.store.get(), &tokens_, &metrics_, limits_);
    HttpServerOptions options;
    options.listen = "127.0.0.1:0";
    server_ = std::make_unique<HttpServer>(router_.get(), &metrics_, options);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->tcp_port();

    // Four tickets: chat resolved fast (one of two), email resolved slowly.
    std::string ndjson;
    auto line = [&](const char* ts, const char* ticket, const char* event, const char* extra) {
      ndjson += std::string("{\"ts\":\"") + ts + "\",\"ticket\":\"" + ticket + "\",\"event\":\"" + event + "\"" +
                extra + "}\n";
    };
    line("2025-10-06T09:00:00Z", "C1", "created", ",\"channel\":\"chat\"");
    line("2025-10-06T09:05:00Z", "C1", "agent_reply", ",\"agent\":\"a1\"");
    line("2025-10-06T09:10:00Z", "C1", "resolved", ",\"agent\":\"a1\"");
    line("2025-10-06T10:00:00Z", "C2", "created", ",\"channel\":\"chat\"");
    line("2025-10-06T10:20:00Z", "C2", "agent_reply", ",\"agent\":\"a2\"");
    line("2025-10-07T09:00:00Z", "E1", "created", ",\"channel\":\"email\"");
    line("2025-10-07T13:00:00Z", "E1", "agent_reply", ",\"agent\":\"a2\"");
    line("2025-10-07T14:00:00Z", "E1", "resolved", ",\"agent\":\"a2\"");
    HttpReply r = Fetch(port_, "POST", "/v1/events", ndjson, kAdmin);
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(Query("define kpi fcr = rate(has(resolved))").status, 200);
    ASSERT_EQ(Query("define kpi frt = p90(duration(created -> agent_reply))").status, 200);
  }

  HttpReply Query(const std::string& text, const char* auth = kAdmin) {
    return Fetch(port_, "POST", "/v1/query", text, std::string(auth) + "Content-Type: text/plain\r\n");
  }
  HttpReply PutTargets(const std::string& csv, const char* auth = kAdmin) {
    return Fetch(port_, "PUT", "/v1/targets", csv, std::string(auth) + "Content-Type: text/csv\r\n");
  }
  size_t StoredTargets() {
    query::DefinitionMap m;
    EXPECT_TRUE(query::LoadDefinitions(*scratch_.store, query::DefinitionKind::kTarget, &m).ok());
    return m.size();
  }

  testing::ScratchStore scratch_;
  TokenTable tokens_;
  Metrics metrics_;
  RouterLimits limits_;
  std::unique_ptr<query::Engine> engine_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(EvaluationHttpTest, PutTargetsDefinesThemAll) {
  HttpReply r = PutTargets("kpi,op,target,channel\r\nfcr,>=,0.8,chat\r\nfcr,>=,90%,email\r\nfrt,<=,15m,\r\n");
  ASSERT_EQ(r.status, 200) << r.body;
  json doc = json::parse(r.body);
  EXPECT_EQ(doc["targets"], 3);
  EXPECT_EQ(doc["defined"], 3);
  EXPECT_EQ(doc["redefined"], 0);
  EXPECT_EQ(doc["keys"], json::parse(R"(["fcr where channel = \"chat\"","fcr where channel = \"email\"","frt"])"));
  EXPECT_GT(doc["defined_at_ms"].get<int64_t>(), 0);
  EXPECT_EQ(StoredTargets(), 3u);
  EXPECT_EQ(metrics_.RequestCount(Endpoint::kTargets, 200), 1u);

  r = PutTargets("kpi,op,target,channel\nfcr,>=,0.7,chat\n");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["redefined"], 1);
  EXPECT_EQ(StoredTargets(), 3u);
}

TEST_F(EvaluationHttpTest, PutTargetsErrorsNameTheLineAndStoreNothing) {
  HttpReply r = PutTargets("kpi,op,target,channel\nfcr,>=,0.8,chat\nfcrr,>=,0.8,email\n");
  EXPECT_EQ(r.status, 400);
  json doc = json::parse(r.body);
  EXPECT_EQ(doc["error"]["line"], 3);
  EXPECT_EQ(doc["error"]["message"].get<std::string>().rfind("line 3: unknown kpi 'fcrr' (did you mean 'fcr' or 'frt'?)", 0),
            0u)
      << r.body;
  r = PutTargets("kpi,op,target,channel\nfcr,>=,0.8,chat\nfcr,>=,0.9,chat\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"]["message"],
            "line 3: duplicate target fcr where channel = \"chat\" (first on line 2)");
  EXPECT_EQ(StoredTargets(), 0u);

  EXPECT_EQ(PutTargets("kpi,op,target\nfcr,>=,0.8\n", kReader).status, 403);
  EXPECT_EQ(PutTargets("kpi,op,target\nfcr,>=,0.8\n", "").status, 401);
  HttpReply get = Fetch(port_, "GET", "/v1/targets", "", kAdmin);
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.headers["allow"], "PUT");
  HttpReply gz = Fetch(port_, "PUT", "/v1/targets", "kpi,op,target\n",
                       std::string(kAdmin) + "Content-Encoding: gzip\r\n");
  EXPECT_EQ(gz.status, 415);
  EXPECT_EQ(StoredTargets(), 0u);
}

TEST_F(EvaluationHttpTest, EvaluateThroughQueryCarriesJudgementAndProvenance) {
  ASSERT_EQ(PutTargets("kpi,op,target,channel\nfcr,>=,0.8,chat\nfrt,<=,15m,\n").status, 200);
  // A define through /v1/query needs admin.
  EXPECT_EQ(Query("define target fcr >= 0.9 where channel = \"email\"", kReader).status, 403);
  HttpReply def = Query("define target fcr >= 0.9 where channel = \"email\"");
  ASSERT_EQ(def.status, 200) << def.body;
  EXPECT_EQ(json::parse(def.body)["message"], "target fcr where channel = \"email\" defined");

  HttpReply r = Query("evaluate fcr, frt from tickets by channel", kReader);
  ASSERT_EQ(r.status, 200) << r.body;
  json doc = json::parse(r.body);
  std::vector<std::string> names;
  for (const json& c : doc["columns"]) names.push_back(c["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"channel", "kpi", "value", "op", "target", "met", "attainment",
                                             "target_from"}));
  EXPECT_EQ(doc["rows"], json::parse(R"([
      ["chat", "fcr", 0.5, ">=", 0.8, false, 0.625, "target"],
      ["chat", "frt", 1110, "<=", 900, false, 0.8108108108108109, "target"],
      ["email", "fcr", 1, ">=", 0.9, true, 1.1111111111111112, "target"],
      ["email", "frt", 14400, "<=", 900, false, 0.0625, "target"]])"))
      << doc["rows"].dump();
  const json& prov = doc["provenance"];
  ASSERT_TRUE(prov.is_object()) << r.body;
  const std::string hash = prov["result_hash"];
  EXPECT_EQ(hash.size(), 32u);
  EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_TRUE(prov.contains("as_of"));
  std::string defs = prov["definitions"].dump();
  EXPECT_NE(defs.find("fcr"), std::string::npos) << defs;
  EXPECT_NE(defs.find("target"), std::string::npos) << defs;

  // The same statement again gives the same hash; so does the engine in-process.
  HttpReply again = Query("evaluate fcr, frt from tickets by channel", kReader);
  EXPECT_EQ(json::parse(again.body)["provenance"]["result_hash"], hash);
  query::Result direct;
  query::QueryError error;
  ASSERT_TRUE(engine_->Execute("evaluate fcr, frt from tickets by channel", {}, &direct, &error).ok());
  EXPECT_EQ(direct.provenance.result_hash, hash);

  // A scorecard, defined and evaluated over HTTP.
  ASSERT_EQ(Query("define scorecard desk = 60% fcr + 40% frt").status, 200);
  HttpReply card = Query("evaluate scorecard desk from tickets by channel", kReader);
  ASSERT_EQ(card.status, 200) << card.body;
  json cdoc = json::parse(card.body);
  names.clear();
  for (const json& c : cdoc["columns"]) names.push_back(c["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"channel", "fcr", "fcr_attainment", "frt", "frt_attainment", "score"}));
  EXPECT_NEAR(cdoc["rows"][1][5].get<double>(), 100 * (0.6 * 1 + 0.4 * 0.0625), 1e-9) << card.body;
  EXPECT_EQ(cdoc["provenance"]["result_hash"].get<std::string>().size(), 32u);
}

// Stored definitions that no longer read (written raw, as another version
// might leave them): the evaluate they would judge fails with 400 naming the
// target, or answers with a warning in "warnings" for an exemption.
TEST_F(EvaluationHttpTest, DefinitionsThatNoLongerReadFailOrWarnTheEvaluate) {
  const std::string at = std::to_string(scratch_.store->NowMs());
  ASSERT_TRUE(scratch_.store
                  ->WriteMeta({{"exemption", "outage", "exemption1\n" + at + "\ndefine exemption outage during"},
                               {"target", "frt", "target1\n" + at + "\ndefine target frt <= 15q"}})
                  .ok());
  HttpReply r = Query("evaluate fcr from tickets", kReader);
  ASSERT_EQ(r.status, 200) << r.body;
  json doc = json::parse(r.body);
  ASSERT_EQ(doc["warnings"].size(), 1u) << r.body;
  EXPECT_EQ(doc["warnings"][0].get<std::string>().rfind("exemption outage is stored but no longer reads (line 1, column", 0),
            0u)
      << r.body;
  r = Query("evaluate fcr, frt from tickets", kReader);
  EXPECT_EQ(r.status, 400) << r.body;
  const std::string message = json::parse(r.body)["error"]["message"];
  EXPECT_NE(message.find("kpi 'frt' cannot be judged: target frt is stored but no longer reads"), std::string::npos)
      << r.body;
  r = Query("show targets", kReader);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["warnings"].size(), 1u) << r.body;
}

}  // namespace
}  // namespace kpi::server
