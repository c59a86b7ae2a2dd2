// The data-file runner: every `query` step of tests/query/cases/*.test is one
// test. It replays the file's earlier steps on a fresh store (event batches
// ingested at their stated instants through an injected clock; define/drop
// statements executed), runs the statement on the engine and checks the
// expectation; a select is also run on the reference evaluator
// (tests/query/reference) and checked against the same expectation, so a
// hand-computed table that the reference disagrees with is caught too.
// A select is also run as two fresh `kpi query`-like processes over the
// store, a writer then a reader of its derived-value files
// (memo_processes.h), against the same expectation.
// The same files run on the ClickHouse backend in clickhouse_cases_test.cc.
#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <ostream>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "query/cases_runner/case_check.h"
#include "query/cases_runner/case_file.h"
#include "query/cases_runner/memo_processes.h"
#include "query/engine.h"
#include "query/parser/parser.h"
#include "query/catalog/table_store.h"
#include "query/reference/reference_evaluator.h"
#include "query/reference/reference_judge.h"
#include "query/reference/reference_relative.h"
#include "query/reference/reference_replay.h"
#include "query/reference/reference_time.h"
#include "query/reference/result_text.h"
#include "query/watch/watch_record.h"
#include "query/watch/watch_select.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::cases {
namespace {

class CaseTest : public ::testing::TestWithParam<CaseParam> {};

TEST_P(CaseTest, MatchesExpectation) {
  const CaseParam& p = GetParam();
  ASSERT_TRUE(p.load_error.empty()) << p.load_error;
  const CaseFile& file = ParsedFiles().at(p.file).first;
  const Step& step = file.steps[p.step];
  SCOPED_TRACE(p.file + ":" + std::to_string(step.line) + " query " + step.name + "\n" + step.text);

  kpi::testing::ScratchDir dir("kpi-cases");
  int64_t now_ms = 0;
  storage::StoreOptions options;
  options.sync = false;
  options.cache_bytes = 16 << 20;
  options.clock = [&now_ms] { return now_ms; };
  std::unique_ptr<storage::Store> store;
  ASSERT_TRUE(storage::Store::Open(dir.path(), options, &store).ok());
  auto engine = std::make_unique<query::Engine>(store.get());
  reference::EventLog log;
  // Every definition the engine accepted (define / drop statements and table
  // loads) with the clock at that moment: replayed up to an instant, they give
  // the reference the definitions in force then (`as of`).
  std::vector<reference::RefHistoryEntry> history;

  int64_t last_ingest = INT64_MIN;
  for (size_t i = 0; i < p.step; ++i) {
    const Step& s = file.steps[i];
    if (s.kind == Step::Kind::kEvents) {
      ASSERT_GE(s.ingest_ms, last_ingest) << "batches must be stamped in time order (line " << s.line << ")";
      last_ingest = s.ingest_ms;
      now_ms = s.ingest_ms;
      std::vector<storage::EventReject> rejects;
      storage::IngestStats stats;
      Status st = store->Ingest(s.events, &rejects, &stats);
      ASSERT_TRUE(st.ok()) << "ingest of the batch at line " << s.line << ": " << st.ToString();
      for (const RawEvent& e : s.events) log.emplace_back(e, s.ingest_ms);
      continue;
    }
    if (s.kind == Step::Kind::kWatchRun) {
      ASSERT_GE(s.ingest_ms, now_ms) << "a watch run goes forward in time (line " << s.line << ")";
      now_ms = s.ingest_ms;
      Status run;  // a failed run is recorded as the server records it
      const Status st = query::RunWatchOnce(*engine, s.watch, s.ingest_ms, &run);
      ASSERT_TRUE(st.ok()) << "run watch " << s.watch << " (line " << s.line << "): " << st.ToString();
      continue;
    }
    if (s.kind == Step::Kind::kTable) {
      query::TableLoadReport report;
      const Status st = query::LoadTableCsvIntoStore(store.get(), s.table, s.table_key, s.csv, s.table + ".csv",
                                                     now_ms, &report);
      ASSERT_TRUE(st.ok()) << "table " << s.table << " (line " << s.line << "): " << st.ToString();
      history.push_back({now_ms, "", s.table, s.table_key, s.csv});
      continue;
    }
    if (Contains(s.text.substr(0, 7), "select") || Contains(s.text.substr(0, 8), "explain")) continue;
    query::Result ignored;
    query::QueryError qerr;
    if (engine->Execute(s.text, query::ExecOptions{}, &ignored, &qerr).ok()) history.push_back({now_ms, s.text, "", "", ""});
  }

  const Expectation& x = step.expect;
  query::Result got;
  query::QueryError qerr;
  const Status st = engine->Execute(step.text, query::ExecOptions{}, &got, &qerr);
  if (x.expect_error) {
    EXPECT_FALSE(st.ok()) << "engine: the statement should fail; it gave\n" << reference::FormatTable(got);
    if (!st.ok()) {
      EXPECT_TRUE(Contains(qerr.ToString(), x.error_text))
          << "engine error does not hold '" << x.error_text << "':\n" << qerr.ToString();
    }
  } else {
    ASSERT_TRUE(st.ok()) << "engine: " << st.ToString() << "\n" << qerr.ToString();
    if (x.expect_ok) {
      EXPECT_TRUE(Contains(got.message, x.ok_text)) << "engine message: " << got.message;
    }
    const std::string table = CheckTable(x, got);
    EXPECT_TRUE(table.empty()) << "engine: " << table;
    const std::string warn = CheckWarnings(x, got);
    EXPECT_TRUE(warn.empty()) << "engine: " << warn;
  }

  query::ast::Statement parsed;
  query::ParseError perr;
  const bool parses = query::ParseStatement(step.text, &parsed, &perr);

  // The same expectation for a select run as `kpi query` processes run it:
  // a writer of the derived-value files, then a fresh reader of them
  // (memo_processes.h; KPI_CASES_MEMO=off skips this).
  if (parses && !x.expect_error && MemoPassesOn() &&
      (std::holds_alternative<query::ast::SelectQuery>(parsed) || std::holds_alternative<query::ast::Evaluate>(parsed))) {
    engine.reset();
    store.reset();
    for (const MemoPass& pass : RunAsWriterThenReader(dir.path(), step.text, now_ms)) {
      ASSERT_TRUE(pass.status.ok()) << pass.name << ": " << pass.status.ToString() << "\n" << pass.error;
      const std::string table = CheckTable(x, pass.result);
      EXPECT_TRUE(table.empty()) << pass.name << ": " << table;
      const std::string warn = CheckWarnings(x, pass.result);
      EXPECT_TRUE(warn.empty()) << pass.name << ": " << warn;
      if (x.expect_ok) {
        EXPECT_TRUE(Contains(pass.result.message, x.ok_text)) << pass.name << ": " << pass.result.message;
      }
    }
  }

  // The same expectation on the reference, for select statements.
  if (!parses) {
    EXPECT_TRUE(x.expect_error) << "the parser refuses the statement: " << perr.ToString();
    return;
  }
  auto* select = std::get_if<query::ast::SelectQuery>(&parsed);
  auto* evaluate = std::get_if<query::ast::Evaluate>(&parsed);
  if (select == nullptr && evaluate == nullptr) return;
  if (query::ReadsWatch(select ? *select : evaluate->query)) return;  // watch runs are the engine's, not events
  // Relative windows (`during last 1h`) are read against the store's clock,
  // as the engine reads them.
  std::string relative_error;
  ASSERT_TRUE(reference::ResolveRelativeDuring(select ? select : &evaluate->query, now_ms, &relative_error))
      << "reference: " << relative_error;
  const query::ast::SelectQuery& q = select ? *select : evaluate->query;
  std::string def_error;
  reference::RefDefinitions defs;
  ASSERT_TRUE(reference::ReplayDefinitions(history, reference::AsOfMs(q), &defs, &def_error))
      << "reference: " << def_error;
  query::Result ref;
  const Status rst = select ? reference::Evaluate(log, *select, defs.context, reference::ReferenceOptions{}, &ref)
                            : reference::EvaluateStatement(log, *evaluate, defs, &ref);
  if (x.expect_error) {
    EXPECT_FALSE(rst.ok()) << "reference: the statement should fail; it gave\n" << reference::FormatTable(ref);
    return;
  }
  ASSERT_TRUE(rst.ok()) << "reference: " << rst.ToString();
  const std::string table = CheckTable(x, ref);
  EXPECT_TRUE(table.empty()) << "reference: " << table;
  const std::string warn = CheckWarnings(x, ref);
  EXPECT_TRUE(warn.empty()) << "reference: " << warn;
}

INSTANTIATE_TEST_SUITE_P(Cases, CaseTest, ::testing::ValuesIn(AllCases()),
                         [](const ::testing::TestParamInfo<CaseParam>& info) { return info.param.test_name; });

// The reader of the memo pass reads what the writer wrote: otherwise the
// pass would only run the engine twice more.
TEST(CaseFiles, MemoPassReaderReadsTheWritersFiles) {
  if (!MemoPassesOn()) GTEST_SKIP() << "KPI_CASES_MEMO=off";
  kpi::testing::ScratchDir dir("kpi-cases-memo");
  const int64_t now_ms = 1735776000000;
  {
    storage::StoreOptions options;
    options.sync = false;
    options.clock = [now_ms] { return now_ms; };
    std::unique_ptr<storage::Store> store;
    ASSERT_TRUE(storage::Store::Open(dir.path(), options, &store).ok());
    std::vector<RawEvent> events;
    for (int t = 0; t < 40; ++t) {
      RawEvent created;
      created.ticket = "T" + std::to_string(t);
      created.ts_ms = 1735689600000 + t * 60000;
      created.event = "created";
      created.dims = {{"channel", t % 2 ? "chat" : "email"}};
      RawEvent reply = created;
      reply.event = "agent_reply";
      reply.dims.clear();
      reply.ts_ms += 1000 * (t + 1);
      events.push_back(created);
      events.push_back(reply);
    }
    std::vector<storage::EventReject> rejects;
    storage::IngestStats stats;
    ASSERT_TRUE(store->Ingest(events, &rejects, &stats).ok());
  }
  const auto passes = RunAsWriterThenReader(
      dir.path(), "select p50(duration(created -> agent_reply)) as frt from tickets by channel", now_ms);
  ASSERT_EQ(passes.size(), 2u);
  for (const MemoPass& pass : passes) ASSERT_TRUE(pass.status.ok()) << pass.name << ": " << pass.error;
  EXPECT_GT(passes[0].file_misses, 0u) << "the writer looked nothing up";
  EXPECT_GT(passes[1].file_hits, 0u) << "the reader read nothing the writer wrote";
  EXPECT_EQ(reference::FormatTable(passes[0].result), reference::FormatTable(passes[1].result));
}

TEST(CaseFiles, EnoughCasesAreLoaded) {
  EXPECT_GE(AllCases().size(), 40u) << "cases directory: " << CasesDir();
}

TEST(CaseFiles, ParserReadsEveryForm) {
  const std::string text =
      "# comment\n"
      "events @2025-01-01T00:00:00Z\n"
      "{\"ts\":\"2025-01-01T00:00:00Z\",\"ticket\":\"T1\",\"event\":\"created\",\"channel\":\"chat\"}\n"
      "query a\nselect count() as n\nfrom tickets\nexpect\nn:number\n1\n\n"
      "query b\nselect x from tickets\nexpect error unknown column\n"
      "query c\ndefine kpi k = count()\nexpect ok defined\n"
      "query d\nselect count() from tickets\nexpect unordered\n\"count()\"\n\"NULL\"\n"
      "run watch w @2025-01-02T00:00:00Z\n";
  CaseFile f;
  std::string error;
  ASSERT_TRUE(ParseCaseFile("t.test", text, &f, &error)) << error;
  ASSERT_EQ(f.steps.size(), 6u);
  EXPECT_EQ(f.steps[5].kind, Step::Kind::kWatchRun);
  EXPECT_EQ(f.steps[5].watch, "w");
  EXPECT_EQ(f.steps[5].ingest_ms, 1735776000000);
  EXPECT_EQ(f.steps[0].events.size(), 1u);
  EXPECT_EQ(f.steps[0].events[0].dims.size(), 1u);
  EXPECT_EQ(f.steps[1].text, "select count() as n\nfrom tickets");
  EXPECT_EQ(f.steps[1].expect.column_types[0], "number");
  EXPECT_EQ(f.steps[1].expect.rows.size(), 1u);
  EXPECT_TRUE(f.steps[2].expect.expect_error);
  EXPECT_EQ(f.steps[2].expect.error_text, "unknown column");
  EXPECT_TRUE(f.steps[3].expect.expect_ok);
  EXPECT_TRUE(f.steps[4].expect.unordered);
  EXPECT_TRUE(f.steps[4].expect.rows[0][0].quoted);
  EXPECT_FALSE(ParseCaseFile("t.test", "run watch w\n", &f, &error));
  EXPECT_NE(error.find("t.test:1: expected `run watch NAME @"), std::string::npos) << error;
  EXPECT_FALSE(ParseCaseFile("t.test", "query a\nselect 1\n", &f, &error));
  EXPECT_NE(error.find("t.test:2"), std::string::npos) << error;
}

}  // namespace
}  // namespace kpi::cases
