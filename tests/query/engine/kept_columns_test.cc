// Columns kept with cached segments (query/execution/ticket_memo.h) never
// answer a query they do not belong to: statements that share most of a
// memo key but differ in one thing it must name (zone, bucket unit, `at`
// event or `at last`, a constant, an event name, a function argument, the
// rows a filter keeps, `as of`) run one after another on a store with the
// decoded-segment cache (so later ones meet what earlier ones kept), twice,
// and must equal the same statements on a store of the same events without
// a cache (nothing kept between statements). One scan thread, so that sums
// add in the same order.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/gen/generator.h"
#include "query/engine.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::query {
namespace {

std::unique_ptr<storage::Store> OpenStore(const std::string& dir, size_t cache_bytes) {
  storage::StoreOptions o;
  o.sync = false;
  o.cache_bytes = cache_bytes;
  o.max_tickets_per_segment = 256;
  std::unique_ptr<storage::Store> store;
  const Status s = storage::Store::Open(dir, o, &store);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return store;
}

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
  auto cached = OpenStore(dir_a.path(), size_t{1} << 30);
  auto uncached = OpenStore(dir_b.path(), 0);
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

}  // namespace
}  // namespace kpi::query
