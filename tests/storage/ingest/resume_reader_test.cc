// Resuming a read (ingest --resume): EventReader::SkipTo a position recorded
// by an earlier reader of the same input gives exactly the records after it,
// with their line numbers, for NDJSON, CSV (header read first) and gzip; and
// the checkpoint value round-trips.
#include <gtest/gtest.h>

#include <string>

#include "reader_test_util.h"
#include "storage/ingest/checkpoint.h"
#include "storage/ingest/event_reader.h"
#include "test_util.h"

namespace kpi::ingest {
namespace {

using kpi::testing::ScratchDir;
using kpi::testing::WriteFile;

struct Tail {
  std::vector<RawEvent> events;
  std::vector<Reject> rejects;
};

// Reads `path` in batches of `batch`; after `stop_after` batches records the
// position, then reads the rest. Returns everything after the position.
Tail ReadAfter(const std::string& path, size_t batch, int stop_after, uint64_t* offset, uint64_t* line) {
  std::unique_ptr<EventReader> reader;
  EXPECT_TRUE(EventReader::Open(path, ReaderOptions(), &reader).ok());
  std::vector<RawEvent> events;
  std::vector<Reject> rejects;
  for (int i = 0; i < stop_after; ++i) EXPECT_TRUE(reader->Next(batch, &events, &rejects).ok());
  *offset = reader->position_offset();
  *line = reader->position_line();
  Tail tail;
  for (;;) {
    EXPECT_TRUE(reader->Next(batch, &events, &tail.rejects).ok());
    if (events.empty()) break;
    tail.events.insert(tail.events.end(), events.begin(), events.end());
  }
  return tail;
}

void ExpectResumeMatches(const std::string& path) {
  for (int stop_after : {0, 1, 3}) {
    uint64_t offset = 0, line = 0;
    Tail expected = ReadAfter(path, 4, stop_after, &offset, &line);
    std::unique_ptr<EventReader> reader;
    ASSERT_TRUE(EventReader::Open(path, ReaderOptions(), &reader).ok());
    ASSERT_TRUE(reader->SkipTo(offset, line).ok()) << path;
    Tail got;
    std::vector<RawEvent> events;
    for (;;) {
      ASSERT_TRUE(reader->Next(7, &events, &got.rejects).ok());
      if (events.empty()) break;
      got.events.insert(got.events.end(), events.begin(), events.end());
    }
    ASSERT_EQ(got.events.size(), expected.events.size()) << path << " after " << stop_after;
    for (size_t i = 0; i < got.events.size(); ++i) {
      EXPECT_EQ(got.events[i].line, expected.events[i].line);
      EXPECT_EQ(got.events[i].ticket, expected.events[i].ticket);
      EXPECT_EQ(got.events[i].dims, expected.events[i].dims);
    }
    ASSERT_EQ(got.rejects.size(), expected.rejects.size());
    for (size_t i = 0; i < got.rejects.size(); ++i) EXPECT_EQ(got.rejects[i].line, expected.rejects[i].line);
  }
}

std::string Csv(int rows) {
  std::string text = "ts,ticket,event,note\n";
  for (int i = 0; i < rows; ++i) {
    text += "2025-03-01T08:00:00Z,T" + std::to_string(i) + ",created," +
            (i % 5 == 0 ? "\"multi\nline " + std::to_string(i) + "\"" : "n" + std::to_string(i)) + "\n";
    if (i % 9 == 0) text += "bad line\n";
  }
  return text;
}

std::string Ndjson(int rows) {
  std::string text;
  for (int i = 0; i < rows; ++i) {
    text += "{\"ts\":\"2025-03-01T08:00:00Z\",\"ticket\":\"T" + std::to_string(i) +
            "\",\"event\":\"created\",\"team\":\"t" + std::to_string(i % 3) + "\"}\n";
    if (i % 7 == 0) text += "\n{broken\n";
  }
  return text;
}

TEST(ResumeReaderTest, SkipToGivesExactlyTheRestNdjsonCsvGzip) {
  ScratchDir dir("ingest");
  WriteFile(dir / "a.ndjson", Ndjson(40));
  WriteFile(dir / "b.csv", Csv(40));
  testing::WriteGzip(dir / "c.csv.gz", {Csv(40)});
  testing::WriteGzip(dir / "d.ndjson.gz", {Ndjson(20), Ndjson(20)});
  for (const char* name : {"a.ndjson", "b.csv", "c.csv.gz", "d.ndjson.gz"}) ExpectResumeMatches(dir / name);
}

TEST(ResumeReaderTest, SkipPastTheEndIsAnError) {
  ScratchDir dir("ingest");
  WriteFile(dir / "a.ndjson", Ndjson(3));
  std::unique_ptr<EventReader> reader;
  ASSERT_TRUE(EventReader::Open(dir / "a.ndjson", ReaderOptions(), &reader).ok());
  Status s = reader->SkipTo(1 << 20, 5);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("a.ndjson"), std::string::npos) << s.message();
}

TEST(CheckpointTest, RoundTripAndIdentity) {
  Checkpoint c;
  c.identity = {123456789, 1733500000123456789, 0xfedcba9876543210ull};
  c.offset = 987654321;
  c.line = 4242;
  c.complete = true;
  Checkpoint d;
  ASSERT_TRUE(DecodeCheckpoint(EncodeCheckpoint(c), &d)) << EncodeCheckpoint(c);
  EXPECT_EQ(d.identity, c.identity);
  EXPECT_EQ(d.offset, c.offset);
  EXPECT_EQ(d.line, c.line);
  EXPECT_TRUE(d.complete);
  EXPECT_FALSE(DecodeCheckpoint("ckpt1 size=1", &d));
  EXPECT_FALSE(DecodeCheckpoint(EncodeCheckpoint(c) + " extra", &d));

  ScratchDir dir("ingest");
  WriteFile(dir / "f", "hello\n");
  InputIdentity a, b;
  ASSERT_TRUE(IdentifyInput(dir / "f", &a).ok());
  ASSERT_TRUE(IdentifyInput(dir / "f", &b).ok());
  EXPECT_EQ(IdentityChange(a, b), "");
  WriteFile(dir / "f", "hello, world\n");
  ASSERT_TRUE(IdentifyInput(dir / "f", &b).ok());
  EXPECT_NE(IdentityChange(a, b).find("size 6 -> 13"), std::string::npos) << IdentityChange(a, b);
  EXPECT_FALSE(IdentifyInput(dir / "missing", &b).ok());
  EXPECT_EQ(CheckpointKey(dir / "./f"), CheckpointKey(dir / "f"));
}

}  // namespace
}  // namespace kpi::ingest
