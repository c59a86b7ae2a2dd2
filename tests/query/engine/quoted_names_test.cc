// Quoted names against a store (docs/query-language.md "Quoted names"):
// every dimension and measure ingest stores, whatever its name, can be
// named in a query (a dot in a quoted name is no joined table, a reserved
// word no keyword), and completion offers such names quoted.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "query/completion.h"
#include "query/engine.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::query {
namespace {

class QuotedNamesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions o;
    o.sync = false;
    ASSERT_TRUE(storage::Store::Open(dir_.path(), o, &store_).ok());
    std::vector<RawEvent> events;
    const char* states[] = {"ouvert", "fermé", "ouvert"};
    for (int t = 0; t < 3; ++t) {
      RawEvent e;
      e.ts_ms = 1'760'000'000'000 + t * 1000;
      e.ticket = "T" + std::to_string(t);
      e.event = "created";
      e.dims = {{"état", states[t]}, {"first name", "Ann"}, {"a.b", "dotted"}, {"order", "o" + std::to_string(t)},
                {"x`y", "tick"}};
      e.measures = {{"durée s", 10.0 * (t + 1)}};
      events.push_back(e);
    }
    std::vector<storage::EventReject> rejects;
    storage::IngestStats stats;
    ASSERT_TRUE(store_->Ingest(events, &rejects, &stats).ok());
    ASSERT_TRUE(rejects.empty());
  }

  Result Run(const std::string& q) {
    Engine engine(store_.get());
    Result r;
    QueryError err;
    EXPECT_TRUE(engine.Execute(q, ExecOptions{}, &r, &err).ok()) << q << ": " << err.ToString();
    return r;
  }

  kpi::testing::ScratchDir dir_{"quoted-names"};
  std::unique_ptr<storage::Store> store_;
};

TEST_F(QuotedNamesTest, EveryStoredNameCanBeNamed) {
  Result r = Run("select count() as `n°` from events by `état` order by `n°` desc");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.columns[0].name, "état");
  EXPECT_EQ(r.columns[1].name, "n°");
  EXPECT_EQ(r.rows[0][0], Value::String("ouvert"));
  EXPECT_EQ(r.rows[0][1], Value::Number(2));
  r = Run("select count() as n from events where `a.b` = \"dotted\" and `first name` = \"Ann\" and "
          "`order` = \"o1\" and `x\\`y` = \"tick\"");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], Value::Number(1));
  r = Run("select sum(`durée s`) as s from events");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], Value::Number(60));
  // A result column named by its expression, quoted as it is written.
  r = Run("select count(`état`) from events");
  EXPECT_EQ(r.columns[0].name, "count(`état`)");
}

TEST_F(QuotedNamesTest, AnUnknownQuotedNameIsAnUnknownColumn) {
  Engine engine(store_.get());
  Result r;
  QueryError err;
  EXPECT_FALSE(engine.Execute("select count() from events by `etat`", ExecOptions{}, &r, &err).ok());
  EXPECT_NE(err.message.find("unknown column 'etat'"), std::string::npos) << err.ToString();
  EXPECT_EQ(err.column, 31);
  // A quoted dotted name is a column, not a joined table's.
  EXPECT_FALSE(engine.Execute("select count() from events by `agents.role`", ExecOptions{}, &r, &err).ok());
  EXPECT_NE(err.message.find("unknown column 'agents.role'"), std::string::npos) << err.ToString();
}

TEST_F(QuotedNamesTest, CompletionOffersThemQuoted) {
  Engine engine(store_.get());
  const std::vector<std::string> words = CompletionVocabulary(engine);
  for (const char* w : {"`état`", "`first name`", "`a.b`", "`order`", "`x\\`y`", "`durée s`"})
    EXPECT_NE(std::find(words.begin(), words.end(), w), words.end()) << w;
  EXPECT_EQ(CompletionCandidates(words, "ét"), std::vector<std::string>{"`état`"});
  EXPECT_EQ(CompletionCandidates(words, "`fir"), (std::vector<std::string>{"`first name`", "`first`"}));  // first(A) too
  EXPECT_EQ(CompletionCandidates(words, "`creat"), std::vector<std::string>{"`created`"});
  const std::string text = "select count() from events by `first n";
  EXPECT_EQ(CompletionWordStart(text, text.size()), text.find('`'));
}

}  // namespace
}  // namespace kpi::query
