// The web UI's endpoints through the Router with the real engine: the
// embedded files (no auth, ETag/304, CSP), completion by the REPL's rule
// (and only the definitions a scope sees), exemption windows, and
// dashboards as versioned data (PUT/GET/versions/DELETE, a 400 naming the
// field, roles and scope ownership).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <zlib.h>

#include <chrono>
#include <thread>

#include "query/catalog/definition_store.h"
#include "query/engine.h"
#include "server/dashboard_spec.h"
#include "server/router.h"
#include "server_test_util.h"
#include "web/assets.h"

namespace kpi::server {
namespace {

using nlohmann::json;

constexpr const char* kTokens =
    "admin-token-1 admin\n"
    "read-token-1 read\n"
    "acme-admin-token admin scope client = \"acme\"\n"
    "acme-read-token read scope client = \"acme\"\n"
    "globex-read-token read scope client = \"globex\"\n";

class WebUiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(TokenTable::Parse(kTokens, &tokens_).ok());
    engine_ = std::make_unique<query::Engine>(scratch_.store.get());
    router_ = std::make_unique<Router>(
        [this](std::string_view text, const query::ExecOptions& o, query::Result* r, query::QueryError* e) {
          return engine_->Execute(text, o, r, e);
        },
        scratch_.store.get(), &tokens_, &metrics_, RouterLimits{});
    Response r = Call("POST", "/v1/events", "admin-token-1",
                      "{\"ts\":\"2025-10-06T09:00:00Z\",\"ticket\":\"C1\",\"event\":\"created\",\"channel\":\"chat\","
                      "\"client\":\"acme\"}\n");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  Response Call(const std::string& method, const std::string& target, const std::string& token,
                const std::string& body = "", std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request request;
    request.method = method;
    request.target = target;
    request.body = body;
    request.headers = std::move(headers);
    if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
    return router_->Route(request);
  }
  static std::string Header(const Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }

  testing::ScratchStore scratch_;
  TokenTable tokens_;
  Metrics metrics_;
  std::unique_ptr<query::Engine> engine_;
  std::unique_ptr<Router> router_;
};

TEST_F(WebUiTest, ServesTheEmbeddedFilesWithoutAToken) {
  Response page = Call("GET", "/", "");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("/ui/echarts.min.js"), std::string::npos);
  EXPECT_NE(Header(page, "Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  const std::string etag = Header(page, "ETag");
  ASSERT_EQ(etag.size(), 42u) << etag;  // a quoted SHA-1

  Response again = Call("GET", "/", "", "", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());

  Response echarts = Call("GET", "/ui/echarts.min.js", "");
  ASSERT_EQ(echarts.status, 200);
  EXPECT_EQ(echarts.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(echarts.body.size(), web::FindAsset("/ui/echarts.min.js")->body.size());
  EXPECT_GT(echarts.body.size(), 500'000u);
  EXPECT_NE(echarts.body.find("Apache"), std::string::npos);
  // Every file the page names is served.
  for (const char* path : {"/ui/app.css", "/ui/api.js", "/ui/charts.js", "/ui/results.js", "/ui/editor.js",
                           "/ui/query_page.js", "/ui/dashboard_page.js", "/ui/app.js"}) {
    EXPECT_NE(page.body.find(path), std::string::npos) << path;
    EXPECT_EQ(Call("GET", path, "").status, 200) << path;
  }
  EXPECT_EQ(Call("GET", "/ui/missing.js", "").status, 404);
  EXPECT_EQ(Call("POST", "/", "", "x").status, 405);
}

TEST_F(WebUiTest, CompressesForClientsThatTakeGzip) {
  const web::Asset* asset = web::FindAsset("/ui/echarts.min.js");
  Response plain = Call("GET", "/ui/echarts.min.js", "", "", {{"Accept-Encoding", "gzip;q=0, identity"}});
  EXPECT_EQ(Header(plain, "Content-Encoding"), "");
  EXPECT_EQ(plain.body, asset->body);
  Response gz = Call("GET", "/ui/echarts.min.js", "", "", {{"Accept-Encoding", "br, GZIP;q=0.8"}});
  ASSERT_EQ(gz.status, 200);
  EXPECT_EQ(Header(gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(Header(gz, "Vary"), "Accept-Encoding");
  EXPECT_LT(gz.body.size(), asset->body.size() / 2);
  // It inflates to the file, and has its own ETag.
  std::string inflated(asset->body.size() + 1, '\0');
  z_stream z{};
  ASSERT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(gz.body.data());
  z.avail_in = static_cast<uInt>(gz.body.size());
  z.next_out = reinterpret_cast<Bytef*>(inflated.data());
  z.avail_out = static_cast<uInt>(inflated.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  inflated.resize(z.total_out);
  inflateEnd(&z);
  EXPECT_TRUE(inflated == asset->body);
  EXPECT_NE(Header(gz, "ETag"), Header(plain, "ETag"));
  EXPECT_EQ(Call("GET", "/ui/echarts.min.js", "", "", {{"Accept-Encoding", "gzip"}, {"If-None-Match", Header(gz, "ETag")}})
                .status,
            304);
  // Data still needs a token.
  EXPECT_EQ(Call("GET", "/v1/kpis", "").status, 401);
}

TEST_F(WebUiTest, CompletesByTheReplRule) {
  EXPECT_EQ(Call("GET", "/v1/complete?q=cha", "").status, 401);
  Response r = Call("GET", "/v1/complete?q=select%20count()%20from%20tickets%20by%20cha", "read-token-1");
  ASSERT_EQ(r.status, 200) << r.body;
  json doc = json::parse(r.body);
  EXPECT_EQ(doc["prefix"], "cha");
  EXPECT_EQ(doc["from"], 31);
  EXPECT_EQ(doc["candidates"], json::array({"channel"}));
  EXPECT_EQ(doc["more"], false);
  // cursor: the word before it, not the text's end; keywords complete too.
  doc = json::parse(Call("GET", "/v1/complete?q=SEL%20x&cursor=3", "read-token-1").body);
  EXPECT_EQ(doc["prefix"], "SEL");
  EXPECT_EQ(doc["candidates"], json::array({"select"}));
  EXPECT_EQ(Call("GET", "/v1/complete?q=abc&cursor=9", "read-token-1").status, 400);
  EXPECT_EQ(Call("GET", "/v1/complete", "read-token-1").status, 400);

  // A scope's own definitions complete for that scope only.
  ASSERT_EQ(Call("POST", "/v1/query", "acme-admin-token", "define kpi acme_volume = count()").status, 200);
  auto candidates = [&](const std::string& token) {
    return json::parse(Call("GET", "/v1/complete?q=acme_", token).body)["candidates"];
  };
  EXPECT_EQ(candidates("acme-read-token"), json::array({"acme_volume"}));
  EXPECT_EQ(candidates("read-token-1"), json::array({"acme_volume"}));
  EXPECT_EQ(candidates("globex-read-token"), json::array());
}

TEST_F(WebUiTest, ListsExemptionWindows) {
  ASSERT_EQ(Call("POST", "/v1/query", "admin-token-1", "define kpi n = count()").status, 200);
  ASSERT_EQ(Call("POST", "/v1/query", "admin-token-1",
                 "define exemption peak during 2025-11-20 .. 2025-12-01 relax n >= 1")
                .status,
            200);
  Response r = Call("GET", "/v1/exemptions", "read-token-1");
  ASSERT_EQ(r.status, 200) << r.body;
  json x = json::parse(r.body)["exemptions"];
  ASSERT_EQ(x.size(), 1u);
  EXPECT_EQ(x[0]["name"], "peak");
  EXPECT_EQ(x[0]["kind"], "relax");
  EXPECT_EQ(x[0]["start"], "2025-11-20T00:00:00Z");
  EXPECT_EQ(x[0]["end_ms"], 1764547200000);
  EXPECT_EQ(x[0]["relax"][0]["kpi"], "n");
}

constexpr const char* kBoard =
    R"j({"title":"Desk","columns":2,"tiles":[
        {"title":"Volume","statement":"select count() as n from tickets by week","chart":"line","refresh":"30s"},
        {"statement":"select count() as n from tickets by channel","refresh":120,"width":2}]})j";

TEST_F(WebUiTest, DashboardsAreVersionedData) {
  Response put = Call("PUT", "/v1/dashboards/desk", "admin-token-1", kBoard);
  ASSERT_EQ(put.status, 200) << put.body;
  json p = json::parse(put.body);
  EXPECT_EQ(p["message"], "dashboard desk defined");
  EXPECT_EQ(p["tiles"], 2);
  const int64_t v1 = p["version_ms"];

  json got = json::parse(Call("GET", "/v1/dashboards/desk", "read-token-1").body);
  EXPECT_EQ(got["name"], "desk");
  EXPECT_EQ(got["title"], "Desk");
  EXPECT_EQ(got["columns"], 2);
  ASSERT_EQ(got["tiles"].size(), 2u);
  EXPECT_EQ(got["tiles"][0]["refresh"], 30);
  EXPECT_EQ(got["tiles"][0]["chart"], "line");
  EXPECT_EQ(got["tiles"][1]["refresh"], 120);
  EXPECT_EQ(got["tiles"][1]["chart"], "auto");  // defaults are written out
  EXPECT_EQ(got["tiles"][1]["title"], "");
  EXPECT_EQ(got["tiles"][1]["width"], 2);
  EXPECT_EQ(got["version_ms"], v1);

  // What GET returns can be PUT back; a bare list of tiles is a dashboard too.
  // History keys are per millisecond of the store clock: one version each.
  auto next_ms = [] { std::this_thread::sleep_for(std::chrono::milliseconds(3)); };
  next_ms();
  json back = {{"title", got["title"]}, {"columns", got["columns"]}, {"tiles", got["tiles"]}};
  ASSERT_EQ(Call("PUT", "/v1/dashboards/desk", "admin-token-1", back.dump()).status, 200);
  next_ms();
  Response bare = Call("PUT", "/v1/dashboards/desk", "admin-token-1", R"j([{"statement":"show kpis"}])j");
  ASSERT_EQ(bare.status, 200) << bare.body;
  EXPECT_EQ(json::parse(bare.body)["message"], "dashboard desk redefined");

  json versions = json::parse(Call("GET", "/v1/dashboards/desk/versions", "read-token-1").body)["versions"];
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[0]["version_ms"], v1);
  json first = json::parse(Call("GET", "/v1/dashboards/desk?version=" + std::to_string(v1), "read-token-1").body);
  EXPECT_EQ(first["tiles"].size(), 2u);
  EXPECT_EQ(json::parse(Call("GET", "/v1/dashboards/desk", "read-token-1").body)["tiles"].size(), 1u);
  EXPECT_EQ(Call("GET", "/v1/dashboards/desk?version=12", "read-token-1").status, 404);

  json list = json::parse(Call("GET", "/v1/dashboards", "read-token-1").body)["dashboards"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "desk");
  EXPECT_EQ(list[0]["tiles"], 1);

  // Stored in the one catalog of definitions, as kind "dashboard".
  query::DefinitionMap stored;
  ASSERT_TRUE(query::LoadDefinitions(*scratch_.store, query::DefinitionKind::kDashboard, &stored).ok());
  ASSERT_EQ(stored.count("desk"), 1u);

  EXPECT_EQ(Call("PUT", "/v1/dashboards/desk", "read-token-1", kBoard).status, 403);
  EXPECT_EQ(Call("DELETE", "/v1/dashboards/desk", "read-token-1").status, 403);
  next_ms();
  Response del = Call("DELETE", "/v1/dashboards/desk", "admin-token-1");
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(Call("GET", "/v1/dashboards/desk", "read-token-1").status, 404);
  EXPECT_EQ(Call("DELETE", "/v1/dashboards/desk", "admin-token-1").status, 404);
  versions = json::parse(Call("GET", "/v1/dashboards/desk/versions", "read-token-1").body)["versions"];
  ASSERT_EQ(versions.size(), 4u);
  EXPECT_EQ(versions[3]["dropped"], true);
  EXPECT_EQ(Call("PUT", "/v1/dashboards/desk/versions", "admin-token-1", kBoard).status, 405);
  EXPECT_EQ(Call("GET", "/v1/dashboards/bad%20name", "read-token-1").status, 400);
}

TEST_F(WebUiTest, AnInvalidDashboardIsA400NamingTheField) {
  auto error = [&](const std::string& body) {
    Response r = Call("PUT", "/v1/dashboards/d", "admin-token-1", body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    return json::parse(r.body)["error"];
  };
  EXPECT_EQ(error("{not json")["field"], "");
  EXPECT_EQ(error(R"j({"title":"x"})j")["field"], "tiles");
  EXPECT_EQ(error(R"j([])j")["field"], "tiles");
  EXPECT_EQ(error(R"j([{"title":"no statement"}])j")["field"], "tiles[0].statement");
  json e = error(R"j([{"statement":"show kpis"},{"statement":"show kpis","chart":"pie"}])j");
  EXPECT_EQ(e["field"], "tiles[1].chart");
  EXPECT_EQ(e["message"],
            "tiles[1].chart: must be one of auto, table, line, bar, evaluation, number (got \"pie\")");
  EXPECT_EQ(error(R"j([{"statement":"show kpis","refresh":"5 minutes"}])j")["field"], "tiles[0].refresh");
  EXPECT_EQ(error(R"j([{"statement":"show kpis","refresh":0.5}])j")["field"], "tiles[0].refresh");
  EXPECT_EQ(error(R"j([{"statement":"show kpis","width":5}])j")["field"], "tiles[0].width");
  EXPECT_EQ(error(R"j([{"statement":"show kpis","colour":"red"}])j")["field"], "tiles[0].colour");
  EXPECT_EQ(error(R"j({"tiles":[{"statement":"show kpis"}],"columns":0})j")["field"], "columns");
  EXPECT_EQ(error(R"j({"tiles":[{"statement":"show kpis"}],"theme":"dark"})j")["field"], "theme");
  e = error(R"j([{"statement":"select count(\nfrom tickets"}])j");
  EXPECT_EQ(e["field"], "tiles[0].statement");
  EXPECT_EQ(e["line"], 2);
  e = error(R"j([{"statement":"define kpi x = count()"}])j");
  EXPECT_EQ(e["field"], "tiles[0].statement");
  EXPECT_NE(e["message"].get<std::string>().find("only reads"), std::string::npos);
  // Nothing was stored.
  EXPECT_EQ(Call("GET", "/v1/dashboards/d", "read-token-1").status, 404);
}

TEST_F(WebUiTest, AScopedAdminOwnsItsDashboards) {
  ASSERT_EQ(Call("PUT", "/v1/dashboards/shared", "admin-token-1", kBoard).status, 200);
  Response own = Call("PUT", "/v1/dashboards/acme-desk", "acme-admin-token", kBoard);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(Call("PUT", "/v1/dashboards/shared", "acme-admin-token", kBoard).status, 403);
  EXPECT_EQ(Call("DELETE", "/v1/dashboards/shared", "acme-admin-token").status, 403);
  auto names = [&](const std::string& token) {
    json out = json::array();
    const json doc = json::parse(Call("GET", "/v1/dashboards", token).body);
    for (const json& d : doc["dashboards"]) out.push_back(d["name"]);
    return out;
  };
  EXPECT_EQ(names("acme-read-token"), json::array({"acme-desk", "shared"}));
  EXPECT_EQ(names("globex-read-token"), json::array({"shared"}));
  EXPECT_EQ(names("read-token-1"), json::array({"acme-desk", "shared"}));
  EXPECT_EQ(Call("GET", "/v1/dashboards/acme-desk", "globex-read-token").status, 404);
  // An unscoped admin's redefinition keeps the owner.
  ASSERT_EQ(Call("PUT", "/v1/dashboards/acme-desk", "admin-token-1", kBoard).status, 200);
  EXPECT_EQ(names("globex-read-token"), json::array({"shared"}));
}

TEST(DashboardSpec, RefreshForms) {
  DashboardSpec spec;
  DashboardSpecError error;
  ASSERT_TRUE(ParseDashboardSpec(
      R"j([{"statement":"show kpis","refresh":"5m"},{"statement":"show kpis","refresh":"off"},
          {"statement":"show kpis","refresh":"2h"},{"statement":"show kpis","refresh":1},
          {"statement":"show kpis"}])j",
      &spec, &error))
      << error.message;
  ASSERT_EQ(spec.tiles.size(), 5u);
  EXPECT_EQ(spec.tiles[0].refresh_seconds, 300);
  EXPECT_EQ(spec.tiles[1].refresh_seconds, 0);
  EXPECT_EQ(spec.tiles[2].refresh_seconds, 7200);
  EXPECT_EQ(spec.tiles[3].refresh_seconds, 1);
  EXPECT_EQ(spec.tiles[4].refresh_seconds, 60);
  EXPECT_FALSE(ParseDashboardSpec(R"j([{"statement":"show kpis","refresh":"2d"}])j", &spec, &error));
  EXPECT_FALSE(ParseDashboardSpec(R"j([{"statement":"show kpis","refresh":86401}])j", &spec, &error));
  EXPECT_TRUE(IsDashboardName("service-desk_2"));
  EXPECT_FALSE(IsDashboardName("-x"));
  EXPECT_FALSE(IsDashboardName("a/b"));
}

}  // namespace
}  // namespace kpi::server
