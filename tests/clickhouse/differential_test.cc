// The ClickHouse backend against the local engine on random data and random
// select statements (tests/query/differential: random_data.h, random_query.h;
// late events, duplicates, corrections, `as of`, DST zones). Per seed: the
// same batches at the same instants into a local store and a fresh database
// of the fixture cluster, then KPI_CH_DIFF_QUERIES statements (default 60)
// on both. A statement the backend does not translate yet ("not translated
// yet") is counted and skipped; everything else must give the same answer
// (differential::Compare), or both refuse it. On a difference the seed and
// the statement are printed. Seeds: KPI_CH_DIFF_SEED (first, default 1) and
// KPI_CH_DIFF_SEEDS (how many, default 3).
// Two generators: the plain selects (random_query.h) and the trend
// statements (random_trends.h: compare with, rolling, nested selects, step,
// minute and cyclic buckets, scalar functions, cycles, `at last`), the
// latter on data dense around the 2025 daylight-saving days.
// Scoped: the plain selects and the trend statements again, each under a token's scope
// (ExecOptions::scope; random_scope.h, a new one every 10 statements) on
// both backends, `as of` included (membership in the view of the instant).
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <variant>

#include <gtest/gtest.h>

#include "clickhouse/clickhouse_backend.h"
#include "clickhouse_env.h"
#include "query/differential/compare.h"
#include "query/differential/ingested_store.h"
#include "query/differential/random_query.h"
#include "query/differential/random_scope.h"
#include "query/differential/random_trends.h"
#include "query/engine.h"
#include "query/execution/scope.h"
#include "query/parser/parser.h"
#include "query/reference/result_text.h"

namespace kpi::clickhouse {
namespace {

struct Tally {
  int compared = 0, untranslated = 0, both_refused = 0;
  int partial_scopes = 0;  // scopes that kept some tickets and dropped others
};

using MakeGenerator = std::function<std::unique_ptr<differential::QueryGenerator>(
    uint64_t seed, const differential::RandomLog& data, const std::vector<int64_t>& batch_times)>;

// One seed: the same log into a local store and a fresh database, then
// `queries` generated statements on both (`scoped`: each under a random scope).
void RunSeed(int64_t seed, int64_t queries, double dst_share, const MakeGenerator& make, bool scoped, Tally* tally) {
  Config config;
  KPI_CLICKHOUSE_OR_SKIP("diff_" + std::to_string(seed) + "_" + std::to_string(static_cast<int>(dst_share * 100)) +
                             (scoped ? "_scoped" : ""),
                         config);
  const differential::RandomLog data = differential::GenerateLog(static_cast<uint64_t>(seed), 60, dst_share);
  std::string error;
  std::unique_ptr<differential::IngestedStore> local = differential::IngestLog(data, "kpi-ch-diff", 16 << 20, &error);
  ASSERT_NE(local, nullptr) << error;
  int64_t now_ms = 0;
  std::unique_ptr<ClickHouseBackend> ch;
  ASSERT_TRUE(ClickHouseBackend::Open(config, [&now_ms] { return now_ms; }, &ch).ok());
  for (const differential::Batch& b : data.batches) {
    now_ms = b.ingest_ms;
    std::vector<storage::EventReject> rejects;
    storage::IngestStats stats;
    ASSERT_TRUE(ch->Ingest(b.events, &rejects, &stats).ok());
    ASSERT_TRUE(rejects.empty()) << rejects[0].reason;
  }
  query::Engine engine(local->store.get());
  std::unique_ptr<differential::QueryGenerator> gen = make(static_cast<uint64_t>(seed), data, local->batch_times);
  const reference::RefStore tickets = scoped ? reference::BuildTickets(local->log, std::nullopt) : reference::RefStore{};
  std::mt19937_64 rng(static_cast<uint64_t>(seed) * 7919);
  std::shared_ptr<const query::Scope> scope;
  for (int64_t i = 0; i < queries; ++i) {
    if (scoped && i % 10 == 0) {
      const std::string text = differential::RandomScope(&rng, tickets);
      ASSERT_TRUE(query::Scope::Parse(text, &scope).ok()) << text;
      size_t members = 0;
      for (const auto& [id, t] : tickets.tickets) members += scope->Eval(t.dims) == 1;
      tally->partial_scopes += members > 0 && members < tickets.tickets.size();
    }
    const differential::GeneratedQuery g = gen->Next();
    query::ExecOptions options;
    options.now_ms = g.now_ms;
    options.scope = scope;
    query::Result want, got;
    query::QueryError e1, e2;
    const Status ls = engine.Execute(g.text, options, &want, &e1);
    const Status cs = ch->Execute(g.text, options, &got, &e2);
    if (!cs.ok() && e2.message.find("not translated yet") != std::string::npos) {
      ++tally->untranslated;
      continue;
    }
    query::ast::Statement st;
    query::ParseError perr;
    ASSERT_TRUE(query::ParseStatement(g.text, &st, &perr)) << g.text;
    std::string why;
    const differential::Outcome o = differential::CompareOutcomes(
        cs, e2.ToString() + " " + cs.ToString(), got, ls, want, want, std::get<query::ast::SelectQuery>(st), &why);
    if (o == differential::Outcome::kBothRefuse) {
      ++tally->both_refused;
      continue;
    }
    ++tally->compared;
    EXPECT_EQ(o, differential::Outcome::kAgree)
        << "seed " << seed << " (KPI_CH_DIFF_SEED=" << seed << " KPI_CH_DIFF_SEEDS=1), statement " << i
        << (scope ? " under the scope " + scope->text() : std::string()) << ":\n"
        << g.text << "\n" << why << "\nclickhouse:\n" << reference::FormatTable(got) << "local:\n"
        << reference::FormatTable(want);
  }
}

// Every seed of KPI_CH_DIFF_SEED / KPI_CH_DIFF_SEEDS with `make`'s statements.
void RunSeeds(const char* what, double dst_share, const MakeGenerator& make, bool scoped = false) {
  const int64_t first = differential::EnvInt("KPI_CH_DIFF_SEED", 1);
  const int64_t seeds = differential::EnvInt("KPI_CH_DIFF_SEEDS", 3);
  const int64_t queries = differential::EnvInt("KPI_CH_DIFF_QUERIES", 60);
  Tally tally;
  for (int64_t seed = first; seed < first + seeds; ++seed) RunSeed(seed, queries, dst_share, make, scoped, &tally);
  std::printf("%s: compared %d statements, %d not translated yet, %d refused by both, %d scopes partial\n", what,
              tally.compared, tally.untranslated, tally.both_refused, tally.partial_scopes);
  EXPECT_GT(tally.compared, 0);
  if (scoped) EXPECT_GE(tally.partial_scopes, static_cast<int>(seeds));
}

TEST(ClickHouseDifferential, SameAnswersAsTheLocalEngineOnRandomData) {
  RunSeeds("selects", 0.2, [](uint64_t seed, const differential::RandomLog& data, const std::vector<int64_t>& batch_times) {
    return std::make_unique<differential::QueryGenerator>(seed, data.min_time_ms, data.max_time_ms, batch_times,
                                                          differential::QueryFeatures{});
  });
}

// The trend statements (the local differential test's second generator,
// with its seeds' mapping and its share of events around DST changes).
TEST(ClickHouseDifferential, TrendStatementsSameAnswersAsTheLocalEngine) {
  RunSeeds("trend statements", 0.25,
           [](uint64_t seed, const differential::RandomLog& data, const std::vector<int64_t>& batch_times) {
             return std::make_unique<differential::TrendQueryGenerator>(
                 seed * 7919 + 5, data.min_time_ms, data.max_time_ms, batch_times, differential::QueryFeatures{});
           });
}

// A token's scope: the same tickets seen on both backends.
TEST(ClickHouseDifferential, ScopedSelectsSameAnswersAsTheLocalEngine) {
  RunSeeds(
      "scoped selects", 0.2,
      [](uint64_t seed, const differential::RandomLog& data, const std::vector<int64_t>& batch_times) {
        return std::make_unique<differential::QueryGenerator>(seed * 31 + 3, data.min_time_ms, data.max_time_ms,
                                                              batch_times, differential::QueryFeatures{});
      },
      /*scoped=*/true);
}

// Nested selects, compare with and rolling under a scope: every statement
// they send is scoped.
TEST(ClickHouseDifferential, ScopedTrendStatementsSameAnswersAsTheLocalEngine) {
  RunSeeds(
      "scoped trend statements", 0.25,
      [](uint64_t seed, const differential::RandomLog& data, const std::vector<int64_t>& batch_times) {
        return std::make_unique<differential::TrendQueryGenerator>(seed * 7919 + 11, data.min_time_ms,
                                                                   data.max_time_ms, batch_times,
                                                                   differential::QueryFeatures{});
      },
      /*scoped=*/true);
}

}  // namespace
}  // namespace kpi::clickhouse
