// Canonical result text, result hash and provenance JSON
// (query/evaluation/provenance.h) and the JSON value rendering they rest on
// (query/value_json.h). Known-answer hashes were computed independently with
// Python's xxhash package (xxhash.xxh3_128_hexdigest) over the literal texts
// below.
#include <gtest/gtest.h>
#include <xxhash.h>

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>

#include "query/evaluation/provenance.h"
#include "query/value_json.h"

namespace kpi::query {
namespace {

// Every value type, escapes, invalid UTF-8, ragged rows, non-finite numbers.
Result AllTypes() {
  Result r;
  r.tz = "Asia/Shanghai";
  for (const char* name : {"channel", "tickets", "aht", "first", "ok", "note"}) r.columns.push_back({name, ValueType::kNull});
  r.rows.push_back({Value::String("chat"), Value::Number(120), Value::Duration(45.5), Value::Time(1740816902123),
                    Value::Bool(true), Value::Null()});
  r.rows.push_back({Value::String("e\xC3\xA9\"\\\n\x01\x7F"), Value::Number(0.1), Value::Duration(1e20), Value::Time(-1),
                    Value::Bool(false), Value::String("bad\xFF")});
  r.rows.push_back({Value::String("x")});  // short row: the rest is null
  r.rows.push_back({Value::String("big"), Value::Number(123456789012345), Value::Duration(1e15),
                    Value::Number(std::nan("")), Value::Null(), Value::String("1e-04"), Value::String("extra")});
  // Not part of the canonical text.
  r.warnings.push_back("a warning");
  r.message = "a message";
  r.stats.rows_read = 99;
  return r;
}

constexpr const char* kAllTypesText =
    "[\"channel\",\"tickets\",\"aht\",\"first\",\"ok\",\"note\"]\n"
    "[\"chat\",120,45.5,\"2025-03-01T16:15:02.123+08:00\",true,null]\n"
    "[\"e\xC3\xA9\\\"\\\\\\n\\u0001\\u007f\",0.1,1e+20,\"1970-01-01T07:59:59.999+08:00\",false,\"bad\xEF\xBF\xBD\"]\n"
    "[\"x\",null,null,null,null,null]\n"
    "[\"big\",123456789012345,1e+15,null,null,\"1e-04\"]";

TEST(CanonicalResultText, EveryValueTypeInTheJsonRendering) {
  EXPECT_EQ(CanonicalResultText(AllTypes()), kAllTypesText);
  std::vector<std::string> lines = CanonicalLines(AllTypes());
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[3], "[\"x\",null,null,null,null,null]");
}

TEST(CanonicalResultText, KnownAnswerHash) {
  Result r = AllTypes();
  StampResultHash(&r);
  EXPECT_EQ(r.provenance.result_hash, "f0790137f4ace3eed9b977c1c0260887");  // python: xxh3_128_hexdigest
  EXPECT_EQ(Xxh3Hex128(kAllTypesText), r.provenance.result_hash);
}

TEST(CanonicalResultText, EmptyResults) {
  Result no_rows;
  no_rows.columns = {{"a", ValueType::kNumber}, {"b", ValueType::kString}};
  EXPECT_EQ(CanonicalResultText(no_rows), "[\"a\",\"b\"]");
  StampResultHash(&no_rows);
  EXPECT_EQ(no_rows.provenance.result_hash, "e9001d79b6cdf901d60bc1f2579ab402");
  Result nothing;
  EXPECT_EQ(CanonicalResultText(nothing), "[]");
  StampResultHash(&nothing);
  EXPECT_EQ(nothing.provenance.result_hash, "39347ff402b6c53d831154110e30ac6a");
}

TEST(CanonicalResultText, ZoneAndTypesMatter) {
  Result a = AllTypes(), b = AllTypes();
  b.tz = "UTC";  // times render with another offset: another text, another hash
  EXPECT_NE(CanonicalResultText(a), CanonicalResultText(b));
  Result c = AllTypes();
  c.columns[1].type = ValueType::kNumber;  // declared types are not part of it
  c.warnings.clear();
  EXPECT_EQ(CanonicalResultText(a), CanonicalResultText(c));
  Result d = AllTypes();
  d.rows[0][1] = Value::Number(121);
  StampResultHash(&a);
  StampResultHash(&d);
  EXPECT_NE(a.provenance.result_hash, d.provenance.result_hash);
}

TEST(Xxh3Hex128, HighHalfFirstLowerCaseHex) {
  EXPECT_EQ(Xxh3Hex128("abc"), "06b05ab6733a618578af5f94892f3950");  // python: xxh3_128_hexdigest(b"abc")
  EXPECT_EQ(Xxh3Hex128(""), "99aa06d3014798d86001c324468d497f");
  // The same as printing high64 then low64 of XXH3_128bits.
  const std::string text = "[\"n\"]\n[1]";
  XXH128_hash_t h = XXH3_128bits(text.data(), text.size());
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016" PRIx64 "%016" PRIx64, static_cast<uint64_t>(h.high64),
                static_cast<uint64_t>(h.low64));
  EXPECT_EQ(Xxh3Hex128(text), buf);
}

TEST(ProvenanceJson, Shape) {
  Provenance p;
  p.present = true;
  p.as_of_ms = 1748736000000;  // 2025-06-01T00:00:00Z
  p.definitions = {{"kpi", "frt", 1748649600123}, {"table", "tiers \"x\"", 0}};
  p.statement = "select frt from tickets\nby channel";
  p.result_hash = "06b05ab6733a618578af5f94892f3950";
  std::string out;
  AppendProvenanceJson(&out, p);
  EXPECT_EQ(out,
            "{\"as_of\":\"2025-06-01T00:00:00Z\",\"as_of_ms\":1748736000000,\"definitions\":["
            "{\"kind\":\"kpi\",\"name\":\"frt\",\"version\":\"2025-05-31T00:00:00.123Z\",\"version_ms\":1748649600123},"
            "{\"kind\":\"table\",\"name\":\"tiers \\\"x\\\"\",\"version\":\"1970-01-01T00:00:00Z\",\"version_ms\":0}],"
            "\"statement\":\"select frt from tickets\\nby channel\","
            "\"result_hash\":\"06b05ab6733a618578af5f94892f3950\"}");
}

TEST(ValueJson, Numbers) {
  auto text = [](double d) {
    std::string s;
    AppendJsonNumber(&s, d);
    return s;
  };
  EXPECT_EQ(text(-0.0), "0");
  EXPECT_EQ(text(1000000), "1000000");
  EXPECT_EQ(text(-2500000), "-2500000");
  EXPECT_EQ(text(0.0001), "1e-04");
  EXPECT_EQ(text(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(text(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(ExactNumberText(42), "42");
}

TEST(ValueJson, TimesNameUtcWithZAndOtherZonesWithTheirOffset) {
  EXPECT_EQ(Rfc3339InZone(1740816902000, "UTC"), "2025-03-01T08:15:02Z");
  EXPECT_EQ(Rfc3339InZone(1740816902000, ""), "2025-03-01T08:15:02Z");
  EXPECT_EQ(Rfc3339InZone(1740816902000, "No/Such_Zone"), "2025-03-01T08:15:02Z");
  EXPECT_EQ(Rfc3339InZone(1740816902000, "Europe/London"), "2025-03-01T08:15:02+00:00");  // offset zero, not UTC
  EXPECT_EQ(Rfc3339InZone(1751371200000, "America/New_York"), "2025-07-01T08:00:00-04:00");
  EXPECT_EQ(Rfc3339InZone(-1, "UTC"), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace kpi::query
