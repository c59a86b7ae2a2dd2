// Differential test: random event logs (random_data.h) ingested into a Store
// in batches at controlled instants, random queries (random_query.h) run by
// the engine and by the reference evaluator (tests/query/reference); the two
// tables must agree.
//
// Comparison: same columns (names and types); without `order by` the rows are
// in the default order (group columns ascending, unique) and must match
// position by position; with `order by` the rows must match as a multiset and
// the order-by columns must read the same sequence (ties may reorder rows);
// with `order by` and `limit` the engine's rows must be rows of the
// reference's full answer whose order-by columns are the reference's first n.
// Both refusing a query is agreement. Numbers agree within 1e-9 relative.
// An answer that agrees is asked for again and must agree again: the second
// run reads the per-ticket columns the first kept with the cached segments.
//
// KPI_DIFF_QUERIES (default 2400) sets the number of queries, spread over
// seeds 1..8; KPI_DIFF_SEED runs one seed only; KPI_DIFF_VERBOSE=1 prints
// every query with the engine's table. A failure prints the seed, the
// query and both tables.
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "query/differential/compare.h"
#include "query/differential/ingested_store.h"
#include "query/differential/random_data.h"
#include "query/differential/random_query.h"
#include "query/differential/random_trends.h"
#include "query/engine.h"
#include "query/parser/parser.h"
#include "query/reference/reference_evaluator.h"
#include "query/reference/reference_relative.h"
#include "query/reference/result_text.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::differential {
namespace {

constexpr int kTicketsPerSeed = 150;
constexpr int kMaxPrintedFailures = 15;

struct Tally {
  int queries = 0, both_ok = 0, both_error = 0, failures = 0;
};

// Makes the statements of one seed: the plain generator or the trend one.
using MakeGenerator = std::function<std::unique_ptr<QueryGenerator>(uint64_t seed, const RandomLog& data,
                                                                    const std::vector<int64_t>& batch_times)>;

void RunSeed(uint64_t seed, int queries, double dst_share, const MakeGenerator& make, Tally* tally) {
  const RandomLog data = GenerateLog(seed, kTicketsPerSeed, dst_share);
  std::string error;
  const std::unique_ptr<IngestedStore> ingested = IngestLog(data, "kpi-diff", 64 << 20, &error);
  ASSERT_TRUE(ingested) << error;
  const reference::EventLog& log = ingested->log;
  const std::vector<int64_t>& batch_times = ingested->batch_times;
  query::Engine engine(ingested->store.get());
  const bool verbose = EnvInt("KPI_DIFF_VERBOSE", 0) != 0;
  const std::unique_ptr<QueryGenerator> gen = make(seed, data, batch_times);
  for (int i = 0; i < queries; ++i) {
    const GeneratedQuery g = gen->Next();
    ++tally->queries;
    query::ast::Statement parsed;
    query::ParseError perr;
    if (!query::ParseStatement(g.text, &parsed, &perr)) {
      ++tally->failures;
      ADD_FAILURE() << "seed " << seed << ": the parser refuses a generated query\n  " << g.text << "\n"
                    << perr.ToString();
      continue;
    }
    auto& select = std::get<query::ast::SelectQuery>(parsed);
    query::Result eng, ref, ref_unlimited;
    query::QueryError qerr;
    // Every other query on two workers whatever its size, so both the serial
    // and the parallel (merge) paths are compared with the reference.
    query::ExecOptions exec;
    if (i % 2 == 1) exec.rows_per_thread = 0;
    // A relative window: the engine is told now, the reference resolves it itself.
    exec.now_ms = g.now_ms;
    std::string relative_error;
    if (g.now_ms && !reference::ResolveRelativeDuring(&select, *g.now_ms, &relative_error)) {
      ++tally->failures;
      ADD_FAILURE() << "seed " << seed << ": the reference cannot resolve " << g.text << ": " << relative_error;
      continue;
    }
    const Status est = engine.Execute(g.text, exec, &eng, &qerr);
    const Status rst = reference::Evaluate(log, select, {}, &ref);
    if (rst.ok() && select.limit) {
      query::ast::SelectQuery unlimited = select;
      unlimited.limit.reset();
      (void)reference::Evaluate(log, unlimited, {}, &ref_unlimited);
    }
    std::string why;
    if (verbose) {
      std::cout << "seed " << seed << " query " << i << ": " << g.text << "\n"
                << (est.ok() ? reference::FormatTable(eng, 10) : "engine error: " + qerr.message + "\n")
                << (rst.ok() ? "" : "reference error: " + rst.message() + "\n");
    }
    Outcome outcome = CompareOutcomes(est, qerr.ToString(), eng, rst, ref, ref_unlimited, select, &why);
    if (outcome == Outcome::kAgree) {
      // The same statement again: now per-ticket columns the first run kept
      // with the cached segments are read back (query/execution/ticket_memo.h).
      query::Result again;
      query::QueryError again_err;
      const Status again_st = engine.Execute(g.text, exec, &again, &again_err);
      outcome = CompareOutcomes(again_st, again_err.ToString(), again, rst, ref, ref_unlimited, select, &why);
      if (outcome != Outcome::kAgree) why = "the second run (kept columns) differs: " + why;
    }
    if (outcome == Outcome::kBothRefuse) {
      ++tally->both_error;
      continue;
    }
    if (outcome == Outcome::kAgree) {
      ++tally->both_ok;
      continue;
    }
    ++tally->failures;
    if (tally->failures <= kMaxPrintedFailures) {
      if (!est.ok()) why += "\n  engine: " + qerr.ToString();
      if (!rst.ok()) why += "\n  reference: " + rst.ToString();
      ADD_FAILURE() << "seed " << seed << " query " << i << ": " << why << "\n  " << g.text
                    << "\n--- engine\n" << (est.ok() ? reference::FormatTable(eng, 40) : "(error)")
                    << "--- reference\n" << (rst.ok() ? reference::FormatTable(ref, 40) : "(error)");
    }
  }
}

TEST(Differential, EngineAgreesWithReference) {
  const int64_t total = EnvInt("KPI_DIFF_QUERIES", 2400);
  const int64_t only_seed = EnvInt("KPI_DIFF_SEED", 0);
  std::vector<uint64_t> seeds = {1, 2, 3, 4, 5, 6, 7, 8};
  if (only_seed > 0) seeds = {static_cast<uint64_t>(only_seed)};
  const MakeGenerator make = [](uint64_t seed, const RandomLog& data, const std::vector<int64_t>& batch_times) {
    return std::make_unique<QueryGenerator>(seed * 1000003 + 17, data.min_time_ms, data.max_time_ms, batch_times,
                                            QueryFeatures{});
  };
  Tally tally;
  for (uint64_t seed : seeds) {
    RunSeed(seed, static_cast<int>(total / static_cast<int64_t>(seeds.size())), 0, make, &tally);
  }
  std::cout << "differential: " << tally.queries << " queries, " << tally.both_ok << " agreed, "
            << tally.both_error << " refused by both, " << tally.failures << " disagreed\n";
  EXPECT_EQ(tally.failures, 0);
  // Most generated queries must be valid, or the test compares little.
  EXPECT_GE(tally.both_ok * 10, tally.queries * 8);
}

// The trend features (evaluation-and-trends.md section 7, random_trends.h)
// over logs with a quarter of the tickets around the spring DST changes.
// KPI_TREND_DIFF_QUERIES (default 600) over seeds 1..4; KPI_TREND_DIFF_SEED
// runs one seed only (KPI_DIFF_VERBOSE as above).
TEST(Differential, TrendsAgreeWithReference) {
  const int64_t total = EnvInt("KPI_TREND_DIFF_QUERIES", 600);
  const int64_t only_seed = EnvInt("KPI_TREND_DIFF_SEED", 0);
  std::vector<uint64_t> seeds = {1, 2, 3, 4};
  if (only_seed > 0) seeds = {static_cast<uint64_t>(only_seed)};
  const MakeGenerator make = [](uint64_t seed, const RandomLog& data, const std::vector<int64_t>& batch_times) {
    return std::make_unique<TrendQueryGenerator>(seed * 7919 + 5, data.min_time_ms, data.max_time_ms, batch_times,
                                                 QueryFeatures{});
  };
  Tally tally;
  for (uint64_t seed : seeds) {
    RunSeed(seed, static_cast<int>(total / static_cast<int64_t>(seeds.size())), 0.25, make, &tally);
  }
  std::cout << "trend differential: " << tally.queries << " queries, " << tally.both_ok << " agreed, "
            << tally.both_error << " refused by both, " << tally.failures << " disagreed\n";
  EXPECT_EQ(tally.failures, 0);
  // Some statements are invalid on purpose; most must run.
  EXPECT_GE(tally.both_ok * 10, tally.queries * 6);
}

// The comparison itself must see a difference in any cell, a missing row, a
// reordered default-order row, a type or a name.
TEST(Differential, CompareDetectsDifferences) {
  query::Result a;
  a.columns = {{"channel", query::ValueType::kString}, {"n", query::ValueType::kNumber}};
  a.rows = {{query::Value::String("chat"), query::Value::Number(2)},
            {query::Value::String("email"), query::Value::Number(1)}};
  query::ast::SelectQuery plain;
  EXPECT_EQ(Compare(a, a, a, plain), "");
  query::Result b = a;
  b.rows[1][1] = query::Value::Number(1.0000001);
  EXPECT_NE(Compare(b, a, a, plain), "");
  b = a;
  b.rows[1][1] = query::Value::Null();
  EXPECT_NE(Compare(b, a, a, plain), "");
  b = a;
  std::swap(b.rows[0], b.rows[1]);
  EXPECT_NE(Compare(b, a, a, plain), "");
  b = a;
  b.rows.pop_back();
  EXPECT_NE(Compare(b, a, a, plain), "");
  b = a;
  b.columns[1].type = query::ValueType::kDuration;
  EXPECT_NE(Compare(b, a, a, plain), "");
  b = a;
  b.columns[1].name = "m";
  EXPECT_NE(Compare(b, a, a, plain), "");
  // order by n: a tie may come in either order, but the keys must read the same.
  query::ast::SelectQuery ordered;
  ordered.order_by.push_back({"n", true, {}});
  query::Result tie = a;
  tie.rows[1][1] = query::Value::Number(2);
  query::Result swapped = tie;
  std::swap(swapped.rows[0], swapped.rows[1]);
  EXPECT_EQ(Compare(swapped, tie, tie, ordered), "");
  EXPECT_NE(Compare(a, tie, tie, ordered), "");
}

// The generators themselves: deterministic per seed and well formed.
TEST(Differential, GeneratorsAreDeterministic) {
  const RandomLog a = GenerateLog(7, 40), b = GenerateLog(7, 40);
  ASSERT_EQ(a.batches.size(), b.batches.size());
  for (size_t i = 0; i < a.batches.size(); ++i) {
    ASSERT_EQ(a.batches[i].events.size(), b.batches[i].events.size());
    if (i > 0) {
      EXPECT_GT(a.batches[i].ingest_ms, a.batches[i - 1].ingest_ms);
    }
  }
  // The logs exercise corrections (docs/event-format.md), not only first copies.
  int revisions = 0, retractions = 0;
  for (const Batch& batch : GenerateLog(3, 400).batches)
    for (const RawEvent& e : batch.events) {
      revisions += e.revision > 0 && !e.retract;
      retractions += e.retract;
    }
  EXPECT_GT(revisions, 5);
  EXPECT_GT(retractions, 5);
  QueryGenerator g1(5, a.min_time_ms, a.max_time_ms, {a.batches[0].ingest_ms}, QueryFeatures{});
  QueryGenerator g2(5, a.min_time_ms, a.max_time_ms, {a.batches[0].ingest_ms}, QueryFeatures{});
  int bare_counts = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string t = g1.Next().text;
    bare_counts += t.rfind("select count() from ", 0) == 0 && t.find(" where ") == std::string::npos;
    EXPECT_EQ(t, g2.Next().text);
    query::ast::Statement st;
    query::ParseError err;
    EXPECT_TRUE(query::ParseStatement(t, &st, &err)) << t << "\n" << err.ToString();
  }
  EXPECT_GT(bare_counts, 3);  // the live-count shortcut is compared too
}

}  // namespace
}  // namespace kpi::differential
