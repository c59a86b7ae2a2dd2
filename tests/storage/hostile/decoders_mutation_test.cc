// Every decoder of what storage persists, fed mutations of valid encodings
// (tests/mutations.h): a segment value (every column, a subset, the ticket
// ids alone), a zone map and a zones value, a staged batch (whole, and
// scanned then decoded by offsets), a dictionary page, a known chunk's
// counts, an ingest checkpoint, and a derived-value file whose header
// checksum is recomputed (storage/memo_files.h). Each gives an error or a
// value, never a crash (run under KPI_SANITIZE for out-of-bounds reads), and
// never asks for one allocation above 64 MiB (tests/alloc_watch.h): a count
// read from the bytes is bounded before it is allocated.
#define KPI_ALLOC_WATCH_DEFINE
#include "alloc_watch.h"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "mutations.h"
#include "storage/coded_event.h"
#include "storage/dictionary_page.h"
#include "storage/ingest/checkpoint.h"
#include "storage/ingest/known_chunks.h"
#include "storage/memo_files.h"
#include "storage/random_segment.h"
#include "storage/segment_codec.h"
#include "storage/segment_parts.h"
#include "storage/staged_batch.h"
#include "storage/string_interner.h"
#include "storage/zone_list_match.h"
#include "storage/zone_map.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

constexpr size_t kMaxAllocation = size_t{64} << 20;

// Runs `decode` on every mutation of `valid` (and `random` random ones)
// under an AllocWatch; how many ran.
size_t Mutate(const std::string& what, const std::string& valid, const std::function<void(std::string_view)>& decode,
              size_t random = 2000) {
  size_t runs = 0;
  kpi::testing::ForEachMutation(
      valid,
      [&](const std::string& m) {
        kpi::testing::AllocWatch watch;
        decode(m);
        ++runs;
        if (watch.Largest() > kMaxAllocation) ADD_FAILURE() << what << ": " << watch.Largest() << " bytes asked for";
      },
      512, random);
  return runs;
}

// The watch sees what a decoder would allocate (not under ASan, whose
// allocator bounds it instead).
TEST(DecodersMutationTest, TheWatchSeesLargeAllocations) {
  if (!KPI_ALLOC_WATCH_ACTIVE) GTEST_SKIP() << "ASan: ASAN_OPTIONS=max_allocation_size_mb bounds allocations";
  kpi::testing::AllocWatch watch;
  std::vector<char> big(kMaxAllocation + 1);
  EXPECT_GE(watch.Largest(), big.size());
}

TEST(DecodersMutationTest, SegmentValues) {
  for (uint32_t seed : {1u, 2u}) {
    const Segment s = RandomSegment(seed, seed == 2);
    std::string valid;
    EncodeSegment(s, &valid);
    SegmentColumns times;
    times.times = true;
    times.events = false;
    EXPECT_GT(Mutate("segment", valid, [](std::string_view in) {
      Segment out;
      (void)DecodeSegment(in, &out);
    }), 1000u);
    Mutate("segment subset", valid, [&](std::string_view in) {
      Segment out;
      (void)DecodeSegment(in, times, &out);
    });
    Mutate("ticket ids", valid, [](std::string_view in) {
      std::vector<std::string> ids;
      (void)DecodeTicketIds(in, &ids);
    });
    const ZoneMap zone = ComputeZoneMap(s, valid.size());
    std::string z;
    zone.Encode(&z);
    Mutate("zone map", z, [](std::string_view in) {
      ZoneMap out;
      if (!ZoneMap::Decode(in, &out).ok()) return;
      // The lists, kept encoded by Decode: tested in place as a plan does,
      // then decoded (storage/zone_map.h, zone_list_match.h).
      (void)EncodedListsMayMatch(out.lists.Encoded(), {1, 3}, {2}, {{16, {1, 4}}, {17, {2}}});
      (void)out.lists.ok();
      (void)out.lists.dims();
    });
    SegmentRef ref;
    ref.generation = 7;
    ref.zone = zone;
    std::string zv;
    EncodeZoneValue(ref, &zv);
    Mutate("zones value", zv, [](std::string_view in) {
      SegmentRef out;
      (void)DecodeZoneValue(in, &out);
    });
  }
}

TEST(DecodersMutationTest, StagedBatches) {
  StringInterner tickets;
  EventAttrs attrs;
  std::vector<CodedEvent> events;
  for (uint32_t i = 0; i < 60; ++i) {
    CodedEvent e;
    e.ts_ms = 1'700'000'000'000 + i * 1000;
    e.ticket = tickets.Intern("T" + std::to_string(i % 13));
    e.event_code = 1 + i % 5;
    e.agent_code = i % 3;
    e.batch = 4;
    e.id_hash = i % 4 == 0 ? 0 : 1000 + i;
    e.revision = i % 7 == 0 ? 2 : 0;
    e.dims_begin = static_cast<uint32_t>(attrs.dims.size());
    e.num_dims = i % 2 == 0 ? 2 : 0;
    if (e.num_dims) attrs.dims.insert(attrs.dims.end(), {{16, 1 + i % 9}, {17, 2}});
    e.measures_begin = static_cast<uint32_t>(attrs.measures.size());
    e.num_measures = i % 3 == 0 ? 1 : 0;
    if (e.num_measures) attrs.measures.push_back({30, i * 1.5});
    events.push_back(e);
  }
  std::string valid;
  EncodeStagedBatch(events, tickets, attrs, &valid);
  EXPECT_GT(Mutate("staged batch", valid, [](std::string_view in) {
    StringInterner t;
    EventAttrs a;
    std::vector<CodedEvent> out;
    (void)DecodeStagedBatch(in, 4, &t, &a, &out);
  }), 1000u);
  // Scanned, then decoded by the offsets the valid value's scan found (a
  // value that changed between the passes).
  std::vector<std::string_view> ids;
  std::vector<uint32_t> offsets;
  EventAttrs a0;
  std::vector<CodedEvent> scanned;
  ASSERT_TRUE(ScanStagedBatch(valid, 4, &ids, &offsets, &a0, &scanned).ok());
  StringInterner known;
  for (std::string_view id : ids) known.Intern(id);
  Mutate("staged batch scan", valid, [&](std::string_view in) {
    std::vector<std::string_view> i2;
    std::vector<uint32_t> o2;
    EventAttrs a;
    std::vector<CodedEvent> out;
    (void)ScanStagedBatch(in, 4, &i2, &o2, &a, &out);
    out.clear();
    (void)DecodeStagedEvents(in, 4, offsets, known, &a, &out);
  });
}

TEST(DecodersMutationTest, DictionaryPagesChunkCountsAndCheckpoints) {
  std::vector<std::string> values;
  for (int i = 0; i < 200; ++i) values.push_back("value-" + std::to_string(i * 37) + std::string(i % 5, 'x'));
  std::string page;
  EncodeDictionaryPage(values, &page);
  Mutate("dictionary page", page, [](std::string_view in) {
    std::vector<std::string_view> out;
    (void)DecodeDictionaryPage(in, 16, 0, &out);
    uint32_t count = 0;
    (void)DictionaryPageCount(in, 16, 0, &count);
  });
  Mutate("chunk counts", ingest::EncodeChunkCounts(ingest::ChunkCounts{123456, 789012}), [](std::string_view in) {
    ingest::ChunkCounts c;
    (void)ingest::DecodeChunkCounts(in, &c);
  });
  ingest::Checkpoint c;
  c.identity.size = 1 << 30;
  c.identity.mtime_ns = 1'700'000'000'000'000'000;
  c.identity.head_hash = 0x1234567890abcdefull;
  c.offset = 123456789;
  c.line = 98765;
  Mutate("checkpoint", ingest::EncodeCheckpoint(c), [](std::string_view in) {
    ingest::Checkpoint out;
    (void)ingest::DecodeCheckpoint(in, &out);
  });
}

// A derived-value file's header (counts, lengths, offsets, the key) mutated
// and its checksum made to match: Find is a miss or a value, never a read
// out of the file or an allocation of what a length claims.
TEST(DecodersMutationTest, DerivedValueFileHeaders) {
  kpi::testing::ScratchDir dir("memo-headers");
  std::ofstream(dir.path() + "/IDENTITY") << "3f6c2a44-0000-4000-8000-000000000001\n";
  const std::string key = "x:1:2(3:4)";
  std::vector<MemoFiles::Version> versions;
  {
    auto files = MemoFiles::Open(dir.path(), "fingerprint", uint64_t{1} << 30);
    ASSERT_NE(files, nullptr);
    for (uint32_t s = 0; s < 6; ++s) {
      MemoFiles::Version v;
      v.partition = 3;
      v.segment = s;
      v.generation = 10 + s;
      v.zone_hash = 99 * s;
      versions.push_back(v);
      files->Add(key, v, std::string(40 + s * 10, static_cast<char>('a' + s)));
    }
    ASSERT_TRUE(files->Flush().ok());
  }
  std::vector<std::filesystem::path> paths;
  for (const auto& e : std::filesystem::directory_iterator(MemoFiles::Dir(dir.path()))) paths.push_back(e.path());
  ASSERT_EQ(paths.size(), 1u);
  std::string bytes;
  {
    std::ifstream in(paths[0], std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // The header: up to and including the entries; its checksum after them.
  uint32_t len;
  size_t pos = 12;
  std::memcpy(&len, bytes.data() + pos, 4);
  pos += 4 + len;
  std::memcpy(&len, bytes.data() + pos, 4);
  pos += 4 + len;
  uint32_t entries;
  std::memcpy(&entries, bytes.data() + pos, 4);
  const size_t header = pos + 4 + size_t{entries} * 48;
  ASSERT_LE(header + 8, bytes.size());
  const std::string values = bytes.substr(header + 8);
  size_t found = 0;
  Mutate("derived-value file header", bytes.substr(0, header), [&](std::string_view h) {
    const uint64_t sum = XXH3_64bits(h.data(), h.size());
    {
      std::ofstream out(paths[0], std::ios::binary | std::ios::trunc);
      out << h;
      out.write(reinterpret_cast<const char*>(&sum), 8);
      out << values;
    }
    auto files = MemoFiles::Open(dir.path(), "fingerprint", uint64_t{1} << 30);
    ASSERT_NE(files, nullptr);
    std::string out;
    for (const MemoFiles::Version& v : versions) found += files->Find(key, v, &out);
  });
  EXPECT_GT(found, 0u);  // mutations of bytes no reader checks leave values found
}

}  // namespace
}  // namespace kpi::storage
