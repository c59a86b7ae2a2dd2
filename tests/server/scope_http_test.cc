// Scoped tokens over real sockets (issue 14): the token file's scopes, a
// scoped reader's answers against an unscoped reader's on a store of only
// its scope, a scoped writer's out-of-scope lines rejected with nothing else
// lost, a scoped admin managing only its scope's own definitions, /metrics
// refused to a scope.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http_client.h"
#include "query/engine.h"
#include "server/auth.h"
#include "server/http_server.h"
#include "server/router.h"
#include "server_test_util.h"

namespace kpi::server {
namespace {

using nlohmann::json;
using testing::Fetch;
using testing::HttpReply;

constexpr const char* kTokens =
    "# admin of everything, then the acme tenant\n"
    "root-admin-token admin\n"
    "all-reader-token read\n"
    "acme-reader-token read scope client = \"acme\"\n"
    "acme-writer-token write scope client = \"acme\"\n"
    "acme-admin-token admin   scope client in (\"acme\")\n"
    "globex-writer-token write scope client = \"globex\"\n"
    "globex-admin-token admin scope client = \"globex\"\n";

std::string Auth(const std::string& token) { return "Authorization: Bearer " + token + "\r\n"; }

std::string Line(const std::string& ticket, const std::string& event, const std::string& ts,
                 const std::string& client = "", const std::string& agent = "") {
  std::string s = "{\"ticket\":\"" + ticket + "\",\"event\":\"" + event + "\",\"ts\":\"" + ts + "\"";
  if (!client.empty()) s += ",\"client\":\"" + client + "\"";
  if (!agent.empty()) s += ",\"agent\":\"" + agent + "\"";
  return s + "}\n";
}

// The shared events: two acme tickets, one globex ticket, one without client.
std::string Shared() {
  return Line("A1", "created", "2025-01-02T09:00:00Z", "acme") +
         Line("A1", "agent_reply", "2025-01-02T09:30:00Z", "", "ann") +
         Line("A2", "created", "2025-01-03T09:00:00Z", "acme") +
         Line("G1", "created", "2025-01-02T10:00:00Z", "globex") +
         Line("G1", "agent_reply", "2025-01-02T11:00:00Z", "", "bob") +
         Line("N1", "created", "2025-01-04T10:00:00Z");
}
std::string AcmeOnly() {
  return Line("A1", "created", "2025-01-02T09:00:00Z", "acme") +
         Line("A1", "agent_reply", "2025-01-02T09:30:00Z", "", "ann") +
         Line("A2", "created", "2025-01-03T09:00:00Z", "acme");
}

struct Server {
  explicit Server(const TokenTable* tokens) : engine(scratch.store.get()) {
    router = std::make_unique<Router>(
        [this](std::string_view text, const query::ExecOptions& o, query::Result* r, query::QueryError* e) {
          return engine.Execute(text, o, r, e);
        },
        scratch.store.get(), tokens, &metrics, RouterLimits{});
    HttpServerOptions options;
    options.listen = "127.0.0.1:0";
    http = std::make_unique<HttpServer>(router.get(), &metrics, options);
    EXPECT_TRUE(http->Start().ok());
    port = http->tcp_port();
  }
  ~Server() { http->Stop(); }
  HttpReply Query(const std::string& token, const std::string& q) {
    return Fetch(port, "POST", "/v1/query", q, Auth(token));
  }
  testing::ScratchStore scratch;
  query::Engine engine;
  Metrics metrics;
  std::unique_ptr<Router> router;
  std::unique_ptr<HttpServer> http;
  uint16_t port = 0;
};

TEST(ScopeTokenFile, ParsesScopesAndNamesBadLines) {
  TokenTable t;
  ASSERT_TRUE(TokenTable::Parse(kTokens, &t).ok());
  EXPECT_EQ(t.LookupGrant("root-admin-token").scope, nullptr);
  const Grant g = t.LookupGrant("acme-admin-token");
  EXPECT_EQ(g.role, Role::kAdmin);
  ASSERT_NE(g.scope, nullptr);
  EXPECT_EQ(g.scope->text(), "client in (\"acme\")");
  EXPECT_EQ(t.LookupGrant("nobody-token-x").role, Role::kNone);
  Status s = TokenTable::Parse("good-token-1 read\nbad-token-22 read scope event = \"x\"\n", &t);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("line 2"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("bad-token-22"), std::string::npos) << s.message();
  EXPECT_FALSE(TokenTable::Parse("some-token-1 read scope\n", &t).ok());
  EXPECT_FALSE(TokenTable::Parse("some-token-1 read client = \"acme\"\n", &t).ok());
  EXPECT_FALSE(TokenTable::Parse("some-token-1 read scope client = \n", &t).ok());
}

TEST(ScopeHttp, ScopedReaderSeesOnlyItsScope) {
  TokenTable tokens;
  ASSERT_TRUE(TokenTable::Parse(kTokens, &tokens).ok());
  Server shared(&tokens), only(&tokens);
  ASSERT_EQ(Fetch(shared.port, "POST", "/v1/events", Shared(), Auth("root-admin-token")).status, 200);
  ASSERT_EQ(Fetch(only.port, "POST", "/v1/events", AcmeOnly(), Auth("root-admin-token")).status, 200);
  for (const std::string q : {"select count() as n from tickets", "select agent, count() as n from events by agent",
                              "select client, count() as n from tickets by client",
                              "select distinct(ticket) as t from events"}) {
    HttpReply scoped = shared.Query("acme-reader-token", q);
    HttpReply reference = only.Query("all-reader-token", q);
    ASSERT_EQ(scoped.status, 200) << scoped.body;
    json a = json::parse(scoped.body), b = json::parse(reference.body);
    EXPECT_EQ(a["rows"], b["rows"]) << q;
    EXPECT_EQ(a["provenance"]["result_hash"], b["provenance"]["result_hash"]) << q;
  }
  EXPECT_EQ(json::parse(shared.Query("all-reader-token", "select count() as n from tickets").body)["rows"][0][0], 4);
  // explain names the scope; /metrics is not for a scope.
  const std::string explained = shared.Query("acme-reader-token", "explain select count() from tickets").body;
  EXPECT_NE(explained.find("scope: client"), std::string::npos) << explained;
  EXPECT_EQ(Fetch(shared.port, "GET", "/metrics", "", Auth("acme-reader-token")).status, 403);
  EXPECT_EQ(Fetch(shared.port, "GET", "/metrics", "", Auth("all-reader-token")).status, 200);
}

TEST(ScopeHttp, ScopedWriterRejectsOutOfScopeLinesAndKeepsTheRest) {
  TokenTable tokens;
  ASSERT_TRUE(TokenTable::Parse(kTokens, &tokens).ok());
  Server s(&tokens);
  ASSERT_EQ(Fetch(s.port, "POST", "/v1/events", Shared(), Auth("root-admin-token")).status, 200);
  const std::string body = Line("A3", "created", "2025-01-05T09:00:00Z", "acme") +      // 1 new, in scope
                           Line("A3", "agent_reply", "2025-01-05T09:10:00Z", "", "ann") +  // 2 its ticket is acme now
                           Line("A1", "resolved", "2025-01-05T10:00:00Z") +               // 3 stored acme ticket
                           Line("G1", "resolved", "2025-01-05T10:00:00Z") +               // 4 globex's ticket
                           Line("X9", "created", "2025-01-05T09:00:00Z") +                // 5 new, no client
                           Line("A2", "transferred", "2025-01-05T11:00:00Z", "globex") +  // 6 would move A2 out
                           Line("G1", "transferred", "2025-01-05T11:00:00Z", "acme") +    // 7 would pull G1 in
                           Line("N1", "transferred", "2025-01-05T11:00:00Z", "acme") +    // 8 unscoped ticket
                           Line("A4", "created", "2025-01-05T12:00:00Z", "globex");       // 9 another client's
  HttpReply r = Fetch(s.port, "POST", "/v1/events", body, Auth("acme-writer-token"));
  ASSERT_EQ(r.status, 200) << r.body;
  json doc = json::parse(r.body);
  SCOPED_TRACE(r.body);
  EXPECT_EQ(doc["accepted"], 3);
  EXPECT_EQ(doc["rejected_count"], 6);
  std::vector<int> lines;
  for (const auto& x : doc["rejected"]) {
    lines.push_back(x["line"].get<int>());
    EXPECT_NE(x["error"].get<std::string>().find("outside this token's scope"), std::string::npos) << x;
  }
  EXPECT_EQ(lines, (std::vector<int>{4, 5, 6, 7, 8, 9}));
  // What was accepted is there; nothing of globex changed.
  json all = json::parse(s.Query("all-reader-token", "select count() as n from tickets by client").body);
  EXPECT_EQ(all["rows"], json::parse(R"([["acme",3],["globex",1],[null,1]])")) << all;
  json g = json::parse(s.Query("all-reader-token", "select count() as n from events where ticket = \"G1\"").body);
  EXPECT_EQ(g["rows"][0][0], 2);
  // Another scope's writer cannot touch acme's new ticket either.
  r = Fetch(s.port, "POST", "/v1/events", Line("A3", "resolved", "2025-01-05T13:00:00Z"), Auth("globex-writer-token"));
  EXPECT_EQ(json::parse(r.body)["rejected_count"], 1) << r.body;
  // A scoped reader may not upload.
  EXPECT_EQ(Fetch(s.port, "POST", "/v1/events", Line("A5", "created", "2025-01-05T09:00:00Z", "acme"),
                  Auth("acme-reader-token"))
                .status,
            403);
}

TEST(ScopeHttp, ScopedAdminManagesOnlyItsOwnDefinitions) {
  TokenTable tokens;
  ASSERT_TRUE(TokenTable::Parse(kTokens, &tokens).ok());
  Server s(&tokens);
  ASSERT_EQ(Fetch(s.port, "POST", "/v1/events", Shared(), Auth("root-admin-token")).status, 200);
  // A shared KPI (unscoped admin) and one per scope.
  EXPECT_EQ(Fetch(s.port, "PUT", "/v1/kpis/n", "count()", Auth("root-admin-token")).status, 200);
  HttpReply r = s.Query("acme-admin-token", "define kpi acme_n = count()");
  EXPECT_EQ(r.status, 200) << r.body;
  r = s.Query("globex-admin-token", "define kpi globex_n = count()");
  EXPECT_EQ(r.status, 200) << r.body;
  auto names = [&](const std::string& token) {
    std::vector<std::string> out;
    const json doc = json::parse(s.Query(token, "show kpis").body);
    for (const auto& row : doc["rows"]) out.push_back(row[0].get<std::string>());
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names("acme-admin-token"), (V{"acme_n", "n"}));
  // Ownership is by the scope's text: `client = "acme"` is another scope
  // than `client in ("acme")`.
  EXPECT_EQ(names("acme-reader-token"), V{"n"});
  EXPECT_EQ(names("globex-admin-token"), (V{"globex_n", "n"}));
  EXPECT_EQ(names("root-admin-token"), (V{"acme_n", "globex_n", "n"}));
  // GET /v1/kpis lists what the token sees.
  r = Fetch(s.port, "GET", "/v1/kpis", "", Auth("acme-admin-token"));
  EXPECT_NE(r.body.find("acme_n"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("globex_n"), std::string::npos) << r.body;
  EXPECT_EQ(Fetch(s.port, "GET", "/v1/kpis/globex_n", "", Auth("acme-admin-token")).status, 404);
  EXPECT_EQ(Fetch(s.port, "GET", "/v1/kpis/globex_n", "", Auth("all-reader-token")).status, 200);
  // Its own KPI over its data; another scope's is unknown.
  r = s.Query("acme-admin-token", "select acme_n from tickets");
  EXPECT_EQ(json::parse(r.body)["rows"][0][0], 2) << r.body;
  EXPECT_EQ(s.Query("acme-admin-token", "select globex_n from tickets").status, 400);
  // Shared definitions and another scope's are refused (403, saying why);
  // another scope's is as if absent to a drop.
  r = s.Query("acme-admin-token", "define kpi n = count()");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("shared"), std::string::npos) << r.body;
  EXPECT_EQ(s.Query("acme-admin-token", "drop kpi n").status, 403);
  r = s.Query("acme-admin-token", "define kpi globex_n = count()");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("another scope"), std::string::npos) << r.body;
  EXPECT_EQ(s.Query("acme-admin-token", "drop kpi globex_n").status, 404);
  // A scoped reader may not define; the KPI endpoints stay unscoped-only.
  EXPECT_EQ(s.Query("acme-reader-token", "define kpi r = count()").status, 403);
  EXPECT_EQ(Fetch(s.port, "PUT", "/v1/kpis/m", "count()", Auth("acme-admin-token")).status, 403);
  EXPECT_EQ(Fetch(s.port, "DELETE", "/v1/kpis/acme_n", "", Auth("acme-admin-token")).status, 403);
  // Its own: dropped by it; the unscoped admin may drop any.
  EXPECT_EQ(s.Query("acme-admin-token", "drop kpi acme_n").status, 200);
  EXPECT_EQ(s.Query("root-admin-token", "drop kpi globex_n").status, 200);
  EXPECT_EQ(names("root-admin-token"), V{"n"});
  // A scoped admin still writes inside its scope.
  r = Fetch(s.port, "POST", "/v1/events", Line("A3", "created", "2025-01-02T09:00:00Z", "acme"),
            Auth("acme-admin-token"));
  EXPECT_EQ(json::parse(r.body)["accepted"], 1) << r.body;
  const std::string n = s.Query("acme-admin-token", "select n from tickets").body;
  EXPECT_EQ(json::parse(n)["rows"][0][0], 3) << n;
}

}  // namespace
}  // namespace kpi::server
