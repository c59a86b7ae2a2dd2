// Hollow scans (query/execution/hollow_scan.h): on a store whose cache
// holds the values the catalog's ticket statements derive but not the
// decoded columns, a repeated statement reads its segments hollow, decodes
// none of them, and answers exactly as a store without a cache does; so do
// statements that read hollow segments after others kept different values
// in the same memos (their misses decode), after a seal rewrote some
// segments, and `as of` an earlier instant (filtered copies); and kept
// repeat_within answers change with a contact added in another segment, and
// outlive a seal of segments they do not read.
// One scan thread, so that sums add in the same order.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "query/engine.h"
#include "query/engine/cached_store.h"
#include "query/execution/memo_keys.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::query {
namespace {

const std::vector<std::string>& Statements() {
  static const std::vector<std::string> kStatements = {
      "select rate(duration(created -> agent_reply) <= 15m) as on_time from tickets where channel = \"email\" by "
      "week",
      "select rate(count_of(agent_reply before resolved) = 1 and not has(reopened)) as fcr from tickets where "
      "has(resolved) by team",
      "select avg(duration(created -> resolved)) as a, p90(duration(created -> resolved)) as p from tickets at "
      "resolved by category, month",
      "select rate(has(escalated)) as escalation from tickets by channel, month",
      "select avg(csat) as csat, rate(csat >= 4) as satisfied from tickets where has(rated) by agent_of(resolved), "
      "quarter",
      "select rate(repeat_within(7d, customer, category)) as repeat_rate from tickets by month",
      "select count() as n, p50(duration(created -> agent_reply)) as p from tickets during 2025-01-02 .. "
      "2025-01-05 by channel",
  };
  return kStatements;
}

TEST(HollowScan, RepeatsDecodeNothingAndAnswerAsWithoutACache) {
  ExecOptions o;
  o.threads = 1;
  ExpectRepeatsReadHollow(Statements(), GeneratedEvents(3000), 2, o);
}

TEST(HollowScan, MixedStatementsRewritesAndAsOfAnswerAsWithoutACache) {
  kpi::testing::ScratchDir dir_a("hollow-mix-a"), dir_b("hollow-mix-b");
  const std::vector<RawEvent> events = GeneratedEvents(3000);
  const size_t half = events.size() / 2;
  const std::vector<RawEvent> first(events.begin(), events.begin() + half), second(events.begin() + half, events.end());
  // A cache that holds the values of several statements and few columns.
  auto cached = OpenCachedStore(dir_a.path(), size_t{256} << 10);
  auto uncached = OpenCachedStore(dir_b.path(), 0);
  for (storage::Store* s : {cached.get(), uncached.get()}) IngestAll(s, first);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const int64_t between =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const Engine with_cache(cached.get()), without(uncached.get());
  ExecOptions o;
  o.threads = 1;
  for (int round = 0; round < 2; ++round)
    for (const std::string& q : Statements()) ExpectSame(with_cache, without, q, o, "before the rewrite");
  // The second half rewrites most segments (new generations).
  for (storage::Store* s : {cached.get(), uncached.get()}) IngestAll(s, second);
  ExecOptions as_of = o;
  as_of.as_of_ms = between;
  for (int round = 0; round < 2; ++round) {
    for (const std::string& q : Statements()) {
      ExpectSame(with_cache, without, q, o, "after the rewrite");
      ExpectSame(with_cache, without, q, as_of, "as of before the rewrite");
    }
  }
  EXPECT_GT(cached->MemoCacheStats().hits, 0u);
}

// A `created` on day `day` after 2025-01-04, customer and category set.
RawEvent Created(const std::string& ticket, int day, const std::string& customer) {
  RawEvent e;
  e.ts_ms = 1'736'000'000'000 + day * int64_t{86'400'000};
  e.ticket = ticket;
  e.event = "created";
  e.dims = {{"customer", customer}, {"category", "billing"}};
  return e;
}

// repeat_within's answers are kept with each segment under a key naming
// every segment the pre-pass read (memo_keys.h RepeatMemoKey): a contact
// added in another segment, leaving the asking ticket's segment as it was,
// changes the answer of the repeat.
TEST(HollowScan, KeptRepeatAnswersFollowContactsInOtherSegments) {
  kpi::testing::ScratchDir dir_a("repeat-kept-a"), dir_b("repeat-kept-b");
  auto cached = OpenCachedStore(dir_a.path(), size_t{1} << 30);
  auto uncached = OpenCachedStore(dir_b.path(), 0);
  for (storage::Store* s : {cached.get(), uncached.get()})
    IngestAll(s, {Created("A", 10, "c1"), Created("Z", 30, "c2")});
  const std::string q = "select rate(repeat_within(7d, customer, category)) as r from tickets";
  const Engine with_cache(cached.get()), without(uncached.get());
  ExecOptions o;
  o.threads = 1;
  auto rate = [&](const Engine& engine) {
    Result r;
    QueryError e;
    EXPECT_TRUE(engine.Execute(q, o, &r, &e).ok()) << e.ToString();
    return r.rows.size() == 1 ? r.rows[0][0] : Value();
  };
  for (int round = 0; round < 2; ++round) EXPECT_EQ(rate(with_cache), Value::Number(0)) << round;
  const std::vector<storage::SegmentRef> before = cached->GetSnapshot()->Plan(storage::ScanSpec{}, nullptr);
  // Two days before A, the same customer and category: in a partition (and
  // segment) of its own.
  for (storage::Store* s : {cached.get(), uncached.get()}) IngestAll(s, {Created("B", 8, "c1")});
  const std::vector<storage::SegmentRef> after = cached->GetSnapshot()->Plan(storage::ScanSpec{}, nullptr);
  ASSERT_EQ(after.size(), before.size() + 1);
  for (const storage::SegmentRef& old : before) {
    bool same = false;
    for (const storage::SegmentRef& now : after)
      same |= now.partition == old.partition && now.segment == old.segment && now.generation == old.generation;
    EXPECT_TRUE(same) << "A's and Z's segments stay as they were";
  }
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(rate(with_cache), Value::Number(1.0 / 3)) << round;
    EXPECT_EQ(rate(without), Value::Number(1.0 / 3)) << round;
  }
}

// A statement without `as of` reads up to its snapshot's last batch
// (query/planner/plan.cc): a seal of segments the pre-pass does not read
// moves that batch but leaves the kept answers in use (the key of every row
// visible), so the repeat finds them as it did before the seal.
TEST(HollowScan, KeptRepeatAnswersOutliveASealOfOtherSegments) {
  kpi::testing::ScratchDir dir("repeat-kept-seal");
  auto cached = OpenCachedStore(dir.path(), size_t{1} << 30);
  IngestAll(cached.get(), {Created("A", 10, "c1"), Created("B", 8, "c1"), Created("Z", 30, "c2")});
  const std::string q =
      "select rate(repeat_within(7d, customer, category)) as r from tickets during 2025-01-12 .. 2025-01-16";
  const Engine engine(cached.get());
  ExecOptions o;
  o.threads = 1;
  auto rate = [&] {
    Result r;
    QueryError e;
    EXPECT_TRUE(engine.Execute(q, o, &r, &e).ok()) << e.ToString();
    return r.rows.size() == 1 ? r.rows[0][0] : Value();
  };
  EXPECT_EQ(rate(), Value::Number(0.5));
  const storage::CacheStats first = cached->MemoCacheStats();
  EXPECT_EQ(rate(), Value::Number(0.5));
  const storage::CacheStats again = cached->MemoCacheStats();
  IngestAll(cached.get(), {Created("Y", 60, "c1")});  // a partition of its own, far outside the window
  const storage::CacheStats sealed = cached->MemoCacheStats();
  EXPECT_EQ(rate(), Value::Number(0.5));
  const storage::CacheStats after = cached->MemoCacheStats();
  // Found, nothing derived and kept again: the memos hold what they held.
  EXPECT_EQ(again.bytes, first.bytes);
  EXPECT_EQ(after.bytes, sealed.bytes) << "the kept answers were derived and kept again";
}

TEST(HollowScan, RepeatMemoKeysNameEverySegmentVersionAndTheAsOf) {
  RepeatSpec r;
  r.window_ms = 7 * 86'400'000;
  r.dims = {3, 4};
  std::vector<storage::SegmentRef> refs(3);
  for (uint32_t i = 0; i < 3; ++i) {
    refs[i].partition = 100 + i;
    refs[i].segment = i;
    refs[i].generation = 10 + i;
    refs[i].zone.max_batch = 6 + i;
  }
  const std::string key = RepeatMemoKey(r, 1, 7, refs);
  EXPECT_EQ(RepeatMemoKey(r, 1, 7, refs), key);
  EXPECT_NE(RepeatMemoKey(r, 1, 6, refs), key) << "as of";
  // Every row visible: the same key at or after the segments' last batch.
  EXPECT_NE(RepeatMemoKey(r, 1, 8, refs), key) << "as of";
  EXPECT_EQ(RepeatMemoKey(r, 1, 8, refs), RepeatMemoKey(r, 1, 9, refs));
  EXPECT_EQ(RepeatMemoKey(r, 1, 8, refs), RepeatMemoKey(r, 1, UINT32_MAX, refs));
  EXPECT_NE(RepeatMemoKey(r, 2, 7, refs), key) << "created";
  auto rewritten = refs;
  rewritten[2].generation++;
  EXPECT_NE(RepeatMemoKey(r, 1, 7, rewritten), key) << "another segment rewritten";
  auto added = refs;
  added.push_back(refs[0]);
  added.back().partition = 99;
  EXPECT_NE(RepeatMemoKey(r, 1, 7, added), key) << "a segment added";
  RepeatSpec wider = r;
  wider.window_ms++;
  EXPECT_NE(RepeatMemoKey(wider, 1, 7, refs), key);
  RepeatSpec other = r;
  other.dims = {3};
  EXPECT_NE(RepeatMemoKey(other, 1, 7, refs), key);
}

}  // namespace
}  // namespace kpi::query
