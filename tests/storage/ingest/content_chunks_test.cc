// Chunked reading (issue 9, re-ingest): a chunked EventReader delivers
// exactly what an unchunked one does (events, rejects, lines, positions) for
// NDJSON, CSV (multi-line and unbalanced quotes), gzip, blank and too long
// lines; its chunks tile the input and are content-defined (an appended, cut
// or changed file keeps the chunks it shares with the old one); a known chunk
// is skipped unparsed and reported with its recorded counts; a chunk holding
// a reject is never clean; the parse context is part of every key.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "reader_test_util.h"
#include "storage/ingest/content_chunks.h"
#include "storage/ingest/event_reader.h"
#include "storage/ingest/known_chunks.h"
#include "test_util.h"

namespace kpi::ingest {
namespace {

using kpi::testing::ScratchDir;
using kpi::testing::WriteFile;

// Chunk keys recorded as known, with their counts (what the store keeps).
class FakeKnownChunks final : public KnownChunks {
 public:
  Status Find(const ChunkKey& key, bool* found, ChunkCounts* counts) const override {
    ++lookups;
    auto it = known.find({key.high, key.low});
    *found = it != known.end();
    if (*found) *counts = it->second;
    return Status::OK();
  }
  void Record(const FinishedChunk& c) { known[{c.key.high, c.key.low}] = ChunkCounts{c.lines, c.events}; }
  std::map<std::pair<uint64_t, uint64_t>, ChunkCounts> known;
  mutable int lookups = 0;
};

using ChunkedRead = testing::ReadResult;

ChunkedRead ReadChunked(const std::string& path, ReaderOptions options, size_t batch,
                        const KnownChunks* known = nullptr) {
  options.chunks = true;
  options.known_chunks = known;
  ChunkedRead out = testing::ReadAll(path, options, batch);
  EXPECT_LE(out.max_batch_seen, batch);
  return out;
}

std::string EventText(const RawEvent& e) {
  std::string s = std::to_string(e.line) + "|" + std::to_string(e.ts_ms) + "|" + e.ticket + "|" + e.event + "|" +
                  e.agent + "|" + e.id;
  for (const auto& [k, v] : e.dims) s += "|" + k + "=" + v;
  for (const auto& [k, v] : e.measures) s += "|" + k + "#" + std::to_string(v);
  return s;
}

void ExpectSameAsUnchunked(const std::string& path, const ReaderOptions& options = ReaderOptions()) {
  for (size_t batch : {size_t{1}, size_t{7}, size_t{5000}}) {
    SCOPED_TRACE(path + " batch " + std::to_string(batch));
    testing::ReadResult plain = testing::ReadAll(path, options, batch);
    ChunkedRead chunked = ReadChunked(path, options, batch);
    ASSERT_EQ(plain.status.ok(), chunked.status.ok()) << plain.status.ToString() << " / " << chunked.status.ToString();
    ASSERT_EQ(plain.events.size(), chunked.events.size());
    for (size_t i = 0; i < plain.events.size(); ++i) ASSERT_EQ(EventText(plain.events[i]), EventText(chunked.events[i]));
    EXPECT_EQ(testing::Describe(plain.rejects), testing::Describe(chunked.rejects));
    EXPECT_EQ(plain.lines_read, chunked.lines_read);
    EXPECT_EQ(chunked.empty_batches, 0);
    // The chunks tile the lines after the header, in order.
    if (chunked.status.ok() && !chunked.chunks.empty()) {
      for (size_t i = 1; i < chunked.chunks.size(); ++i)
        EXPECT_EQ(chunked.chunks[i].first_line, chunked.chunks[i - 1].first_line + chunked.chunks[i - 1].lines);
      EXPECT_EQ(chunked.chunks.back().first_line + chunked.chunks.back().lines, chunked.end_line);
      uint64_t events = 0;
      for (const FinishedChunk& c : chunked.chunks) events += c.events;
      EXPECT_EQ(events, chunked.events.size());
    }
  }
}

// `n` NDJSON event lines, ~110 bytes each; line i differs from every other.
std::vector<std::string> Lines(int n, int first = 0) {
  std::vector<std::string> out;
  for (int i = first; i < first + n; ++i) {
    out.push_back("{\"ts\":" + std::to_string(1740816902123LL + i * 977LL) + ",\"ticket\":\"T" + std::to_string(i / 5) +
                  "\",\"event\":\"agent_reply\",\"agent\":\"a" + std::to_string(i % 37) + "\",\"channel\":\"chat\"," +
                  "\"handle_seconds\":" + std::to_string(i % 600) + "}");
  }
  return out;
}

std::string Join(const std::vector<std::string>& lines, size_t from = 0, size_t to = std::string::npos) {
  std::string out;
  for (size_t i = from; i < std::min(to, lines.size()); ++i) out += lines[i] + "\n";
  return out;
}

std::set<std::pair<uint64_t, uint64_t>> Keys(const std::vector<FinishedChunk>& chunks) {
  std::set<std::pair<uint64_t, uint64_t>> out;
  for (const FinishedChunk& c : chunks) out.insert({c.key.high, c.key.low});
  return out;
}

class ContentChunksTest : public ::testing::Test {
 protected:
  ScratchDir dir_{"kpi-chunks"};
};

TEST_F(ContentChunksTest, ChunkedReadDeliversWhatAnUnchunkedReadDoes) {
  std::vector<std::string> lines = Lines(6000);
  lines[10] = "not json";
  lines[2500] = "";
  lines[4000] = "{\"ts\":\"2025-13-01T00:00:00Z\",\"ticket\":\"X\",\"event\":\"created\"}";
  lines[5999] = std::string(3000, 'x');  // too long for the limit below
  std::string text = "\xEF\xBB\xBF" + Join(lines);
  WriteFile(dir_ / "a.ndjson", text);
  ReaderOptions small_lines;
  small_lines.max_line_bytes = 2048;
  ExpectSameAsUnchunked(dir_ / "a.ndjson", small_lines);
  // CRLF, no final newline.
  std::string crlf;
  for (const std::string& l : Lines(3000)) crlf += l + "\r\n";
  crlf += Lines(1, 3000)[0];
  WriteFile(dir_ / "crlf.ndjson", crlf);
  ExpectSameAsUnchunked(dir_ / "crlf.ndjson");
  testing::WriteGzip(dir_ / "a.ndjson.gz", {Join(lines, 0, 3000), Join(lines, 3000)});
  ExpectSameAsUnchunked(dir_ / "a.ndjson.gz", small_lines);

  // CSV: a header after a blank line, quoted fields over lines (good ones,
  // one swallowing a valid record, one never closed), a bad time stamp.
  std::string csv = "\nts,ticket,event,agent,note,csat\n";
  for (int i = 0; i < 4000; ++i) {
    csv += std::to_string(1740816902123LL + i) + ",T" + std::to_string(i / 3) + ",agent_reply,a" + std::to_string(i % 7);
    if (i % 500 == 1) csv += ",\"two\nlines\",4\n";
    else if (i == 1700) csv += ",\"open\n" + std::to_string(1740816902123LL) + ",T9,created,a1,x,3\n";
    else if (i == 2222) csv += ",\"bad,ts\n";
    else if (i == 3000) csv += ",x,notanumber\n";
    else csv += ",plain," + std::to_string(i % 5 + 1) + "\n";
  }
  csv += "1740816902123,T1,created,a1,\"never closed,1\n";
  WriteFile(dir_ / "a.csv", csv);
  ExpectSameAsUnchunked(dir_ / "a.csv");
  WriteFile(dir_ / "empty.csv", "ts,ticket,event\n");
  ExpectSameAsUnchunked(dir_ / "empty.csv");
  WriteFile(dir_ / "noheader.csv", "\n\n");
  ExpectSameAsUnchunked(dir_ / "noheader.csv");
}

TEST_F(ContentChunksTest, ChunksAreContentDefinedAndSized) {
  const std::vector<std::string> lines = Lines(40000);  // ~4.4 MB
  WriteFile(dir_ / "a.ndjson", Join(lines));
  ChunkedRead a = ReadChunked(dir_ / "a.ndjson", ReaderOptions(), 5000);
  ASSERT_TRUE(a.status.ok());
  ASSERT_GE(a.chunks.size(), 20u);
  ASSERT_LE(a.chunks.size(), 80u);
  for (size_t i = 0; i < a.chunks.size(); ++i) {
    size_t bytes = 0;
    for (uint64_t l = a.chunks[i].first_line; l < a.chunks[i].first_line + a.chunks[i].lines; ++l)
      bytes += lines[l - 1].size() + 1;
    if (i + 1 < a.chunks.size()) {  // the last one ends with the input
      EXPECT_GE(bytes, kMinChunkBytes) << i;
    }
    EXPECT_LE(bytes, kMaxChunkBytes + 200) << i;
    EXPECT_TRUE(a.chunks[i].clean);
  }

  // Appended lines: every chunk but the old last one is shared.
  WriteFile(dir_ / "appended.ndjson", Join(lines) + Join(Lines(3000, 40000)));
  ChunkedRead appended = ReadChunked(dir_ / "appended.ndjson", ReaderOptions(), 5000);
  const auto old_keys = Keys(a.chunks), appended_keys = Keys(appended.chunks);
  for (size_t i = 0; i + 1 < a.chunks.size(); ++i)
    EXPECT_TRUE(appended_keys.count({a.chunks[i].key.high, a.chunks[i].key.low})) << "chunk " << i;

  // Cut in two at line 17,777: the second part resynchronises within two chunks.
  WriteFile(dir_ / "tail.ndjson", Join(lines, 17777));
  ChunkedRead tail = ReadChunked(dir_ / "tail.ndjson", ReaderOptions(), 5000);
  size_t shared = 0;
  for (const FinishedChunk& c : tail.chunks) shared += old_keys.count({c.key.high, c.key.low});
  EXPECT_GE(shared + 2, tail.chunks.size());

  // One line changed in the middle: only its chunk (or it and a neighbour) differs.
  std::vector<std::string> changed = lines;
  changed[20000] = Lines(1, 99999)[0];
  WriteFile(dir_ / "changed.ndjson", Join(changed));
  ChunkedRead c = ReadChunked(dir_ / "changed.ndjson", ReaderOptions(), 5000);
  size_t differing = 0;
  for (const FinishedChunk& chunk : c.chunks) differing += !old_keys.count({chunk.key.high, chunk.key.low});
  EXPECT_GE(differing, 1u);
  EXPECT_LE(differing, 2u);
}

TEST_F(ContentChunksTest, KnownChunksAreSkippedUnparsedAndCounted) {
  std::vector<std::string> lines = Lines(30000);
  WriteFile(dir_ / "a.ndjson", Join(lines));
  FakeKnownChunks known;
  ChunkedRead first = ReadChunked(dir_ / "a.ndjson", ReaderOptions(), 4096, &known);
  ASSERT_TRUE(first.status.ok());
  ASSERT_EQ(first.events.size(), lines.size());
  for (const FinishedChunk& c : first.chunks) {
    EXPECT_FALSE(c.skipped);
    known.Record(c);
  }

  // The same file again: nothing parsed, every chunk skipped with its counts.
  known.lookups = 0;
  ChunkedRead again = ReadChunked(dir_ / "a.ndjson", ReaderOptions(), 4096, &known);
  ASSERT_TRUE(again.status.ok());
  EXPECT_TRUE(again.events.empty());
  EXPECT_EQ(again.lines_read, lines.size());
  EXPECT_EQ(again.end_line, lines.size() + 1);
  EXPECT_EQ(again.end_offset, Join(lines).size());
  EXPECT_EQ(again.chunks.size(), first.chunks.size());
  EXPECT_EQ(known.lookups, static_cast<int>(first.chunks.size()));
  uint64_t skipped = 0;
  for (const FinishedChunk& c : again.chunks) {
    EXPECT_TRUE(c.skipped);
    skipped += c.events;
  }
  EXPECT_EQ(skipped, lines.size());
  // Batches without events let the caller see progress (one per 4,096 skipped events).
  EXPECT_GE(again.empty_batches, 5);

  // One changed line: exactly the lines of the chunk holding it are parsed.
  std::vector<std::string> changed = lines;
  changed[15000] = Lines(1, 77777)[0];
  WriteFile(dir_ / "changed.ndjson", Join(changed));
  ChunkedRead c = ReadChunked(dir_ / "changed.ndjson", ReaderOptions(), 4096, &known);
  ASSERT_TRUE(c.status.ok());
  // Parsed: the chunk holding line 15,001 (and its neighbour if the change
  // moved a cut), nothing else.
  uint64_t begin = 0, end = 0;
  int parsed = 0;
  for (const FinishedChunk& chunk : c.chunks) {
    if (chunk.skipped) continue;
    if (parsed++ == 0) {
      begin = chunk.first_line;
    } else {
      EXPECT_EQ(chunk.first_line, end) << "parsed chunks are not adjacent";
    }
    end = chunk.first_line + chunk.lines;
  }
  ASSERT_GE(parsed, 1);
  EXPECT_LE(parsed, 2);
  EXPECT_LE(begin, 15001u);
  EXPECT_GT(end, 15001u);
  ASSERT_EQ(c.events.size(), end - begin);
  EXPECT_EQ(c.events.front().line, begin);
  bool saw_changed = false;
  for (const RawEvent& e : c.events) saw_changed |= e.line == 15001 && e.ticket == "T15555";
  EXPECT_TRUE(saw_changed);
}

TEST_F(ContentChunksTest, ChunksWithRejectsAreNeverCleanSoTheirRejectsComeBack) {
  std::vector<std::string> lines = Lines(20000);
  lines[777] = "{\"ts\":1,\"ticket\":\"T\"}";  // no event
  WriteFile(dir_ / "a.ndjson", Join(lines));
  FakeKnownChunks known;
  ChunkedRead first = ReadChunked(dir_ / "a.ndjson", ReaderOptions(), 1000, &known);
  ASSERT_EQ(first.rejects.size(), 1u);
  int unclean = 0;
  for (const FinishedChunk& c : first.chunks) {
    if (c.clean) {
      known.Record(c);
    } else {
      ++unclean;
      EXPECT_LE(c.first_line, 778u);
      EXPECT_GT(c.first_line + c.lines, 778u);
    }
  }
  EXPECT_EQ(unclean, 1);
  ChunkedRead again = ReadChunked(dir_ / "a.ndjson", ReaderOptions(), 1000, &known);
  EXPECT_EQ(testing::Describe(again.rejects), testing::Describe(first.rejects));
  EXPECT_FALSE(again.events.empty());
  EXPECT_LT(again.events.size(), 2000u);
}

TEST_F(ContentChunksTest, TheParseContextIsPartOfTheKey) {
  std::string rows;
  for (int i = 0; i < 3000; ++i) rows += "1740816902123,T" + std::to_string(i) + ",created,x" + std::to_string(i % 3) + "\n";
  WriteFile(dir_ / "a.csv", "ts,ticket,event,team\n" + rows);
  WriteFile(dir_ / "b.csv", "ts,ticket,event,region\n" + rows);
  ChunkedRead a = ReadChunked(dir_ / "a.csv", ReaderOptions(), 5000);
  ChunkedRead b = ReadChunked(dir_ / "b.csv", ReaderOptions(), 5000);
  ASSERT_FALSE(a.chunks.empty());
  ASSERT_EQ(a.chunks.size(), b.chunks.size());
  EXPECT_NE(a.chunks[0].key, b.chunks[0].key);  // same rows, another header: other events
  ReaderOptions measures;
  measures.csv_measures.insert("team");
  ChunkedRead m = ReadChunked(dir_ / "a.csv", measures, 5000);
  EXPECT_NE(a.chunks[0].key, m.chunks[0].key);
  ReaderOptions zoned;
  zoned.assume_utc = false;
  EXPECT_NE(a.chunks[0].key, ReadChunked(dir_ / "a.csv", zoned, 5000).chunks[0].key);
  // Same text as NDJSON: another key again.
  EXPECT_NE(ChunkContextSeed(ReaderOptions(), false, ""), ChunkContextSeed(ReaderOptions(), true, ""));
}

TEST(KnownChunkValueTest, CountsRoundTripAndBadValuesDoNotRead) {
  ChunkCounts c;
  ASSERT_TRUE(DecodeChunkCounts(EncodeChunkCounts({1234, 1200}), &c));
  EXPECT_EQ(c.lines, 1234u);
  EXPECT_EQ(c.events, 1200u);
  EXPECT_FALSE(DecodeChunkCounts("", &c));
  EXPECT_FALSE(DecodeChunkCounts(EncodeChunkCounts({3, 4}), &c));  // more events than lines
  EXPECT_FALSE(DecodeChunkCounts(EncodeChunkCounts({3, 3}) + "x", &c));
  EXPECT_EQ(KnownChunkKey({0x0102030405060708ULL, 0x1112131415161718ULL}),
            std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x11\x12\x13\x14\x15\x16\x17\x18", 16));
}

}  // namespace
}  // namespace kpi::ingest
