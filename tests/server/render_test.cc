// Result rendering (JSON, CSV) and JSON text helpers.
#include "server/result_render.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "server/json_text.h"

namespace kpi::server {
namespace {

using query::Result;
using query::Value;
using query::ValueType;

TEST(JsonTextTest, EscapesAndRepairsText) {
  EXPECT_EQ(JsonString("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(JsonString("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
  EXPECT_EQ(JsonString("bad\xFF"), "\"bad\xEF\xBF\xBD\"");
  EXPECT_EQ(JsonString("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // overlong '/'
  EXPECT_EQ(JsonString("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
  for (int b = 0; b < 256; ++b) {
    std::string s(1, static_cast<char>(b));
    EXPECT_FALSE(nlohmann::json::parse(JsonString(s), nullptr, false).is_discarded()) << b;
  }
}

TEST(JsonTextTest, Numbers) {
  std::string out;
  AppendJsonNumber(&out, 1234);
  out += ' ';
  AppendJsonNumber(&out, 0.1);
  out += ' ';
  AppendJsonNumber(&out, std::nan(""));
  out += ' ';
  AppendJsonNumber(&out, -INFINITY);
  out += ' ';
  AppendJsonNumber(&out, -0.0);
  out += ' ';
  AppendJsonNumber(&out, 1000000);  // shortest form would be 1e+06
  out += ' ';
  AppendJsonNumber(&out, -2500000);
  out += ' ';
  AppendJsonNumber(&out, 1e20);
  out += ' ';
  AppendJsonNumber(&out, 0.000001);
  EXPECT_EQ(out, "1234 0.1 null null 0 1000000 -2500000 1e+20 1e-06");
}

Result SampleResult() {
  Result r;
  r.columns = {{"week", ValueType::kTime},
               {"channel", ValueType::kString},
               {"frt", ValueType::kDuration},
               {"rate", ValueType::kNumber},
               {"ok", ValueType::kBool}};
  // 2025-03-03T00:00:00+08:00 = 2025-03-02T16:00:00Z
  r.rows.push_back({Value::Time(1740931200000), Value::String("chat, \"web\""), Value::Duration(12.5),
                    Value::Number(0.25), Value::Bool(true)});
  r.rows.push_back({Value::Time(1740931200123), Value::Null()});  // ragged
  r.warnings = {"event name 'foo' has never been ingested"};
  r.stats.rows_read = 42;
  r.stats.partitions_scanned = 3;
  r.stats.partitions_skipped = 7;
  r.stats.elapsed_ms = 1.5;
  r.tz = "Asia/Shanghai";
  return r;
}

TEST(RenderTest, JsonShape) {
  nlohmann::json doc = nlohmann::json::parse(RenderResultJson(SampleResult()));
  ASSERT_EQ(doc["columns"].size(), 5u);
  EXPECT_EQ(doc["columns"][0]["name"], "week");
  EXPECT_EQ(doc["columns"][0]["type"], "time");
  EXPECT_EQ(doc["columns"][2]["type"], "duration");
  EXPECT_EQ(doc["rows"][0][0], "2025-03-03T00:00:00+08:00");
  EXPECT_EQ(doc["rows"][0][1], "chat, \"web\"");
  EXPECT_EQ(doc["rows"][0][2], 12.5);
  EXPECT_EQ(doc["rows"][0][3], 0.25);
  EXPECT_EQ(doc["rows"][0][4], true);
  EXPECT_EQ(doc["rows"][1][0], "2025-03-03T00:00:00.123+08:00");
  ASSERT_EQ(doc["rows"][1].size(), 5u);  // missing cells become null
  EXPECT_TRUE(doc["rows"][1][4].is_null());
  EXPECT_EQ(doc["warnings"][0], "event name 'foo' has never been ingested");
  EXPECT_EQ(doc["stats"]["rows_read"], 42);
  EXPECT_EQ(doc["stats"]["partitions_scanned"], 3);
  EXPECT_EQ(doc["stats"]["partitions_skipped"], 7);
  EXPECT_EQ(doc["stats"]["elapsed_ms"], 1.5);
}

TEST(RenderTest, UtcAndUnknownZones) {
  EXPECT_EQ(FormatTimeInZone(1740931200000, "UTC"), "2025-03-02T16:00:00Z");
  EXPECT_EQ(FormatTimeInZone(1740931200000, "No/Such_Zone"), "2025-03-02T16:00:00Z");
  EXPECT_EQ(FormatTimeInZone(-1, "UTC"), "1969-12-31T23:59:59.999Z");
}

TEST(RenderTest, Csv) {
  std::string csv = RenderResultCsv(SampleResult());
  EXPECT_EQ(csv,
            "week,channel,frt,rate,ok\n"
            "2025-03-03T00:00:00+08:00,\"chat, \"\"web\"\"\",12.5,0.25,true\n"
            "2025-03-03T00:00:00.123+08:00,,,,\n");
}

TEST(RenderTest, RowsAsObjects) {
  Result r;
  r.columns = {{"name", ValueType::kString}, {"expression", ValueType::kString}};
  r.rows.push_back({Value::String("frt"), Value::String("p50(duration(created -> agent_reply))")});
  nlohmann::json doc = nlohmann::json::parse(RenderRowsAsObjects(r));
  ASSERT_TRUE(doc.is_array());
  EXPECT_EQ(doc[0]["name"], "frt");
  EXPECT_EQ(doc[0]["expression"], "p50(duration(created -> agent_reply))");
}

}  // namespace
}  // namespace kpi::server
