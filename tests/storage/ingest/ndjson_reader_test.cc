// EventReader over NDJSON files: a corpus of bad lines mixed with good ones.
// Every reject must carry the exact line number and a reason, and the good
// lines around the bad ones must come out intact, field by field.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "reader_test_util.h"
#include "storage/ingest/event_reader.h"
#include "storage/timestamp.h"
#include "test_util.h"

namespace kpi::ingest {
namespace {

using kpi::testing::ScratchDir;
using kpi::testing::WriteFile;
using testing::Describe;
using testing::ReadAll;
using testing::ReadResult;
using Dims = std::vector<std::pair<std::string, std::string>>;
using Measures = std::vector<std::pair<std::string, double>>;

int64_t Ms(const char* text) {
  int64_t ms = 0;
  std::string error;
  EXPECT_TRUE(ParseRfc3339(text, &ms, &error)) << error;
  return ms;
}

const char kGoodA[] =
    R"({"ts":"2025-03-01T08:15:02.123Z","ticket":"T000123","event":"created","customer":"C0042","channel":"chat","team":"billing","id":"e1"})";
const char kGoodB[] =
    R"({"ts":"2025-03-01T08:15:47.000Z","ticket":"T000123","event":"agent_reply","agent":"a017","handle_seconds":212})";
const char kGoodC[] = R"({"ts":"2025-03-01T17:21:10.5+08:00","ticket":77,"event":"resolved","agent":"Björn T"})";
const char kGoodD[] = R"({"ts":1740819720000,"ticket":"T000123","event":"rated","csat":5,"accurate":true})";

void ExpectGoodA(const RawEvent& e, uint64_t line) {
  EXPECT_EQ(e.line, line);
  EXPECT_EQ(e.ts_ms, Ms("2025-03-01T08:15:02.123Z"));
  EXPECT_EQ(e.ticket, "T000123");
  EXPECT_EQ(e.event, "created");
  EXPECT_EQ(e.agent, "");
  EXPECT_EQ(e.id, "e1");
  EXPECT_EQ(e.dims, (Dims{{"customer", "C0042"}, {"channel", "chat"}, {"team", "billing"}}));
  EXPECT_TRUE(e.measures.empty());
}
void ExpectGoodB(const RawEvent& e, uint64_t line) {
  EXPECT_EQ(e.line, line);
  EXPECT_EQ(e.ts_ms, Ms("2025-03-01T08:15:47Z"));
  EXPECT_EQ(e.ticket, "T000123");
  EXPECT_EQ(e.event, "agent_reply");
  EXPECT_EQ(e.agent, "a017");
  EXPECT_EQ(e.id, "");
  EXPECT_TRUE(e.dims.empty());
  EXPECT_EQ(e.measures, (Measures{{"handle_seconds", 212.0}}));
}
void ExpectGoodC(const RawEvent& e, uint64_t line) {
  EXPECT_EQ(e.line, line);
  EXPECT_EQ(e.ts_ms, Ms("2025-03-01T09:21:10.500Z"));
  EXPECT_EQ(e.ticket, "77");
  EXPECT_EQ(e.event, "resolved");
  EXPECT_EQ(e.agent, "Björn T");
  EXPECT_TRUE(e.dims.empty());
  EXPECT_TRUE(e.measures.empty());
}
void ExpectGoodD(const RawEvent& e, uint64_t line) {
  EXPECT_EQ(e.line, line);
  EXPECT_EQ(e.ts_ms, 1740819720000LL);
  EXPECT_EQ(e.ticket, "T000123");
  EXPECT_EQ(e.event, "rated");
  EXPECT_EQ(e.agent, "");
  EXPECT_EQ(e.measures, (Measures{{"csat", 5.0}, {"accurate", 1.0}}));
}

struct ExpectedReject {
  uint64_t line;
  std::string reason_part;
};

void ExpectRejects(const ReadResult& r, const std::string& file, const std::vector<ExpectedReject>& expected) {
  ASSERT_EQ(r.rejects.size(), expected.size()) << Describe(r.rejects);
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(r.rejects[i].file, file);
    EXPECT_EQ(r.rejects[i].line, expected[i].line) << r.rejects[i].reason;
    EXPECT_NE(r.rejects[i].reason.find(expected[i].reason_part), std::string::npos)
        << "line " << expected[i].line << ": got \"" << r.rejects[i].reason << "\", expected it to contain \""
        << expected[i].reason_part << "\"";
  }
}

TEST(NdjsonReaderTest, BadLinesAreRejectedAndGoodLinesAroundThemSurvive) {
  ScratchDir dir("ingest");
  const std::string path = dir / "mixed.ndjson";
  std::string content;
  content += std::string(kGoodA) + "\n";                                                        // 1
  content += R"({"ts":"2025-03-01T08:15:02Z","ticket":"T1","event":"created")" "\n";            // 2 broken
  content += "\n";                                                                              // 3 empty
  content += R"({"ticket":"T1","event":"created"})" "\n";                                       // 4 no ts
  content += "   \t \n";                                                                        // 5 blank
  content += std::string(kGoodB) + "\n";                                                        // 6
  content += R"({"ts":"20250-03-01T08:15:02Z","ticket":"T1","event":"created"})" "\n";          // 7
  content += R"({"ts":"2025-03-01T08:15:02Z","ticket":"T1","event":"rated","csat":"great"})" "\n";  // 8
  content += "{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"T\xe9\",\"event\":\"x\"}\n";       // 9 latin-1
  content += std::string(kGoodC) + "\n";                                                        // 10
  content += R"({"ts":"2025-03-01T08:15:02Z","ticket":"T1","event":"x","meta":{"k":1}})" "\n";  // 11
  content += R"({"ts":"2025-03-01T08:15:02Z","ticket":"T1","event":"x","team":"a","team":"b"})" "\n";  // 12
  content += R"({"ts":"2025-03-01T08:15:02Z","ticket":["T1"],"event":"x"})" "\n";               // 13
  content += R"({"ts":"2025-03-01T08:15:02Z","ticket":"T1","event":"not ok"})" "\n";            // 14
  content += R"({"ts":"2025-02-30T08:15:02Z","ticket":"T1","event":"x"})" "\n";                 // 15
  content += "[]\n";                                                                            // 16
  content += std::string(kGoodD);                                                               // 17, no newline
  WriteFile(path, content);

  ReadResult r = ReadAll(path);
  ASSERT_TRUE(r.open_status.ok()) << r.open_status.ToString();
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ExpectRejects(r, path,
                {{2, "invalid JSON"},
                 {4, "missing \"ts\""},
                 {7, "\"ts\": year 20250 outside 1970..2200"},
                 {8, "\"csat\": expected a number or boolean, got a string"},
                 {9, "invalid UTF-8"},
                 {11, "\"meta\": nested object not allowed"},
                 {12, "duplicate key \"team\""},
                 {13, "\"ticket\": array not allowed"},
                 {14, "\"event\": \"not ok\" is not an identifier"},
                 {15, "\"ts\": day 30 out of range"},
                 {16, "not a JSON object"}});
  ASSERT_EQ(r.events.size(), 4u);
  ExpectGoodA(r.events[0], 1);
  ExpectGoodB(r.events[1], 6);
  ExpectGoodC(r.events[2], 10);
  ExpectGoodD(r.events[3], 17);
  EXPECT_EQ(r.lines_read, 17u);
  EXPECT_EQ(r.total_bytes, content.size());
  EXPECT_EQ(r.bytes_consumed, content.size());
  EXPECT_LE(r.max_batch_seen, 3u);
}

TEST(NdjsonReaderTest, CrlfLineEndings) {
  ScratchDir dir("ingest");
  const std::string path = dir / "crlf.ndjson";
  const std::string content = std::string(kGoodA) + "\r\n\r\n" + "{bad\r\n" + kGoodB + "\r\n" + kGoodC + "\r\n";
  WriteFile(path, content);
  ReadResult r = ReadAll(path);
  ASSERT_TRUE(r.status.ok());
  ExpectRejects(r, path, {{3, "invalid JSON"}});
  ASSERT_EQ(r.events.size(), 3u);
  ExpectGoodA(r.events[0], 1);
  ExpectGoodB(r.events[1], 4);
  ExpectGoodC(r.events[2], 5);
  EXPECT_EQ(r.lines_read, 5u);
}

TEST(NdjsonReaderTest, Utf8BomAtStartIsIgnored) {
  ScratchDir dir("ingest");
  const std::string path = dir / "bom.ndjson";
  WriteFile(path, "\xEF\xBB\xBF" + std::string(kGoodA) + "\n" + kGoodB + "\n");
  ReadResult r = ReadAll(path);
  EXPECT_TRUE(r.rejects.empty()) << Describe(r.rejects);
  ASSERT_EQ(r.events.size(), 2u);
  ExpectGoodA(r.events[0], 1);
}

TEST(NdjsonReaderTest, OverlongLinesAreRejectedWithTheirLineNumber) {
  ScratchDir dir("ingest");
  const std::string path = dir / "huge.ndjson";
  // A valid JSON line of 3 MiB (longer than the default 1 MiB limit).
  const std::string huge = R"({"ts":"2025-03-01T08:15:02Z","ticket":"T1","event":"x","blob":")" +
                           std::string(3 << 20, 'y') + "\"}";
  // A line with no newline at all for 2.5 MiB at the end of the file.
  const std::string huge_tail(5 << 19, '{');
  WriteFile(path, std::string(kGoodA) + "\n" + huge + "\n" + kGoodB + "\n" + huge + "\r\n\n" + kGoodC + "\n" +
                      huge_tail);
  ReadResult r = ReadAll(path);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ExpectRejects(r, path,
                {{2, "line longer than 1048576 bytes"},
                 {4, "line longer than 1048576 bytes"},
                 {7, "line longer than 1048576 bytes"}});
  ASSERT_EQ(r.events.size(), 3u);
  ExpectGoodA(r.events[0], 1);
  ExpectGoodB(r.events[1], 3);
  ExpectGoodC(r.events[2], 6);
  EXPECT_EQ(r.lines_read, 7u);
}

TEST(NdjsonReaderTest, LineLimitIsExact) {
  ScratchDir dir("ingest");
  const std::string path = dir / "limit.ndjson";
  ReaderOptions options;
  options.max_line_bytes = 200;
  auto line_of = [](size_t length) {
    std::string prefix = R"({"ts":"2025-03-01T08:15:02Z","ticket":"T1","event":"x","pad":")";
    std::string line = prefix + std::string(length - prefix.size() - 2, 'p') + "\"}";
    EXPECT_EQ(line.size(), length);
    return line;
  };
  // 200 bytes: fine, also with CRLF; 201 bytes: rejected.
  WriteFile(path, line_of(200) + "\n" + line_of(201) + "\n" + line_of(200) + "\r\n" + line_of(201) + "\r\n" +
                      line_of(200) + "\n" + line_of(201));
  ReadResult r = ReadAll(path, options);
  ExpectRejects(r, path,
                {{2, "line longer than 200 bytes"}, {4, "line longer than 200 bytes"}, {6, "line longer than 200 bytes"}});
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[0].line, 1u);
  EXPECT_EQ(r.events[1].line, 3u);
  EXPECT_EQ(r.events[2].line, 5u);
  EXPECT_EQ(r.events[2].dims[0].second.size(), 200u - 62u - 2u);
}

TEST(NdjsonReaderTest, LongLinesBelowTheLimitAreRead) {
  // 3 MiB lines with a 4 MiB limit: longer than the initial buffer.
  ScratchDir dir("ingest");
  const std::string path = dir / "long.ndjson";
  ReaderOptions options;
  options.max_line_bytes = 4 << 20;
  const std::string blob(3 << 20, 'b');
  const std::string line = R"({"ts":"2025-03-01T08:15:02Z","ticket":"T1","event":"x","blob":")" + blob + "\"}";
  WriteFile(path, std::string(kGoodA) + "\n" + line + "\n" + kGoodB + "\n" + line + "\n" + line + line + "\n" +
                      kGoodC + "\n");
  ReadResult r = ReadAll(path, options);
  ASSERT_TRUE(r.status.ok());
  ExpectRejects(r, path, {{5, "line longer than 4194304 bytes"}});
  ASSERT_EQ(r.events.size(), 5u);
  ExpectGoodA(r.events[0], 1);
  EXPECT_EQ(r.events[1].line, 2u);
  ASSERT_EQ(r.events[1].dims.size(), 1u);
  EXPECT_EQ(r.events[1].dims[0].second, blob);
  ExpectGoodB(r.events[2], 3);
  EXPECT_EQ(r.events[3].dims[0].second, blob);
  ExpectGoodC(r.events[4], 6);
}

TEST(NdjsonReaderTest, ManyLinesAcrossReadBlocks) {
  // Enough lines to cross several 1 MiB read blocks: no line may be split
  // or lost at a block boundary.
  ScratchDir dir("ingest");
  const std::string path = dir / "many.ndjson";
  std::string content;
  const int kLines = 40000;
  for (int i = 0; i < kLines; ++i) {
    if (i % 1000 == 999) {
      content += "{\"ts\":\"broken\n";
      continue;
    }
    content += R"({"ts":)" + std::to_string(1740816902123LL + i) + R"(,"ticket":"T)" + std::to_string(i) +
               R"(","event":"created","seq":)" + std::to_string(i) + R"(,"pad":")" + std::string(i % 97, 'q') +
               "\"}\n";
  }
  WriteFile(path, content);
  ReadResult r = ReadAll(path, ReaderOptions(), 5000);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.rejects.size(), static_cast<size_t>(kLines / 1000));
  for (size_t k = 0; k < r.rejects.size(); ++k) EXPECT_EQ(r.rejects[k].line, (k + 1) * 1000);
  ASSERT_EQ(r.events.size(), static_cast<size_t>(kLines - kLines / 1000));
  size_t e = 0;
  for (int i = 0; i < kLines; ++i) {
    if (i % 1000 == 999) continue;
    const RawEvent& ev = r.events[e++];
    ASSERT_EQ(ev.line, static_cast<uint64_t>(i + 1));
    ASSERT_EQ(ev.ticket, "T" + std::to_string(i));
    ASSERT_EQ(ev.ts_ms, 1740816902123LL + i);
    ASSERT_EQ(ev.measures, (Measures{{"seq", static_cast<double>(i)}}));
    ASSERT_EQ(ev.dims.size(), i % 97 == 0 ? 0u : 1u);
  }
  EXPECT_EQ(r.max_batch_seen, 5000u);
}

TEST(NdjsonReaderTest, EmptyAndBlankFiles) {
  ScratchDir dir("ingest");
  WriteFile(dir / "empty.ndjson", "");
  ReadResult r = ReadAll(dir / "empty.ndjson");
  EXPECT_TRUE(r.status.ok());
  EXPECT_TRUE(r.events.empty());
  EXPECT_TRUE(r.rejects.empty());
  EXPECT_EQ(r.lines_read, 0u);

  WriteFile(dir / "blank.ndjson", "\n\n  \r\n\t\n");
  r = ReadAll(dir / "blank.ndjson");
  EXPECT_TRUE(r.events.empty());
  EXPECT_TRUE(r.rejects.empty());
  EXPECT_EQ(r.lines_read, 4u);
}

TEST(NdjsonReaderTest, OpenErrors) {
  std::unique_ptr<EventReader> reader;
  Status s = EventReader::Open("/nonexistent/dir/events.ndjson", ReaderOptions(), &reader);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_NE(s.message().find("/nonexistent/dir/events.ndjson"), std::string::npos);
  ScratchDir dir("ingest");
  s = EventReader::Open(dir.path(), ReaderOptions(), &reader);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
}

TEST(NdjsonReaderTest, ZeroBatchIsAnError) {
  ScratchDir dir("ingest");
  WriteFile(dir / "a.ndjson", std::string(kGoodA) + "\n");
  std::unique_ptr<EventReader> reader;
  ASSERT_TRUE(EventReader::Open(dir / "a.ndjson", ReaderOptions(), &reader).ok());
  std::vector<RawEvent> events;
  std::vector<Reject> rejects;
  EXPECT_EQ(reader->Next(0, &events, &rejects).code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE(reader->Next(10, &events, &rejects).ok());
  ASSERT_EQ(events.size(), 1u);
  ExpectGoodA(events[0], 1);
}

TEST(NdjsonReaderTest, GzipInput) {
  ScratchDir dir("ingest");
  const std::string path = dir / "events.ndjson.gz";
  // Two members (as `cat a.gz b.gz` gives), bad lines in both, a member
  // boundary in the middle of nowhere special.
  std::string first = std::string(kGoodA) + "\n" + "{oops}\n";
  std::string second = std::string(kGoodB) + "\n\n" + R"({"ts":"2025-03-01T08:15:02Z","event":"x"})" "\n" + kGoodC +
                       "\n";
  testing::WriteGzip(path, {first, second});
  ReadResult r = ReadAll(path);
  ASSERT_TRUE(r.open_status.ok()) << r.open_status.ToString();
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ExpectRejects(r, path, {{2, "invalid JSON"}, {5, "missing \"ticket\""}});
  ASSERT_EQ(r.events.size(), 3u);
  ExpectGoodA(r.events[0], 1);
  ExpectGoodB(r.events[1], 3);
  ExpectGoodC(r.events[2], 6);
  EXPECT_EQ(r.bytes_consumed, r.total_bytes);
  EXPECT_LT(r.total_bytes, first.size() + second.size() + 64);
}

TEST(NdjsonReaderTest, LargeGzipInput) {
  ScratchDir dir("ingest");
  const std::string path = dir / "big.gz";  // gzip recognised by its magic, not the name
  std::string content;
  for (int i = 0; i < 30000; ++i) {
    content += R"({"ts":)" + std::to_string(1740816902123LL + i) + R"(,"ticket":"T)" + std::to_string(i % 977) +
               R"(","event":"agent_reply","team":"team_)" + std::to_string(i % 13) + "\"}\n";
  }
  testing::WriteGzip(path, {content});
  ReadResult r = ReadAll(path, ReaderOptions(), 1000);
  ASSERT_TRUE(r.status.ok());
  EXPECT_TRUE(r.rejects.empty()) << Describe(r.rejects);
  ASSERT_EQ(r.events.size(), 30000u);
  EXPECT_EQ(r.events[29999].ticket, "T" + std::to_string(29999 % 977));
  EXPECT_EQ(r.events[29999].line, 30000u);
  EXPECT_EQ(r.lines_read, 30000u);
}

TEST(NdjsonReaderTest, TruncatedGzipDeliversGoodEventsThenAnError) {
  ScratchDir dir("ingest");
  const std::string path = dir / "cut.ndjson.gz";
  std::string content;
  for (int i = 0; i < 20000; ++i) {
    content += R"({"ts":)" + std::to_string(1740816902123LL + i) + R"(,"ticket":"T)" + std::to_string(i) +
               R"(","event":"created","noise":")" + std::to_string(i * 7919 % 100003) + "\"}\n";
  }
  testing::WriteGzip(path, {content});
  std::string gz = kpi::testing::ReadFile(path);
  WriteFile(path, gz.substr(0, gz.size() / 2));
  ReadResult r = ReadAll(path, ReaderOptions(), 100);
  ASSERT_TRUE(r.open_status.ok());
  EXPECT_EQ(r.status.code(), Status::Code::kIOError) << r.status.ToString();
  EXPECT_NE(r.status.message().find(path), std::string::npos);
  ASSERT_GT(r.events.size(), 100u);
  // What came out is the intact prefix of the file.
  for (size_t i = 0; i < r.events.size(); ++i) {
    ASSERT_EQ(r.events[i].ticket, "T" + std::to_string(i));
  }
}

TEST(NdjsonReaderTest, CorruptGzip) {
  ScratchDir dir("ingest");
  // Gzip magic followed by garbage: refused at Open.
  WriteFile(dir / "fake.gz", std::string("\x1f\x8b\xff\xff garbage garbage", 20));
  std::unique_ptr<EventReader> reader;
  Status s = EventReader::Open(dir / "fake.gz", ReaderOptions(), &reader);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();

  // Valid header, flipped bytes in the deflate data: an error, not a crash.
  std::string content;
  for (int i = 0; i < 5000; ++i) content += std::string(kGoodA) + "\n";
  testing::WriteGzip(dir / "flipped.gz", {content});
  std::string gz = kpi::testing::ReadFile(dir / "flipped.gz");
  for (size_t i = 20; i < gz.size() - 8; i += 13) gz[i] = static_cast<char>(gz[i] ^ 0x5a);
  WriteFile(dir / "flipped.gz", gz);
  ReadResult r = ReadAll(dir / "flipped.gz");
  ASSERT_TRUE(r.open_status.ok());
  EXPECT_FALSE(r.status.ok());
}

TEST(NdjsonReaderTest, GarbageNeverCrashes) {
  // Mutated copies of good lines and random bytes: each line ends as an
  // event or a reject (or is blank), never a crash, and line numbers add up.
  ScratchDir dir("ingest");
  const std::string path = dir / "fuzz.ndjson";
  std::mt19937 rng(12345);
  const std::string seeds[] = {kGoodA, kGoodB, kGoodC, kGoodD};
  std::string content;
  const int kLines = 5000;
  for (int i = 0; i < kLines; ++i) {
    std::string line = seeds[rng() % 4];
    const int mutations = static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations; ++m) {
      const size_t pos = rng() % line.size();
      switch (rng() % 3) {
        case 0: line[pos] = static_cast<char>(rng() % 256); break;
        case 1: line.erase(pos, 1 + rng() % 8); break;
        default: line.insert(pos, 1, "{}[]\",:\\\x80\xc3\x00"[rng() % 12]); break;
      }
      if (line.empty()) line = "x";
    }
    for (char& c : line) {
      if (c == '\n') c = ' ';
    }
    content += line + "\n";
  }
  WriteFile(path, content);
  ReadResult r = ReadAll(path, ReaderOptions(), 64);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.lines_read, static_cast<uint64_t>(kLines));
  EXPECT_LE(r.events.size() + r.rejects.size(), static_cast<size_t>(kLines));
  EXPECT_GT(r.rejects.size(), 1000u);
  EXPECT_GT(r.events.size(), 500u);
  for (const RawEvent& e : r.events) {
    EXPECT_TRUE(ValidEpochMillis(e.ts_ms));
    EXPECT_FALSE(e.ticket.empty());
    EXPECT_FALSE(e.event.empty());
    for (const auto& [k, v] : e.dims) EXPECT_FALSE(IsReservedKey(k));
    for (const auto& [k, v] : e.measures) EXPECT_FALSE(IsReservedKey(k));
  }
  uint64_t previous = 0;
  for (const Reject& rej : r.rejects) {
    EXPECT_GT(rej.line, previous);
    EXPECT_FALSE(rej.reason.empty());
    previous = rej.line;
  }
}

}  // namespace
}  // namespace kpi::ingest
