// Segment values (storage/segment_codec.h): version 4 round-trips every
// column, also when only some are decoded (times without events, agents
// without events, a dimension whose rows are another's or an event code's),
// on random segments with agents changing hands, sparse rows of every shape,
// batches, corrections and retractions; values of versions 1 to 3, as stores
// written before version 4 hold them, still decode to the same segment, and a
// format-2 or format-4 store of such values opens, reads and takes new events
// (stamped format 5); damaged values give Corruption, never a crash.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <rocksdb/db.h>

#include "storage/codec/codec.h"
#include "storage/compact.h"
#include "storage/keys.h"
#include "storage/segment_codec.h"
#include "storage/store.h"
#include "storage/random_segment.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

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

// Parts the old layouts share. The header after the version byte (and, in
// version 3, the flags): ticket and event counts, base time, ticket ids and
// events per ticket.
void PutOldHead(const Segment& s, std::string* out) {
  codec::PutVarint64(out, s.num_tickets());
  codec::PutVarint64(out, s.num_events());
  codec::PutVarint64(out, codec::ZigZag(s.time_ms[0]));
  codec::EncodeStrings(s.ticket_ids, out);
  std::vector<uint32_t> counts;
  for (uint32_t t = 0; t < s.num_tickets(); ++t) counts.push_back(s.event_begin[t + 1] - s.event_begin[t]);
  codec::EncodeInts(std::span<const uint32_t>(counts), out);
}

// Each event's time gap (the previous ticket's first event, or its own
// ticket's previous event).
std::vector<int64_t> OldTimeDeltas(const Segment& s) {
  std::vector<int64_t> deltas(s.num_events());
  int64_t prev_first = s.time_ms[0];
  for (uint32_t t = 0; t < s.num_tickets(); ++t) {
    for (uint32_t e = s.event_begin[t]; e < s.event_begin[t + 1]; ++e) {
      deltas[e] = e == s.event_begin[t] ? s.time_ms[e] - prev_first : s.time_ms[e] - s.time_ms[e - 1];
      if (e == s.event_begin[t]) prev_first = s.time_ms[e];
    }
  }
  return deltas;
}

// From the batches on: batches, ids, sparse columns (version 3: each with a
// varint reference, k > 0 = the rows of sparse column k - 1), corrections.
void PutOldTail(const Segment& s, bool references, std::string* out) {
  codec::EncodeInts(std::span<const uint32_t>(s.batch), out);
  codec::EncodePresence(s.id_rows, s.num_events(), out);
  std::vector<int64_t> ids(s.id_hashes.begin(), s.id_hashes.end());
  codec::EncodeInts(std::span<const int64_t>(ids), out);
  std::vector<const std::vector<uint32_t>*> written;
  auto rows = [&](const std::vector<uint32_t>& r) {
    for (size_t k = 0; references && k < written.size(); ++k) {
      if (written[k] != nullptr && *written[k] == r) {
        codec::PutVarint64(out, k + 1);
        written.push_back(nullptr);
        return;
      }
    }
    if (references) codec::PutVarint64(out, 0);
    codec::EncodePresence(r, s.num_events(), out);
    written.push_back(&r);
  };
  codec::PutVarint64(out, s.dims.size());
  for (const auto& d : s.dims) {
    codec::PutVarint64(out, d.column);
    rows(d.rows);
    codec::EncodeInts(std::span<const uint32_t>(d.codes), out);
  }
  codec::PutVarint64(out, s.measures.size());
  for (const auto& m : s.measures) {
    codec::PutVarint64(out, m.column);
    rows(m.rows);
    codec::EncodeDoubles(m.values, out);
  }
  if (s.has_corrections()) {
    codec::EncodePresence(s.revision_rows, s.num_events(), out);
    codec::EncodeInts(std::span<const uint32_t>(s.revisions), out);
    codec::EncodePresence(s.dead_rows, s.num_events(), out);
    codec::EncodeInts(std::span<const uint32_t>(s.dead_since), out);
  }
}

// The layout of versions 1 and 2 as the builds before version 3 wrote it
// (docs/storage-format.md, "Segment value"): one block of time deltas in row
// order before the event codes, every sparse column with its own presence.
std::string EncodeVersion1Or2(const Segment& s) {
  std::string out(1, static_cast<char>(s.has_corrections() ? 2 : 1));
  PutOldHead(s, &out);
  const std::vector<int64_t> deltas = OldTimeDeltas(s);
  codec::EncodeInts(std::span<const int64_t>(deltas), &out);
  codec::EncodeInts(std::span<const uint32_t>(s.event_code), &out);
  codec::EncodeInts(std::span<const uint32_t>(s.agent_code), &out);
  PutOldTail(s, false, &out);
  return out;
}

// The layout of version 3 as the builds before version 4 wrote it: event
// codes before the times, time deltas one block per event code, agents one
// block, a sparse column's rows a presence block or a reference.
std::string EncodeVersion3(const Segment& s) {
  std::string out(1, static_cast<char>(3));
  codec::PutVarint64(&out, s.has_corrections() ? 1 : 0);
  PutOldHead(s, &out);
  codec::EncodeInts(std::span<const uint32_t>(s.event_code), &out);
  std::vector<uint32_t> groups(s.event_code);
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  std::vector<std::vector<int64_t>> grouped(groups.size());
  const std::vector<int64_t> deltas = OldTimeDeltas(s);
  for (uint32_t e = 0; e < s.num_events(); ++e)
    grouped[std::lower_bound(groups.begin(), groups.end(), s.event_code[e]) - groups.begin()].push_back(deltas[e]);
  codec::PutVarint64(&out, groups.size());
  for (const auto& g : grouped) codec::EncodeInts(std::span<const int64_t>(g), &out);
  codec::EncodeInts(std::span<const uint32_t>(s.agent_code), &out);
  PutOldTail(s, true, &out);
  return out;
}

// A segment of random shape: 1..12 event codes, tickets of 1..20 events, each
// ticket's agent assigned, kept, handed over or absent; sparse columns whose
// rows are exactly some codes' rows, a subset of them, arbitrary rows or a
// single row; random batches; revisions, replaced rows and retractions (dead
// from their own batch) when asked; ids on some events.
Segment ShapedSegment(uint32_t seed, bool corrections) {
  std::mt19937 rng(seed);
  Segment s;
  const uint32_t tickets = 1 + rng() % 300;
  const uint32_t num_codes = 1 + rng() % 12;
  const uint32_t batches = 1 + rng() % 120;
  int64_t created = 1'600'000'000'000 + static_cast<int64_t>(rng() % 1'000'000'000);
  s.event_begin.push_back(0);
  for (uint32_t t = 0; t < tickets; ++t) {
    s.ticket_ids.push_back("T" + std::to_string(100000 + t * (1 + rng() % 5)));
    created += rng() % 600'000;
    int64_t time = created;
    uint32_t agent = rng() % 3 == 0 ? 0 : 1 + rng() % 60;
    const uint32_t events = 1 + rng() % 20;
    for (uint32_t e = 0; e < events; ++e) {
      const uint32_t row = static_cast<uint32_t>(s.time_ms.size());
      if (e > 0) time += static_cast<int64_t>(rng() % (1u << (rng() % 31)));
      s.time_ms.push_back(time);
      const uint32_t code = e == 0 ? 1 : 1 + rng() % num_codes;
      s.event_code.push_back(code);
      if (rng() % 8 == 0) agent = 1 + rng() % 60;  // handed over
      s.agent_code.push_back(code % 3 == 1 || rng() % 7 == 0 ? 0 : agent);
      s.batch.push_back(1 + rng() % batches);
      if (rng() % 4 == 0) {
        s.id_rows.push_back(row);
        s.id_hashes.push_back((uint64_t{rng()} << 32) | rng());
      }
    }
    s.event_begin.push_back(static_cast<uint32_t>(s.time_ms.size()));
  }
  const uint32_t n = s.num_events();
  // Sparse rows of the four shapes; code sets drawn from the segment's codes.
  auto rows_of = [&](int shape) {
    std::vector<uint32_t> rows;
    const uint32_t a = 1 + rng() % num_codes, b = 1 + rng() % num_codes;
    for (uint32_t e = 0; e < n; ++e) {
      const bool in_set = s.event_code[e] == a || s.event_code[e] == b;
      if ((shape == 0 && in_set) || (shape == 1 && in_set && rng() % 3 != 0) || (shape == 2 && rng() % 5 == 0))
        rows.push_back(e);
    }
    if (shape == 3) rows.push_back(rng() % n);
    return rows;
  };
  const uint32_t dims = rng() % 6, measures = rng() % 5;
  std::vector<std::vector<uint32_t>> shared;
  for (uint32_t i = 0; i < dims + measures; ++i) {
    std::vector<uint32_t> rows = !shared.empty() && rng() % 3 == 0 ? shared[rng() % shared.size()] : rows_of(rng() % 4);
    shared.push_back(rows);
    if (rows.empty()) continue;  // a column no event carried is not stored
    if (i < dims) {
      SparseCodes d;
      d.column = 16 + i;
      d.rows = rows;
      for (size_t r = 0; r < rows.size(); ++r) d.codes.push_back(1 + rng() % (i == 0 ? 5000 : 9));
      s.dims.push_back(std::move(d));
    } else {
      SparseNumbers m;
      m.column = 40 + i;
      m.rows = rows;
      for (size_t r = 0; r < rows.size(); ++r) m.values.push_back(i % 2 == 0 ? (rng() % 100000) / 100.0 : double(rng() % 900));
      s.measures.push_back(std::move(m));
    }
  }
  if (corrections) {
    for (uint32_t r = rng() % 5; r < n; r += 1 + rng() % 9) {
      s.revision_rows.push_back(r);
      s.revisions.push_back(1 + rng() % 4);
    }
    for (uint32_t r = rng() % 7; r < n; r += 1 + rng() % 13) {
      s.dead_rows.push_back(r);
      // a retraction is dead from its own batch, a replaced copy from a later one
      s.dead_since.push_back(s.batch[r] + (rng() % 2 == 0 ? 0 : 1 + rng() % 5));
    }
  }
  return s;
}

// Encodes s (version 4), checks that it decodes whole to s and that its
// ticket ids read alone; returns the value.
std::string ExpectRoundTrip(const Segment& s) {
  std::string value;
  EncodeSegment(s, &value);
  EXPECT_EQ(value[0], 4);
  Segment back;
  EXPECT_TRUE(DecodeSegment(value, &back).ok());
  ExpectSame(s, back);
  std::vector<std::string> ids;
  EXPECT_TRUE(DecodeTicketIds(value, &ids).ok());
  EXPECT_EQ(ids, s.ticket_ids);
  return value;
}

TEST(SegmentCodecTest, Version4RoundTripsEveryColumn) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    for (bool corrections : {false, true}) {
      SCOPED_TRACE(seed);
      ExpectRoundTrip(RandomSegment(seed, corrections));
    }
  }
}

// Blocks read per column of a value.
int64_t BlocksOf(const std::string& value, const std::string& column) {
  Segment out;
  std::vector<ColumnBlockStat> stats;
  EXPECT_TRUE(DecodeSegment(value, &out, &stats).ok());
  return std::count_if(stats.begin(), stats.end(), [&](const ColumnBlockStat& b) { return b.column == column; });
}

TEST(SegmentCodecTest, SharedPresenceIsWrittenOnce) {
  const Segment s = RandomSegment(3, false);
  // Version 3: presence and values, except where the presence is a reference
  // (dimensions 17 and 18 to 16's rows, measure 31 to 30's).
  const std::string v1 = EncodeVersion1Or2(s), v3 = EncodeVersion3(s);
  for (const char* column : {"dim:17", "dim:18", "measure:31"}) {
    EXPECT_EQ(BlocksOf(v1, column), 2) << column;
    EXPECT_EQ(BlocksOf(v3, column), 1) << column;
  }
  for (const char* column : {"dim:16", "dim:19", "measure:30", "measure:32"}) EXPECT_EQ(BlocksOf(v3, column), 2);
  // Version 4: rows that are exactly an event code's (dimensions 16-18 on
  // code 1, measures 30 and 31 on code 3) need no block at all.
  std::string v4;
  EncodeSegment(s, &v4);
  for (const char* column : {"dim:16", "dim:17", "dim:18", "measure:30", "measure:31"})
    EXPECT_EQ(BlocksOf(v4, column), 1) << column;
  for (const char* column : {"dim:19", "measure:32"}) EXPECT_EQ(BlocksOf(v4, column), 2) << column;
  // Agents and times: one block per event code.
  EXPECT_EQ(BlocksOf(v4, "agent"), 5);
  EXPECT_EQ(BlocksOf(v4, "time"), 5);
  EXPECT_LT(v3.size(), v1.size());
  EXPECT_LT(v4.size(), v3.size());
}

// The property: any segment round-trips, whole and column by column, and
// its ticket ids read alone.
TEST(SegmentCodecTest, Version4RoundTripsSegmentsOfEveryShape) {
  std::mt19937 rng(99);
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE(seed);
    const Segment s = ShapedSegment(seed, seed % 2 == 0);
    const std::string value = ExpectRoundTrip(s);
    // A random subset of the columns decodes to exactly those.
    SegmentColumns want;
    want.times = rng() % 2;
    want.events = rng() % 2;
    want.agents = rng() % 2;
    want.batches = rng() % 2;
    for (const auto& d : s.dims)
      if (rng() % 2) want.AddDim(d.column);
    for (const auto& m : s.measures)
      if (rng() % 2) want.AddMeasure(m.column);
    Segment part;
    ASSERT_TRUE(DecodeSegment(value, want, &part).ok()) << seed;
    EXPECT_EQ(part.event_begin, s.event_begin);
    EXPECT_EQ(part.time_ms, want.times ? s.time_ms : std::vector<int64_t>{});
    EXPECT_EQ(part.event_code, want.events ? s.event_code : std::vector<uint32_t>{});
    EXPECT_EQ(part.agent_code, want.agents ? s.agent_code : std::vector<uint32_t>{});
    if (want.batches || s.has_corrections()) {
      EXPECT_EQ(part.batch, s.batch);
    }
    size_t dims = 0, measures = 0;
    for (const auto& d : s.dims) {
      if (!want.HasDim(d.column)) continue;
      ASSERT_LT(dims, part.dims.size());
      EXPECT_EQ(part.dims[dims].rows, d.rows) << seed << " dim " << d.column;
      EXPECT_EQ(part.dims[dims++].codes, d.codes);
    }
    EXPECT_EQ(dims, part.dims.size());
    for (const auto& m : s.measures) {
      if (!want.HasMeasure(m.column)) continue;
      ASSERT_LT(measures, part.measures.size());
      EXPECT_EQ(part.measures[measures].rows, m.rows) << seed << " measure " << m.column;
      EXPECT_EQ(part.measures[measures++].values, m.values);
    }
    EXPECT_EQ(measures, part.measures.size());
    EXPECT_EQ(part.dead_rows, s.dead_rows);
    EXPECT_EQ(part.dead_since, s.dead_since);
  }
}

TEST(SegmentCodecTest, Version4DecodesColumnSubsets) {
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
    SegmentColumns want;
    want.agents = true;  // needs the event codes and the tickets, keeps neither
    Segment back;
    ASSERT_TRUE(DecodeSegment(value, want, &back).ok());
    EXPECT_EQ(back.agent_code, s.agent_code);
    EXPECT_TRUE(back.event_code.empty());
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

TEST(SegmentCodecTest, ReadsVersion3WrittenBefore) {
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    const Segment s = seed <= 20 ? RandomSegment(seed, seed % 2 == 0) : ShapedSegment(seed, seed % 2 == 0);
    const std::string old = EncodeVersion3(s);
    Segment back;
    ASSERT_TRUE(DecodeSegment(old, &back).ok()) << seed;
    ExpectSame(s, back);
    SegmentColumns want;
    want.agents = true;
    for (const auto& d : s.dims) want.AddDim(d.column);
    Segment part;
    ASSERT_TRUE(DecodeSegment(old, want, &part).ok());
    EXPECT_EQ(part.agent_code, s.agent_code);
    ASSERT_EQ(part.dims.size(), s.dims.size());
    for (size_t i = 0; i < s.dims.size(); ++i) EXPECT_EQ(part.dims[i].rows, s.dims[i].rows);
    std::string v4;
    EncodeSegment(back, &v4);
    Segment again;
    ASSERT_TRUE(DecodeSegment(v4, &again).ok());
    ExpectSame(s, again);
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
      // Re-encoding writes version 4 and decodes to the same segment.
      std::string v4;
      EncodeSegment(back, &v4);
      Segment again;
      ASSERT_TRUE(DecodeSegment(v4, &again).ok());
      ExpectSame(s, again);
    }
  }
}

TEST(SegmentCodecTest, DamagedVersion4ValuesAreCorruption) {
  for (uint32_t seed : {9u, 10u, 31u}) {
  const Segment s = seed == 9 ? RandomSegment(9, true) : ShapedSegment(seed, true);
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
}

// Every column family of a closed store, opened with RocksDB alone.
struct RawStore {
  std::vector<std::string> names;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::unique_ptr<rocksdb::DB> db;
  RawStore(const std::string& dir, bool read_only) {
    EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const std::string& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status s = read_only
                                  ? rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, families, &handles, &raw)
                                  : rocksdb::DB::Open(rocksdb::DBOptions(), dir, families, &handles, &raw);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db.reset(raw);
  }
  ~RawStore() {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  }
  rocksdb::ColumnFamilyHandle* Family(const std::string& name) const {
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return handles[i];
    return nullptr;
  }
};

// Rewrites a closed store as an older build left it: every segment value in
// an older layout (`encode`), the store stamped `format`.
void MakeOldFormat(const std::string& dir, uint32_t format, std::string (*encode)(const Segment&)) {
  RawStore raw(dir, /*read_only=*/false);
  ASSERT_TRUE(raw.db != nullptr);
  std::string fmt;
  PutBigEndian32(&fmt, format);
  ASSERT_TRUE(raw.db->Put(rocksdb::WriteOptions(), raw.Family("catalog"), kFormatKey, fmt).ok());
  int rewritten = 0;
  rocksdb::ColumnFamilyHandle* segments = raw.Family("segments");
  std::unique_ptr<rocksdb::Iterator> it(raw.db->NewIterator(rocksdb::ReadOptions(), segments));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    Segment segment;
    ASSERT_TRUE(DecodeSegment(std::string_view(it->value().data(), it->value().size()), &segment).ok());
    ASSERT_TRUE(raw.db->Put(rocksdb::WriteOptions(), segments, it->key(), encode(segment)).ok());
    ++rewritten;
  }
  EXPECT_GT(rewritten, 1);
}

// The first byte (the version) of every segment value of a closed store.
std::vector<uint8_t> SegmentVersions(const std::string& dir) {
  RawStore raw(dir, /*read_only=*/true);
  std::vector<uint8_t> versions;
  if (raw.db == nullptr) return versions;
  std::unique_ptr<rocksdb::Iterator> it(raw.db->NewIterator(rocksdb::ReadOptions(), raw.Family("segments")));
  for (it->SeekToFirst(); it->Valid(); it->Next()) versions.push_back(static_cast<uint8_t>(it->value()[0]));
  return versions;
}

// Small segments and no delta parts: many segments from a few hundred events.
StoreOptions ManySegments() {
  StoreOptions o;
  o.sync = false;
  o.max_tickets_per_segment = 32;
  o.max_deltas_per_segment = 0;
  return o;
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

// A store of format 2 (segment values of versions 1 and 2) or 4 (version 3)
// reads as written, read-only opens stamp nothing, and it takes new events
// (stamped 5) and reads like a fresh store of the same events.
void ExpectOldStoreReadsAndGrows(uint32_t format, std::string (*encode)(const Segment&)) {
  testing::ScratchDir dir;
  const std::string db = dir / "db";
  const StoreOptions o = ManySegments();
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
  EXPECT_EQ(StampedFormat(db), 6u);
  MakeOldFormat(db, format, encode);
  ASSERT_EQ(StampedFormat(db), format);
  std::string all;
  {
    StoreOptions ro = o;
    ro.read_only_until_write = true;
    ro.create_if_missing = false;
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(db, ro, &store).ok());
    EXPECT_EQ(testing::DumpStore(*store), first_half);
  }
  EXPECT_EQ(StampedFormat(db), format) << "a read-only open stamps nothing";
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
  EXPECT_EQ(StampedFormat(db), 6u);
  // The same events into a new store: the mixed store (old segments left as
  // they were, rewritten ones of version 4) reads the same.
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

TEST(SegmentCodecTest, AStoreWrittenBeforeFormat3ReadsAndGrows) { ExpectOldStoreReadsAndGrows(2, EncodeVersion1Or2); }

TEST(SegmentCodecTest, AStoreOfFormat4ReadsAndGrows) { ExpectOldStoreReadsAndGrows(4, EncodeVersion3); }

// kpi compact rewrites segment values of every older version (1 and 2 of
// format 2, 3 of format 4) in the current one: the same rows, and a second
// compaction finds nothing old.
void ExpectCompactRewritesOldValues(uint32_t format, std::string (*encode)(const Segment&)) {
  testing::ScratchDir dir;
  const std::string db = dir / "db";
  const StoreOptions o = ManySegments();
  std::string dump;
  {
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(db, o, &store).ok());
    std::vector<EventReject> rejects;
    IngestStats stats;
    ASSERT_TRUE(store->Ingest(testing::RandomEvents(23, 300), &rejects, &stats).ok());
    dump = testing::DumpStore(*store);
  }
  MakeOldFormat(db, format, encode);
  const std::vector<uint8_t> before = SegmentVersions(db);
  ASSERT_GT(before.size(), 1u);
  EXPECT_TRUE(std::none_of(before.begin(), before.end(), [](uint8_t v) { return v == 4; }));
  {
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(db, o, &store).ok());
    CompactStats stats;
    ASSERT_TRUE(store->Compact(&stats).ok());
    EXPECT_EQ(testing::DumpStore(*store), dump);
  }
  const std::vector<uint8_t> after = SegmentVersions(db);
  EXPECT_EQ(after.size(), before.size());
  EXPECT_TRUE(std::all_of(after.begin(), after.end(), [](uint8_t v) { return v == 4; }));
  std::unique_ptr<Store> reopened;
  ASSERT_TRUE(Store::Open(db, o, &reopened).ok());
  EXPECT_EQ(testing::DumpStore(*reopened), dump);
  CompactStats again;
  ASSERT_TRUE(reopened->Compact(&again).ok());
  EXPECT_EQ(testing::DumpStore(*reopened), dump);
}

TEST(SegmentCodecTest, CompactRewritesValuesOfFormat2) { ExpectCompactRewritesOldValues(2, EncodeVersion1Or2); }

TEST(SegmentCodecTest, CompactRewritesValuesOfFormat4) { ExpectCompactRewritesOldValues(4, EncodeVersion3); }

}  // namespace
}  // namespace kpi::storage
