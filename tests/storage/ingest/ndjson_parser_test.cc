// NdjsonParser on single lines: the key rules of event-format.md, field by
// field, and one exact reason per kind of bad line.
#include "storage/ingest/ndjson_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "storage/ingest/event_reader.h"

namespace kpi::ingest {
namespace {

class NdjsonParserTest : public ::testing::Test {
 protected:
  NdjsonParserTest() : measures_(ReaderOptions().csv_measures), parser_(&measures_, true) {}

  RawEvent MustParse(std::string_view line) {
    RawEvent event;
    std::string reason;
    EXPECT_TRUE(parser_.Parse(line, &event, &reason)) << line.substr(0, 300) << "\n  -> " << reason;
    return event;
  }
  std::string MustReject(std::string_view line) {
    RawEvent event;
    std::string reason;
    EXPECT_FALSE(parser_.Parse(line, &event, &reason)) << line.substr(0, 300);
    EXPECT_FALSE(reason.empty());
    EXPECT_EQ(reason.find('\n'), std::string::npos);
    return reason;
  }

  std::unordered_set<std::string> measures_;
  NdjsonParser parser_;
};

using Dims = std::vector<std::pair<std::string, std::string>>;
using Measures = std::vector<std::pair<std::string, double>>;

TEST_F(NdjsonParserTest, ParsesTheFormatDocumentExamples) {
  RawEvent e = MustParse(
      R"({"ts":"2025-03-01T08:15:02.123Z","ticket":"T000123","event":"created","customer":"C0042","channel":"chat","team":"billing","category":"refund","priority":"P2","region":"north"})");
  EXPECT_EQ(e.ts_ms, 1740816902123LL);
  EXPECT_EQ(e.ticket, "T000123");
  EXPECT_EQ(e.event, "created");
  EXPECT_EQ(e.agent, "");
  EXPECT_EQ(e.id, "");
  EXPECT_EQ(e.dims, (Dims{{"customer", "C0042"},
                          {"channel", "chat"},
                          {"team", "billing"},
                          {"category", "refund"},
                          {"priority", "P2"},
                          {"region", "north"}}));
  EXPECT_TRUE(e.measures.empty());

  e = MustParse(
      R"({"ts":"2025-03-01T08:15:47.000Z","ticket":"T000123","event":"agent_reply","agent":"a017","handle_seconds":212})");
  EXPECT_EQ(e.ts_ms, 1740816947000LL);
  EXPECT_EQ(e.agent, "a017");
  EXPECT_TRUE(e.dims.empty());  // the previous line's dims must not linger
  EXPECT_EQ(e.measures, (Measures{{"handle_seconds", 212.0}}));

  e = MustParse(R"({"ts":"2025-03-01T09:02:00.000Z","ticket":"T000123","event":"rated","csat":5})");
  EXPECT_EQ(e.measures, (Measures{{"csat", 5.0}}));
  EXPECT_TRUE(e.agent.empty());
}

TEST_F(NdjsonParserTest, ValueTypes) {
  RawEvent e = MustParse(
      R"( { "ts" : 1740816902123 , "ticket" : 42 , "event" : "qa_reviewed", "id": 9007199254740993,)"
      R"( "accurate": true, "wrong": false, "cost": -1.5e2, "note": "a \"quoted\" \u00e9 \ud83d\ude00",)"
      R"( "gone": null, "empty": "", "agent": "" } )");
  EXPECT_EQ(e.ts_ms, 1740816902123LL);
  EXPECT_EQ(e.ticket, "42");
  EXPECT_EQ(e.id, "9007199254740993");
  EXPECT_EQ(e.agent, "");
  EXPECT_EQ(e.measures, (Measures{{"accurate", 1.0}, {"wrong", 0.0}, {"cost", -150.0}}));
  EXPECT_EQ(e.dims, (Dims{{"note", "a \"quoted\" \xC3\xA9 \xF0\x9F\x98\x80"}}));

  e = MustParse(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T1","event":"e","id":"src-7","agent":"Åse"})");
  EXPECT_EQ(e.id, "src-7");
  EXPECT_EQ(e.agent, "Åse");
  // Unsigned integers beyond int64 keep their digits.
  e = MustParse(R"({"ts":"2025-03-01T08:15:02Z","ticket":18446744073709551615,"event":"e"})");
  EXPECT_EQ(e.ticket, "18446744073709551615");
  // An escaped key is the same key.
  e = MustParse(R"({"t\u0073":"2025-03-01T08:15:02Z","ticket":"T1","event":"e"})");
  EXPECT_EQ(e.ts_ms, 1740816902000LL);
}

TEST_F(NdjsonParserTest, TimestampsWithOffsetsAndWithoutZone) {
  EXPECT_EQ(MustParse(R"({"ts":"2025-03-01T16:15:02.123+08:00","ticket":"T","event":"x"})").ts_ms, 1740816902123LL);
  EXPECT_EQ(MustParse(R"({"ts":"2025-03-01T08:15:02.123","ticket":"T","event":"x"})").ts_ms, 1740816902123LL);
  std::unordered_set<std::string> none;
  NdjsonParser strict(&none, /*assume_utc=*/false);
  RawEvent e;
  std::string reason;
  EXPECT_FALSE(strict.Parse(R"({"ts":"2025-03-01T08:15:02.123","ticket":"T","event":"x"})", &e, &reason));
  EXPECT_NE(reason.find("\"ts\": missing zone offset"), std::string::npos) << reason;
}

TEST_F(NdjsonParserTest, MissingRequiredKeys) {
  EXPECT_EQ(MustReject(R"({"ticket":"T1","event":"created"})"), "missing \"ts\"");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","event":"created"})"), "missing \"ticket\"");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T1"})"), "missing \"event\"");
  EXPECT_EQ(MustReject(R"({"ts":null,"ticket":"T1","event":"created"})"), "missing \"ts\"");
  EXPECT_EQ(MustReject(R"({})"), "missing \"ts\"");
}

TEST_F(NdjsonParserTest, WrongTypes) {
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T1","event":"rated","csat":"five"})"),
            "\"csat\": expected a number or boolean, got a string");
  EXPECT_EQ(MustReject(R"({"ts":true,"ticket":"T1","event":"x"})"),
            "\"ts\": expected an RFC 3339 string or integer epoch milliseconds, got a boolean");
  EXPECT_EQ(MustReject(R"({"ts":1740816902123.5,"ticket":"T1","event":"x"})"),
            "\"ts\": epoch milliseconds must be an integer, got 1740816902123.5");
  EXPECT_EQ(MustReject(R"({"ts":1.7e12,"ticket":"T1","event":"x"})"),
            "\"ts\": epoch milliseconds must be an integer, got 1.7e12");
  EXPECT_EQ(MustReject(R"({"ts":-5,"ticket":"T1","event":"x"})"), "\"ts\": epoch milliseconds -5 outside 1970..2200");
  EXPECT_EQ(MustReject(R"({"ts":99999999999999999,"ticket":"T1","event":"x"})"),
            "\"ts\": epoch milliseconds 99999999999999999 outside 1970..2200");
  EXPECT_EQ(MustReject(R"({"ts":18446744073709551615,"ticket":"T1","event":"x"})"),
            "\"ts\": epoch milliseconds 18446744073709551615 outside 1970..2200");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":1.5,"event":"x"})"),
            "\"ticket\": expected a string or integer, got 1.5");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":false,"event":"x"})"),
            "\"ticket\": expected a string or integer, got a boolean");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"","event":"x"})"), "\"ticket\": empty");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":7})"),
            "\"event\": expected a string, got a number");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":""})"), "\"event\": empty");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"agent reply"})"),
            "\"event\": \"agent reply\" is not an identifier ([A-Za-z_][A-Za-z0-9_]*)");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"2nd"})").rfind("\"event\": \"2nd\"", 0),
            0u);
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x","agent":17})"),
            "\"agent\": expected a string, got a number");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x","id":[1]})"),
            "\"id\": array not allowed");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x","meta":{"a":1}})"),
            "\"meta\": nested object not allowed");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x","tags":[]})"),
            "\"tags\": array not allowed");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x","":"v"})"), "empty key");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x","cost":1e999})"),
            "\"cost\": number out of range: 1e999");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x","a":01})"),
            "invalid JSON: malformed number 01 in \"a\"");
}

TEST_F(NdjsonParserTest, BadTimestamps) {
  EXPECT_EQ(MustReject(R"({"ts":"20250-03-01T08:15:02Z","ticket":"T","event":"x"})"),
            "\"ts\": year 20250 outside 1970..2200");
  EXPECT_EQ(MustReject(R"({"ts":"2025-02-30T08:15:02Z","ticket":"T","event":"x"})"),
            "\"ts\": day 30 out of range for 2025-02");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02+25:00","ticket":"T","event":"x"})"),
            "\"ts\": zone offset +25:00 out of range");
  EXPECT_EQ(MustReject(R"({"ts":"","ticket":"T","event":"x"})"), "\"ts\": empty timestamp");
}

TEST_F(NdjsonParserTest, DuplicateKeys) {
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x","team":"a","team":"b"})"),
            "duplicate key \"team\"");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x","ticket":"U"})"),
            "duplicate key \"ticket\"");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x","a":null,"a":null})"),
            "duplicate key \"a\"");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x","\u0061":1,"a":2})"),
            "duplicate key \"a\"");
  // Many keys take the sort path.
  std::string line = R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x")";
  for (int i = 0; i < 100; ++i) line += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
  RawEvent e = MustParse(line + "}");
  EXPECT_EQ(e.measures.size(), 100u);
  EXPECT_EQ(MustReject(line + ",\"k57\":1}"), "duplicate key \"k57\"");
}

TEST_F(NdjsonParserTest, BrokenJson) {
  for (std::string_view bad : {
           R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x")",    // unclosed
           R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x",})",  // trailing comma
           R"({"ts":"2025-03-01T08:15:02Z" "ticket":"T","event":"x"})",  // missing comma
           R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x} )",   // unclosed string
           R"({"ts":"2025-03-01T08:15:02Z","ticket":T,"event":"x"})",    // bare word
           R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x","a":tru})",
           R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x","a":01})",
           R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x","a":"\q"})",
           R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x","a":"\ud800"})",
           R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x"} {"a":1})",  // two objects
           R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x"}])",
           R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x"}})",
           R"({"ts" "2025-03-01T08:15:02Z"})",
           R"({)",
           R"(})",
           R"("just a string)",
       }) {
    const std::string reason = MustReject(bad);
    EXPECT_EQ(reason.rfind("invalid JSON", 0), 0u) << bad << " -> " << reason;
  }
  EXPECT_EQ(MustReject("[1,2]"), "not a JSON object (an array)");
  EXPECT_EQ(MustReject("42"), "not a JSON object (a number)");
  EXPECT_EQ(MustReject(R"("ts")"), "not a JSON object (a string)");
  EXPECT_EQ(MustReject("null"), "not a JSON object (null)");
}

TEST_F(NdjsonParserTest, BrokenJsonIsReportedBeforeOtherFaults) {
  EXPECT_EQ(MustReject(R"({"ts":"20250-01-01T00:00:00Z","ticket":"T","event":"x",)").rfind("invalid JSON", 0), 0u);
}

TEST_F(NdjsonParserTest, InvalidUtf8) {
  EXPECT_EQ(MustReject("{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"T\xff\",\"event\":\"x\"}"), "invalid UTF-8");
  EXPECT_EQ(MustReject("{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"T\",\"event\":\"x\",\"a\xc3\":1}"),
            "invalid UTF-8");
  // Overlong encoding and a lone continuation byte.
  EXPECT_EQ(MustReject("{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"\xc0\xaf\",\"event\":\"x\"}"), "invalid UTF-8");
  EXPECT_EQ(MustReject("{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"T\",\"event\":\"x\"}\x80"), "invalid UTF-8");
  // Encoded surrogate (CESU-8) is not UTF-8.
  EXPECT_EQ(MustReject("{\"ts\":\"2025-03-01T08:15:02Z\",\"ticket\":\"\xed\xa0\x80\",\"event\":\"x\"}"),
            "invalid UTF-8");
}

TEST_F(NdjsonParserTest, ReasonsStayShortForHostileValues) {
  const std::string huge(100000, 'x');
  const std::string reason = MustReject(R"({"ts":")" + huge + R"(","ticket":"T","event":"x"})");
  EXPECT_LT(reason.size(), 200u) << reason;
  std::string spaced;
  for (int i = 0; i < 20000; ++i) spaced += "word ";
  const std::string reason2 = MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":")" + spaced + "\"}");
  EXPECT_LT(reason2.size(), 200u);
}

// A reason is printed to terminals and logs: a NUL would cut it short (the
// CLI prints C strings) and an escape sequence would reach the terminal.
TEST_F(NdjsonParserTest, ReasonsEscapeControlCharacters) {
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"crea\u0000ted"})"),
            "\"event\": \"crea\\u0000ted\" is not an identifier ([A-Za-z_][A-Za-z0-9_]*)");
  EXPECT_EQ(MustReject(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x\u001b[2Jy"})"),
            "\"event\": \"x\\u001b[2Jy\" is not an identifier ([A-Za-z_][A-Za-z0-9_]*)");
}

TEST_F(NdjsonParserTest, DeeplyNestedValueDoesNotCrash) {
  std::string deep = R"({"ts":"2025-03-01T08:15:02Z","ticket":"T","event":"x","a":)";
  deep += std::string(100000, '[') + std::string(100000, ']') + "}";
  const std::string reason = MustReject(deep);
  EXPECT_FALSE(reason.empty());
}

TEST_F(NdjsonParserTest, ParserIsReusableAfterErrors) {
  MustReject("{\"ts\":\xff}");
  MustReject(R"({"ts":)");
  RawEvent e = MustParse(R"({"ts":"2025-03-01T08:15:02Z","ticket":"T9","event":"closed","team":"x"})");
  EXPECT_EQ(e.ticket, "T9");
  EXPECT_EQ(e.event, "closed");
  EXPECT_EQ(e.dims, (Dims{{"team", "x"}}));
}

}  // namespace
}  // namespace kpi::ingest
