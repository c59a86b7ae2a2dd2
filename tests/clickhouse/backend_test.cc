// The ClickHouse backend against the two-shard fixture cluster
// (tests/clickhouse/cluster.sh, ctest fixture `clickhouse`): the same
// answers as the local engine on generated data, whatever the batches and
// however often they are sent, and under a token's scope; kind conflicts refused with the local
// store's reason; explain shows SQL; what is not translated says so.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli/gen/generator.h"
#include "clickhouse/clickhouse_backend.h"
#include "clickhouse_env.h"
#include "query/engine.h"
#include "query/evaluation/provenance.h"
#include "query/execution/scope.h"
#include "query/reference/result_text.h"
#include "storage/kind_conflict.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::clickhouse {
namespace {

std::vector<RawEvent> Generated(uint64_t tickets, uint64_t seed) {
  gen::GenOptions options;
  options.tickets = tickets;
  options.seed = seed;
  options.days = 60;
  options.shuffle = true;
  gen::Generator g(options);
  std::vector<RawEvent> all, chunk;
  while (g.Next(4096, &chunk) && !chunk.empty()) all.insert(all.end(), chunk.begin(), chunk.end());
  return all;
}

// "" when equal: same columns, same rows in the same order, numbers within 1e-9.
std::string Differ(const query::Result& a, const query::Result& b) {
  if (a.columns.size() != b.columns.size()) return "column count";
  for (size_t i = 0; i < a.columns.size(); ++i)
    if (a.columns[i].name != b.columns[i].name || a.columns[i].type != b.columns[i].type)
      return "column " + a.columns[i].name;
  if (a.rows.size() != b.rows.size())
    return std::to_string(a.rows.size()) + " rows vs " + std::to_string(b.rows.size());
  for (size_t r = 0; r < a.rows.size(); ++r)
    for (size_t c = 0; c < a.rows[r].size(); ++c)
      if (!reference::SameCell(a.rows[r][c], b.rows[r][c])) return "row " + std::to_string(r + 1) + " column " + a.columns[c].name;
  return "";
}

const char* kQueries[] = {
    "select count() as tickets, p50(duration(created -> agent_reply)) as frt_p50, "
    "p90(duration(created -> agent_reply)) as frt_p90 from tickets by channel",
    "select rate(duration(created -> agent_reply) <= 15m) as on_time from tickets where channel = \"email\" by week",
    "select rate(count_of(agent_reply before resolved) = 1 and not has(reopened)) as fcr from tickets "
    "where has(resolved) by team",
    "select avg(duration(created -> resolved)) as avg_res, p90(duration(created -> resolved)) as p90_res "
    "from tickets at resolved by category, month",
    "select rate(has(escalated)) as escalation from tickets by channel, month",
    "select avg(csat) as csat, rate(csat >= 4) as satisfied from tickets where has(rated) by agent_of(resolved), quarter",
    "select count() as replies, avg(handle_seconds) as aht from events where event = \"agent_reply\" "
    "by agent, day tz \"Asia/Shanghai\" order by replies desc, agent limit 20",
    "select avg(accurate) as accuracy from events where event = \"qa_reviewed\" by team",
    "select ratio(cost, 1) as cost_per_contact from events where event = \"agent_reply\" by channel, month",
    "select count() as n, distinct(customer) as customers, min(created) as first, max(first(resolved)) as last "
    "from tickets during 2025-01-10 .. 2025-02-01 by week tz \"Europe/Berlin\"",
    "select sum(total(handle_seconds)) as handled, count() as n from tickets by team having n > 10",
};

TEST(ClickHouseBackend, SameAnswersAsTheLocalEngineWhateverTheBatches) {
  Config config;
  KPI_CLICKHOUSE_OR_SKIP("same_answers", config);
  const std::vector<RawEvent> events = Generated(400, 11);
  ASSERT_GT(events.size(), 1000u);

  kpi::testing::ScratchDir dir("kpi-ch-local");
  storage::StoreOptions options;
  options.sync = false;
  std::unique_ptr<storage::Store> store;
  ASSERT_TRUE(storage::Store::Open(dir.path(), options, &store).ok());
  query::Engine local(store.get());
  std::vector<storage::EventReject> rejects;
  storage::IngestStats stats;
  ASSERT_TRUE(local.Ingest(events, &rejects, &stats).ok());

  int64_t now = 1767225600000;  // 2026-01-01
  std::unique_ptr<ClickHouseBackend> ch;
  ASSERT_TRUE(ClickHouseBackend::Open(config, [&now] { return now++; }, &ch).ok());
  // Split in uneven batches, then everything again in reverse order.
  for (size_t at = 0; at < events.size(); at += 777) {
    const size_t n = std::min<size_t>(777, events.size() - at);
    ASSERT_TRUE(ch->Ingest(std::span<const RawEvent>(events).subspan(at, n), &rejects, &stats).ok());
  }
  std::vector<RawEvent> reversed(events.rbegin(), events.rend());
  ASSERT_TRUE(ch->Ingest(reversed, &rejects, &stats).ok());
  EXPECT_TRUE(rejects.empty());

  for (const char* text : kQueries) {
    SCOPED_TRACE(text);
    query::Result want, got;
    query::QueryError e1, e2;
    ASSERT_TRUE(local.Execute(text, {}, &want, &e1).ok()) << e1.ToString();
    const Status s = ch->Execute(text, {}, &got, &e2);
    ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << e2.ToString();
    EXPECT_EQ(Differ(got, want), "") << "clickhouse:\n" << reference::FormatTable(got) << "local:\n"
                                     << reference::FormatTable(want);
  }

  // Under a token's scope (team changes on transfers: the latest one
  // counts), repeat_within's pre-pass and evaluate included.
  std::vector<std::string> scoped(std::begin(kQueries), std::end(kQueries));
  scoped.push_back("select count() as n, rate(repeat_within(7d, customer, category)) as repeats from tickets by channel");
  scoped.push_back("select count() as n from (select count() as k from tickets by team, channel) by team");
  for (const char* text : {"team = \"billing\"", "channel in (\"chat\", \"email\") and not (region = \"north\")",
                           "region is null or team != \"tech\"", "nowhere = \"x\""}) {
    query::ExecOptions options;
    ASSERT_TRUE(query::Scope::Parse(text, &options.scope).ok()) << text;
    for (const std::string& statement : scoped) {
      SCOPED_TRACE(std::string(text) + ": " + statement);
      query::Result want, got;
      query::QueryError e1, e2;
      ASSERT_TRUE(local.Execute(statement, options, &want, &e1).ok()) << e1.ToString();
      const Status s = ch->Execute(statement, options, &got, &e2);
      ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << e2.ToString();
      EXPECT_EQ(Differ(got, want), "") << "clickhouse:\n" << reference::FormatTable(got) << "local:\n"
                                       << reference::FormatTable(want);
    }
  }
}

// Provenance: as_of is the latest batch or definition change (the `as of`
// given, else), the definitions used with their versions, now and the
// resolved window for a relative `during`, as the local engine gives them;
// rerunning `as of` the instant after more batches landed gives the same
// hash (sums do not depend on the order rows arrive from the shards).
TEST(ClickHouseBackend, ProvenanceLetsAnAnswerBeRerunAsOfItsInstant) {
  Config config;
  KPI_CLICKHOUSE_OR_SKIP("provenance", config);
  const std::vector<RawEvent> events = Generated(200, 5);
  const size_t half = events.size() / 2;
  kpi::testing::ScratchDir dir("kpi-ch-provenance");
  storage::StoreOptions store_options;
  store_options.sync = false;
  int64_t now = 1767225600000;  // 2026-01-01, both backends' clock
  store_options.clock = [&now] { return now; };
  std::unique_ptr<storage::Store> store;
  ASSERT_TRUE(storage::Store::Open(dir.path(), store_options, &store).ok());
  query::Engine local(store.get());
  std::unique_ptr<ClickHouseBackend> ch;
  ASSERT_TRUE(ClickHouseBackend::Open(config, [&now] { return now; }, &ch).ok());
  std::vector<storage::EventReject> rejects;
  storage::IngestStats stats;
  const std::span<const RawEvent> all(events);
  for (query::Backend* b : {static_cast<query::Backend*>(&local), static_cast<query::Backend*>(ch.get())})
    ASSERT_TRUE(b->Ingest(all.subspan(0, half), &rejects, &stats).ok());
  now += 60'000;
  const char* define = "define kpi frt = avg(duration(created -> agent_reply))";
  query::Result r;
  query::QueryError e;
  ASSERT_TRUE(local.Execute(define, {}, &r, &e).ok()) << e.ToString();
  ASSERT_TRUE(ch->Execute(define, {}, &r, &e).ok()) << e.ToString();
  const int64_t defined = now;
  now += 60'000;
  const std::string statement = "select frt, count() as n from tickets by channel";
  query::Result want, got;
  ASSERT_TRUE(local.Execute(statement, {}, &want, &e).ok()) << e.ToString();
  ASSERT_TRUE(ch->Execute(statement, {}, &got, &e).ok()) << e.ToString();
  const query::Provenance& p = got.provenance;
  ASSERT_TRUE(p.present);
  EXPECT_EQ(p.as_of_ms, defined);  // the definition came after the batch
  EXPECT_EQ(p.as_of_ms, want.provenance.as_of_ms);
  ASSERT_EQ(p.definitions.size(), 1u);
  EXPECT_EQ(p.definitions[0].kind, "kpi");
  EXPECT_EQ(p.definitions[0].name, "frt");
  EXPECT_EQ(p.definitions[0].version_ms, defined);
  EXPECT_EQ(p.statement, statement);
  EXPECT_EQ(Differ(got, want), "");  // the hashes may differ: sums can differ in the last bit
  // More batches land; the answer as of its instant is unchanged.
  ASSERT_TRUE(ch->Ingest(all.subspan(half), &rejects, &stats).ok());
  query::Result later, rerun;
  ASSERT_TRUE(ch->Execute(statement, {}, &later, &e).ok()) << e.ToString();
  EXPECT_EQ(later.provenance.as_of_ms, now);  // the new batch's time
  EXPECT_NE(later.provenance.result_hash, p.result_hash);
  query::ExecOptions again;
  again.as_of_ms = p.as_of_ms;
  ASSERT_TRUE(ch->Execute(statement, again, &rerun, &e).ok()) << e.ToString();
  EXPECT_EQ(rerun.provenance.as_of_ms, p.as_of_ms);
  EXPECT_EQ(rerun.provenance.result_hash, p.result_hash);
  // Sums, averages and ratios over rows from both shards: the same bits every run.
  const std::string sums = "select avg(duration(created -> resolved)) as a, sum(total(handle_seconds)) as s, "
                           "ratio(total(handle_seconds), count_of(agent_reply)) as r from tickets by team";
  std::string first_hash;
  for (int run = 0; run < 6; ++run) {
    ASSERT_TRUE(ch->Execute(sums, {}, &got, &e).ok()) << e.ToString();
    if (run == 0) first_hash = got.provenance.result_hash;
    EXPECT_EQ(got.provenance.result_hash, first_hash) << "run " << run;
  }
  // A relative window: now and what it resolved to, as locally.
  query::ExecOptions at;
  at.now_ms = 1740787200000;  // 2025-03-01
  const std::string relative = "select count() as n from tickets during last 30d";
  ASSERT_TRUE(local.Execute(relative, at, &want, &e).ok()) << e.ToString();
  ASSERT_TRUE(ch->Execute(relative, at, &got, &e).ok()) << e.ToString();
  ASSERT_EQ(got.provenance.windows.size(), 1u);
  EXPECT_EQ(got.provenance.now_ms, at.now_ms);
  EXPECT_EQ(got.provenance.windows[0].during, want.provenance.windows[0].during);
  EXPECT_EQ(got.provenance.windows[0].start_ms, want.provenance.windows[0].start_ms);
  EXPECT_EQ(got.provenance.windows[0].end_ms, want.provenance.windows[0].end_ms);
  // evaluate: the KPI and the target it judged against.
  ASSERT_TRUE(ch->Execute("define target frt <= 1h", {}, &r, &e).ok()) << e.ToString();
  ASSERT_TRUE(ch->Execute("evaluate frt from tickets by channel", {}, &got, &e).ok()) << e.ToString();
  ASSERT_TRUE(got.provenance.present);
  ASSERT_EQ(got.provenance.definitions.size(), 2u);
  EXPECT_EQ(got.provenance.definitions[1].kind, "target");
}

TEST(ClickHouseBackend, RefusesKindConflictsAsTheLocalStoreDoes) {
  Config config;
  KPI_CLICKHOUSE_OR_SKIP("kind_conflicts", config);
  std::unique_ptr<ClickHouseBackend> ch;
  ASSERT_TRUE(ClickHouseBackend::Open(config, nullptr, &ch).ok());
  RawEvent a;
  a.ts_ms = 1000;
  a.ticket = "T1";
  a.event = "created";
  a.dims = {{"channel", "chat"}};
  RawEvent b;
  b.ts_ms = 2000;
  b.ticket = "T1";
  b.event = "rated";
  b.measures = {{"channel", 4}};
  std::vector<RawEvent> batch = {a, b};
  std::vector<storage::EventReject> rejects;
  storage::IngestStats stats;
  ASSERT_TRUE(ch->Ingest(batch, &rejects, &stats).ok());
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].index, 1u);
  EXPECT_EQ(rejects[0].reason, storage::KindConflictReason("channel", storage::ColumnKind::kDimension));
}

TEST(ClickHouseBackend, ExplainShowsTheSqlAndTheScope) {
  Config config;
  KPI_CLICKHOUSE_OR_SKIP("explain", config);
  std::unique_ptr<ClickHouseBackend> ch;
  ASSERT_TRUE(ClickHouseBackend::Open(config, nullptr, &ch).ok());
  query::Result r;
  query::QueryError e;
  ASSERT_TRUE(ch->Execute("explain select count() from tickets by day", {}, &r, &e).ok()) << e.ToString();
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_NE(r.rows[1][0].text.find("GROUP BY ticket"), std::string::npos) << r.rows[1][0].text;
  query::ExecOptions scoped;
  ASSERT_TRUE(query::Scope::Parse("channel = \"chat\"", &scoped.scope).ok());
  ASSERT_TRUE(ch->Execute("explain select count() from tickets by day", scoped, &r, &e).ok()) << e.ToString();
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_NE(r.rows[1][0].text.find("k_sc0 = 1"), std::string::npos) << r.rows[1][0].text;
  EXPECT_EQ(r.rows[2][0].text.rfind("scope: channel = \"chat\"", 0), 0u) << r.rows[2][0].text;
  EXPECT_FALSE(ch->Execute("select count() from tickets\nwhere chanel = 1", {}, &r, &e).ok());
  EXPECT_EQ(e.line, 2);
}

}  // namespace
}  // namespace kpi::clickhouse
