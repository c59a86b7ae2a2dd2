// Definitions owned by a scope (issue 14): what a scoped admin defines is
// its scope's own; a scoped token sees the shared definitions and its own,
// never another scope's (as if absent), and may change only its own; an
// unscoped token sees and may drop everything.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "query/catalog/definition_store.h"
#include "query/engine.h"
#include "query/execution/scope.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::query {
namespace {

constexpr int64_t kJan1 = 1735689600000;  // 2025-01-01T00:00:00Z

RawEvent Ev(int64_t ts, const std::string& ticket, const std::string& event, const std::string& client) {
  RawEvent e;
  e.ts_ms = ts;
  e.ticket = ticket;
  e.event = event;
  e.agent = event == "agent_reply" ? "ann" : "";
  if (!client.empty()) e.dims = {{"client", client}};
  return e;
}

class ScopeDefinitionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<kpi::testing::ScratchDir>("kpi-scope-defs");
    storage::StoreOptions options;
    options.sync = false;
    options.clock = [this] { return now_ += 1000; };
    ASSERT_TRUE(storage::Store::Open(dir_->path(), options, &store_).ok());
    engine_ = std::make_unique<Engine>(store_.get());
    std::vector<RawEvent> events = {Ev(kJan1, "A1", "created", "acme"), Ev(kJan1 + 60000, "A1", "agent_reply", ""),
                                    Ev(kJan1, "A2", "created", "acme"), Ev(kJan1, "G1", "created", "globex"),
                                    Ev(kJan1 + 60000, "G1", "agent_reply", "")};
    std::vector<storage::EventReject> rejects;
    storage::IngestStats stats;
    ASSERT_TRUE(store_->Ingest(events, &rejects, &stats).ok());
    ASSERT_TRUE(Scope::Parse("client = \"acme\"", &acme_).ok());
    ASSERT_TRUE(Scope::Parse("client = \"globex\"", &globex_).ok());
  }

  // Runs `text` as the token of `scope` (nullptr: unscoped).
  Status Run(const std::shared_ptr<const Scope>& scope, const std::string& text, Result* out = nullptr,
             std::string* message = nullptr) {
    ExecOptions options;
    options.scope = scope;
    Result r;
    QueryError err;
    Status s = engine_->Execute(text, options, out ? out : &r, &err);
    if (message) *message = s.message();
    return s;
  }

  // The first column of `show KIND` as `scope` sees it.
  std::vector<std::string> Names(const std::shared_ptr<const Scope>& scope, const std::string& kind) {
    Result r;
    Status s = Run(scope, "show " + kind, &r);
    EXPECT_TRUE(s.ok()) << s.message();
    std::vector<std::string> out;
    for (const auto& row : r.rows) out.push_back(row[0].text);
    return out;
  }

  using V = std::vector<std::string>;
  int64_t now_ = kJan1 + 86400000;
  std::unique_ptr<kpi::testing::ScratchDir> dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<const Scope> acme_, globex_;
};

TEST_F(ScopeDefinitionsTest, EachScopeSeesSharedAndItsOwn) {
  ASSERT_TRUE(Run(nullptr, "define kpi answered = rate(has(agent_reply))").ok());
  ASSERT_TRUE(Run(nullptr, "define target answered >= 60%").ok());
  ASSERT_TRUE(Run(acme_, "define kpi acme_n = count()").ok());
  ASSERT_TRUE(Run(acme_, "define target answered >= 90% where client = \"acme\"").ok());
  ASSERT_TRUE(Run(globex_, "define kpi globex_n = count()").ok());
  ASSERT_TRUE(Run(globex_, "define target answered >= 10% where client = \"globex\"").ok());
  ASSERT_TRUE(Run(globex_, "define scorecard desk = 100% answered").ok());

  EXPECT_EQ(Names(acme_, "kpis"), (V{"acme_n", "answered"}));
  EXPECT_EQ(Names(globex_, "kpis"), (V{"answered", "globex_n"}));
  EXPECT_EQ(Names(nullptr, "kpis"), (V{"acme_n", "answered", "globex_n"}));
  EXPECT_EQ(Names(acme_, "targets").size(), 2u);
  EXPECT_EQ(Names(globex_, "targets").size(), 2u);
  EXPECT_EQ(Names(nullptr, "targets").size(), 3u);
  EXPECT_EQ(Names(acme_, "scorecards"), V{});
  EXPECT_EQ(Names(globex_, "scorecards"), V{"desk"});

  // The owner is stored with the definition; shared ones have none.
  DefinitionMap kpis;
  ASSERT_TRUE(LoadDefinitions(*store_, DefinitionKind::kKpi, &kpis).ok());
  EXPECT_EQ(kpis.at("acme_n").owner, acme_->text());
  EXPECT_EQ(kpis.at("globex_n").owner, globex_->text());
  EXPECT_EQ(kpis.at("answered").owner, "");
  EXPECT_EQ(kpis.at("acme_n").text, "count()");

  // Resolving names: another scope's KPI is unknown, its own is computed
  // over its data.
  Result r;
  ASSERT_TRUE(Run(acme_, "select acme_n from tickets", &r).ok());
  EXPECT_EQ(r.rows[0][0].number, 2);
  EXPECT_FALSE(Run(acme_, "select globex_n from tickets").ok());
  EXPECT_FALSE(Run(acme_, "evaluate scorecard desk from tickets").ok());
  EXPECT_TRUE(Run(globex_, "evaluate scorecard desk from tickets").ok());
  EXPECT_TRUE(Run(nullptr, "select acme_n, globex_n from tickets").ok());
}

TEST_F(ScopeDefinitionsTest, AScopedAdminChangesOnlyItsOwn) {
  ASSERT_TRUE(Run(nullptr, "define kpi answered = rate(has(agent_reply))").ok());
  ASSERT_TRUE(Run(nullptr, "define target answered >= 60%").ok());
  ASSERT_TRUE(Run(acme_, "define kpi acme_n = count()").ok());
  ASSERT_TRUE(Run(globex_, "define kpi globex_n = count()").ok());
  ASSERT_TRUE(Run(globex_, "define target answered >= 10% where client = \"globex\"").ok());

  std::string m;
  // Shared: neither redefined nor dropped by a scope, nor shadowed.
  Status s = Run(acme_, "define kpi answered = count()", nullptr, &m);
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied) << m;
  EXPECT_NE(m.find("shared"), std::string::npos) << m;
  s = Run(acme_, "drop kpi answered", nullptr, &m);
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied) << m;
  EXPECT_NE(m.find("shared"), std::string::npos) << m;
  EXPECT_EQ(Run(acme_, "drop target answered").code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(Run(acme_, "define target answered >= 1%").code(), Status::Code::kPermissionDenied);
  // Another scope's: as if absent for drops; its name is taken.
  EXPECT_EQ(Run(acme_, "drop kpi globex_n").code(), Status::Code::kNotFound);
  EXPECT_EQ(Run(acme_, "drop target answered where client = \"globex\"").code(), Status::Code::kNotFound);
  s = Run(acme_, "define kpi globex_n = count()", nullptr, &m);
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied) << m;
  EXPECT_NE(m.find("another scope"), std::string::npos) << m;
  EXPECT_EQ(Names(globex_, "kpis"), (V{"answered", "globex_n"}));
  // Its own: redefined and dropped.
  Result r;
  ASSERT_TRUE(Run(acme_, "define kpi acme_n = count() + 1", &r).ok());
  EXPECT_EQ(r.message, "kpi acme_n redefined");
  EXPECT_EQ(Names(globex_, "kpis"), (V{"answered", "globex_n"}));
  // An unscoped admin's redefinition keeps the owner; it may drop anything.
  ASSERT_TRUE(Run(nullptr, "define kpi acme_n = count()").ok());
  EXPECT_EQ(Names(globex_, "kpis"), (V{"answered", "globex_n"}));
  EXPECT_EQ(Names(acme_, "kpis"), (V{"acme_n", "answered"}));
  ASSERT_TRUE(Run(acme_, "drop kpi acme_n").ok());
  EXPECT_EQ(Names(acme_, "kpis"), V{"answered"});
  ASSERT_TRUE(Run(nullptr, "drop target answered where client = \"globex\"").ok());
  ASSERT_TRUE(Run(nullptr, "drop kpi globex_n").ok());
  EXPECT_EQ(Names(globex_, "kpis"), V{"answered"});
  // A dropped name is free again, for any scope.
  ASSERT_TRUE(Run(acme_, "define kpi globex_n = count()").ok());
  EXPECT_EQ(Names(acme_, "kpis"), (V{"answered", "globex_n"}));
  EXPECT_EQ(Names(globex_, "kpis"), V{"answered"});
}

TEST_F(ScopeDefinitionsTest, AsOfSeesTheOwnerOfThatInstant) {
  ASSERT_TRUE(Run(acme_, "define kpi acme_n = count()").ok());
  const int64_t defined = now_;
  ASSERT_TRUE(Run(acme_, "drop kpi acme_n").ok());
  DefinitionMap then;
  ASSERT_TRUE(LoadDefinitionsAsOf(*store_, DefinitionKind::kKpi, defined, &then).ok());
  ASSERT_EQ(then.count("acme_n"), 1u);
  EXPECT_EQ(then.at("acme_n").owner, acme_->text());
  std::map<DefinitionKind, DefinitionMap> every;
  const std::string globex_text = globex_->text();
  ASSERT_TRUE(LoadEveryKind(*store_, defined, &every, &globex_text).ok());
  EXPECT_EQ(every[DefinitionKind::kKpi].count("acme_n"), 0u);
  const std::string acme_text = acme_->text();
  ASSERT_TRUE(LoadEveryKind(*store_, defined, &every, &acme_text).ok());
  EXPECT_EQ(every[DefinitionKind::kKpi].count("acme_n"), 1u);
}

}  // namespace
}  // namespace kpi::query
