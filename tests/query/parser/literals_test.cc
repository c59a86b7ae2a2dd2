// query/parser/x3/literals.h: number/duration/percent reading, timestamp
// validation and number printing that reads back exactly.
#include "query/parser/x3/literals.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace kpi::query::x3p {
namespace {

struct Read {
  bool ok;
  ast::ExprKind kind;
  double value;
  std::string why;
};

Read ReadToken(const std::string& token) {
  Read r{};
  r.ok = ReadNumberToken(token, &r.kind, &r.value, &r.why);
  return r;
}

TEST(ReadNumberToken, PlainNumbers) {
  EXPECT_EQ(ReadToken("12").value, 12);
  EXPECT_EQ(ReadToken("12").kind, ast::ExprKind::kNumber);
  EXPECT_EQ(ReadToken("0.25").value, 0.25);
  EXPECT_EQ(ReadToken("1e3").value, 1000);
  EXPECT_EQ(ReadToken("1E+3").value, 1000);
  EXPECT_EQ(ReadToken("25e-2").value, 0.25);
}

TEST(ReadNumberToken, DurationUnits) {
  const std::pair<const char*, double> cases[] = {{"250ms", 0.25}, {"30s", 30},    {"15m", 900},
                                                  {"2h", 7200},    {"1d", 86400},  {"1w", 604800},
                                                  {"1.5h", 5400},  {"1e1m", 600}};
  for (const auto& [token, seconds] : cases) {
    const Read r = ReadToken(token);
    ASSERT_TRUE(r.ok) << token << ": " << r.why;
    EXPECT_EQ(r.kind, ast::ExprKind::kDuration) << token;
    EXPECT_EQ(r.value, seconds) << token;
  }
}

TEST(ReadNumberToken, Percent) {
  const Read r = ReadToken("85%");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.kind, ast::ExprKind::kPercent);
  EXPECT_EQ(r.value, 0.85);
}

TEST(ReadNumberToken, RejectsJunkWithAReason) {
  for (const char* bad : {"12abc", "1e", "3mins", "5M", "1h%", "x1", "", "1_000"}) {
    const Read r = ReadToken(bad);
    EXPECT_FALSE(r.ok) << bad;
    EXPECT_FALSE(r.why.empty()) << bad;
  }
  EXPECT_NE(ReadToken("1e999").why.find("out of range"), std::string::npos);
  EXPECT_NE(ReadToken("1e308w").why.find("out of range"), std::string::npos);
}

TEST(ValidateTimeToken, AcceptsDatesAndRfc3339) {
  for (const char* ok : {"2025-01-01", "2024-02-29", "2025-12-31T23:59:59Z", "2025-06-09T23:59:59.999Z",
                         "2025-11-02T01:00:00-04:00", "2025-01-01t00:00:00z", "2025-01-01 08:00:00+05:30",
                         "2025-01-01T08:00:00", "2025-01-01T08:00:00.123456789"}) {
    std::string why;
    EXPECT_TRUE(ValidateTimeToken(ok, &why)) << ok << ": " << why;
  }
}

TEST(ValidateTimeToken, RejectsBadCalendarAndShape) {
  for (const char* bad : {"2025-13-01", "2025-00-10", "2025-02-29", "2025-04-31", "2025-01-00", "2025-1-01",
                          "2025-01-01T24:00:00Z", "2025-01-01T10:60:00Z", "2025-01-01T10:00:60Z",
                          "2025-01-01T10:00Z", "2025-01-01T10:00:00.Z", "2025-01-01T10:00:00+5:00",
                          "2025-01-01T10:00:00+05:00x", "2025-01-01x", "2025-01-01T10:00:00.1234567890Z"}) {
    std::string why;
    EXPECT_FALSE(ValidateTimeToken(bad, &why)) << bad;
    EXPECT_NE(why.find(bad), std::string::npos) << why;
  }
}

TEST(FormatNumberLiteral, ReadsBackExactly) {
  const double values[] = {0, 1, 0.1, 0.25, 1.0 / 3, 900, 5400, 604800, 1e21, 1e-7, 123456.789, 0.001, 0.003};
  for (ast::ExprKind kind : {ast::ExprKind::kNumber, ast::ExprKind::kDuration}) {
    for (double v : values) {
      const std::string text = FormatNumberLiteral(kind, v);
      const Read r = ReadToken(text);
      ASSERT_TRUE(r.ok) << text << ": " << r.why;
      EXPECT_EQ(r.kind, kind) << text;
      EXPECT_EQ(r.value, v) << text;
    }
  }
  EXPECT_EQ(FormatNumberLiteral(ast::ExprKind::kDuration, 5400), "90m");
  EXPECT_EQ(FormatNumberLiteral(ast::ExprKind::kNumber, 0.5), "0.5");
}

// A percentage is stored as written / 100; every value read that way prints
// back to a text that reads to the same value (not every double is some
// p / 100, so only read values are promised).
TEST(FormatNumberLiteral, PercentagesReadBackExactly) {
  for (const char* written : {"85%", "0%", "100%", "12.5%", "33.3%", "0.1%", "7%", "99.99%", "1e21%", "3.14159%",
                              "1e-5%", "57%", "29%", "0.07%"}) {
    const Read first = ReadToken(written);
    ASSERT_TRUE(first.ok) << written;
    const std::string text = FormatNumberLiteral(ast::ExprKind::kPercent, first.value);
    const Read again = ReadToken(text);
    ASSERT_TRUE(again.ok) << text;
    EXPECT_EQ(again.kind, ast::ExprKind::kPercent);
    EXPECT_EQ(again.value, first.value) << written << " -> " << text;
  }
  EXPECT_EQ(FormatNumberLiteral(ast::ExprKind::kPercent, 0.85), "85%");
}

TEST(ShortestDouble, NonFiniteValuesHaveNames) {
  EXPECT_EQ(ShortestDouble(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(ShortestDouble(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(ShortestDouble(std::nan("")), "nan");
}

TEST(QuoteString, EscapesWhatTheGrammarUnescapes) {
  EXPECT_EQ(QuoteString("a\"b\\c\nd\te'"), "\"a\\\"b\\\\c\\nd\\te'\"");
}

}  // namespace
}  // namespace kpi::query::x3p
