// Calendar buckets in time zones (DST days in Berlin and New York, ISO weeks
// across a year end, quarters, half-hour zones) and query instants.
#include "query/time_buckets.h"

#include <random>
#include <string>

#include <cctz/civil_time.h>
#include <gtest/gtest.h>

namespace kpi::query {
namespace {

int64_t Utc(const std::string& text) {
  int64_t ms = 0;
  std::string why;
  EXPECT_TRUE(ParseQueryInstant(text, cctz::utc_time_zone(), &ms, &why)) << text << ": " << why;
  return ms;
}

cctz::time_zone Zone(const std::string& name) {
  cctz::time_zone tz;
  EXPECT_TRUE(LoadQueryZone(name, &tz)) << name;
  return tz;
}

int64_t Bucket(const std::string& zone, BucketUnit unit, const std::string& instant) {
  TimeBucketer b(Zone(zone), unit);
  return b.Start(Utc(instant));
}

TEST(TimeBuckets, BerlinSpringForwardDayIs23Hours) {
  // 2025-03-30: 02:00 CET -> 03:00 CEST at 01:00 UTC.
  EXPECT_EQ(Bucket("Europe/Berlin", BucketUnit::kDay, "2025-03-29T22:59:59Z"), Utc("2025-03-28T23:00:00Z"));
  EXPECT_EQ(Bucket("Europe/Berlin", BucketUnit::kDay, "2025-03-29T23:00:00Z"), Utc("2025-03-29T23:00:00Z"));
  EXPECT_EQ(Bucket("Europe/Berlin", BucketUnit::kDay, "2025-03-30T21:59:59Z"), Utc("2025-03-29T23:00:00Z"));
  EXPECT_EQ(Bucket("Europe/Berlin", BucketUnit::kDay, "2025-03-30T22:00:00Z"), Utc("2025-03-30T22:00:00Z"));
  // Hours of the short day: 01:00 CET is followed by 03:00 CEST.
  EXPECT_EQ(Bucket("Europe/Berlin", BucketUnit::kHour, "2025-03-30T00:30:00Z"), Utc("2025-03-30T00:00:00Z"));
  EXPECT_EQ(Bucket("Europe/Berlin", BucketUnit::kHour, "2025-03-30T01:30:00Z"), Utc("2025-03-30T01:00:00Z"));
}

TEST(TimeBuckets, BerlinFallBackDayIs25HoursWithTwoHoursNamedTwo) {
  // 2025-10-26: 03:00 CEST -> 02:00 CET at 01:00 UTC.
  EXPECT_EQ(Bucket("Europe/Berlin", BucketUnit::kDay, "2025-10-26T23:59:00Z"), Utc("2025-10-26T23:00:00Z"));
  EXPECT_EQ(Bucket("Europe/Berlin", BucketUnit::kDay, "2025-10-26T22:59:00Z"), Utc("2025-10-25T22:00:00Z"));
  // 02:30 local happens twice: two different hour buckets.
  EXPECT_EQ(Bucket("Europe/Berlin", BucketUnit::kHour, "2025-10-26T00:30:00Z"), Utc("2025-10-26T00:00:00Z"));
  EXPECT_EQ(Bucket("Europe/Berlin", BucketUnit::kHour, "2025-10-26T01:30:00Z"), Utc("2025-10-26T01:00:00Z"));
}

TEST(TimeBuckets, NewYorkDstDays) {
  // 2025-03-09: 02:00 EST -> 03:00 EDT (07:00 UTC); 2025-11-02: 02:00 EDT -> 01:00 EST (06:00 UTC).
  EXPECT_EQ(Bucket("America/New_York", BucketUnit::kDay, "2025-03-09T12:00:00Z"), Utc("2025-03-09T05:00:00Z"));
  EXPECT_EQ(Bucket("America/New_York", BucketUnit::kDay, "2025-03-10T03:59:59Z"), Utc("2025-03-09T05:00:00Z"));
  EXPECT_EQ(Bucket("America/New_York", BucketUnit::kDay, "2025-03-10T04:00:00Z"), Utc("2025-03-10T04:00:00Z"));
  EXPECT_EQ(Bucket("America/New_York", BucketUnit::kDay, "2025-11-03T04:59:59Z"), Utc("2025-11-02T04:00:00Z"));
  EXPECT_EQ(Bucket("America/New_York", BucketUnit::kDay, "2025-11-03T05:00:00Z"), Utc("2025-11-03T05:00:00Z"));
  // The week holding the fall-back Sunday started on Monday 10-27 (EDT).
  EXPECT_EQ(Bucket("America/New_York", BucketUnit::kWeek, "2025-11-02T12:00:00Z"), Utc("2025-10-27T04:00:00Z"));
  // March in New York starts in EST.
  EXPECT_EQ(Bucket("America/New_York", BucketUnit::kMonth, "2025-03-31T12:00:00Z"), Utc("2025-03-01T05:00:00Z"));
}

TEST(TimeBuckets, IsoWeeksAcrossYearEnd) {
  EXPECT_EQ(Bucket("UTC", BucketUnit::kWeek, "2024-12-29T12:00:00Z"), Utc("2024-12-23T00:00:00Z"));  // Sunday
  EXPECT_EQ(Bucket("UTC", BucketUnit::kWeek, "2024-12-30T00:00:00Z"), Utc("2024-12-30T00:00:00Z"));  // Monday
  EXPECT_EQ(Bucket("UTC", BucketUnit::kWeek, "2025-01-05T23:59:59Z"), Utc("2024-12-30T00:00:00Z"));
  EXPECT_EQ(Bucket("UTC", BucketUnit::kWeek, "2026-01-01T00:00:00Z"), Utc("2025-12-29T00:00:00Z"));
  EXPECT_EQ(Bucket("UTC", BucketUnit::kWeek, "1970-01-01T00:00:00Z"), Utc("1969-12-29T00:00:00Z"));
  // In Tokyo 2025-01-05T23:59:59Z is Monday 08:59: the next week.
  EXPECT_EQ(Bucket("Asia/Tokyo", BucketUnit::kWeek, "2025-01-05T23:59:59Z"), Utc("2025-01-05T15:00:00Z"));
}

TEST(TimeBuckets, MonthQuarterYear) {
  EXPECT_EQ(Bucket("UTC", BucketUnit::kQuarter, "2025-05-15T10:00:00Z"), Utc("2025-04-01T00:00:00Z"));
  EXPECT_EQ(Bucket("UTC", BucketUnit::kQuarter, "2025-12-31T23:59:59.999Z"), Utc("2025-10-01T00:00:00Z"));
  EXPECT_EQ(Bucket("UTC", BucketUnit::kQuarter, "2025-03-31T23:59:59Z"), Utc("2025-01-01T00:00:00Z"));
  // 03-31 22:30Z is April 1 in Berlin (CEST): second quarter, starting at local midnight.
  EXPECT_EQ(Bucket("Europe/Berlin", BucketUnit::kQuarter, "2025-03-31T22:30:00Z"), Utc("2025-03-31T22:00:00Z"));
  EXPECT_EQ(Bucket("Europe/Berlin", BucketUnit::kMonth, "2025-03-31T22:30:00Z"), Utc("2025-03-31T22:00:00Z"));
  EXPECT_EQ(Bucket("Asia/Tokyo", BucketUnit::kYear, "2024-12-31T15:00:00Z"), Utc("2024-12-31T15:00:00Z"));
  EXPECT_EQ(Bucket("Asia/Tokyo", BucketUnit::kYear, "2024-12-31T14:59:59Z"), Utc("2023-12-31T15:00:00Z"));
  EXPECT_EQ(Bucket("UTC", BucketUnit::kMonth, "2024-02-29T12:00:00Z"), Utc("2024-02-01T00:00:00Z"));
}

TEST(TimeBuckets, HalfHourZoneHours) {
  // Kolkata is +05:30: 00:00Z is 05:30 local, its hour starts 05:00 local = 23:30Z.
  EXPECT_EQ(Bucket("Asia/Kolkata", BucketUnit::kHour, "2025-01-01T00:00:00Z"), Utc("2024-12-31T23:30:00Z"));
  EXPECT_EQ(Bucket("Asia/Kolkata", BucketUnit::kDay, "2025-01-01T00:00:00Z"), Utc("2024-12-31T18:30:00Z"));
}

// The memoized bucketer agrees with a direct cctz computation everywhere,
// in zones with DST, odd offsets and historical changes.
int64_t NaiveStart(const cctz::time_zone& tz, BucketUnit unit, int64_t ms) {
  const int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  const auto tp = cctz::time_point<cctz::seconds>(cctz::seconds(s));
  const cctz::civil_second cs = cctz::convert(tp, tz);
  if (unit == BucketUnit::kHour) return (s - (cs.minute() * 60 + cs.second())) * 1000;
  cctz::civil_day day(cs);
  switch (unit) {
    case BucketUnit::kWeek:
      day -= (static_cast<int>(cctz::get_weekday(day)) - static_cast<int>(cctz::weekday::monday) + 7) % 7;
      break;
    case BucketUnit::kMonth:
      day = cctz::civil_day(cctz::civil_month(cs));
      break;
    case BucketUnit::kQuarter:
      day = cctz::civil_day(cs.year(), ((cs.month() - 1) / 3) * 3 + 1, 1);
      break;
    case BucketUnit::kYear:
      day = cctz::civil_day(cctz::civil_year(cs));
      break;
    default:
      break;
  }
  const auto cl = tz.lookup(cctz::civil_second(day));
  int64_t start;
  if (cl.kind == cctz::time_zone::civil_lookup::SKIPPED) {
    start = cl.trans.time_since_epoch().count();
  } else if (cl.kind == cctz::time_zone::civil_lookup::REPEATED) {
    const int64_t pre = cl.pre.time_since_epoch().count(), post = cl.post.time_since_epoch().count();
    start = (post <= s && post > pre) ? post : (pre <= s && pre > post) ? pre : std::min(pre, post);
  } else {
    start = cl.pre.time_since_epoch().count();
  }
  return start * 1000;
}

TEST(TimeBuckets, MemoizedBucketerMatchesDirectComputation) {
  std::mt19937_64 rng(42);
  for (const char* zone : {"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
                           "America/Sao_Paulo", "Asia/Kathmandu", "Pacific/Apia"}) {
    const cctz::time_zone tz = Zone(zone);
    for (BucketUnit unit : {BucketUnit::kHour, BucketUnit::kDay, BucketUnit::kWeek, BucketUnit::kMonth,
                            BucketUnit::kQuarter, BucketUnit::kYear}) {
      TimeBucketer b(tz, unit);
      std::vector<int64_t> in, out;
      for (int i = 0; i < 3000; ++i) {
        // Mostly clustered (the caches hit), sometimes anywhere in 1970..2100.
        const int64_t base = i % 3 == 0 ? static_cast<int64_t>(rng() % 4102444800000ULL)
                                        : 1700000000000LL + static_cast<int64_t>(rng() % (400LL * 86400000));
        in.push_back(base);
      }
      out.resize(in.size());
      b.StartMany(in.data(), in.size(), out.data());
      for (size_t i = 0; i < in.size(); ++i) {
        ASSERT_EQ(out[i], NaiveStart(tz, unit, in[i]))
            << zone << " " << BucketUnitName(unit) << " at " << FormatInstantUtc(in[i]);
        ASSERT_LE(out[i], in[i]);
      }
    }
  }
}

TEST(QueryInstants, DatesAreMidnightInTheQueryZone) {
  int64_t ms;
  std::string why;
  ASSERT_TRUE(ParseQueryInstant("2025-03-30", Zone("Europe/Berlin"), &ms, &why));
  EXPECT_EQ(ms, Utc("2025-03-29T23:00:00Z"));
  ASSERT_TRUE(ParseQueryInstant("2025-06-10", Zone("Asia/Shanghai"), &ms, &why));
  EXPECT_EQ(ms, Utc("2025-06-09T16:00:00Z"));
  // An explicit offset is absolute whatever the zone.
  ASSERT_TRUE(ParseQueryInstant("2025-02-02T12:00:00+01:00", Zone("Asia/Tokyo"), &ms, &why));
  EXPECT_EQ(ms, Utc("2025-02-02T11:00:00Z"));
  // No offset: wall clock in the zone, read as calendars read theirs (fold=0):
  // a skipped wall clock with the offset before the gap, a repeated one as
  // its first occurrence.
  // A date is the first instant of its local day: the first of a repeated
  // midnight (Havana falls back from 01:00 to 00:00), the jump over a
  // skipped one (Havana springs from 00:00 to 01:00).
  struct Case { const char *text, *zone, *utc; };
  for (const Case& c : {Case{"2025-03-30T02:30:00", "Europe/Berlin", "2025-03-30T01:30:00Z"},
                        Case{"2025-10-26T02:30:00", "Europe/Berlin", "2025-10-26T00:30:00Z"},
                        Case{"2025-11-02", "America/Havana", "2025-11-02T04:00:00Z"},
                        Case{"2025-03-09", "America/Havana", "2025-03-09T05:00:00Z"}}) {
    ASSERT_TRUE(ParseQueryInstant(c.text, Zone(c.zone), &ms, &why)) << c.text;
    EXPECT_EQ(ms, Utc(c.utc)) << c.text << " in " << c.zone;
  }
  ASSERT_TRUE(ParseQueryInstant("2025-06-09T23:59:59.999Z", Zone("UTC"), &ms, &why));
  EXPECT_EQ(ms, Utc("2025-06-10T00:00:00Z") - 1);
}

TEST(QueryInstants, RejectsImpossibleDates) {
  int64_t ms;
  std::string why;
  for (const char* bad : {"2025-13-01", "2025-02-30", "2025-00-10", "2025-1-01", "2025-01-01T25:00:00Z",
                          "2025-01-01T10:00:00+5", "yesterday", "", "2025-01-01T10:00:00Zjunk"}) {
    EXPECT_FALSE(ParseQueryInstant(bad, cctz::utc_time_zone(), &ms, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(QueryZones, UnknownZonesAndPathsAreRefused) {
  cctz::time_zone tz;
  EXPECT_FALSE(LoadQueryZone("Mars/Olympus", &tz));
  EXPECT_FALSE(LoadQueryZone("../../etc/passwd", &tz));
  EXPECT_FALSE(LoadQueryZone("", &tz));
  EXPECT_TRUE(LoadQueryZone("UTC", &tz));
  EXPECT_TRUE(LoadQueryZone("America/New_York", &tz));
}

}  // namespace
}  // namespace kpi::query
