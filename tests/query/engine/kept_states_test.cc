// Kept partial states (query/execution/kept_states.h): statements over
// event rows repeat from the groups and aggregate states kept with each
// segment version, reading their segments hollow (nothing decoded) when the
// cache holds the states but not the columns, and answer exactly as a store
// without a cache; a late event (a reseal: a new generation), a correction
// and a retraction change the answer at once, `as of` an instant before
// them still gives the old one; the states are charged to the cache's
// budget, which they never exceed. KeptStatesKey names what the states
// depend on, and PartValue undoes KeyParts.
// One scan thread, so that sums add in the same order.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "query/engine.h"
#include "query/engine/cached_store.h"
#include "query/engine/kept_states_util.h"
#include "query/execution/key_parts.h"
#include "query/execution/kept_states.h"
#include "query/execution/scope.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::query {
namespace {

// States are small beside the columns (under a third: percentiles hold
// every value): a quarter of the columns and the states fit, and the
// repeats decode nothing.
TEST(KeptStates, RepeatsDecodeNothingAndAnswerAsWithoutACache) {
  ExecOptions o;
  o.threads = 1;
  ExpectRepeatsReadHollow(KeptStatesStatements(), GeneratedEvents(3000), 3, o);
}

RawEvent Reply(const std::string& ticket, int64_t minute, const std::string& agent, double seconds,
               const std::string& id = "") {
  RawEvent e;
  e.ts_ms = 1'736'000'000'000 + minute * 60'000;
  e.ticket = ticket;
  e.event = "agent_reply";
  e.agent = agent;
  e.id = id;
  e.measures = {{"handle_seconds", seconds}};
  return e;
}

RawEvent Created(const std::string& ticket, int64_t minute) {
  RawEvent e;
  e.ts_ms = 1'736'000'000'000 + minute * 60'000;
  e.ticket = ticket;
  e.event = "created";
  e.dims = {{"channel", "email"}};
  return e;
}

// Whether the one segment of `store` keeps states of `text` in its memo.
bool StatesKept(storage::Store* store, const std::string& text) {
  const std::string key = KeptStatesKey(*BindStatement(store, text), ExecOptions{},
                                        store->catalog().FindCode(storage::kEventColumn, "created"));
  EXPECT_FALSE(key.empty()) << text;
  const auto snap = store->GetSnapshot();
  const std::vector<storage::SegmentRef> refs = snap->Plan(storage::ScanSpec{}, nullptr);
  EXPECT_EQ(refs.size(), 1u);
  std::shared_ptr<const storage::Segment> seg;
  EXPECT_TRUE(snap->Load(refs.at(0), &seg).ok());
  return seg->memo.Find(key) != nullptr;
}

// States are kept per segment version: a late event rewrites its ticket's
// segment (a new generation), a correction and a retraction leave the
// version holding corrections (always filtered, never kept); each repeat
// answers as the store holds it now, and `as of` as it held it then.
TEST(KeptStates, ResealsAndCorrectionsChangeTheAnswerAtOnce) {
  kpi::testing::ScratchDir dir_a("states-reseal-a"), dir_b("states-reseal-b");
  auto cached = OpenCachedStore(dir_a.path(), size_t{1} << 30);
  auto uncached = OpenCachedStore(dir_b.path(), 0);
  const Engine with_cache(cached.get()), without(uncached.get());
  const std::string q =
      "select count() as n, sum(handle_seconds) as s, avg(handle_seconds) as a from events where event = "
      "\"agent_reply\" by agent";
  ExecOptions o;
  o.threads = 1;
  auto answer = [&](const ExecOptions& opts) {
    const Result got = Answer(with_cache, q, opts), want = Answer(without, q, opts);
    EXPECT_EQ(got.rows, want.rows);
    return got.rows;
  };
  using Rows = std::vector<std::vector<Value>>;
  const Value ann = Value::String("ann"), bob = Value::String("bob");
  for (storage::Store* s : {cached.get(), uncached.get()})
    IngestAll(s, {Created("T1", 0), Reply("T1", 5, "ann", 100, "r1"), Created("T2", 1), Reply("T2", 6, "bob", 40)});
  const int64_t first = Now();
  for (int round = 0; round < 2; ++round)
    EXPECT_EQ(answer(o), (Rows{{ann, Value::Number(1), Value::Number(100), Value::Number(100)},
                               {bob, Value::Number(1), Value::Number(40), Value::Number(40)}}));
  EXPECT_TRUE(StatesKept(cached.get(), q));
  const uint64_t generation = cached->GetSnapshot()->Plan(storage::ScanSpec{}, nullptr).at(0).generation;
  // A late reply on T1: its segment is sealed again.
  for (storage::Store* s : {cached.get(), uncached.get()}) IngestAll(s, {Reply("T1", 9, "ann", 50)});
  EXPECT_NE(cached->GetSnapshot()->Plan(storage::ScanSpec{}, nullptr).at(0).generation, generation);
  const int64_t late = Now();
  for (int round = 0; round < 2; ++round)
    EXPECT_EQ(answer(o), (Rows{{ann, Value::Number(2), Value::Number(150), Value::Number(75)},
                               {bob, Value::Number(1), Value::Number(40), Value::Number(40)}}));
  EXPECT_TRUE(StatesKept(cached.get(), q)) << "the new version's";
  // A correction of r1 (a higher revision) to 10 seconds by bob.
  RawEvent fix = Reply("T1", 5, "bob", 10, "r1");
  fix.revision = 2;
  for (storage::Store* s : {cached.get(), uncached.get()}) IngestAll(s, {fix});
  const int64_t fixed = Now();
  for (int round = 0; round < 2; ++round)
    EXPECT_EQ(answer(o), (Rows{{ann, Value::Number(1), Value::Number(50), Value::Number(50)},
                               {bob, Value::Number(2), Value::Number(50), Value::Number(25)}}));
  EXPECT_FALSE(StatesKept(cached.get(), q)) << "a version holding corrections is filtered per query";
  // Its retraction.
  RawEvent gone = fix;
  gone.revision = 3;
  gone.retract = true;
  for (storage::Store* s : {cached.get(), uncached.get()}) IngestAll(s, {gone});
  for (int round = 0; round < 2; ++round)
    EXPECT_EQ(answer(o), (Rows{{ann, Value::Number(1), Value::Number(50), Value::Number(50)},
                               {bob, Value::Number(1), Value::Number(40), Value::Number(40)}}));
  // As the store held it then.
  ExecOptions then = o;
  then.as_of_ms = first;
  EXPECT_EQ(answer(then), (Rows{{ann, Value::Number(1), Value::Number(100), Value::Number(100)},
                                {bob, Value::Number(1), Value::Number(40), Value::Number(40)}}));
  then.as_of_ms = late;
  EXPECT_EQ(answer(then)[0][1], Value::Number(2));
  then.as_of_ms = fixed;
  EXPECT_EQ(answer(then)[1][1], Value::Number(2));
}

// The states are charged to the memo they are kept in: a statement that
// keeps new states grows the derived values by about their size, and a
// cache with no room keeps nothing and still answers.
TEST(KeptStates, StatesAreChargedToTheCacheBudget) {
  kpi::testing::ScratchDir dir_a("states-budget-a"), dir_b("states-budget-b");
  const std::vector<RawEvent> events = GeneratedEvents(1500);
  auto cached = OpenCachedStore(dir_a.path(), size_t{1} << 30);
  auto nothing = OpenCachedStore(dir_b.path(), 0);
  for (storage::Store* s : {cached.get(), nothing.get()}) IngestAll(s, events);
  const Engine with_cache(cached.get()), without(nothing.get());
  ExecOptions o;
  o.threads = 1;
  const std::string by_agent =
      "select count() as n from events where event = \"agent_reply\" by agent, day";
  const std::string by_team = "select count() as n from events where event = \"agent_reply\" by team";
  ExpectSame(with_cache, without, by_agent, o, "first");
  const size_t after_one = cached->MemoCacheStats().bytes;
  ExpectSame(with_cache, without, by_agent, o, "repeat");
  EXPECT_EQ(cached->MemoCacheStats().bytes, after_one) << "found, not kept again";
  ExpectSame(with_cache, without, by_team, o, "another statement");
  const size_t after_two = cached->MemoCacheStats().bytes;
  const size_t segments = cached->MemoCacheStats().entries;
  // by team: a few groups per segment, a count each (kept_states.cc KeptStatesBytes).
  EXPECT_GT(after_two, after_one);
  EXPECT_LT(after_two - after_one, segments * (sizeof(KeptStates) + 2048));
  EXPECT_EQ(nothing->MemoCacheStats().bytes, 0u);
  EXPECT_EQ(nothing->MemoCacheStats().entries, 0u);
}

TEST(KeptStates, TheKeyNamesWhatTheStatesDependOn) {
  kpi::testing::ScratchDir dir("states-key");
  auto store = OpenCachedStore(dir.path(), 0);
  IngestAll(store.get(), GeneratedEvents(200));
  const ExecOptions o;
  auto key = [&](const std::string& text) {
    return KeptStatesKey(*BindStatement(store.get(), text), o, store->catalog().FindCode(storage::kEventColumn, "created"));
  };
  const std::string base = "select count() as n, avg(handle_seconds) as a from events where event = \"agent_reply\"";
  const std::string k = key(base + " by agent, day");
  ASSERT_FALSE(k.empty());
  EXPECT_EQ(key(base + " by agent, day"), k);
  EXPECT_NE(key(base + " by agent, week"), k);
  EXPECT_NE(key(base + " by team, day"), k);
  EXPECT_NE(key(base + " by agent"), k);
  EXPECT_NE(key("select count() as n, avg(handle_seconds) as a from events where event = \"qa_reviewed\" by agent, "
                "day"),
            k);
  EXPECT_NE(key("select count() as n, sum(handle_seconds) as a from events where event = \"agent_reply\" by agent, "
                "day"),
            k);
  EXPECT_NE(key("select count() as n, avg(cost) as a from events where event = \"agent_reply\" by agent, day"), k);
  EXPECT_NE(key("select count() as n, avg(handle_seconds) as a from tickets by agent_of(resolved), day"), k);
  // Statements whose states would depend on more than the segment, or
  // whose aggregates keep no per-segment state.
  // A window is named by its bounds; percentiles keep sorted runs.
  EXPECT_NE(key(base + " during 2025-01-01 .. 2025-01-03 by agent, day"), "");
  EXPECT_NE(key(base + " during 2025-01-01 .. 2025-01-03 by agent, day"), k);
  EXPECT_NE(key(base + " during 2025-01-01 .. 2025-01-03 by agent, day"),
            key(base + " during 2025-01-01 .. 2025-01-04 by agent, day"));
  EXPECT_NE(key("select p90(handle_seconds) as p from events by agent"), "");
  EXPECT_NE(key("select p90(handle_seconds) as p from events by agent"),
            key("select p50(handle_seconds) as p from events by agent"));
  EXPECT_EQ(key("select distinct(agent) as d from events by team"), "");
  EXPECT_EQ(key("select rate(repeat_within(7d, customer, category)) as r from tickets by month"), "");
  ExecOptions scoped;
  ASSERT_TRUE(Scope::Parse("channel = \"email\"", &scoped.scope).ok());
  EXPECT_EQ(KeptStatesKey(*BindStatement(store.get(), base + " by agent"), scoped, 1), "");
}

// A huge constant list (memo_keys.h kMaxMemoKeyBytes): the key stands as
// its digest, so it is hashed, stored and compared in ~200 bytes instead
// of 0.5 MB, and still names the whole list (one constant changed: another
// key); the statement keeps its states and answers as a store keeping
// nothing. A short list is spelled out.
TEST(KeptStates, AHugeConstantListIsKeptUnderItsDigest) {
  kpi::testing::ScratchDir dir_a("states-huge-a"), dir_b("states-huge-b");
  const std::vector<RawEvent> events = GeneratedEvents(300);
  auto cached = OpenCachedStore(dir_a.path(), size_t{1} << 30);
  auto nothing = OpenCachedStore(dir_b.path(), 0);
  for (storage::Store* s : {cached.get(), nothing.get()}) IngestAll(s, events);
  const uint32_t created = cached->catalog().FindCode(storage::kEventColumn, "created");
  auto statement = [](int constants, int last) {
    std::string list;
    for (int i = 0; i < constants; ++i) list += (i ? ", " : "") + std::to_string(i == constants - 1 ? last : i);
    return "select count() as n, sum(handle_seconds) as s from events where handle_seconds in (" + list +
           ") by channel";
  };
  auto key = [&](const std::string& text) { return KeptStatesKey(*BindStatement(cached.get(), text), ExecOptions{}, created); };
  const std::string small = key(statement(100, 99));
  EXPECT_FALSE(small.empty());
  EXPECT_NE(small[0], '#');
  const std::string huge = key(statement(20000, 19999));
  EXPECT_NE(huge.find("|#sha256:520010:"), std::string::npos) << huge;  // the where clause's key, digested
  EXPECT_LE(huge.size(), 256u);
  EXPECT_EQ(key(statement(20000, 19999)), huge);
  EXPECT_NE(key(statement(20000, 20000)), huge);
  const Engine with_cache(cached.get()), without(nothing.get());
  ExecOptions o;
  o.threads = 1;
  ExpectSame(with_cache, without, statement(20000, 19999), o, "first");
  const size_t kept = cached->MemoCacheStats().bytes;
  EXPECT_GT(kept, 0u);
  ExpectSame(with_cache, without, statement(20000, 19999), o, "repeat");
  EXPECT_EQ(cached->MemoCacheStats().bytes, kept) << "found, not kept again";
  ExpectSame(with_cache, without, statement(20000, 7), o, "another list");
  EXPECT_GT(cached->MemoCacheStats().bytes, kept);
}

TEST(KeptStates, PartValueUndoesKeyParts) {
  kpi::testing::ScratchDir dir("states-parts");
  auto store = OpenCachedStore(dir.path(), 0);
  IngestAll(store.get(), {Created("T1", 0), Reply("T1", 5, "ann", 100)});
  const storage::Catalog& catalog = store->catalog();
  Vec v;
  const double numbers[] = {1.5, -3, 0};
  v.type = ValueType::kNumber;
  v.n = 3;
  v.f64 = numbers;
  uint64_t parts[3];
  KeyParts(v, 0, parts);
  for (uint32_t i = 0; i < 3; ++i)
    EXPECT_EQ(PartValue(parts[i], v.type, v.str, catalog), VecValue(v, i, nullptr, catalog)) << i;
  v.type = ValueType::kDuration;
  KeyParts(v, 0, parts);
  EXPECT_EQ(PartValue(parts[0], v.type, v.str, catalog), Value::Duration(0.0015));
  const int64_t times[] = {1'736'000'000'000};
  Vec t;
  t.type = ValueType::kTime;
  t.n = 1;
  t.i64 = times;
  KeyParts(t, 0, parts);
  EXPECT_EQ(PartValue(parts[0], t.type, t.str, catalog), Value::Time(times[0]));
  const uint8_t bools[] = {kTrue, kFalse, kNullBool};
  Vec b;
  b.type = ValueType::kBool;
  b.n = 3;
  b.b8 = bools;
  KeyParts(b, 0, parts);
  EXPECT_EQ(PartValue(parts[0], b.type, b.str, catalog), Value::Bool(true));
  EXPECT_EQ(PartValue(parts[1], b.type, b.str, catalog), Value::Bool(false));
  EXPECT_EQ(PartValue(parts[2], b.type, b.str, catalog), Value::Null());
  const uint32_t ann = catalog.FindCode(storage::kAgentColumn, "ann");
  ASSERT_NE(ann, 0u);
  const uint32_t codes[] = {ann, 0};
  Vec s;
  s.type = ValueType::kString;
  s.str = StrDomain{StrKind::kDict, storage::kAgentColumn};
  s.n = 2;
  s.u32 = codes;
  KeyParts(s, 0, parts);
  EXPECT_EQ(PartValue(parts[0], s.type, s.str, catalog), Value::String("ann"));
  EXPECT_EQ(PartValue(parts[1], s.type, s.str, catalog), Value::Null());
}

}  // namespace
}  // namespace kpi::query
