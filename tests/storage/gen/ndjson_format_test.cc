// AppendNdjson: exact output, escaping, numbers and timestamps.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "cli/gen/generator.h"
#include "gen_test_util.h"

namespace kpi::gen {
namespace {

std::string Line(const RawEvent& e) {
  std::string s;
  AppendNdjson(e, &s);
  return s;
}

RawEvent Event(int64_t ts) {
  RawEvent e;
  e.ts_ms = ts;
  e.ticket = "T000123";
  e.event = "created";
  return e;
}

TEST(NdjsonFormatTest, WritesTheDocumentedShape) {
  RawEvent e = Event(1740816902123);  // 2025-03-01T08:15:02.123Z
  e.dims = {{"customer", "C0042"}, {"channel", "chat"}};
  EXPECT_EQ(Line(e),
            "{\"ts\":\"2025-03-01T08:15:02.123Z\",\"ticket\":\"T000123\",\"event\":\"created\","
            "\"customer\":\"C0042\",\"channel\":\"chat\"}\n");
  RawEvent r = Event(1740816947000);
  r.event = "agent_reply";
  r.agent = "a017";
  r.measures = {{"handle_seconds", 212}, {"cost", 3.47}};
  EXPECT_EQ(Line(r),
            "{\"ts\":\"2025-03-01T08:15:47.000Z\",\"ticket\":\"T000123\",\"event\":\"agent_reply\","
            "\"agent\":\"a017\",\"handle_seconds\":212,\"cost\":3.47}\n");
  r.id = "x1";
  EXPECT_NE(Line(r).find(",\"agent\":\"a017\",\"id\":\"x1\","), std::string::npos);
}

TEST(NdjsonFormatTest, Timestamps) {
  EXPECT_EQ(Line(Event(0)).substr(0, 33), "{\"ts\":\"1970-01-01T00:00:00.000Z\",");
  EXPECT_EQ(Line(Event(-1)).substr(0, 33), "{\"ts\":\"1969-12-31T23:59:59.999Z\",");
  EXPECT_EQ(Line(Event(1709251199999)).substr(0, 33), "{\"ts\":\"2024-02-29T23:59:59.999Z\",");
  EXPECT_EQ(Line(Event(7289654399999)).substr(0, 33), "{\"ts\":\"2200-12-31T23:59:59.999Z\",");
  EXPECT_EQ(Line(Event(253402300799999)).substr(0, 33), "{\"ts\":\"9999-12-31T23:59:59.999Z\",");
  // Outside 0000..9999: the integer form, never garbage.
  EXPECT_EQ(Line(Event(253402300800000)).substr(0, 22), "{\"ts\":253402300800000,");
  EXPECT_EQ(Line(Event(INT64_MIN)).substr(0, 27), "{\"ts\":-9223372036854775808,");
  // Round trip through an independent decoder over many instants.
  for (int64_t ts = -86400000LL * 800; ts < 86400000LL * 365 * 300;
       ts += 86400000LL * 17 + 3600007) {
    const std::string line = Line(Event(ts));
    int64_t back = 0;
    ASSERT_TRUE(testing::ParseMillisUtc(line.substr(7, 24), &back)) << line;
    if (ts >= 0) {
      EXPECT_EQ(back, ts) << line;
    }
  }
}

TEST(NdjsonFormatTest, Numbers) {
  RawEvent e = Event(0);
  e.measures = {{"a", 0.0},
                {"b", -0.0},
                {"c", 1e15},
                {"d", 0.1},
                {"e", -2.5},
                {"f", 1e300},
                {"g", std::numeric_limits<double>::quiet_NaN()},
                {"h", std::numeric_limits<double>::infinity()}};
  const std::string line = Line(e);
  EXPECT_NE(line.find("\"a\":0,\"b\":0,\"c\":1000000000000000,\"d\":0.1,\"e\":-2.5,\"f\":1e+300,"
                      "\"g\":null,\"h\":null}"),
            std::string::npos)
      << line;
  EXPECT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded());
}

TEST(NdjsonFormatTest, EscapesHostileStrings) {
  RawEvent e = Event(0);
  e.ticket = std::string("q\"b\\n\n\t\x01\x1f", 9) + std::string(1, '\0') + "\xc3\xa9";
  e.event = "";
  e.agent = "x\"";
  e.dims = {{"k\"ey", "v\r\b\f"}};
  const std::string line = Line(e);
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "no raw newline inside the line";
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << line;
  EXPECT_EQ(j["ticket"].get<std::string>(), e.ticket);
  EXPECT_EQ(j["event"].get<std::string>(), "");
  EXPECT_EQ(j["agent"].get<std::string>(), "x\"");
  EXPECT_EQ(j["k\"ey"].get<std::string>(), "v\r\b\f");
}

TEST(NdjsonFormatTest, AppendsWithoutTouchingExistingText) {
  std::string s = "prefix";
  AppendNdjson(Event(0), &s);
  EXPECT_EQ(s.rfind("prefix{\"ts\":", 0), 0u);
}

}  // namespace
}  // namespace kpi::gen
