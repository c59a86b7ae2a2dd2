// Segment values (storage/segment_codec.h): version 3 round-trips every
// column, also when only some are decoded (times without events, a dimension
// whose presence refers to another's); values of versions 1 and 2, as stores
// written before version 3 hold them, still decode to the same segment, and a
// format-2 store of such values opens, reads and takes new events (stamped
// format 3); damaged values give Corruption, never a crash.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <rocksdb/db.h>

#include "storage/codec/codec.h"
#include "storage/keys.h"
#include "storage/segment_codec.h"
#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

// A segment like the sealer builds: tickets with 1..9 time-sorted events;
// dimensions 16-18 carried together on each ticket's first event, 19 on
// some others; measures 30 and 31 together on `reply` (code 3) events, 32 on
// a few; ids on some events; corrections when asked.
Segment RandomSegment(uint32_t seed, bool corrections) {
  std::mt19937 rng(seed);
  Segment s;
  const uint32_t tickets = 50 + rng() % 200;
  int64_t created = 1'700'000'000'000 + rng() % 1'000'000;
  s.event_begin.push_back(0);
  s.dims.resize(4);
  s.measures.resize(3);
  for (uint32_t t = 0; t < tickets; ++t) {
    s.ticket_ids.push_back("T" + std::to_string(1000 + t));
    created += rng() % 60'000;
    int64_t time = created;
    const uint32_t events = 1 + rng() % 9;
    for (uint32_t e = 0; e < events; ++e) {
      const uint32_t row = static_cast<uint32_t>(s.time_ms.size());
      if (e > 0) time += (e == 1 ? rng() % 5'000 : rng() % 3'600'000) + (rng() % 50 == 0 ? 86'400'000 * 3 : 0);
      s.time_ms.push_back(time);
      const uint32_t code = e == 0 ? 1 : 2 + rng() % 4;
      s.event_code.push_back(code);
      s.agent_code.push_back(e == 0 ? 0 : 1 + rng() % 40);
      s.batch.push_back(1 + rng() % 7);
      if (rng() % 3 == 0) {
        s.id_rows.push_back(row);
        s.id_hashes.push_back((uint64_t{rng()} << 32) | rng());
      }
      if (e == 0) {
        for (uint32_t i : {0u, 1u, 2u}) s.dims[i].rows.push_back(row);
      }
      if (e > 0 && rng() % 4 == 0) s.dims[3].rows.push_back(row);
      if (code == 3) {
        s.measures[0].rows.push_back(row);
        s.measures[1].rows.push_back(row);
      }
      if (rng() % 10 == 0) s.measures[2].rows.push_back(row);
    }
    s.event_begin.push_back(static_cast<uint32_t>(s.time_ms.size()));
  }
  for (uint32_t i = 0; i < 4; ++i) {
    s.dims[i].column = 16 + i;
    for (size_t r = 0; r < s.dims[i].rows.size(); ++r) s.dims[i].codes.push_back(1 + rng() % (i == 0 ? 500 : 6));
  }
  for (uint32_t i = 0; i < 3; ++i) {
    s.measures[i].column = 30 + i;
    for (size_t r = 0; r < s.measures[i].rows.size(); ++r)
      s.measures[i].values.push_back(i == 1 ? (rng() % 10000) / 100.0 : double(rng() % 900));
  }
  if (corrections) {
    for (uint32_t r = 0; r < s.num_events(); r += 7) {
      s.revision_rows.push_back(r);
      s.revisions.push_back(1 + r % 3);
    }
    for (uint32_t r = 3; r < s.num_events(); r += 11) {
      s.dead_rows.push_back(r);
      s.dead_since.push_back(s.batch[r] + 1);
    }
  }
  return s;
}

void ExpectSame(const Segment& a, const Segment& b) {
  EXPECT_EQ(a.ticket_ids, b.ticket_ids);
  EXPECT_EQ(a.event_begin, b.event_begin);
  EXPECT_EQ(a.time_ms, b.time_ms);
  EXPECT_EQ(a.event_code, b.event_code);
  EXPECT_EQ(a.agent_code, b.agent_code);
  EXPECT_EQ(a.batch, b.batch);
  EXPECT_EQ(a.id_rows, b.id_rows);
  EXPECT_EQ(a.id_hashes, b.id_hashes);
  ASSERT_EQ(a.dims.size(), b.dims.size());
  for (size_t i = 0; i < a.dims.size(); ++i) {
    EXPECT_EQ(a.dims[i].column, b.dims[i].column);
    EXPECT_EQ(a.dims[i].rows, b.dims[i].rows);
    EXPECT_EQ(a.dims[i].codes, b.dims[i].codes);
  }
  ASSERT_EQ(a.measures.size(), b.measures.size());
  for (size_t i = 0; i < a.measures.size(); ++i) {
    EXPECT_EQ(a.measures[i].column, b.measures[i].column);
    EXPECT_EQ(a.measures[i].rows, b.measures[i].rows);
    EXPECT_EQ(a.measures[i].values, b.measures[i].values);
  }
  EXPECT_EQ(a.revision_rows, b.revision_rows);
  EXPECT_EQ(a.revisions, b.revisions);
  EXPECT_EQ(a.dead_rows, b.dead_rows);
  EXPECT_EQ(a.dead_since, b.dead_since);
}

// The layout of versions 1 and 2 as the builds before version 3 wrote it
// (docs/storage-format.md, "Segment value"): one block of time deltas in row
// order before the event codes, every sparse column with its own presence.
std::string EncodeVersion1Or2(const Segment& s) {
  std::string out(1, static_cast<char>(s.has_corrections() ? 2 : 1));
  codec::PutVarint64(&out, s.num_tickets());
  codec::PutVarint64(&out, s.num_events());
  codec::PutVarint64(&out, codec::ZigZag(s.time_ms[0]));
  codec::EncodeStrings(s.ticket_ids, &out);
  std::vector<uint32_t> counts;
  for (uint32_t t = 0; t < s.num_tickets(); ++t) counts.push_back(s.event_begin[t + 1] - s.event_begin[t]);
  codec::EncodeInts(std::span<const uint32_t>(counts), &out);
  std::vector<int64_t> deltas(s.num_events());
  int64_t prev_first = s.time_ms[0];
  for (uint32_t t = 0; t < s.num_tickets(); ++t) {
    for (uint32_t e = s.event_begin[t]; e < s.event_begin[t + 1]; ++e) {
      deltas[e] = e == s.event_begin[t] ? s.time_ms[e] - prev_first : s.time_ms[e] - s.time_ms[e - 1];
      if (e == s.event_begin[t]) prev_first = s.time_ms[e];
    }
  }
  codec::EncodeInts(std::span<const int64_t>(deltas), &out);
  codec::EncodeInts(std::span<const uint32_t>(s.event_code), &out);
  codec::EncodeInts(std::span<const uint32_t>(s.agent_code), &out);
  codec::EncodeInts(std::span<const uint32_t>(s.batch), &out);
  codec::EncodePresence(s.id_rows, s.num_events(), &out);
  std::vector<int64_t> ids(s.id_hashes.begin(), s.id_hashes.end());
  codec::EncodeInts(std::span<const int64_t>(ids), &out);
  codec::PutVarint64(&out, s.dims.size());
  for (const auto& d : s.dims) {
    codec::PutVarint64(&out, d.column);
    codec::EncodePresence(d.rows, s.num_events(), &out);
    codec::EncodeInts(std::span<const uint32_t>(d.codes), &out);
  }
  codec::PutVarint64(&out, s.measures.size());
  for (const auto& m : s.measures) {
    codec::PutVarint64(&out, m.column);
    codec::EncodePresence(m.rows, s.num_events(), &out);
    codec::EncodeDoubles(m.values, &out);
  }
  if (s.has_corrections()) {
    codec::EncodePresence(s.revision_rows, s.num_events(), &out);
    codec::EncodeInts(std::span<const uint32_t>(s.revisions), &out);
    codec::EncodePresence(s.dead_rows, s.num_events(), &out);
    codec::EncodeInts(std::span<const uint32_t>(s.dead_since), &out);
  }
  return out;
}

TEST(SegmentCodecTest, Version3RoundTripsEveryColumn) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    for (bool corrections : {false, true}) {
      const Segment s = RandomSegment(seed, corrections);
      std::string value;
      EncodeSegment(s, &value);
      EXPECT_EQ(value[0], 3);
      Segment back;
      ASSERT_TRUE(DecodeSegment(value, &back).ok()) << seed;
      ExpectSame(s, back);
      std::vector<std::string> ids;
      ASSERT_TRUE(DecodeTicketIds(value, &ids).ok());
      EXPECT_EQ(ids, s.ticket_ids);
    }
  }
}

TEST(SegmentCodecTest, SharedPresenceIsWrittenOnce) {
  const Segment s = RandomSegment(3, false);
  std::string v3;
  EncodeSegment(s, &v3);
  // Blocks read per column: presence and values, except where the presence
  // is a reference (dimensions 17 and 18 to 16's rows, measure 31 to 30's).
  auto blocks = [](const std::string& value, const std::string& column) {
    Segment out;
    std::vector<ColumnBlockStat> stats;
    EXPECT_TRUE(DecodeSegment(value, &out, &stats).ok());
    return std::count_if(stats.begin(), stats.end(), [&](const ColumnBlockStat& b) { return b.column == column; });
  };
  const std::string v1 = EncodeVersion1Or2(s);
  for (const char* column : {"dim:17", "dim:18", "measure:31"}) {
    EXPECT_EQ(blocks(v1, column), 2) << column;
    EXPECT_EQ(blocks(v3, column), 1) << column;
  }
  for (const char* column : {"dim:16", "dim:19", "measure:30", "measure:32"}) EXPECT_EQ(blocks(v3, column), 2);
  EXPECT_LT(v3.size(), v1.size());
}

TEST(SegmentCodecTest, Version3DecodesColumnSubsets) {
  const Segment s = RandomSegment(5, true);
  std::string value;
  EncodeSegment(s, &value);
  {
    SegmentColumns want;
    want.times = true;  // needs the event codes to place the groups, keeps none
    Segment back;
    ASSERT_TRUE(DecodeSegment(value, want, &back).ok());
    EXPECT_EQ(back.time_ms, s.time_ms);
    EXPECT_TRUE(back.event_code.empty());
  }
  {
    SegmentColumns want;
    want.events = true;
    Segment back;
    ASSERT_TRUE(DecodeSegment(value, want, &back).ok());
    EXPECT_EQ(back.event_code, s.event_code);
    EXPECT_TRUE(back.time_ms.empty());
  }
  {
    SegmentColumns want;  // columns that refer to a presence not decoded
    want.AddDim(18);
    want.AddMeasure(31);
    Segment back;
    ASSERT_TRUE(DecodeSegment(value, want, &back).ok());
    ASSERT_EQ(back.dims.size(), 1u);
    EXPECT_EQ(back.dims[0].rows, s.dims[2].rows);
    EXPECT_EQ(back.dims[0].codes, s.dims[2].codes);
    ASSERT_EQ(back.measures.size(), 1u);
    EXPECT_EQ(back.measures[0].rows, s.measures[1].rows);
    EXPECT_EQ(back.measures[0].values, s.measures[1].values);
    EXPECT_EQ(back.dead_rows, s.dead_rows);  // corrections always decode
  }
}

TEST(SegmentCodecTest, ReadsVersions1And2WrittenBefore) {
  for (uint32_t seed = 1; seed <= 10; ++seed) {
    for (bool corrections : {false, true}) {
      const Segment s = RandomSegment(seed, corrections);
      const std::string old = EncodeVersion1Or2(s);
      Segment back;
      ASSERT_TRUE(DecodeSegment(old, &back).ok()) << seed;
      ExpectSame(s, back);
      SegmentColumns want;
      want.times = true;
      want.AddDim(17);
      Segment part;
      ASSERT_TRUE(DecodeSegment(old, want, &part).ok());
      EXPECT_EQ(part.time_ms, s.time_ms);
      ASSERT_EQ(part.dims.size(), 1u);
      EXPECT_EQ(part.dims[0].rows, s.dims[1].rows);
      std::vector<std::string> ids;
      ASSERT_TRUE(DecodeTicketIds(old, &ids).ok());
      EXPECT_EQ(ids, s.ticket_ids);
      // Re-encoding writes version 3 and decodes to the same segment.
      std::string v3;
      EncodeSegment(back, &v3);
      Segment again;
      ASSERT_TRUE(DecodeSegment(v3, &again).ok());
      ExpectSame(s, again);
    }
  }
}

TEST(SegmentCodecTest, DamagedVersion3ValuesAreCorruption) {
  const Segment s = RandomSegment(9, true);
  std::string value;
  EncodeSegment(s, &value);
  for (size_t len = 0; len < value.size(); len += 1 + len / 64) {
    Segment back;
    const std::string cut = value.substr(0, len);
    Status st = DecodeSegment(cut, &back);
    EXPECT_FALSE(st.ok()) << len;
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Status::Code::kCorruption);
    }
  }
  std::mt19937 rng(4);
  for (int i = 0; i < 2000; ++i) {
    std::string bad = value;
    bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
    Segment back;
    Status st = DecodeSegment(bad, &back);
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Status::Code::kCorruption);
    }
  }
  std::string flags = value;
  flags[1] = 2;  // an unknown flag
  Segment back;
  EXPECT_FALSE(DecodeSegment(flags, &back).ok());
}

// Rewrites a closed store as a build before format 3 left it: every segment
// value in the version 1/2 layout, the store stamped format 2.
void MakeFormat2(const std::string& dir) {
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir, families, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  int rewritten = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "catalog") {
      std::string fmt;
      PutBigEndian32(&fmt, 2);
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[i], kFormatKey, fmt).ok());
    }
    if (names[i] != "segments") continue;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[i]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      Segment segment;
      ASSERT_TRUE(DecodeSegment(std::string_view(it->value().data(), it->value().size()), &segment).ok());
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[i], it->key(), EncodeVersion1Or2(segment)).ok());
      ++rewritten;
    }
  }
  EXPECT_GT(rewritten, 1);
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
}

uint32_t StampedFormat(const std::string& dir) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {{"default", {}}, {"catalog", {}}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, families, &handles, &raw).ok()) return 0;
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string v;
  const bool ok = db->Get(rocksdb::ReadOptions(), handles[1], kFormatKey, &v).ok() && v.size() == 4;
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  return ok ? GetBigEndian32(v.data()) : 0;
}

TEST(SegmentCodecTest, AStoreWrittenBeforeFormat3ReadsAndGrows) {
  testing::ScratchDir dir;
  const std::string db = dir / "db";
  StoreOptions o;
  o.sync = false;
  o.max_tickets_per_segment = 32;
  o.max_deltas_per_segment = 0;
  const std::vector<RawEvent> events = testing::RandomEvents(17, 300);
  const size_t half = events.size() / 2;
  std::string first_half;
  {
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(db, o, &store).ok());
    std::vector<EventReject> rejects;
    IngestStats stats;
    ASSERT_TRUE(store->Ingest(std::span<const RawEvent>(events.data(), half), &rejects, &stats).ok());
    first_half = testing::DumpStore(*store);
  }
  EXPECT_EQ(StampedFormat(db), 4u);
  MakeFormat2(db);
  ASSERT_EQ(StampedFormat(db), 2u);
  std::string all;
  {
    StoreOptions ro = o;
    ro.read_only_until_write = true;
    ro.create_if_missing = false;
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(db, ro, &store).ok());
    EXPECT_EQ(testing::DumpStore(*store), first_half);
  }
  EXPECT_EQ(StampedFormat(db), 2u) << "a read-only open stamps nothing";
  {
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(db, o, &store).ok());
    EXPECT_EQ(testing::DumpStore(*store), first_half);
    std::vector<EventReject> rejects;
    IngestStats stats;
    ASSERT_TRUE(store->Ingest(std::span<const RawEvent>(events.data() + half, events.size() - half), &rejects,
                              &stats).ok());
    all = testing::DumpStore(*store);
  }
  EXPECT_EQ(StampedFormat(db), 4u);
  // The same events into a new store: the mixed store (old segments left as
  // they were, rewritten ones of version 3) reads the same.
  testing::ScratchDir fresh;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(fresh / "db", o, &store).ok());
  std::vector<EventReject> rejects;
  IngestStats stats;
  ASSERT_TRUE(store->Ingest(events, &rejects, &stats).ok());
  EXPECT_EQ(testing::DumpStore(*store), all);
  std::unique_ptr<Store> reopened;
  ASSERT_TRUE(Store::Open(db, o, &reopened).ok());
  EXPECT_EQ(testing::DumpStore(*reopened), all);
}

}  // namespace
}  // namespace kpi::storage
