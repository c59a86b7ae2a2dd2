// Kept partial states in the derived-value files (kept_states.h,
// disk_memo.h): a process that builds a statement's states writes them per
// segment version, and a later process (a store opened again, no cache, as
// `kpi query`) combines them without decoding any segment and answers as a
// store without the files; the states' encoding decodes only whole, for
// the statement it was kept for. (memo_files_test.cc compares the files
// against no files after reseals, corrections, `as of` and damage, with
// states among its statements.) One scan thread, so sums add in the same
// order.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "query/engine.h"
#include "query/engine/cached_store.h"
#include "query/engine/kept_states_util.h"
#include "query/execution/disk_memo.h"
#include "query/execution/kept_rollup.h"
#include "query/execution/kept_states.h"
#include "storage/memo_files.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::query {
namespace {

std::string StatesKey(storage::Store* store, const BoundQuery& q) {
  return KeptStatesKey(q, ExecOptions{}, store->catalog().FindCode(storage::kEventColumn, "created"));
}

class KeptStatesFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    events_ = GeneratedEvents(1500);
    without_ = OpenCachedStore(dir_without_.path(), 0);
    IngestAll(without_.get(), events_);
    auto with = OpenCachedStore(dir_with_.path(), 0);
    IngestAll(with.get(), events_);
  }
  void TearDown() override { Close(); }

  // The store of `dir_with_` opened as a new `kpi query` process opens it.
  void Reopen() {
    Close();
    with_ = OpenCachedStore(dir_with_.path(), 0);
    files_ = UseMemoFiles(*with_);
    ASSERT_NE(files_, nullptr);
  }
  void Close() {
    if (with_) UnregisterMemoFiles(*with_);
    files_.reset();
    with_.reset();
  }

  kpi::testing::ScratchDir dir_with_{"states-files-with"}, dir_without_{"states-files-without"};
  std::vector<RawEvent> events_;
  std::unique_ptr<storage::Store> with_, without_;
  std::shared_ptr<storage::MemoFiles> files_;
};

// The first process builds and writes; the next reads every segment's
// states from the files (each lookup a hit) and decodes no segment.
TEST_F(KeptStatesFilesTest, AReadingProcessDecodesNoSegment) {
  ExecOptions o;
  o.threads = 1;
  const Engine without(without_.get());
  for (const std::string& q : KeptStatesStatements()) {
    ASSERT_FALSE(StatesKey(without_.get(), *BindStatement(without_.get(), q)).empty()) << q;
    Reopen();
    ExpectSame(Engine(with_.get()), without, q, o, "writing process");
    Reopen();
    const uint64_t decoded = with_->SegmentCacheStats().misses;
    ExpectSame(Engine(with_.get()), without, q, o, "reading process");
    EXPECT_EQ(with_->SegmentCacheStats().misses, decoded) << "a segment decoded: " << q;
    EXPECT_GT(files_->hits(), 0u) << q;
    EXPECT_EQ(files_->misses(), 0u) << "a value derived: " << q;
  }
}

// One byte in the middle of every kept states value flipped (headers
// intact, docs/storage-format.md "Derived-value files"): each damaged value
// is a miss (its checksum), built again from the segment and written again.
TEST_F(KeptStatesFilesTest, DamagedStatesAreRebuiltNotRead) {
  ExecOptions o;
  o.threads = 1;
  const Engine without(without_.get());
  for (const std::string& q : KeptStatesStatements()) {
    Reopen();
    ExpectSame(Engine(with_.get()), without, q, o, "writing process");
  }
  Close();
  int flipped = 0;
  for (const auto& path : std::filesystem::directory_iterator(storage::MemoFiles::Dir(dir_with_.path())))
    flipped += DamageValues(path.path(), 0, 0x10, [](const std::string& key) {
      return key.rfind("s:", 0) == 0;  // kept states only (KeptStatesKey)
    });
  ASSERT_GT(flipped, 10);
  for (int round = 0; round < 2; ++round) {
    for (const std::string& q : KeptStatesStatements()) {
      Reopen();
      ExpectSame(Engine(with_.get()), without, q, o, round == 0 ? "damaged" : "written again");
      if (round == 0) EXPECT_GT(files_->misses(), 0u) << q;
      else EXPECT_EQ(files_->misses(), 0u) << q;
    }
  }
}

// Each kept family's states decode only for as many groups as the key
// parts name: one group fewer in the parts is refused.
TEST_F(KeptStatesFilesTest, EachFamilysStatesDecodeOnlyForTheirGroups) {
  ExecOptions o;
  o.threads = 1;
  for (const std::string agg : {"count()", "sum(handle_seconds)", "avg(handle_seconds)", "rate(handle_seconds > 60)",
                                "ratio(cost, handle_seconds)", "p90(handle_seconds)",
                                "percentile(handle_seconds, 0.37)"}) {
    const std::string text = "select " + agg + " as x from events where event = \"agent_reply\" by agent";
    Reopen();
    ExpectSame(Engine(with_.get()), Engine(without_.get()), text, o, "writing process");
    Reopen();
    const auto q = BindStatement(with_.get(), text);
    const auto snap = with_->GetSnapshot();
    const std::vector<storage::SegmentRef> refs = snap->Plan(storage::ScanSpec{}, nullptr);
    std::string stored;
    ASSERT_TRUE(files_->Find(StatesKey(with_.get(), *q), refs.at(0), &stored)) << text;
    KeptStates fewer;
    ASSERT_TRUE(DecodeKeptStates(stored, *q, &fewer)) << text;
    ASSERT_GT(fewer.groups, 1u) << text;
    fewer.groups -= 1;
    fewer.parts.resize(fewer.groups);
    std::string mismatched;
    ASSERT_TRUE(EncodeMemoValue(fewer, &mismatched));
    KeptStates s;
    EXPECT_FALSE(DecodeKeptStates(mismatched, *q, &s)) << text;
  }
}

// A partition's combined states (FindRollup / AddRollup) are found only
// for the very versions they were combined from: not when a version is
// missing or added, nor for another generation or zone map of one that is
// not the anchor, nor for another anchor.
TEST_F(KeptStatesFilesTest, RollupsAreFoundOnlyForTheirVersions) {
  Reopen();
  const auto q = BindStatement(with_.get(), KeptStatesStatements()[0]);
  const std::string states_key = StatesKey(with_.get(), *q);
  KeptStates states;
  for (const AggregateSpec& a : q->aggregates) states.aggs.push_back(a.family->create(a, *q));
  std::vector<storage::SegmentRef> refs(3);
  for (uint32_t i = 0; i < 3; ++i) {
    refs[i].partition = 20000;
    refs[i].segment = i;
    refs[i].generation = 10 + i;
    refs[i].zone.num_events = refs[i].zone.num_tickets = 5 + i;
  }
  auto key = [&](const std::vector<storage::SegmentRef>& r) { return RollupKey(states_key, r.data(), r.size()); };
  AddRollup(*files_, states_key, key(refs), refs.data(), refs.size(), refs[2], states);
  ASSERT_TRUE(files_->Flush().ok());
  Reopen();
  KeptStates found;
  EXPECT_TRUE(FindRollup(*files_, states_key, key(refs), refs.data(), refs.size(), refs[2], *q, &found));
  const std::vector<storage::SegmentRef> fewer(refs.begin() + 1, refs.end());
  EXPECT_FALSE(FindRollup(*files_, states_key, key(fewer), fewer.data(), fewer.size(), refs[2], *q, &found));
  std::vector<storage::SegmentRef> more = refs;
  more.push_back(refs[0]);
  more.back().segment = 7;
  EXPECT_FALSE(FindRollup(*files_, states_key, key(more), more.data(), more.size(), refs[2], *q, &found));
  std::vector<storage::SegmentRef> other = refs;
  other[0].generation = 11;
  EXPECT_FALSE(FindRollup(*files_, states_key, key(other), other.data(), other.size(), refs[2], *q, &found));
  other = refs;
  other[1].zone.num_events += 1;
  EXPECT_FALSE(FindRollup(*files_, states_key, key(other), other.data(), other.size(), refs[2], *q, &found));
  EXPECT_FALSE(FindRollup(*files_, states_key, key(refs), refs.data(), refs.size(), refs[1], *q, &found));
  EXPECT_FALSE(FindRollup(*files_, states_key + "x", key(refs), refs.data(), refs.size(), refs[2], *q, &found));
}

// A statement's states are read only under its own key: another statement
// over the same rows with other aggregates writes and reads its own.
TEST_F(KeptStatesFilesTest, StatesAreReadOnlyForTheirStatement) {
  ExecOptions o;
  o.threads = 1;
  const Engine without(without_.get());
  const std::string a = "select count() as n from events where event = \"agent_reply\" by agent";
  const std::string b = "select sum(handle_seconds) as n from events where event = \"agent_reply\" by agent";
  Reopen();
  ExpectSame(Engine(with_.get()), without, a, o, "a, writing");
  Reopen();
  ExpectSame(Engine(with_.get()), without, b, o, "b after a");
  Reopen();
  ExpectSame(Engine(with_.get()), without, a, o, "a, reading");
  ExpectSame(Engine(with_.get()), without, b, o, "b, reading");
  EXPECT_EQ(files_->misses(), 0u);
}

// The bytes of kept states decode only whole, for the statement they were
// kept for: every shorter prefix, a trailing byte, another statement's
// aggregates or another value's tag are refused.
TEST_F(KeptStatesFilesTest, EncodingsDecodeOnlyWhole) {
  ExecOptions o;
  o.threads = 1;
  const std::string text = KeptStatesStatements()[0];
  Reopen();
  ExpectSame(Engine(with_.get()), Engine(without_.get()), text, o, "writing process");
  Reopen();
  const auto q = BindStatement(with_.get(), text);
  const std::string key = StatesKey(with_.get(), *q);
  const auto snap = with_->GetSnapshot();
  const std::vector<storage::SegmentRef> refs = snap->Plan(storage::ScanSpec{}, nullptr);
  ASSERT_GT(refs.size(), 1u);
  std::string stored;
  ASSERT_TRUE(files_->Find(key, refs[0], &stored));
  const std::string bytes(stored);
  KeptStates states;
  ASSERT_TRUE(DecodeKeptStates(bytes, *q, &states));
  EXPECT_GT(states.groups, 1u);
  EXPECT_EQ(states.parts.size(), states.groups * 2);
  ASSERT_EQ(states.aggs.size(), 2u);
  std::string again;
  ASSERT_TRUE(EncodeMemoValue(states, &again));
  EXPECT_EQ(again, bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    KeptStates s;
    EXPECT_FALSE(DecodeKeptStates(std::string_view(bytes).substr(0, n), *q, &s)) << n << " of " << bytes.size();
  }
  KeptStates s;
  EXPECT_FALSE(DecodeKeptStates(bytes + '\0', *q, &s));
  EXPECT_FALSE(DecodeKeptStates(bytes, *BindStatement(with_.get(), KeptStatesStatements()[2]), &s));  // one aggregate
  EXPECT_FALSE(DecodeKeptStates(bytes, *BindStatement(with_.get(), KeptStatesStatements()[3]), &s));  // no group key
  std::vector<uint8_t> u8s;
  EXPECT_FALSE(DecodeMemoValue(bytes, &u8s));
  std::string other_tag = bytes;
  other_tag[0] = static_cast<char>(other_tag[0] + 1);
  EXPECT_FALSE(DecodeKeptStates(other_tag, *q, &s));
}

}  // namespace
}  // namespace kpi::query
