// Columns kept with cached segments (query/execution/ticket_memo.h) never
// answer a query they do not belong to: statements that share most of a
// memo key but differ in one thing it must name (zone, bucket unit, `at`
// event or `at last`, a constant, an event name, a function argument, the
// rows a filter keeps, `as of`) run one after another on a store with the
// decoded-segment cache (so later ones meet what earlier ones kept), twice,
// and must equal the same statements on a store of the same events without
// a cache (nothing kept between statements). One scan thread, so that sums
// add in the same order. Also, with and without the cache, exact counts for
// has() around the code mask's boundary and count_of(A before B) at equal
// times (the per-ticket shortcuts of ticket_functions.cc).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/gen/generator.h"
#include "query/engine.h"
#include "query/engine/cached_store.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::query {
namespace {

// The generated events in two ingests; returns an instant between them.
int64_t Fill(storage::Store* a, storage::Store* b) {
  gen::GenOptions g;
  g.tickets = 3000;
  g.days = 60;
  gen::Generator gen(g);
  std::vector<RawEvent> all, batch;
  while (gen.Next(5000, &batch)) all.insert(all.end(), batch.begin(), batch.end());
  const size_t half = all.size() / 2;
  const std::vector<RawEvent> first(all.begin(), all.begin() + half), second(all.begin() + half, all.end());
  std::vector<storage::EventReject> rejects;
  storage::IngestStats stats;
  for (storage::Store* s : {a, b}) EXPECT_TRUE(s->Ingest(first, &rejects, &stats).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const int64_t between =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  for (storage::Store* s : {a, b}) EXPECT_TRUE(s->Ingest(second, &rejects, &stats).ok());
  return between;
}

TEST(KeptColumns, StatementsSharingMostOfAKeyAnswerAsWithoutACache) {
  kpi::testing::ScratchDir dir_a("kept-a"), dir_b("kept-b");
  auto cached = OpenCachedStore(dir_a.path(), size_t{1} << 30);
  auto uncached = OpenCachedStore(dir_b.path(), 0);
  const int64_t between = Fill(cached.get(), uncached.get());
  const std::vector<std::string> statements = {
      "select count() as n from tickets by day",
      "select count() as n from tickets by day tz \"Asia/Tokyo\"",
      "select count() as n from tickets by week tz \"America/New_York\"",
      "select count() as n from tickets by hour_of_day",
      "select count() as n from tickets at resolved by month",
      "select count() as n from tickets at last(resolved) by month",
      "select count() as n from tickets at agent_reply by month",
      "select count() as n from tickets at resolved by month tz \"Asia/Tokyo\"",
      "select rate(has(escalated)) as r from tickets by channel, month",
      "select rate(has(reopened)) as r from tickets by channel, month",
      "select count() as n from tickets where channel = \"email\" by team",
      "select count() as n from tickets where channel = \"chat\" by team",
      "select count() as n from tickets where channel != \"chat\" by team",
      "select count() as n from tickets where channel in (\"chat\", \"email\") by team",
      "select avg(duration(created -> agent_reply)) as a from tickets by region",
      "select avg(duration(created -> resolved)) as a from tickets by region",
      "select avg(duration(agent_reply -> resolved)) as a from tickets by region",
      "select count() as n, avg(handle_seconds) as h from events where event = \"agent_reply\" by agent, day",
      "select count() as n, avg(handle_seconds) as h from events where event = \"agent_reply\" by agent, day "
      "tz \"Asia/Shanghai\"",
      "select count() as n from events where event = \"resolved\" by agent, day",
      "select count() as n from events where event = \"agent_reply\" and handle_seconds > 100 by channel",
      "select count() as n from events where event = \"agent_reply\" and handle_seconds > 200 by channel",
      "select sum(cost) as c from events where event = \"agent_reply\" by channel, month",
      "select rate(count_of(agent_reply before resolved) = 1) as r from tickets where has(resolved) by team",
      "select rate(count_of(agent_reply before resolved) = 2) as r from tickets where has(resolved) by team",
      "select rate(count_of(customer_reply before resolved) = 1) as r from tickets where has(resolved) by team",
      "select rate(count_of(agent_reply) >= 2 and not has(reopened)) as r from tickets where has(closed) by team",
      "select avg(csat) as c from tickets where has(rated) by agent_of(resolved), quarter",
      "select avg(csat) as c from tickets where has(rated) by agent_of(agent_reply), quarter",
      "select count() as n from tickets where csat >= 4 by channel",
      "select count() as n from tickets where csat >= 3 by channel",
      "select count() as n, max(last(agent_reply)) as l, min(first(agent_reply)) as f from tickets by priority, "
      "business_type",
      "select count() as n from tickets by channel",
      "select count() as n from events by day",
      "select count() as n from tickets by day",
      "select count() as n from events by channel",
      "select count() as n from events where event = \"agent_reply\" by day",
      "select count() as n from tickets at agent_reply by day",
  };
  ExecOptions plain;
  plain.threads = 1;
  ExecOptions as_of = plain;
  as_of.as_of_ms = between;
  const Engine with_cache(cached.get()), without(uncached.get());
  for (int round = 0; round < 2; ++round) {
    for (const ExecOptions& options : {plain, as_of}) {
      for (const std::string& q : statements) {
        Result got, want;
        QueryError e1, e2;
        ASSERT_TRUE(with_cache.Execute(q, options, &got, &e1).ok()) << q << ": " << e1.ToString();
        ASSERT_TRUE(without.Execute(q, options, &want, &e2).ok()) << q << ": " << e2.ToString();
        ASSERT_FALSE(want.rows.empty()) << q;
        EXPECT_EQ(got.rows, want.rows) << "round " << round << (options.as_of_ms ? ", as of" : "") << ": " << q;
      }
    }
  }
  EXPECT_GT(cached->SegmentCacheStats().bytes, 0u);
}

// Ingests `events` into a store with the decoded-segment cache and one
// without, then expects, twice in a row, `select count() from tickets where
// P` to be N on both, for each (P, N) of `checks`.
void ExpectTicketCounts(const std::string& name, const std::vector<RawEvent>& events,
                        const std::vector<std::pair<std::string, double>>& checks) {
  kpi::testing::ScratchDir dir_a(name + "-a"), dir_b(name + "-b");
  auto cached = OpenCachedStore(dir_a.path(), size_t{1} << 30);
  auto uncached = OpenCachedStore(dir_b.path(), 0);
  std::vector<storage::EventReject> rejects;
  storage::IngestStats stats;
  for (storage::Store* s : {cached.get(), uncached.get()}) ASSERT_TRUE(s->Ingest(events, &rejects, &stats).ok());
  ExecOptions options;
  options.threads = 1;
  const Engine with_cache(cached.get()), without(uncached.get());
  for (int round = 0; round < 2; ++round) {
    for (const auto& [pred, want] : checks) {
      for (const Engine* engine : {&with_cache, &without}) {
        Result r;
        QueryError err;
        ASSERT_TRUE(engine->Execute("select count() as n from tickets where " + pred, options, &r, &err).ok())
            << pred << ": " << err.ToString();
        ASSERT_EQ(r.rows.size(), 1u) << pred;
        EXPECT_EQ(r.rows[0][0], Value::Number(want)) << "round " << round << ": " << pred;
      }
    }
  }
}

// has(name) reads a per-ticket mask of event codes (segment_rows.h
// CodeMask: bit c for code c below 63, one bit for every code from 63 on).
// With 70 event names, each ticket holding a random few, has() and
// `not has()` of names coded around that boundary count exactly the
// tickets that hold the name, with and without the cache.
TEST(KeptColumns, HasCountsTicketsAcrossTheCodeMaskBoundary) {
  std::vector<RawEvent> events;
  std::vector<int> holders(71, 0);  // tickets holding event e<k>, by k
  uint64_t x = 12345;
  auto next = [&] { return x = x * 6364136223846793005ull + 1442695040888963407ull, static_cast<uint32_t>(x >> 33); };
  for (int k = 1; k <= 70; ++k) {  // codes in order of first appearance: e<k> gets code k
    RawEvent e;
    e.ts_ms = 1'700'000'000'000 + k;
    e.ticket = "seed";
    e.event = k == 1 ? "created" : "e" + std::to_string(k);
    events.push_back(e);
  }
  for (int t = 0; t < 600; ++t) {
    std::vector<bool> held(71, false);
    RawEvent c;
    c.ts_ms = 1'700'000'100'000 + t * 1000;
    c.ticket = "t" + std::to_string(t);
    c.event = "created";
    events.push_back(c);
    for (uint32_t j = 0, m = next() % 6; j < m; ++j) {
      const int k = 2 + static_cast<int>(next() % 69);
      RawEvent e = c;
      e.ts_ms += 1 + j;
      e.event = "e" + std::to_string(k);
      events.push_back(e);
      held[k] = true;
    }
    for (int k = 2; k <= 70; ++k) holders[k] += held[k];
  }
  std::vector<std::pair<std::string, double>> checks;
  for (int k : {2, 30, 61, 62, 63, 64, 65, 70}) {
    const std::string name = "e" + std::to_string(k);
    checks.emplace_back("has(" + name + ")", holders[k] + 1);  // and the seed ticket
    checks.emplace_back("not has(" + name + ")", 600 - holders[k]);
  }
  ExpectTicketCounts("mask", events, checks);
}

// count_of(A before B) counts the A events earlier than the ticket's first
// B, also when events share B's millisecond (then they sort by event code:
// `agent_reply` before `resolved` here, as coded in order of appearance),
// and when the ticket has no B (every A). Each event has its own id, so
// equal ones are not duplicates.
TEST(KeptColumns, CountOfBeforeAtEqualTimes) {
  const int64_t base = 1'700'000'000'000;
  // ticket -> (event, ms after base), in any order
  const std::vector<std::pair<std::string, std::vector<std::pair<std::string, int>>>> tickets = {
      {"t1", {{"created", 0}, {"agent_reply", 10}, {"agent_reply", 20}, {"resolved", 20}, {"agent_reply", 20},
              {"agent_reply", 30}}},  // 1 reply before resolved; 0 resolved before the first reply
      {"t2", {{"created", 0}, {"resolved", 5}, {"agent_reply", 5}}},  // 0, 0
      {"t3", {{"created", 0}, {"agent_reply", 1}, {"agent_reply", 2}}},  // no resolved: 2; 0
      {"t4", {{"created", 0}, {"agent_reply", 3}, {"agent_reply", 3}, {"resolved", 4}}},  // 2; 0
      {"t5", {{"created", 0}, {"agent_reply", 7}, {"resolved", 7}, {"resolved", 9}}},  // 0; 0
      {"t6", {{"created", 0}, {"resolved", 2}, {"resolved", 4}, {"agent_reply", 4}}},  // 0; 1 resolved before reply
  };
  std::vector<RawEvent> events;
  for (const auto& [id, list] : tickets) {
    for (const auto& [name, ms] : list) {
      RawEvent e;
      e.ts_ms = base + ms;
      e.ticket = id;
      e.event = name;
      e.id = id + "-" + std::to_string(events.size());
      events.push_back(e);
    }
  }
  ExpectTicketCounts("countof", events,
                     {{"count_of(agent_reply before resolved) = 0", 3},
                      {"count_of(agent_reply before resolved) = 1", 1},
                      {"count_of(agent_reply before resolved) = 2", 2},
                      {"count_of(resolved before agent_reply) = 0", 5},
                      {"count_of(resolved before agent_reply) = 1", 1},
                      {"count_of(agent_reply before created) = 0", 6}});
}

}  // namespace
}  // namespace kpi::query
