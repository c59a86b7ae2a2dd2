// Kept states rolled up per partition (query/execution/kept_rollup.h): a
// repeat of a statement that keeps partial states looks up one segment per
// partition (the newest version's, holding the partition's combined
// states), and answers exactly as a store without a cache (no memo: no
// states, no rollups) after every batch of inserts, late events (reseals),
// corrections and retractions, `as of` each earlier batch, and with a cache
// too small for everything (eviction). RollupKey names every version.
// Statements with `during` windows and repeat_within keep states too, and
// percentiles (kept as sorted runs per segment, shared by the states
// combined from them; a partition keeps its members' states, not owned).
// One scan thread, so that sums add in the same order.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "query/engine.h"
#include "query/engine/cached_store.h"
#include "query/execution/kept_rollup.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::query {
namespace {

const std::vector<std::string>& Statements() {
  static const std::vector<std::string> kStatements = {
      "select count() as replies, avg(handle_seconds) as aht from events where event = \"agent_reply\" by agent, day",
      "select ratio(cost, 1) as cost_per_contact from events where event = \"agent_reply\" by channel, month",
      "select count() as n, sum(handle_seconds) as s, count(agent) as with_agent from events",
      "select rate(has(escalated)) as escalation from tickets by channel, month",
      "select rate(count_of(agent_reply before resolved) = 1 and not has(reopened)) as fcr from tickets where "
      "has(resolved) by team",
      "select count() as n, avg(duration(created -> resolved)) as a from tickets at resolved by week",
      // Percentiles keep sorted runs; `during` is named by the key.
      "select avg(duration(created -> resolved)) as avg_res, p90(duration(created -> resolved)) as p90_res from "
      "tickets at resolved by category, month",
      "select count() as tickets, p50(duration(created -> agent_reply)) as frt_p50, p90(duration(created -> "
      "agent_reply)) as frt_p90 from tickets during 2025-01-02 .. 2025-01-05 by channel",
      "select p50(handle_seconds) as p50, percentile(handle_seconds, 0.37) as p37 from events where event = "
      "\"agent_reply\" during 2025-01-02T06:00:00Z .. 2025-01-04T18:00:00Z by agent",
      "select count() as n, p90(duration(created -> agent_reply)) as frt_p90 from tickets by day rolling 3",
      // repeat_within: states named by its answers' key (every version the pre-pass read).
      "select rate(repeat_within(7d, customer, category)) as repeat_rate from tickets by month",
      "select count() as n, rate(repeat_within(2d, customer)) as r from tickets where channel = \"email\" by day",
  };
  return kStatements;
}

RawEvent Event(const std::string& ticket, int64_t ts, const std::string& event, const std::string& agent,
               double seconds, const std::string& id = "") {
  RawEvent e;
  e.ts_ms = ts;
  e.ticket = ticket;
  e.event = event;
  e.agent = agent;
  e.id = id;
  if (event == "created") e.dims = {{"channel", "email"}, {"team", "tier1"}};
  if (event == "agent_reply") e.measures = {{"handle_seconds", seconds}, {"cost", seconds / 10}};
  return e;
}

TEST(KeptRollup, ARepeatLooksUpOneSegmentPerPartition) {
  kpi::testing::ScratchDir dir_a("rollup-a"), dir_b("rollup-b");
  const std::vector<RawEvent> events = GeneratedEvents(3000);
  auto cached = OpenCachedStore(dir_a.path(), size_t{1} << 30);
  auto uncached = OpenCachedStore(dir_b.path(), 0);
  for (storage::Store* s : {cached.get(), uncached.get()}) IngestAll(s, events);
  const std::vector<storage::SegmentRef> refs = cached->GetSnapshot()->Plan(storage::ScanSpec{}, nullptr);
  std::set<uint32_t> partitions;
  for (const storage::SegmentRef& ref : refs) partitions.insert(ref.partition);
  ASSERT_GT(refs.size(), partitions.size()) << "partitions of several segments";
  const Engine with_cache(cached.get()), without(uncached.get());
  ExecOptions o;
  o.threads = 1;
  for (const std::string& q : Statements()) {
    ExpectSame(with_cache, without, q, o, "first run");
    const storage::CacheStats before = cached->SegmentCacheStats();
    const Result repeat = Answer(with_cache, q, o);
    const storage::CacheStats after = cached->SegmentCacheStats();
    EXPECT_EQ(repeat.rows, Answer(without, q, o).rows) << q;
    // (percentiles roll up their members' states; repeat_within's pre-pass
    // is not run when every state is found)
    EXPECT_EQ(after.hits + after.misses - before.hits - before.misses, repeat.stats.partitions_scanned) << q;
    EXPECT_EQ(after.misses, before.misses) << q;
  }
}

// Batches of every kind, each statement answered twice after each (the
// second from what the first kept) and `as of` every earlier batch, with a
// cache holding everything and one a few segments large.
TEST(KeptRollup, EveryBatchAndAsOfAnswerAsWithoutACache) {
  const std::vector<RawEvent> generated = GeneratedEvents(1200);
  const int64_t t0 = generated.front().ts_ms;
  std::vector<std::vector<RawEvent>> batches;
  batches.emplace_back(generated.begin(), generated.begin() + generated.size() / 2);
  batches.back().push_back(Event("X1", t0 + 60'000, "created", "", 0));
  batches.back().push_back(Event("X1", t0 + 120'000, "agent_reply", "ann", 100, "r1"));
  batches.emplace_back(generated.begin() + generated.size() / 2, generated.end());  // late events: reseals
  RawEvent fix = Event("X1", t0 + 120'000, "agent_reply", "bob", 10, "r1");
  fix.revision = 2;
  batches.push_back({fix, Event("X2", t0 + 30'000, "created", "", 0)});  // a correction
  RawEvent gone = fix;
  gone.revision = 3;
  gone.retract = true;
  batches.push_back({gone, Event("X2", t0 + 90'000, "agent_reply", "cy", 7, "r2")});  // a retraction, a late reply
  for (const size_t cache_bytes : {size_t{1} << 30, size_t{256} << 10}) {
    kpi::testing::ScratchDir dir_a("rollup-batch-a"), dir_b("rollup-batch-b");
    auto cached = OpenCachedStore(dir_a.path(), cache_bytes);
    auto uncached = OpenCachedStore(dir_b.path(), 0);
    const Engine with_cache(cached.get()), without(uncached.get());
    ExecOptions o;
    o.threads = 1;
    std::vector<int64_t> instants;
    for (const std::vector<RawEvent>& batch : batches) {
      for (storage::Store* s : {cached.get(), uncached.get()}) IngestAll(s, batch);
      instants.push_back(Now());
      for (const std::string& q : Statements()) {
        for (int round = 0; round < 2; ++round)
          EXPECT_EQ(Answer(with_cache, q, o).rows, Answer(without, q, o).rows)
              << "cache " << cache_bytes << ", batch " << instants.size() << ", round " << round << ": " << q;
        for (size_t b = 0; b + 1 < instants.size(); ++b) {
          ExecOptions then = o;
          then.as_of_ms = instants[b];
          for (int round = 0; round < 2; ++round)
            EXPECT_EQ(Answer(with_cache, q, then).rows, Answer(without, q, then).rows)
                << "cache " << cache_bytes << ", batch " << instants.size() << " as of batch " << b + 1 << ": " << q;
        }
      }
    }
    if (cache_bytes < (size_t{1} << 20)) EXPECT_LE(cached->SegmentCacheStats().bytes + cached->MemoCacheStats().bytes,
                                                   cache_bytes);
  }
}

TEST(KeptRollup, TheKeyNamesEveryVersion) {
  storage::SegmentRef a, b;
  a.partition = b.partition = 20000;
  a.segment = 1;
  b.segment = 2;
  a.generation = 7;
  b.generation = 9;
  const std::vector<storage::SegmentRef> both = {a, b};
  const std::string k = RollupKey("s", both.data(), 2);
  EXPECT_EQ(RollupKey("s", both.data(), 2), k);
  EXPECT_NE(RollupKey("t", both.data(), 2), k);
  EXPECT_NE(RollupKey("s", both.data(), 1), k) << "a subset";
  std::vector<storage::SegmentRef> resealed = both;
  resealed[0].generation = 10;
  EXPECT_NE(RollupKey("s", resealed.data(), 2), k);
  EXPECT_EQ(RollupAnchor(both.data(), 2), 1u) << "the newest version";
  EXPECT_EQ(RollupAnchor(resealed.data(), 2), 0u);
}

}  // namespace
}  // namespace kpi::query
