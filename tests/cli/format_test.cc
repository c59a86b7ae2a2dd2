// Result formatting: durations, numbers, times, CSV quoting, JSON escaping,
// table alignment.
#include "cli/format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace kpi::cli {
namespace {

using query::Result;
using query::Value;
using query::ValueType;

TEST(FormatDurationTest, ReadableUnits) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(45.2), "45.2s");
  EXPECT_EQ(FormatDuration(45), "45s");
  EXPECT_EQ(FormatDuration(0.25), "0.3s");
  EXPECT_EQ(FormatDuration(200), "3m 20s");
  EXPECT_EQ(FormatDuration(65), "1m 05s");
  EXPECT_EQ(FormatDuration(3720), "1h 02m");
  EXPECT_EQ(FormatDuration(2 * 86400 + 4 * 3600), "2d 04h");
  EXPECT_EQ(FormatDuration(-5), "-5s");
  EXPECT_EQ(FormatDuration(-200), "-3m 20s");
}

TEST(FormatDurationTest, RoundingCarriesIntoTheNextUnit) {
  EXPECT_EQ(FormatDuration(59.97), "1m 00s");
  EXPECT_EQ(FormatDuration(3599.7), "1h 00m");
  EXPECT_EQ(FormatDuration(86399), "1d 00h");
  EXPECT_EQ(FormatDuration(119.6), "2m 00s");
}

TEST(FormatDurationTest, NonFiniteAndHuge) {
  EXPECT_EQ(FormatDuration(std::nan("")), "NaN");
  EXPECT_EQ(FormatDuration(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_FALSE(FormatDuration(1e300).empty());
  EXPECT_EQ(FormatDuration(-0.01), "0s");
}

TEST(FormatNumberTest, HumanAndExact) {
  EXPECT_EQ(FormatNumber(1234), "1234");
  EXPECT_EQ(FormatNumber(0.85234), "0.8523");
  EXPECT_EQ(FormatNumber(0.5), "0.5");
  EXPECT_EQ(FormatNumber(-2.25), "-2.25");
  EXPECT_EQ(FormatNumber(0.00001234), "1.234e-05");
  EXPECT_EQ(FormatNumberExact(0.1), "0.1");
  EXPECT_EQ(FormatNumberExact(42), "42");
  EXPECT_EQ(FormatNumberExact(-0.0), "0");
  EXPECT_EQ(std::stod(FormatNumberExact(1.0 / 3)), 1.0 / 3);
}

TEST(FormatTimeTest, Rfc3339InZone) {
  const int64_t t = 1740816902123;  // 2025-03-01T08:15:02.123Z
  EXPECT_EQ(FormatTime(t, "UTC"), "2025-03-01T08:15:02.123Z");
  EXPECT_EQ(FormatTime(t, "Asia/Shanghai"), "2025-03-01T16:15:02.123+08:00");
  EXPECT_EQ(FormatTime(t, "America/New_York"), "2025-03-01T03:15:02.123-05:00");
  EXPECT_EQ(FormatTime(1740816902000, "UTC"), "2025-03-01T08:15:02Z");
  EXPECT_EQ(FormatTime(t, "Asia/Shanghai", /*date_only=*/true), "2025-03-01");
  EXPECT_EQ(FormatTime(-1, "UTC"), "1969-12-31T23:59:59.999Z");
  // An unknown zone falls back to UTC instead of failing.
  EXPECT_EQ(FormatTime(t, "Not/AZone"), "2025-03-01T08:15:02.123Z");
}

TEST(FormatTimeTest, DaylightSavingOffsets) {
  // 2025-07-01T12:00:00Z is summer time in New York (-04:00).
  EXPECT_EQ(FormatTime(1751371200000, "America/New_York"), "2025-07-01T08:00:00-04:00");
  EXPECT_TRUE(IsLocalMidnight(1751342400000, "America/New_York"));  // 2025-07-01T04:00Z
  EXPECT_FALSE(IsLocalMidnight(1751342400000, "UTC"));
}

TEST(CsvFieldTest, Rfc4180Quoting) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
  EXPECT_EQ(CsvField(" padded"), "\" padded\"");
}

TEST(JsonStringTest, Escapes) {
  EXPECT_EQ(JsonString("a"), "\"a\"");
  EXPECT_EQ(JsonString("q\"b\\"), "\"q\\\"b\\\\\"");
  EXPECT_EQ(JsonString("l1\nl2\t"), "\"l1\\nl2\\t\"");
  EXPECT_EQ(JsonString(std::string("\x01", 1)), "\"\\u0001\"");
  EXPECT_EQ(JsonString(std::string("nul\0x", 5)), "\"nul\\u0000x\"");
  EXPECT_EQ(JsonString("caf\xC3\xA9"), "\"caf\xC3\xA9\"");  // valid UTF-8 passes through
  EXPECT_EQ(JsonString("bad\xFF"), "\"bad\xEF\xBF\xBD\"");   // invalid byte -> U+FFFD
  EXPECT_EQ(JsonString("\xC3"), "\"\xEF\xBF\xBD\"");          // truncated sequence
  EXPECT_EQ(JsonString("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
}

TEST(FormatCountTest, ThousandsSeparators) {
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(999), "999");
  EXPECT_EQ(FormatCount(1000), "1,000");
  EXPECT_EQ(FormatCount(1234567), "1,234,567");
  EXPECT_EQ(FormatBytes(812), "812 B");
  EXPECT_EQ(FormatBytes(1536), "1.50 KB");
  EXPECT_EQ(FormatBytes(5u << 20), "5.00 MB");
}

Result SampleResult() {
  Result r;
  r.columns = {{"channel", ValueType::kString}, {"tickets", ValueType::kNumber}, {"frt", ValueType::kDuration},
               {"day", ValueType::kTime}};
  const int64_t day = 1740787200000;  // 2025-03-01T00:00:00Z
  r.rows.push_back({Value::String("chat"), Value::Number(1234), Value::Duration(200), Value::Time(day)});
  r.rows.push_back({Value::String("email"), Value::Number(7), Value::Null(), Value::Time(day + 86400000)});
  r.warnings = {"event name 'foo' has never been ingested"};
  r.stats.rows_read = 99;
  return r;
}

TEST(FormatTableTest, AlignsNumbersRightAndTextLeft) {
  std::string table = FormatTable(SampleResult());
  EXPECT_EQ(table,
            "channel | tickets |    frt | day\n"
            "--------+---------+--------+-----------\n"
            "chat    |    1234 | 3m 20s | 2025-03-01\n"
            "email   |       7 |   NULL | 2025-03-02\n"
            "(2 rows)\n");
}

TEST(FormatTableTest, TimesNotAtMidnightKeepTheClock) {
  Result r;
  r.columns = {{"first", ValueType::kTime}};
  r.rows = {{Value::Time(1740816902000)}};
  r.tz = "Asia/Shanghai";
  EXPECT_NE(FormatTable(r).find("2025-03-01T16:15:02+08:00"), std::string::npos);
}

TEST(FormatTableTest, ShortRowsAndControlCharactersDoNotBreakLines) {
  Result r;
  r.columns = {{"a", ValueType::kString}, {"b", ValueType::kNumber}};
  r.rows = {{Value::String("x\ny")}, {}};
  std::string table = FormatTable(r);
  EXPECT_NE(table.find("x\\ny"), std::string::npos);
  EXPECT_NE(table.find("NULL"), std::string::npos);
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 5);  // header, rule, 2 rows, count
}

// A CJK value takes two terminal cells a character: the column is padded
// by cells, not characters (it used to be one cell short per character).
TEST(FormatTableTest, WideCharactersArePaddedByTheirCells) {
  Result r;
  r.columns = {{"team", ValueType::kString}, {"n", ValueType::kNumber}};
  r.rows = {{Value::String("客服"), Value::Number(1)}, {Value::String("support"), Value::Number(2)},
            {Value::String("cafe\xCC\x81"), Value::Number(3)}};
  EXPECT_EQ(FormatTable(r),
            "team    | n\n"
            "--------+--\n"
            "客服    | 1\n"
            "support | 2\n"
            "cafe\xCC\x81    | 3\n"
            "(3 rows)\n");
}

TEST(FormatTableTest, MessageWithoutColumns) {
  Result r;
  r.message = "kpi frt defined";
  EXPECT_EQ(FormatTable(r), "kpi frt defined\n");
}

TEST(FormatCsvTest, SecondsAndRfc3339) {
  EXPECT_EQ(FormatCsv(SampleResult()),
            "channel,tickets,frt,day\n"
            "chat,1234,200,2025-03-01T00:00:00Z\n"
            "email,7,,2025-03-02T00:00:00Z\n");
  Result r;
  r.columns = {{"name, with comma", ValueType::kString}};
  r.rows = {{Value::String("a\"b")}};
  EXPECT_EQ(FormatCsv(r), "\"name, with comma\"\n\"a\"\"b\"\n");
}

TEST(FormatJsonTest, Document) {
  EXPECT_EQ(FormatJson(SampleResult()),
            "{\"columns\":[{\"name\":\"channel\",\"type\":\"string\"},{\"name\":\"tickets\",\"type\":\"number\"},"
            "{\"name\":\"frt\",\"type\":\"duration\"},{\"name\":\"day\",\"type\":\"time\"}],"
            "\"rows\":[[\"chat\",1234,200,\"2025-03-01T00:00:00Z\"],[\"email\",7,null,\"2025-03-02T00:00:00Z\"]],"
            "\"warnings\":[\"event name 'foo' has never been ingested\"],"
            "\"stats\":{\"rows_read\":99,\"partitions_scanned\":0,\"partitions_skipped\":0,\"segments_scanned\":0,"
            "\"segments_skipped\":0,\"elapsed_ms\":0}}\n");
}

TEST(FormatJsonTest, NonFiniteNumbersBecomeNullAndBoolsStayBools) {
  Result r;
  r.columns = {{"x", ValueType::kNumber}, {"b", ValueType::kBool}};
  r.rows = {{Value::Number(std::nan("")), Value::Bool(true)}};
  std::string json = FormatJson(r);
  EXPECT_NE(json.find("\"rows\":[[null,true]]"), std::string::npos);
}

TEST(ParseOutputFormatTest, KnownNamesOnly) {
  OutputFormat f;
  EXPECT_TRUE(ParseOutputFormat("csv", &f));
  EXPECT_EQ(f, OutputFormat::kCsv);
  EXPECT_TRUE(ParseOutputFormat("json", &f));
  EXPECT_EQ(f, OutputFormat::kJson);
  EXPECT_FALSE(ParseOutputFormat("xml", &f));
  EXPECT_FALSE(ParseOutputFormat("", &f));
}

}  // namespace
}  // namespace kpi::cli
