// RFC 3339 parsing and printing (storage/timestamp.h): offsets converted to
// UTC, fractions of 1 to 9 digits, the 1970..2200 range, and strict
// rejection of impossible dates and times.
#include "storage/timestamp.h"

#include <gtest/gtest.h>

#include <string>

namespace kpi {
namespace {

int64_t MustParse(std::string_view text, bool assume_utc = false) {
  int64_t ms = -1;
  std::string error;
  EXPECT_TRUE(ParseRfc3339(text, &ms, &error, assume_utc)) << text << ": " << error;
  return ms;
}

std::string MustFail(std::string_view text, bool assume_utc = false) {
  int64_t ms = 12345;
  std::string error;
  EXPECT_FALSE(ParseRfc3339(text, &ms, &error, assume_utc)) << text << " was accepted as " << ms;
  EXPECT_EQ(ms, 12345) << "output written on failure for " << text;
  EXPECT_FALSE(error.empty()) << text;
  return error;
}

// 2025-03-01T08:15:02.123Z
constexpr int64_t kExample = 1740816902123LL;

TEST(TimestampTest, CivilDayArithmetic) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(2201, 1, 1), 84371);
  for (int64_t d : {-800000LL, -1LL, 0LL, 59LL, 11016LL, 20148LL, 84370LL, 3000000LL}) {
    int y;
    unsigned m, day;
    CivilFromDays(d, &y, &m, &day);
    EXPECT_EQ(DaysFromCivil(y, m, day), d);
  }
  int y;
  unsigned m, d;
  CivilFromDays(20148, &y, &m, &d);
  EXPECT_EQ(y, 2025);
  EXPECT_EQ(m, 3u);
  EXPECT_EQ(d, 1u);
}

TEST(TimestampTest, ParsesUtcWithMilliseconds) {
  EXPECT_EQ(MustParse("2025-03-01T08:15:02.123Z"), kExample);
  EXPECT_EQ(MustParse("2025-03-01t08:15:02.123z"), kExample);
  EXPECT_EQ(MustParse("2025-03-01 08:15:02.123Z"), kExample);
  EXPECT_EQ(MustParse("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(MustParse("2200-12-31T23:59:59.999Z"), 84371LL * 86400000 - 1);
}

TEST(TimestampTest, OffsetsAreConvertedToUtc) {
  EXPECT_EQ(MustParse("2025-03-01T16:15:02.123+08:00"), kExample);
  EXPECT_EQ(MustParse("2025-03-01T02:45:02.123-05:30"), kExample);
  EXPECT_EQ(MustParse("2025-03-01T08:15:02.123+00:00"), kExample);
  EXPECT_EQ(MustParse("2025-03-01T08:15:02.123-00:00"), kExample);
  // Across midnight and a month end (CEST summer time of the bpi2013 log).
  EXPECT_EQ(MustParse("2012-05-01T01:30:00+02:00"), MustParse("2012-04-30T23:30:00Z"));
  EXPECT_EQ(MustParse("2024-12-31T20:00:00-05:00"), MustParse("2025-01-01T01:00:00Z"));
  EXPECT_EQ(MustParse("2025-03-01T00:00:00+23:59"), MustParse("2025-02-28T00:01:00Z"));
}

TEST(TimestampTest, FractionsOfOneToNineDigits) {
  const int64_t base = MustParse("2025-03-01T08:15:02Z");
  EXPECT_EQ(MustParse("2025-03-01T08:15:02.1Z"), base + 100);
  EXPECT_EQ(MustParse("2025-03-01T08:15:02.12Z"), base + 120);
  EXPECT_EQ(MustParse("2025-03-01T08:15:02.123Z"), base + 123);
  EXPECT_EQ(MustParse("2025-03-01T08:15:02.1239Z"), base + 123);  // truncated, not rounded
  EXPECT_EQ(MustParse("2025-03-01T08:15:02.12399Z"), base + 123);
  EXPECT_EQ(MustParse("2025-03-01T08:15:02.999999Z"), base + 999);
  EXPECT_EQ(MustParse("2025-03-01T08:15:02.0000001Z"), base);
  EXPECT_EQ(MustParse("2025-03-01T08:15:02.00500000Z"), base + 5);
  EXPECT_EQ(MustParse("2025-03-01T08:15:02.123456789Z"), base + 123);
  EXPECT_EQ(MustParse("2025-03-01T08:15:02.5+01:00"), base + 500 - 3600000);
}

TEST(TimestampTest, ZoneLessStampsNeedAssumeUtc) {
  EXPECT_EQ(MustParse("2025-03-01T08:15:02.123", /*assume_utc=*/true), kExample);
  EXPECT_EQ(MustParse("2025-03-01 08:15:02.123", /*assume_utc=*/true), kExample);
  EXPECT_NE(MustFail("2025-03-01T08:15:02.123").find("missing zone offset"), std::string::npos);
}

TEST(TimestampTest, LeapDays) {
  EXPECT_EQ(MustParse("2024-02-29T12:00:00Z"), MustParse("2024-03-01T12:00:00Z") - 86400000);
  EXPECT_EQ(MustParse("2000-02-29T00:00:00Z"), 951782400000LL);
  EXPECT_NE(MustFail("2025-02-29T00:00:00Z").find("day 29 out of range for 2025-02"), std::string::npos);
  EXPECT_NE(MustFail("2100-02-29T00:00:00Z").find("day 29"), std::string::npos);
}

TEST(TimestampTest, RejectsImpossibleDatesAndTimes) {
  EXPECT_NE(MustFail("2025-02-30T00:00:00Z").find("day 30 out of range for 2025-02"), std::string::npos);
  EXPECT_NE(MustFail("2025-04-31T00:00:00Z").find("day 31"), std::string::npos);
  EXPECT_NE(MustFail("2025-01-00T00:00:00Z").find("day 00"), std::string::npos);
  EXPECT_NE(MustFail("2025-13-01T00:00:00Z").find("month 13"), std::string::npos);
  EXPECT_NE(MustFail("2025-00-01T00:00:00Z").find("month 00"), std::string::npos);
  EXPECT_NE(MustFail("2025-03-01T24:00:00Z").find("hour 24"), std::string::npos);
  EXPECT_NE(MustFail("2025-03-01T08:60:00Z").find("minute 60"), std::string::npos);
  EXPECT_NE(MustFail("2025-03-01T08:15:61Z").find("second 61"), std::string::npos);
  EXPECT_NE(MustFail("2016-12-31T23:59:60Z").find("leap second"), std::string::npos);
}

TEST(TimestampTest, RejectsYearsOutsideTheRange) {
  EXPECT_EQ(MustFail("20250-03-01T08:15:02Z"), "year 20250 outside 1970..2200");
  EXPECT_EQ(MustFail("1969-12-31T23:59:59Z"), "year 1969 outside 1970..2200");
  EXPECT_EQ(MustFail("2201-01-01T00:00:00Z"), "year 2201 outside 1970..2200");
  EXPECT_EQ(MustFail("0000-01-01T00:00:00Z"), "year 0 outside 1970..2200");
  // In range locally, out of range in UTC.
  EXPECT_NE(MustFail("1970-01-01T00:30:00+01:00").find("outside 1970..2200 in UTC"), std::string::npos);
  EXPECT_NE(MustFail("2200-12-31T23:00:00-02:00").find("outside 1970..2200 in UTC"), std::string::npos);
}

TEST(TimestampTest, RejectsBadOffsets) {
  EXPECT_NE(MustFail("2025-03-01T08:15:02+25:00").find("zone offset +25:00 out of range"), std::string::npos);
  EXPECT_NE(MustFail("2025-03-01T08:15:02+08:60").find("out of range"), std::string::npos);
  EXPECT_NE(MustFail("2025-03-01T08:15:02+0800").find("malformed zone offset"), std::string::npos);
  EXPECT_NE(MustFail("2025-03-01T08:15:02+8:00").find("malformed zone offset"), std::string::npos);
  EXPECT_NE(MustFail("2025-03-01T08:15:02+08").find("malformed zone offset"), std::string::npos);
  MustFail("2025-03-01T08:15:02 +08:00");
  MustFail("2025-03-01T08:15:02UTC");
}

TEST(TimestampTest, RejectsMalformedText) {
  for (std::string_view bad :
       {"", "2025", "2025-03-01", "2025-03-01T", "2025-03-01T08:15Z", "2025-3-01T08:15:02Z", "2025/03/01T08:15:02Z",
        "2025-03-01X08:15:02Z", "2025-03-01T08:15:02.Z", "2025-03-01T08:15:02,123Z", " 2025-03-01T08:15:02Z",
        "+2025-03-01T08:15:02Z", "2025-03-01T08:15:02ZZ", "2025-03-01T08:15:02Z ", "2025-03-01T08:15:02+08:00x",
        "2025-03-01T0a:15:02Z", "abcd-ef-ghTij:kl:mnZ", "2025-03-01T08:15:02.123\n"}) {
    MustFail(bad, /*assume_utc=*/true);
  }
  EXPECT_NE(MustFail("2025-03-01T08:15:02Z!").find("trailing characters"), std::string::npos);
  EXPECT_NE(MustFail("2025-03-01").find("date without time"), std::string::npos);
  EXPECT_EQ(MustFail(""), "empty timestamp");
  // A hostile long value is abbreviated in the reason.
  const std::string long_junk(10000, 'x');
  EXPECT_LT(MustFail(long_junk).size(), 200u);
  // Embedded NUL.
  MustFail(std::string_view("2025-03-01T08:15:02\0Z", 21));
}

TEST(TimestampTest, ParseDate) {
  int64_t days = 0;
  std::string error;
  ASSERT_TRUE(ParseDate("2025-03-01", &days, &error)) << error;
  EXPECT_EQ(days, 20148);
  EXPECT_FALSE(ParseDate("2025-02-30", &days, &error));
  EXPECT_NE(error.find("day 30"), std::string::npos);
  EXPECT_FALSE(ParseDate("2025-03-01T00:00:00Z", &days, &error));
  EXPECT_FALSE(ParseDate("20250-03-01", &days, &error));
  EXPECT_EQ(error, "year 20250 outside 1970..2200");
}

TEST(TimestampTest, EpochMillisRange) {
  EXPECT_TRUE(ValidEpochMillis(0));
  EXPECT_TRUE(ValidEpochMillis(kExample));
  EXPECT_TRUE(ValidEpochMillis(84371LL * 86400000 - 1));
  EXPECT_FALSE(ValidEpochMillis(84371LL * 86400000));
  EXPECT_FALSE(ValidEpochMillis(-1));
  EXPECT_FALSE(ValidEpochMillis(INT64_MIN));
  EXPECT_FALSE(ValidEpochMillis(INT64_MAX));
}

TEST(TimestampTest, FormatRoundTrips) {
  EXPECT_EQ(FormatRfc3339(kExample), "2025-03-01T08:15:02.123Z");
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(84371LL * 86400000 - 1), "2200-12-31T23:59:59.999Z");
  for (int64_t ms = 0; ms < 84371LL * 86400000; ms += 86400000LL * 37 + 3600000 * 5 + 61001) {
    EXPECT_EQ(MustParse(FormatRfc3339(ms)), ms);
  }
  // Extremes print without crashing.
  EXPECT_FALSE(FormatRfc3339(INT64_MIN).empty());
  EXPECT_FALSE(FormatRfc3339(INT64_MAX).empty());
}

}  // namespace
}  // namespace kpi
