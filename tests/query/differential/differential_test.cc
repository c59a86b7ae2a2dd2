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
//
// KPI_DIFF_QUERIES (default 2400) sets the number of queries, spread over
// seeds 1..8; KPI_DIFF_SEED runs one seed only; KPI_DIFF_VERBOSE=1 prints
// every query with the engine's table. A failure prints the seed, the
// query and both tables.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "query/differential/random_data.h"
#include "query/differential/random_query.h"
#include "query/engine.h"
#include "query/parser.h"
#include "query/reference/reference_evaluator.h"
#include "query/reference/result_text.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::differential {
namespace {

constexpr int kTicketsPerSeed = 150;
constexpr int kMaxPrintedFailures = 15;

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoll(v, nullptr, 10);
}

bool SameRow(const std::vector<query::Value>& a, const std::vector<query::Value>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!reference::SameCell(a[i], b[i])) return false;
  return true;
}

// Each row of `part` matched to a distinct row of `whole`.
bool SubMultiset(const std::vector<std::vector<query::Value>>& part,
                 const std::vector<std::vector<query::Value>>& whole) {
  std::vector<bool> used(whole.size(), false);
  for (const auto& row : part) {
    bool found = false;
    for (size_t j = 0; j < whole.size() && !found; ++j)
      if (!used[j] && SameRow(row, whole[j])) used[j] = found = true;
    if (!found) return false;
  }
  return true;
}

std::vector<query::Value> KeysOf(const std::vector<query::Value>& row, const std::vector<size_t>& cols) {
  std::vector<query::Value> k;
  for (size_t c : cols) k.push_back(row[c]);
  return k;
}

// "" when the engine's result agrees with the reference's.
std::string Compare(const query::Result& eng, const query::Result& ref, const query::Result& ref_unlimited,
                    const query::ast::SelectQuery& q) {
  if (eng.columns.size() != ref.columns.size()) return "column count differs";
  for (size_t i = 0; i < eng.columns.size(); ++i) {
    if (eng.columns[i].name != ref.columns[i].name) return "column " + std::to_string(i + 1) + " name differs";
    if (eng.columns[i].type != ref.columns[i].type)
      return "column '" + ref.columns[i].name + "' type differs";
  }
  if (q.order_by.empty()) {
    if (eng.rows.size() != ref.rows.size()) return "row count differs";
    for (size_t i = 0; i < eng.rows.size(); ++i)
      if (!SameRow(eng.rows[i], ref.rows[i])) return "row " + std::to_string(i + 1) + " differs";
    return "";
  }
  std::vector<size_t> key_cols;
  for (const auto& o : q.order_by)
    for (size_t i = 0; i < ref.columns.size(); ++i)
      if (ref.columns[i].name == o.name) {
        key_cols.push_back(i);
        break;
      }
  if (eng.rows.size() != ref.rows.size()) return "row count differs";
  for (size_t i = 0; i < eng.rows.size(); ++i)
    if (!SameRow(KeysOf(eng.rows[i], key_cols), KeysOf(ref.rows[i], key_cols)))
      return "order-by columns differ at row " + std::to_string(i + 1);
  if (!q.limit) {
    if (!SubMultiset(eng.rows, ref.rows)) return "rows differ (as a multiset)";
  } else if (!SubMultiset(eng.rows, ref_unlimited.rows)) {
    return "a row is not in the reference's answer";
  }
  return "";
}

struct Tally {
  int queries = 0, both_ok = 0, both_error = 0, failures = 0;
};

void RunSeed(uint64_t seed, int queries, const QueryFeatures& features, Tally* tally) {
  const RandomLog data = GenerateLog(seed, kTicketsPerSeed);
  kpi::testing::ScratchDir dir("kpi-diff");
  int64_t now_ms = 0;
  storage::StoreOptions options;
  options.sync = false;
  options.cache_bytes = 64 << 20;
  options.max_tickets_per_segment = 16;  // many segments, so pruning is exercised
  options.clock = [&now_ms] { return now_ms; };
  std::unique_ptr<storage::Store> store;
  ASSERT_TRUE(storage::Store::Open(dir.path(), options, &store).ok());
  reference::EventLog log;
  std::vector<int64_t> batch_times;
  for (const Batch& b : data.batches) {
    now_ms = b.ingest_ms;
    std::vector<storage::EventReject> rejects;
    storage::IngestStats stats;
    const Status st = store->Ingest(b.events, &rejects, &stats);
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_TRUE(rejects.empty()) << rejects[0].reason;
    for (const RawEvent& e : b.events) log.emplace_back(e, b.ingest_ms);
    batch_times.push_back(b.ingest_ms);
  }
  query::Engine engine(store.get());
  const bool verbose = EnvInt("KPI_DIFF_VERBOSE", 0) != 0;
  QueryGenerator gen(seed * 1000003 + 17, data.min_time_ms, data.max_time_ms, batch_times, features);
  for (int i = 0; i < queries; ++i) {
    const GeneratedQuery g = gen.Next();
    ++tally->queries;
    query::ast::Statement parsed;
    query::ParseError perr;
    if (!query::ParseStatement(g.text, &parsed, &perr)) {
      ++tally->failures;
      ADD_FAILURE() << "seed " << seed << ": the parser refuses a generated query\n  " << g.text << "\n"
                    << perr.ToString();
      continue;
    }
    const auto& select = std::get<query::ast::SelectQuery>(parsed);
    query::Result eng, ref, ref_unlimited;
    query::QueryError qerr;
    // Every other query on two workers whatever its size, so both the serial
    // and the parallel (merge) paths are compared with the reference.
    query::ExecOptions exec;
    if (i % 2 == 1) exec.rows_per_thread = 0;
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
    if (!est.ok() && !rst.ok()) {
      ++tally->both_error;
      continue;
    }
    if (!est.ok()) {
      why = "the engine refuses what the reference answers: " + qerr.ToString();
    } else if (!rst.ok()) {
      why = "the reference refuses what the engine answers: " + rst.ToString();
    } else {
      why = Compare(eng, ref, ref_unlimited, select);
      if (why.empty()) {
        ++tally->both_ok;
        continue;
      }
    }
    ++tally->failures;
    if (tally->failures <= kMaxPrintedFailures) {
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
  QueryFeatures features;
  Tally tally;
  for (uint64_t seed : seeds) {
    RunSeed(seed, static_cast<int>(total / static_cast<int64_t>(seeds.size())), features, &tally);
  }
  std::cout << "differential: " << tally.queries << " queries, " << tally.both_ok << " agreed, "
            << tally.both_error << " refused by both, " << tally.failures << " disagreed\n";
  EXPECT_EQ(tally.failures, 0);
  // Most generated queries must be valid, or the test compares little.
  EXPECT_GE(tally.both_ok * 10, tally.queries * 8);
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
  QueryGenerator g1(5, a.min_time_ms, a.max_time_ms, {a.batches[0].ingest_ms}, QueryFeatures{});
  QueryGenerator g2(5, a.min_time_ms, a.max_time_ms, {a.batches[0].ingest_ms}, QueryFeatures{});
  for (int i = 0; i < 200; ++i) {
    const std::string t = g1.Next().text;
    EXPECT_EQ(t, g2.Next().text);
    query::ast::Statement st;
    query::ParseError err;
    EXPECT_TRUE(query::ParseStatement(t, &st, &err)) << t << "\n" << err.ToString();
  }
}

}  // namespace
}  // namespace kpi::differential
