// PUT /v1/tables/NAME?key=COLUMN over real sockets: admin only, the JSON
// summary, errors naming the body's line (nothing stored then), the body cap.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http_client.h"
#include "live_server_fixture.h"
#include "query/catalog/table_store.h"
#include "server/http_server.h"
#include "server/router.h"
#include "server_test_util.h"

namespace kpi::server {
namespace {

using nlohmann::json;
using testing::Fetch;
using testing::HttpReply;

constexpr const char* kAdmin = "Authorization: Bearer admin-token-1\r\n";
constexpr const char* kWriter = "Authorization: Bearer write-token-1\r\n";

class TableHttpTest : public testing::LiveServerTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(TokenTable::Parse("admin-token-1 admin\nwrite-token-1 write\n", &tokens_).ok());
    limits_.max_body_bytes = 4096;
    StartServer(nullptr, &tokens_);
  }

  HttpReply Put(const std::string& target, const std::string& body, const char* auth = kAdmin) {
    return Fetch(port_, "PUT", target, body, std::string(auth) + "Content-Type: text/csv\r\n");
  }

  std::shared_ptr<const query::LookupTable> Stored(const std::string& name) {
    std::shared_ptr<const query::LookupTable> t;
    if (!query::LoadTableNamed(*scratch_.store, name, -1, &t).ok()) return nullptr;
    return t;
  }

  TokenTable tokens_;
};

TEST_F(TableHttpTest, PutLoadsTheTable) {
  HttpReply r = Put("/v1/tables/agents?key=agent", "agent,role,score\r\na1,frontline,4.5\r\na2,lead,90%\r\n");
  ASSERT_EQ(r.status, 200) << r.body;
  json doc = json::parse(r.body);
  EXPECT_EQ(doc["name"], "agents");
  EXPECT_EQ(doc["key"], "agent");
  EXPECT_EQ(doc["rows"], 2);
  EXPECT_EQ(doc["columns"], json::parse(R"([{"name":"agent","type":"string"},{"name":"role","type":"string"},)"
                                        R"({"name":"score","type":"number"}])"));
  EXPECT_GT(doc["stored_bytes"].get<int>(), 0);
  auto table = Stored("agents");
  ASSERT_NE(table, nullptr);
  EXPECT_DOUBLE_EQ(table->columns[2].numbers[table->FindRow("a2")], 0.9);
  EXPECT_EQ(metrics_.RequestCount(Endpoint::kTables, 200), 1u);

  // A second PUT replaces the whole table.
  ASSERT_EQ(Put("/v1/tables/agents?key=agent", "agent,site\nb1,Berlin\n").status, 200);
  table = Stored("agents");
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->FindRow("a1"), -1);
  EXPECT_EQ(table->Text(1, table->FindRow("b1")), "Berlin");
}

TEST_F(TableHttpTest, ErrorsNameTheLineAndStoreNothing) {
  HttpReply r = Put("/v1/tables/agents?key=agent", "agent,score\na1,3\na2,4\na3,n/a\n");
  EXPECT_EQ(r.status, 400);
  json doc = json::parse(r.body);
  EXPECT_EQ(doc["error"]["line"], 4);
  EXPECT_EQ(doc["error"]["message"].get<std::string>().rfind("line 4: column 'score' holds a string ('n/a')", 0), 0u)
      << r.body;
  r = Put("/v1/tables/agents?key=agent", "agent\na1\na1\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"]["message"], "line 3: duplicate key 'a1' (first on line 2)");
  EXPECT_EQ(Stored("agents"), nullptr);

  r = Put("/v1/tables/agents", "agent\na1\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("missing parameter key"), std::string::npos) << r.body;
  r = Put("/v1/tables/agents?key=id", "agent\na1\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"]["line"], 1);
  EXPECT_EQ(Put("/v1/tables/bad-name?key=agent", "agent\na1\n").status, 400);
  EXPECT_EQ(Put("/v1/tables/select?key=agent", "agent\na1\n").status, 400);
  EXPECT_EQ(Stored("agents"), nullptr);
}

TEST_F(TableHttpTest, AdminOnlyPutOnlyAndBodyCap) {
  EXPECT_EQ(Put("/v1/tables/agents?key=agent", "agent\na1\n", kWriter).status, 403);
  EXPECT_EQ(Put("/v1/tables/agents?key=agent", "agent\na1\n", "").status, 401);
  HttpReply get = Fetch(port_, "GET", "/v1/tables/agents", "", kAdmin);
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.headers["allow"], "PUT");
  std::string big = "agent\n";
  while (big.size() <= limits_.max_body_bytes) big += "a" + std::to_string(big.size()) + "\n";
  EXPECT_EQ(Put("/v1/tables/agents?key=agent", big).status, 413);
  HttpReply gz = Fetch(port_, "PUT", "/v1/tables/agents?key=agent", "agent\na1\n",
                       std::string(kAdmin) + "Content-Encoding: gzip\r\n");
  EXPECT_EQ(gz.status, 415);
  EXPECT_EQ(Stored("agents"), nullptr);
}

}  // namespace
}  // namespace kpi::server
