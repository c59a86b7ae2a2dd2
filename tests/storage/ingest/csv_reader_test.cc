// EventReader over CSV files (RFC 4180): quoting, embedded newlines, CRLF,
// ragged rows, measure columns, header problems, gzip-compressed CSV.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "reader_test_util.h"
#include "storage/ingest/csv_parser.h"
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
  EXPECT_TRUE(ParseRfc3339(text, &ms, &error, true)) << error;
  return ms;
}

void ExpectReject(const Reject& r, uint64_t line, const std::string& part) {
  EXPECT_EQ(r.line, line) << r.reason;
  EXPECT_NE(r.reason.find(part), std::string::npos) << "line " << line << ": \"" << r.reason << "\" lacks \"" << part
                                                    << "\"";
}

TEST(CsvReaderTest, QuotingRaggedRowsAndMeasures) {
  ScratchDir dir("ingest");
  const std::string path = dir / "events.csv";
  const std::string content =
      "ts,ticket,event,agent,channel,team,csat,note\n"                                           // 1
      "2025-03-01T08:15:02.123Z,T1,created,,chat,billing,,plain\n"                                // 2
      "2025-03-01T08:16:00Z,T1,agent_reply,a017,chat,\"billing, tier 2\",,\"say \"\"hi\"\"\"\n"   // 3
      "2025-03-01T08:17:00Z,T1,resolved,a017,chat\n"                                              // 4 ragged
      "2025-03-01T09:00:00Z,T1,rated,,,,4.5,\"two\nlines\"\n"                                     // 5-6
      "2025-03-01T09:01:00Z,T1,rated,,,,five,\n"                                                  // 7 bad csat
      "\n"                                                                                        // 8 blank
      "1740820920000,T2,created,,web,\"\",,\"\"\n"                                                // 9 epoch ms
      "2025-03-01T09:03:00Z,T2,created,,web,x,,y,extra\n"                                         // 10 ragged
      "2025-03-01T09:04:00Z,,created,,web,x,,y\n"                                                 // 11 no ticket
      "20250-03-01T09:04:00Z,T3,created,,web,x,,y\n"                                              // 12
      "2025-03-01T09:05:00Z,T3,bad name,,web,x,,y\n"                                              // 13
      "2025-03-01T09:06:00Z,T3,created,,we\"b,x,,y\n"                                             // 14 stray quote
      "2025-03-01T09:07:00Z,T3,created,,\"web\"x,x,,y\n"                                          // 15
      "2025-03-01T09:08:00+02:00,T3,closed,a1,web,x,1e1,\"last\"";                                // 16 no newline
  WriteFile(path, content);
  ReadResult r = ReadAll(path);
  ASSERT_TRUE(r.open_status.ok()) << r.open_status.ToString();
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();

  ASSERT_EQ(r.rejects.size(), 8u) << Describe(r.rejects);
  ExpectReject(r.rejects[0], 4, "expected 8 fields, got 5");
  ExpectReject(r.rejects[1], 7, "\"csat\": expected a number, got \"five\"");
  ExpectReject(r.rejects[2], 10, "expected 8 fields, got 9");
  ExpectReject(r.rejects[3], 11, "missing \"ticket\"");
  ExpectReject(r.rejects[4], 12, "\"ts\": year 20250 outside 1970..2200");
  ExpectReject(r.rejects[5], 13, "\"event\": \"bad name\" is not an identifier");
  ExpectReject(r.rejects[6], 14, "quote inside unquoted field 5");
  ExpectReject(r.rejects[7], 15, "unexpected text after the closing quote of field 5");

  ASSERT_EQ(r.events.size(), 5u);
  const RawEvent& e2 = r.events[0];
  EXPECT_EQ(e2.line, 2u);
  EXPECT_EQ(e2.ts_ms, Ms("2025-03-01T08:15:02.123Z"));
  EXPECT_EQ(e2.ticket, "T1");
  EXPECT_EQ(e2.event, "created");
  EXPECT_EQ(e2.agent, "");
  EXPECT_EQ(e2.dims, (Dims{{"channel", "chat"}, {"team", "billing"}, {"note", "plain"}}));
  EXPECT_TRUE(e2.measures.empty());

  const RawEvent& e3 = r.events[1];
  EXPECT_EQ(e3.line, 3u);
  EXPECT_EQ(e3.agent, "a017");
  EXPECT_EQ(e3.dims, (Dims{{"channel", "chat"}, {"team", "billing, tier 2"}, {"note", "say \"hi\""}}));

  const RawEvent& e5 = r.events[2];
  EXPECT_EQ(e5.line, 5u);
  EXPECT_EQ(e5.event, "rated");
  EXPECT_EQ(e5.dims, (Dims{{"note", "two\nlines"}}));
  EXPECT_EQ(e5.measures, (Measures{{"csat", 4.5}}));

  const RawEvent& e9 = r.events[3];
  EXPECT_EQ(e9.line, 9u);
  EXPECT_EQ(e9.ts_ms, 1740820920000LL);
  EXPECT_EQ(e9.ticket, "T2");
  EXPECT_EQ(e9.dims, (Dims{{"channel", "web"}}));  // "" cells are absent

  const RawEvent& e16 = r.events[4];
  EXPECT_EQ(e16.line, 16u);
  EXPECT_EQ(e16.ts_ms, Ms("2025-03-01T07:08:00Z"));
  EXPECT_EQ(e16.event, "closed");
  EXPECT_EQ(e16.agent, "a1");
  EXPECT_EQ(e16.dims, (Dims{{"channel", "web"}, {"team", "x"}, {"note", "last"}}));
  EXPECT_EQ(e16.measures, (Measures{{"csat", 10.0}}));
  EXPECT_EQ(r.lines_read, 16u);
}

TEST(CsvReaderTest, CrlfAndQuotedNewlinesKeepLineNumbers) {
  ScratchDir dir("ingest");
  const std::string path = dir / "crlf.csv";
  const std::string content =
      "\xEF\xBB\xBFts,ticket,event,id,comment\r\n"                  // 1 (with a BOM)
      "2025-03-01T08:00:00Z,T1,created,i1,\"a\r\nb\r\nc\"\r\n"      // 2-4
      "2025-03-01T08:01:00Z,T1,closed,i2\r\n"                       // 5 ragged
      "\r\n"                                                        // 6
      "2025-03-01T08:02:00Z,T2,created,i3,\"\"\"quoted\"\"\"\r\n";  // 7
  WriteFile(path, content);
  ReadResult r = ReadAll(path);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.rejects.size(), 1u) << Describe(r.rejects);
  ExpectReject(r.rejects[0], 5, "expected 5 fields, got 4");
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].line, 2u);
  EXPECT_EQ(r.events[0].id, "i1");
  EXPECT_EQ(r.events[0].dims, (Dims{{"comment", "a\r\nb\r\nc"}}));
  EXPECT_EQ(r.events[1].line, 7u);
  EXPECT_EQ(r.events[1].ticket, "T2");
  EXPECT_EQ(r.events[1].dims, (Dims{{"comment", "\"quoted\""}}));
  EXPECT_EQ(r.lines_read, 7u);
}

TEST(CsvReaderTest, UnterminatedQuoteAtEndOfFile) {
  ScratchDir dir("ingest");
  const std::string path = dir / "open.csv";
  WriteFile(path,
            "ts,ticket,event,note\n"
            "2025-03-01T08:00:00Z,T1,created,ok\n"
            "2025-03-01T08:01:00Z,T1,closed,\"never closed\nmore\nlines\n");
  ReadResult r = ReadAll(path);
  // The quote costs its line; the lines after it are read as records.
  ASSERT_EQ(r.rejects.size(), 3u) << Describe(r.rejects);
  ExpectReject(r.rejects[0], 3, "unterminated quoted field 4 (unbalanced quote: no closing quote before the end");
  ExpectReject(r.rejects[0], 3, "reading resumed at line 4");
  ExpectReject(r.rejects[1], 4, "expected 4 fields, got 1");
  ExpectReject(r.rejects[2], 5, "expected 4 fields, got 1");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].dims, (Dims{{"note", "ok"}}));
}

// Issue 9: one unbalanced quote before 100k good rows costs one line.
TEST(CsvReaderTest, UnbalancedQuoteBeforeManyGoodRowsCostsOneLine) {
  ScratchDir dir("ingest");
  const std::string path = dir / "big.csv";
  std::string text = "ts,ticket,event,note\n2025-03-01T08:00:00Z,T0,created,\"oops\n";
  for (int i = 1; i <= 100000; ++i) text += "2025-03-01T08:00:00Z,T" + std::to_string(i) + ",created,n\n";
  WriteFile(path, text);
  ReadResult r = ReadAll(path, ReaderOptions(), 4096);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.rejects.size(), 1u) << Describe(r.rejects);
  ExpectReject(r.rejects[0], 2, "unterminated quoted field 4 (unbalanced quote");
  ASSERT_EQ(r.events.size(), 100000u);
  EXPECT_EQ(r.events.front().ticket, "T1");
  EXPECT_EQ(r.events.front().line, 3u);
  EXPECT_EQ(r.events.back().ticket, "T100000");
  EXPECT_EQ(r.events.back().line, 100002u);
  EXPECT_EQ(r.lines_read, 100002u);
}

TEST(CsvReaderTest, UnbalancedQuoteClosedLaterByAnotherFieldCostsOneLine) {
  ScratchDir dir("ingest");
  const std::string path = dir / "later.csv";
  WriteFile(path,
            "ts,ticket,event,note\n"
            "2025-03-01T08:00:00Z,T0,created,\"oops\n"             // 2: never closed
            "2025-03-01T08:00:01Z,T1,created,plain\n"              // 3
            "2025-03-01T08:00:02Z,T2,created,\"a, \"\"b\"\"\"\n"  // 4: its quote would close line 2's
            "2025-03-01T08:00:03Z,T3,created,\"multi\nline\"\n"    // 5-6: a legitimate multi-line field
            "2025-03-01T08:00:04Z,T4,created,end\n");              // 7
  ReadResult r = ReadAll(path);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.rejects.size(), 1u) << Describe(r.rejects);
  ExpectReject(r.rejects[0], 2, "unterminated quoted field 4 (unbalanced quote: ");
  ExpectReject(r.rejects[0], 2, "reading resumed at line 3");
  ASSERT_EQ(r.events.size(), 4u);
  EXPECT_EQ(r.events[0].line, 3u);
  EXPECT_EQ(r.events[1].dims, (Dims{{"note", "a, \"b\""}}));
  EXPECT_EQ(r.events[2].line, 5u);
  EXPECT_EQ(r.events[2].dims, (Dims{{"note", "multi\nline"}}));
  EXPECT_EQ(r.events[3].line, 7u);
}

TEST(CsvReaderTest, UnbalancedQuoteThatWouldSwallowAValidRecord) {
  ScratchDir dir("ingest");
  const std::string path = dir / "swallow.csv";
  // Read as one record, lines 2-4 parse (note = "oops\n...\nx"): but line 3
  // is a record of its own, so line 2's quote is the unbalanced one.
  WriteFile(path,
            "ts,ticket,event,note\n"
            "2025-03-01T08:00:00Z,T0,created,\"oops\n"
            "2025-03-01T08:00:01Z,T1,created,fine\n"
            "2025-03-01T08:00:02Z,T2,created,x\"\n");
  ReadResult r = ReadAll(path);
  ASSERT_EQ(r.rejects.size(), 2u) << Describe(r.rejects);
  ExpectReject(r.rejects[0], 2, "it would take line 3, itself a valid record, into a quoted field");
  ExpectReject(r.rejects[1], 4, "quote inside unquoted field 4");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].ticket, "T1");
}

TEST(CsvReaderTest, UnbalancedQuoteOnAnOverlongLineStopsAtItsNewline) {
  ScratchDir dir("ingest");
  const std::string path = dir / "long.csv";
  ReaderOptions options;
  options.max_line_bytes = 64;
  std::string text = "ts,ticket,event,note\n2025-03-01T08:00:00Z,T0,created,\"" + std::string(3 << 20, 'z') + "\n";
  for (int i = 1; i <= 1000; ++i) text += "2025-03-01T08:00:00Z,T" + std::to_string(i) + ",created,n\n";
  WriteFile(path, text);
  ReadResult r = ReadAll(path, options, 100);
  ASSERT_EQ(r.rejects.size(), 1u) << Describe(r.rejects);
  ExpectReject(r.rejects[0], 2, "line longer than 64 bytes");
  EXPECT_EQ(r.events.size(), 1000u);
}

TEST(CsvReaderTest, InvalidUtf8AndOverlongRecords) {
  ScratchDir dir("ingest");
  const std::string path = dir / "bytes.csv";
  ReaderOptions options;
  options.max_line_bytes = 100;
  WriteFile(path,
            "ts,ticket,event,note\n"
            "2025-03-01T08:00:00Z,T\xff,created,x\n"                      // 2
            "2025-03-01T08:00:00Z,T1,created,\"" + std::string(150, 'z') +  // 3-4: long quoted
                "\n" + std::string(10, 'z') + "\"\n"
            "2025-03-01T08:00:00Z,T2,created,after\n");                   // 5
  ReadResult r = ReadAll(path, options);
  ASSERT_EQ(r.rejects.size(), 2u) << Describe(r.rejects);
  ExpectReject(r.rejects[0], 2, "invalid UTF-8");
  ExpectReject(r.rejects[1], 3, "line longer than 100 bytes");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].line, 5u);
  EXPECT_EQ(r.events[0].ticket, "T2");
}

TEST(CsvReaderTest, HeaderProblemsEndTheInput) {
  ScratchDir dir("ingest");
  struct Case {
    const char* header;
    const char* reason;
  } cases[] = {
      {"ts,ticket,agent\n", "missing column \"event\""},
      {"ts,ticket,event,team,team\n", "duplicate column \"team\""},
      {"ts,ticket,event,,x\n", "column 4 has no name"},
      {"ts,\"ticket,event\n", "unterminated quoted field"},
  };
  for (const Case& c : cases) {
    const std::string path = dir / "header.csv";
    WriteFile(path, std::string("\n") + c.header + "2025-03-01T08:00:00Z,T1,created,a,b\n");
    ReadResult r = ReadAll(path);
    EXPECT_EQ(r.status.code(), Status::Code::kInvalidArgument) << c.header;
    EXPECT_NE(r.status.message().find(path + ":2: "), std::string::npos) << r.status.message();
    EXPECT_NE(r.status.message().find(c.reason), std::string::npos) << r.status.message();
    EXPECT_TRUE(r.events.empty());
  }
}

TEST(CsvReaderTest, EmptyCsvAndHeaderOnly) {
  ScratchDir dir("ingest");
  WriteFile(dir / "empty.csv", "");
  ReadResult r = ReadAll(dir / "empty.csv");
  EXPECT_TRUE(r.status.ok());
  EXPECT_TRUE(r.events.empty());
  WriteFile(dir / "header.csv", "ts,ticket,event\r\n");
  r = ReadAll(dir / "header.csv");
  EXPECT_TRUE(r.status.ok());
  EXPECT_TRUE(r.events.empty());
  EXPECT_TRUE(r.rejects.empty());
}

TEST(CsvReaderTest, FormatDetection) {
  ScratchDir dir("ingest");
  const std::string csv = "ts,ticket,event,handle_seconds\n2025-03-01T08:00:00Z,T1,agent_reply,30\n";
  // .csv.gz: gzip by magic, CSV by name.
  testing::WriteGzip(dir / "a.csv.gz", {csv});
  ReadResult r = ReadAll(dir / "a.csv.gz");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.events.size(), 1u) << Describe(r.rejects);
  EXPECT_EQ(r.events[0].measures, (Measures{{"handle_seconds", 30.0}}));
  // Any name with an explicit format.
  WriteFile(dir / "a.txt", csv);
  ReaderOptions options;
  options.format = InputFormat::kCsv;
  r = ReadAll(dir / "a.txt", options);
  ASSERT_EQ(r.events.size(), 1u) << Describe(r.rejects);
  EXPECT_EQ(r.events[0].line, 2u);
  // Without it, a .txt is NDJSON: both lines are rejected as JSON.
  r = ReadAll(dir / "a.txt");
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.rejects.size(), 2u);
  // Custom measure columns.
  options.csv_measures = {"score"};
  WriteFile(dir / "b.txt", "ts,ticket,event,score,handle_seconds\n2025-03-01T08:00:00Z,T1,x,7,30\n");
  r = ReadAll(dir / "b.txt", options);
  ASSERT_EQ(r.events.size(), 1u) << Describe(r.rejects);
  EXPECT_EQ(r.events[0].measures, (Measures{{"score", 7.0}}));
  EXPECT_EQ(r.events[0].dims, (Dims{{"handle_seconds", "30"}}));
}

TEST(CsvReaderTest, MeasureCellsAreStrictNumbers) {
  CsvParser parser({"cost"}, true);
  std::string reason;
  ASSERT_TRUE(parser.ParseHeader("ts,ticket,event,cost", &reason)) << reason;
  RawEvent e;
  for (const char* good : {"1", "-2.5", "1e3", "0.000001"}) {
    EXPECT_TRUE(parser.Parse(std::string("2025-03-01T08:00:00Z,T,x,") + good, &e, &reason)) << good << reason;
  }
  for (const char* bad : {" 1", "1 ", "+1", "0x10", "inf", "nan", "1e999", "1,5", "true", "1.2.3"}) {
    EXPECT_FALSE(parser.Parse(std::string("2025-03-01T08:00:00Z,T,x,\"") + bad + "\"", &e, &reason)) << bad;
  }
}

TEST(CsvReaderTest, HostileRecordsDoNotGrowMemoryOrCrash) {
  CsvParser parser({}, true);
  std::string reason;
  ASSERT_TRUE(parser.ParseHeader("ts,ticket,event", &reason));
  RawEvent e;
  EXPECT_FALSE(parser.Parse(std::string(100000, ','), &e, &reason));
  EXPECT_EQ(reason, "expected 3 fields, got 100001");
  EXPECT_FALSE(parser.Parse(std::string(1000, '"'), &e, &reason));
  EXPECT_FALSE(parser.Parse("\"", &e, &reason));
  EXPECT_FALSE(parser.Parse(",,", &e, &reason));
  EXPECT_EQ(reason, "missing \"ts\"");
  EXPECT_FALSE(parser.Parse("99999999999999999999999,T,x", &e, &reason));
  EXPECT_EQ(reason, "\"ts\": epoch milliseconds 99999999999999999999999 outside 1970..2200");
}

TEST(CsvReaderTest, GarbageNeverCrashes) {
  // Mutated rows (quotes, commas, newlines, bytes): every record ends as an
  // event or a reject, and reject line numbers only grow.
  ScratchDir dir("ingest");
  const std::string path = dir / "fuzz.csv";
  std::mt19937 rng(777);
  const std::string seed = "2025-03-01T08:00:00Z,T1,agent_reply,a1,\"chat, web\",12,\"say \"\"hi\"\"\"";
  std::string content = "ts,ticket,event,agent,channel,handle_seconds,note\n";
  for (int i = 0; i < 5000; ++i) {
    std::string row = seed;
    const int mutations = static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations; ++m) {
      const size_t pos = rng() % row.size();
      if (rng() % 2 == 0) {
        row[pos] = "\",\n\r x\xff\xc3"[rng() % 8];
      } else {
        row.erase(pos, 1 + rng() % 5);
        if (row.empty()) row = "x";
      }
    }
    content += row + "\n";
  }
  WriteFile(path, content);
  ReadResult r = ReadAll(path, ReaderOptions(), 50);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_GT(r.events.size(), 1000u);
  EXPECT_GT(r.rejects.size(), 500u);
  uint64_t previous = 0;
  for (const Reject& rej : r.rejects) {
    EXPECT_GT(rej.line, previous);
    previous = rej.line;
  }
  for (const RawEvent& e : r.events) {
    EXPECT_FALSE(e.ticket.empty());
    EXPECT_TRUE(ValidEpochMillis(e.ts_ms));
  }
}

}  // namespace
}  // namespace kpi::ingest
