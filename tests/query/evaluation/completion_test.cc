// REPL completion knows every definition: KPIs, tables and their columns
// (TABLE.column), calendars, exemptions, scorecards, and the keywords of
// the evaluation and trend statements.
#include <gtest/gtest.h>

#include <algorithm>

#include "query/catalog/table_store.h"
#include "query/completion.h"
#include "query/engine.h"
#include "query/parser/parser.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::query {
namespace {

TEST(Completion, KnowsEveryDefinitionKind) {
  kpi::testing::ScratchDir dir("completion");
  std::unique_ptr<storage::Store> store;
  storage::StoreOptions options;
  options.sync = false;
  ASSERT_TRUE(storage::Store::Open(dir.path(), options, &store).ok());
  Engine engine(store.get());
  std::vector<RawEvent> events(1);
  events[0].ts_ms = 1'760'000'000'000;
  events[0].ticket = "T1";
  events[0].event = "created";
  events[0].dims = {{"channel", "chat"}};
  std::vector<storage::EventReject> rejects;
  storage::IngestStats stats;
  ASSERT_TRUE(store->Ingest(events, &rejects, &stats).ok());
  for (const char* st : {"define kpi volume = count()", "define target volume >= 1",
                         "define calendar office tz \"UTC\" open mon-fri 09:00-17:00",
                         "define exemption outage during 2025-01-01 .. 2025-01-02 exclude",
                         "define scorecard board = 100% volume"}) {
    Result r;
    QueryError err;
    ASSERT_TRUE(engine.Execute(st, ExecOptions{}, &r, &err).ok()) << st << ": " << err.ToString();
  }
  TableLoadReport report;
  ASSERT_TRUE(LoadTableCsvIntoStore(store.get(), "agents", "agent", "agent,role\na1,lead\n", "agents.csv",
                                    store->NowMs(), &report)
                  .ok());
  const std::vector<std::string> words = CompletionVocabulary(engine);
  auto has = [&](const std::string& w) { return std::find(words.begin(), words.end(), w) != words.end(); };
  for (const char* w : {"volume", "office", "outage", "board", "agents", "agents.role", "agents.agent", "channel"})
    EXPECT_TRUE(has(w)) << w;
  const auto& keywords = Keywords();
  for (const char* k : {"evaluate", "scorecard", "calendar", "target", "exemption", "join", "rolling", "compare",
                        "case", "coalesce"}) {
    const bool known = std::find(keywords.begin(), keywords.end(), k) != keywords.end() || has(k);
    EXPECT_TRUE(known) << k;
  }
}

}  // namespace
}  // namespace kpi::query
