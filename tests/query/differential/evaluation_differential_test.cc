// Differential test of the evaluation layer (evaluation-and-trends.md,
// sections 1-6): per seed a random event log (random_data.h) is ingested,
// random definitions (random_evaluation.h: tables, KPIs, calendars, targets,
// exemptions, scorecards, in two rounds) are executed by the engine at
// controlled store-clock instants, and random `evaluate`, `evaluate
// scorecard`, select-with-join and select-with-duration(... in CAL)
// statements are run by the engine and by the reference evaluator, which
// gets the definitions in force at the statement's `as of`
// (reference_replay.h). The tables must agree (compare.h); both refusing a
// statement (a conflict between targets, a dropped table) is agreement.
//
// KPI_EVAL_DIFF_QUERIES (default 4000) sets the number of statements, spread
// over seeds 1..8; KPI_EVAL_DIFF_SEED runs one seed only;
// KPI_EVAL_DIFF_VERBOSE=1 prints every statement with the engine's table. A
// failure prints the seed, the definitions, the statement and both tables.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "query/catalog/table_store.h"
#include "query/differential/compare.h"
#include "query/differential/ingested_store.h"
#include "query/differential/random_data.h"
#include "query/differential/random_evaluation.h"
#include "query/engine.h"
#include "query/parser/parser.h"
#include "query/reference/reference_evaluator.h"
#include "query/reference/reference_judge.h"
#include "query/reference/reference_replay.h"
#include "query/reference/result_text.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::differential {
namespace {

constexpr int kTicketsPerSeed = 100;
constexpr int kMaxPrintedFailures = 10;

struct Tally {
  int statements = 0, both_ok = 0, both_error = 0, failures = 0, evaluates_ok = 0;
};

void RunSeed(uint64_t seed, int statements, Tally* tally) {
  const RandomLog data = GenerateLog(seed, kTicketsPerSeed);
  std::string error;
  const std::unique_ptr<IngestedStore> ingested = IngestLog(data, "kpi-eval-diff", 32 << 20, &error);
  ASSERT_TRUE(ingested) << error;
  storage::Store* store = ingested->store.get();
  const reference::EventLog& log = ingested->log;
  int64_t& now_ms = ingested->now_ms;
  query::Engine engine(store);

  // The definitions, each at its instant; every one must be accepted.
  const int64_t first_ms = data.batches.back().ingest_ms + 86400000;
  std::vector<reference::RefHistoryEntry> history;
  std::string definitions;
  for (const DefinitionStep& d : GenerateDefinitions(seed, first_ms)) {
    now_ms = d.at_ms;
    if (!d.table.empty()) {
      query::TableLoadReport report;
      const Status st = query::LoadTableCsvIntoStore(store, d.table, d.key, d.csv, d.table + ".csv", now_ms,
                                                     &report);
      ASSERT_TRUE(st.ok()) << "seed " << seed << ": table " << d.table << ":\n" << d.csv << st.ToString();
      history.push_back({d.at_ms, "", d.table, d.key, d.csv});
      definitions += "  table " + d.table + " key=" + d.key + ": " + d.csv;
      continue;
    }
    query::Result ignored;
    query::QueryError qerr;
    const Status st = engine.Execute(d.statement, query::ExecOptions{}, &ignored, &qerr);
    ASSERT_TRUE(st.ok()) << "seed " << seed << ": the engine refuses a generated definition\n  " << d.statement
                         << "\n" << qerr.ToString();
    history.push_back({d.at_ms, d.statement, "", "", ""});
    definitions += "  " + d.statement + "\n";
  }
  now_ms = first_ms + 2 * 86400000;

  const bool verbose = EnvInt("KPI_EVAL_DIFF_VERBOSE", 0) != 0;
  EvaluationQueryGenerator gen(seed * 1000003 + 29, data.min_time_ms, data.max_time_ms, first_ms);
  for (int i = 0; i < statements; ++i) {
    const std::string text = gen.Next();
    ++tally->statements;
    query::ast::Statement parsed;
    query::ParseError perr;
    if (!query::ParseStatement(text, &parsed, &perr)) {
      ++tally->failures;
      ADD_FAILURE() << "seed " << seed << ": the parser refuses a generated statement\n  " << text << "\n"
                    << perr.ToString();
      continue;
    }
    const auto* select = std::get_if<query::ast::SelectQuery>(&parsed);
    const auto* evaluate = std::get_if<query::ast::Evaluate>(&parsed);
    ASSERT_TRUE(select != nullptr || evaluate != nullptr) << text;
    const query::ast::SelectQuery& q = select ? *select : evaluate->query;
    reference::RefDefinitions defs;
    std::string def_error;
    ASSERT_TRUE(reference::ReplayDefinitions(history, reference::AsOfMs(q), &defs, &def_error)) << def_error;

    query::Result eng, ref, ref_unlimited;
    query::QueryError qerr;
    query::ExecOptions exec;
    if (i % 2 == 1) exec.rows_per_thread = 0;  // the parallel path too
    const Status est = engine.Execute(text, exec, &eng, &qerr);
    auto run_reference = [&](const query::ast::Statement& st, query::Result* out) {
      if (const auto* s = std::get_if<query::ast::SelectQuery>(&st))
        return reference::Evaluate(log, *s, defs.context, reference::ReferenceOptions{}, out);
      return reference::EvaluateStatement(log, std::get<query::ast::Evaluate>(st), defs, out);
    };
    const Status rst = run_reference(parsed, &ref);
    if (rst.ok() && q.limit) {
      query::ast::Statement unlimited = parsed;
      if (auto* s = std::get_if<query::ast::SelectQuery>(&unlimited)) s->limit.reset();
      if (auto* e = std::get_if<query::ast::Evaluate>(&unlimited)) e->query.limit.reset();
      (void)run_reference(unlimited, &ref_unlimited);
    }
    if (verbose) {
      std::cout << "seed " << seed << " statement " << i << ": " << text << "\n"
                << (est.ok() ? reference::FormatTable(eng, 10) : "engine error: " + qerr.message + "\n")
                << (rst.ok() ? "" : "reference error: " + rst.message() + "\n");
    }
    std::string why;
    const Outcome outcome = CompareOutcomes(est, qerr.ToString(), eng, rst, ref, ref_unlimited, q, &why);
    if (outcome == Outcome::kBothRefuse) {
      ++tally->both_error;
      continue;
    }
    if (outcome == Outcome::kAgree) {
      ++tally->both_ok;
        if (evaluate != nullptr) ++tally->evaluates_ok;
      continue;
    }
    ++tally->failures;
    if (tally->failures <= kMaxPrintedFailures) {
      ADD_FAILURE() << "seed " << seed << " statement " << i << ": " << why << "\n  " << text
                    << "\n--- definitions\n" << definitions << "--- engine\n"
                    << (est.ok() ? reference::FormatTable(eng, 40) : "(error)") << "--- reference\n"
                    << (rst.ok() ? reference::FormatTable(ref, 40) : "(error)");
    }
  }
}

TEST(EvaluationDifferential, EngineAgreesWithReference) {
  const int64_t total = EnvInt("KPI_EVAL_DIFF_QUERIES", 4000);
  const int64_t only_seed = EnvInt("KPI_EVAL_DIFF_SEED", 0);
  const int64_t seed_count = EnvInt("KPI_EVAL_DIFF_SEEDS", 8);  // seeds 1..n
  std::vector<uint64_t> seeds;
  for (int64_t s = 1; s <= seed_count; ++s) seeds.push_back(static_cast<uint64_t>(s));
  if (only_seed > 0) seeds = {static_cast<uint64_t>(only_seed)};
  Tally tally;
  for (uint64_t seed : seeds) RunSeed(seed, static_cast<int>(total / static_cast<int64_t>(seeds.size())), &tally);
  std::cout << "evaluation differential: " << tally.statements << " statements, " << tally.both_ok << " agreed ("
            << tally.evaluates_ok << " evaluate), " << tally.both_error << " refused by both, " << tally.failures
            << " disagreed\n";
  EXPECT_EQ(tally.failures, 0);
  // Most statements must be answered, or the test compares little.
  EXPECT_GE(tally.both_ok * 10, tally.statements * 6);
}

// Deterministic per seed, and every generated statement parses.
TEST(EvaluationDifferential, GeneratorsAreDeterministicAndParse) {
  const auto a = GenerateDefinitions(3, 1750000000000), b = GenerateDefinitions(3, 1750000000000);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].statement, b[i].statement);
    EXPECT_EQ(a[i].csv, b[i].csv);
    query::ast::Statement st;
    query::ParseError err;
    if (a[i].table.empty()) {
      EXPECT_TRUE(query::ParseStatement(a[i].statement, &st, &err)) << a[i].statement << "\n" << err.ToString();
    }
  }
  EvaluationQueryGenerator g1(5, 1734652800000, 1744156800000, 1750000000000);
  EvaluationQueryGenerator g2(5, 1734652800000, 1744156800000, 1750000000000);
  for (int i = 0; i < 300; ++i) {
    const std::string t = g1.Next();
    EXPECT_EQ(t, g2.Next());
    query::ast::Statement st;
    query::ParseError err;
    EXPECT_TRUE(query::ParseStatement(t, &st, &err)) << t << "\n" << err.ToString();
  }
}

}  // namespace
}  // namespace kpi::differential
