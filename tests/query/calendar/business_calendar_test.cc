// BusinessClock against a plain oracle: map every range of every nearby local
// day to instants with cctz (first occurrence / pre-gap offset), take the
// union, and measure [a, b] piece by piece between interval edges (exact to
// the millisecond) and, for short spans in whole-minute zones, minute by
// minute. Random calendars and instants in Berlin, New York, Shanghai and UTC,
// DST change days with open hours over the gap / overlap, holidays, weekends,
// 24:00 ends, instants before 1970 and after 2200 (the slow paths and their
// periods). Plus hand-computed DST cases and ValidateCalendar's errors.
#include "query/evaluation/business_calendar.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <cctz/civil_time.h>
#include <gtest/gtest.h>

#include "query/time_buckets.h"

namespace kpi::query {
namespace {

constexpr int64_t kMin = 60'000, kHour = 3'600'000, kDay = 86'400'000;

int64_t Utc(const std::string& text) {
  int64_t ms = 0;
  std::string why;
  EXPECT_TRUE(ParseQueryInstant(text, cctz::utc_time_zone(), &ms, &why)) << text << ": " << why;
  return ms;
}

int Minutes(int h, int m) { return h * 60 + m; }

OpenRule Rule(uint8_t mask, std::vector<ClockRange> ranges) { return OpenRule{mask, std::move(ranges)}; }
constexpr uint8_t kMonFri = 0x1f, kEveryDay = 0x7f, kSat = 0x20, kSun = 0x40;

ClosedDays Closed(int y, int m, int d) {
  const cctz::civil_day next = cctz::civil_day(y, m, d) + 1;
  return {y, m, d, static_cast<int>(next.year()), next.month(), next.day()};
}

std::shared_ptr<const BusinessClock> MustBuild(const CalendarSpec& spec) {
  CalendarProblem problem;
  auto clock = BusinessClock::Build(spec, &problem);
  EXPECT_TRUE(clock) << problem.message;
  return clock;
}

std::string Describe(const CalendarSpec& spec) {
  std::string out = "calendar tz " + spec.tz + " open";
  char buf[64];
  for (const OpenRule& r : spec.open) {
    std::snprintf(buf, sizeof buf, " [mask %02x]", r.days_mask);
    out += buf;
    for (const ClockRange& c : r.ranges) {
      std::snprintf(buf, sizeof buf, " %02d:%02d-%02d:%02d", c.begin_min / 60, c.begin_min % 60, c.end_min / 60,
                    c.end_min % 60);
      out += buf;
    }
  }
  out += " closed";
  for (const ClosedDays& c : spec.closed) {
    std::snprintf(buf, sizeof buf, " %04d-%02d-%02d..%04d-%02d-%02d", c.y1, c.m1, c.d1, c.y2, c.m2, c.d2);
    out += buf;
  }
  return out;
}

// The oracle: written from the spec, sharing nothing with the clock but cctz.
class Oracle {
 public:
  explicit Oracle(const CalendarSpec& spec) : spec_(spec) { EXPECT_TRUE(LoadQueryZone(spec.tz, &tz_)); }

  // Union of the mapped ranges of local days [from, to], unsorted, possibly overlapping.
  std::vector<std::pair<int64_t, int64_t>> Intervals(cctz::civil_day from, cctz::civil_day to) const {
    std::vector<std::pair<int64_t, int64_t>> out;
    for (cctz::civil_day d = from; d <= to; ++d) {
      if (IsClosed(d)) continue;
      const int wd = static_cast<int>(cctz::get_weekday(d));  // monday == 0
      for (const OpenRule& r : spec_.open) {
        if (!(r.days_mask & (1 << wd))) continue;
        for (const ClockRange& c : r.ranges) {
          const int64_t b = At(cctz::civil_second(d) + c.begin_min * 60);
          const int64_t e = At(cctz::civil_second(d) + c.end_min * 60);
          if (e > b) out.emplace_back(b, e);
        }
      }
    }
    return out;
  }

  // Exact: cut [a, b) at every interval edge, test each piece's first instant.
  int64_t OpenMs(int64_t a, int64_t b) const {
    if (b <= a) return 0;
    const auto ivs = Intervals(LocalDay(a) - 2, LocalDay(b) + 2);
    std::vector<int64_t> cuts{a, b};
    for (const auto& [x, y] : ivs) {
      if (x > a && x < b) cuts.push_back(x);
      if (y > a && y < b) cuts.push_back(y);
    }
    std::sort(cuts.begin(), cuts.end());
    int64_t total = 0;
    for (size_t i = 0; i + 1 < cuts.size(); ++i)
      if (cuts[i + 1] > cuts[i] && Contains(ivs, cuts[i])) total += cuts[i + 1] - cuts[i];
    return total;
  }

  // Minute by minute (edges must be whole UTC minutes: modern zones only).
  int64_t OpenMsByMinute(int64_t a, int64_t b) const {
    if (b <= a) return 0;
    const auto ivs = Intervals(LocalDay(a) - 2, LocalDay(b) + 2);
    int64_t total = 0;
    for (int64_t m = a - ((a % kMin) + kMin) % kMin; m < b; m += kMin)
      if (Contains(ivs, m)) total += std::min(b, m + kMin) - std::max(a, m);
    return total;
  }

 private:
  static bool Contains(const std::vector<std::pair<int64_t, int64_t>>& ivs, int64_t t) {
    for (const auto& [x, y] : ivs)
      if (x <= t && t < y) return true;
    return false;
  }
  bool IsClosed(cctz::civil_day d) const {
    for (const ClosedDays& c : spec_.closed)
      if (cctz::civil_day(c.y1, c.m1, c.d1) <= d && d < cctz::civil_day(c.y2, c.m2, c.d2)) return true;
    return false;
  }
  int64_t At(const cctz::civil_second& cs) const { return tz_.lookup(cs).pre.time_since_epoch().count() * 1000; }
  cctz::civil_day LocalDay(int64_t ms) const {
    const int64_t s = ms / 1000 - (ms % 1000 < 0 ? 1 : 0);
    return cctz::civil_day(tz_.lookup(cctz::time_point<cctz::seconds>(cctz::seconds(s))).cs);
  }

  CalendarSpec spec_;
  cctz::time_zone tz_;
};

std::string Iso(int64_t ms) { return FormatInstantUtc(ms); }

// ---------------------------------------------------------------- hand-made cases

TEST(BusinessClock, WeekdayHoursWeekendsAndLunch) {
  CalendarSpec spec{"support", "UTC", {Rule(kMonFri, {{Minutes(9, 0), Minutes(12, 0)}, {Minutes(13, 0), Minutes(18, 0)}})}, {}};
  auto clock = MustBuild(spec);
  // 2025-06-02 is a Monday.
  EXPECT_EQ(clock->OpenMsBetween(Utc("2025-06-02T08:00:00Z"), Utc("2025-06-02T20:00:00Z")), 8 * kHour);
  EXPECT_EQ(clock->OpenMsBetween(Utc("2025-06-02T11:30:00Z"), Utc("2025-06-02T13:30:00Z")), 60 * kMin);
  // Friday 17:00 -> Monday 10:00: one hour Friday, one hour Monday.
  EXPECT_EQ(clock->OpenMsBetween(Utc("2025-06-06T17:00:00Z"), Utc("2025-06-09T10:00:00Z")), 2 * kHour);
  // Across midnight, weekend only.
  EXPECT_EQ(clock->OpenMsBetween(Utc("2025-06-07T00:00:00Z"), Utc("2025-06-09T00:00:00Z")), 0);
  // A whole week: 5 x 8 h.
  EXPECT_EQ(clock->OpenMsBetween(Utc("2025-06-02T00:00:00Z"), Utc("2025-06-09T00:00:00Z")), 40 * kHour);
  // start == end and end < start.
  EXPECT_EQ(clock->OpenMsBetween(Utc("2025-06-02T10:00:00Z"), Utc("2025-06-02T10:00:00Z")), 0);
  EXPECT_EQ(clock->OpenMsBetween(Utc("2025-06-02T11:00:00Z"), Utc("2025-06-02T10:00:00Z")), 0);
  // Milliseconds count.
  EXPECT_EQ(clock->OpenMsBetween(Utc("2025-06-02T08:59:59.999Z"), Utc("2025-06-02T09:00:00.250Z")), 250);
}

TEST(BusinessClock, ClosedDaysAndRanges) {
  CalendarSpec spec{"cn", "Asia/Shanghai",
                    {Rule(kMonFri, {{Minutes(9, 0), Minutes(12, 0)}, {Minutes(13, 0), Minutes(18, 0)}}),
                     Rule(kSat, {{Minutes(10, 0), Minutes(16, 0)}})},
                    {{2025, 10, 1, 2025, 10, 8}, Closed(2025, 5, 1)}};
  auto clock = MustBuild(spec);
  // 2025-05-01 (Thursday) closed; 2025-05-02 (Friday) open 8 h. Shanghai = UTC+8.
  EXPECT_EQ(clock->OpenMsBetween(Utc("2025-04-30T16:00:00Z"), Utc("2025-05-01T16:00:00Z")), 0);
  EXPECT_EQ(clock->OpenMsBetween(Utc("2025-04-30T16:00:00Z"), Utc("2025-05-02T16:00:00Z")), 8 * kHour);
  // 2025-10-01 .. 2025-10-08 closed (Wed..Tue, Saturday 10-04 included); 10-08 open.
  EXPECT_EQ(clock->OpenMsBetween(Utc("2025-09-30T16:00:00Z"), Utc("2025-10-07T16:00:00Z")), 0);
  EXPECT_EQ(clock->OpenMsBetween(Utc("2025-09-30T16:00:00Z"), Utc("2025-10-08T16:00:00Z")), 8 * kHour);
  // The Saturday before: 6 h.
  EXPECT_EQ(clock->OpenMsBetween(Utc("2025-09-26T16:00:00Z"), Utc("2025-09-27T16:00:00Z")), 6 * kHour);
}

TEST(BusinessClock, TwentyFourHundredEndsTheDay) {
  CalendarSpec spec{"late", "Europe/Berlin", {Rule(kEveryDay, {{Minutes(22, 0), 1440}}), Rule(kEveryDay, {{0, 60}})}, {}};
  auto clock = MustBuild(spec);
  // 22:00 .. 01:00 next day is one stretch: 3 h (winter, UTC+1).
  EXPECT_EQ(clock->OpenMsBetween(Utc("2025-01-14T20:00:00Z"), Utc("2025-01-15T01:00:00Z")), 3 * kHour);
}

TEST(BusinessClock, DstDaysBerlinAndNewYork) {
  struct Case {
    const char* tz;
    const char* day_start_utc;  // local midnight of the change day
    const char* next_day_start_utc;
    int64_t full_day, gap_window;  // 00:00-24:00 and 01:30-03:30
  };
  const Case cases[] = {
      {"Europe/Berlin", "2025-03-29T23:00:00Z", "2025-03-30T22:00:00Z", 23 * kHour, 1 * kHour},
      {"Europe/Berlin", "2025-10-25T22:00:00Z", "2025-10-26T23:00:00Z", 25 * kHour, 3 * kHour},
      {"America/New_York", "2025-03-09T05:00:00Z", "2025-03-10T04:00:00Z", 23 * kHour, 1 * kHour},
      {"America/New_York", "2025-11-02T04:00:00Z", "2025-11-03T05:00:00Z", 25 * kHour, 3 * kHour},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.tz) + " " + c.day_start_utc);
    auto all_day = MustBuild({"x", c.tz, {Rule(kEveryDay, {{0, 1440}})}, {}});
    const int64_t a = Utc(c.day_start_utc), b = Utc(c.next_day_start_utc);
    EXPECT_EQ(all_day->OpenMsBetween(a, b), c.full_day);
    EXPECT_EQ(all_day->OpenMsBetween(a - 5 * kDay, b + 5 * kDay), b - a + 10 * kDay);
    auto gap = MustBuild({"x", c.tz, {Rule(kEveryDay, {{Minutes(1, 30), Minutes(3, 30)}})}, {}});
    EXPECT_EQ(gap->OpenMsBetween(a, b), c.gap_window);
  }
  // Berlin spring: 02:30 reads as 03:30 CEST, so 01:00-02:30 and 03:00-04:00
  // overlap as instants (00:00Z-01:30Z and 01:00Z-02:00Z): counted once, 2 h.
  auto reordered = MustBuild(
      {"x", "Europe/Berlin", {Rule(kEveryDay, {{Minutes(1, 0), Minutes(2, 30)}, {Minutes(3, 0), Minutes(4, 0)}})}, {}});
  EXPECT_EQ(reordered->OpenMsBetween(Utc("2025-03-29T23:00:00Z"), Utc("2025-03-30T22:00:00Z")), 2 * kHour);
  // 02:30-02:45 reads as 01:30Z-01:45Z, inside 03:00-04:00 (01:00Z-02:00Z),
  // although it comes first on the wall clock: the union is 1 h.
  auto inside = MustBuild(
      {"x", "Europe/Berlin", {Rule(kEveryDay, {{Minutes(2, 30), Minutes(2, 45)}, {Minutes(3, 0), Minutes(4, 0)}})}, {}});
  EXPECT_EQ(inside->OpenMsBetween(Utc("2025-03-29T23:00:00Z"), Utc("2025-03-30T22:00:00Z")), 1 * kHour);
  EXPECT_EQ(inside->OpenMsBetween(Utc("2025-03-30T01:40:00Z"), Utc("2025-03-30T01:50:00Z")), 10 * kMin);
  // 02:30-03:00 on that day maps to 01:30Z-01:00Z: empty.
  auto inverted = MustBuild({"x", "Europe/Berlin", {Rule(kEveryDay, {{Minutes(2, 30), Minutes(3, 0)}})}, {}});
  EXPECT_EQ(inverted->OpenMsBetween(Utc("2025-03-29T23:00:00Z"), Utc("2025-03-30T22:00:00Z")), 0);
  EXPECT_EQ(inverted->OpenMsBetween(Utc("2025-03-30T22:00:00Z"), Utc("2025-03-31T22:00:00Z")), 30 * kMin);
}

TEST(BusinessClock, AlwaysOpenIsElapsedTimeEverywhere) {
  for (const char* tz : {"UTC", "Europe/Berlin", "America/New_York", "Asia/Shanghai", "Pacific/Apia"}) {
    SCOPED_TRACE(tz);
    auto clock = MustBuild({"x", tz, {Rule(kEveryDay, {{0, 1440}})}, {}});
    const int64_t points[] = {INT64_MIN / 2, Utc("1500-06-01T00:00:00Z"), Utc("1893-03-31T12:00:00Z"),
                              Utc("1969-12-31T12:34:56.789Z"), Utc("2011-12-29T00:00:00Z"), Utc("2025-03-30T01:00:00Z"),
                              Utc("2199-12-31T23:59:59Z"), Utc("2300-01-01T00:00:00Z"), Utc("3100-07-04T00:00:00Z"),
                              INT64_MAX / 2};
    for (int64_t a : points)
      for (int64_t b : points)
        if (a < b) {
          EXPECT_EQ(clock->OpenMsBetween(a, b), b - a) << Iso(a) << " .. " << Iso(b);
        }
  }
}

TEST(BusinessClock, FarInstantsUseThePeriodsCorrectly) {
  CalendarSpec spec{"x", "America/New_York",
                    {Rule(kMonFri, {{Minutes(1, 30), Minutes(3, 30)}, {Minutes(9, 0), Minutes(17, 0)}})},
                    {Closed(2250, 7, 4), Closed(1950, 1, 2)}};
  auto clock = MustBuild(spec);
  Oracle oracle(spec);
  const char* starts[] = {"1500-03-01T00:00:00Z", "1883-11-15T00:00:00Z", "1949-12-30T00:00:00Z",
                          "2250-07-01T00:00:00Z", "2700-03-10T00:00:00Z", "2701-11-01T00:00:00Z"};
  for (const char* s : starts) {
    const int64_t a = Utc(s) + 12345;
    EXPECT_EQ(clock->OpenMsBetween(a, a + 9 * kDay), oracle.OpenMs(a, a + 9 * kDay)) << s;
  }
  // Long spans whose ends fall in different periods (the period totals count):
  // against the oracle summed over 10-day pieces.
  const std::pair<const char*, const char*> spans[] = {{"1000-01-01T00:00:00Z", "1890-01-01T00:00:00Z"},
                                                       {"2260-01-01T00:00:00Z", "2761-03-01T00:00:00Z"}};
  for (const auto& [from, to] : spans) {
    const int64_t a = Utc(from), b = Utc(to);
    int64_t want = 0;
    for (int64_t t = a; t < b; t += 10 * kDay) want += oracle.OpenMs(t, std::min(b, t + 10 * kDay));
    EXPECT_EQ(clock->OpenMsBetween(a, b), want) << from << " .. " << to;
  }
  // Additivity across every region boundary.
  const int64_t x = INT64_MIN / 4, y = Utc("1900-01-01T00:00:00Z"), z = Utc("2100-01-01T00:00:00Z"),
                w = Utc("2900-01-01T00:00:00Z"), v = INT64_MAX / 4;
  EXPECT_EQ(clock->OpenMsBetween(x, y) + clock->OpenMsBetween(y, z) + clock->OpenMsBetween(z, w) +
                clock->OpenMsBetween(w, v),
            clock->OpenMsBetween(x, v));
}

// ---------------------------------------------------------------- random calendars

CalendarSpec RandomCalendar(std::mt19937_64& rng, const std::string& tz) {
  CalendarSpec spec{"r", tz, {}, {}};
  // Boundaries on the quarter hour, with extra weight near DST changes and midnight.
  auto minute = [&]() {
    static const int kHot[] = {0, 60, 90, 120, 150, 180, 210, 1380, 1440};
    if (rng() % 3 == 0) return kHot[rng() % std::size(kHot)];
    return static_cast<int>(rng() % 97) * 15;
  };
  const int rules = 1 + static_cast<int>(rng() % 4);
  for (int attempt = 0; attempt < 40 && static_cast<int>(spec.open.size()) < rules; ++attempt) {
    OpenRule rule;
    rule.days_mask = static_cast<uint8_t>(rng() % 127 + 1);
    const int ranges = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < ranges; ++k) {
      int b = minute(), e = minute();
      if (b > e) std::swap(b, e);
      if (b == e) continue;
      rule.ranges.push_back({b, e});
    }
    if (rule.ranges.empty()) continue;
    spec.open.push_back(rule);
    if (!ValidateCalendar(spec, nullptr)) spec.open.pop_back();  // overlapping: try another
  }
  const int closed = static_cast<int>(rng() % 4);
  for (int k = 0; k < closed; ++k) {
    const cctz::civil_day first = cctz::civil_day(2025, 1, 1) + static_cast<int>(rng() % 365);
    const cctz::civil_day end = first + 1 + static_cast<int>(rng() % 10 < 7 ? 0 : rng() % 6);
    spec.closed.push_back({static_cast<int>(first.year()), first.month(), first.day(), static_cast<int>(end.year()),
                           end.month(), end.day()});
  }
  return spec;
}

int64_t RandomInstant(std::mt19937_64& rng) {
  static const int64_t kCenters[] = {
      Utc("2025-03-30T01:00:00Z"), Utc("2025-10-26T01:00:00Z"), Utc("2025-03-09T07:00:00Z"),
      Utc("2025-11-02T06:00:00Z"), Utc("2025-06-15T00:00:00Z"), Utc("2025-01-01T00:00:00Z"),
      Utc("2024-12-24T00:00:00Z"), Utc("2025-10-03T00:00:00Z"), Utc("1970-01-01T00:00:00Z"),
      Utc("2199-12-31T00:00:00Z"), Utc("1960-05-01T00:00:00Z"), Utc("2230-03-10T00:00:00Z")};
  const int64_t center = kCenters[rng() % std::size(kCenters)];
  const int64_t spread = (rng() % 4 == 0) ? 400 * kDay : 3 * kDay;
  const int64_t off = static_cast<int64_t>(rng() % static_cast<uint64_t>(2 * spread)) - spread;
  switch (rng() % 4) {
    case 0: return center + off;                          // any millisecond
    case 1: return center + off / kMin * kMin;            // a whole minute
    default: return center + off / (15 * kMin) * (15 * kMin);  // on a quarter hour (edges)
  }
}

TEST(BusinessClock, MatchesOracleOnRandomCalendars) {
  const uint64_t kSeed = 20251205;
  std::mt19937_64 rng(kSeed);
  for (const char* tz : {"Europe/Berlin", "America/New_York", "Asia/Shanghai", "UTC"}) {
    for (int cal = 0; cal < 12; ++cal) {
      const CalendarSpec spec = RandomCalendar(rng, tz);
      auto clock = MustBuild(spec);
      ASSERT_TRUE(clock);
      Oracle oracle(spec);
      for (int q = 0; q < 150; ++q) {
        int64_t a = RandomInstant(rng), b;
        switch (rng() % 5) {
          case 0: b = a; break;                                                         // empty
          case 1: b = a - static_cast<int64_t>(rng() % (2 * kDay)); break;              // reversed
          case 2: b = a + static_cast<int64_t>(rng() % (60 * kDay)); break;             // long
          default: b = a + static_cast<int64_t>(rng() % (6 * kDay)); break;             // short
        }
        const int64_t got = clock->OpenMsBetween(a, b);
        const int64_t want = oracle.OpenMs(a, b);
        ASSERT_EQ(got, want) << "seed " << kSeed << " " << Describe(spec) << " case " << q << ": [" << Iso(a) << ", "
                             << Iso(b) << "]";
        if (b > a && b - a <= 6 * kDay && a > Utc("1980-01-01T00:00:00Z")) {
          ASSERT_EQ(got, oracle.OpenMsByMinute(a, b))
              << "minute oracle; seed " << kSeed << " " << Describe(spec) << " [" << Iso(a) << ", " << Iso(b) << "]";
        }
      }
    }
  }
}

// OpenIntervals (what the ClickHouse backend inlines) gives OpenMsBefore
// exactly: open_before plus the listed intervals' open ms before t.
TEST(BusinessClock, OpenIntervalsRebuildOpenMsBefore) {
  const uint64_t kSeed = 20261207;
  std::mt19937_64 rng(kSeed);
  for (const char* tz : {"Europe/Berlin", "America/New_York", "UTC"}) {
    for (int cal = 0; cal < 6; ++cal) {
      const CalendarSpec spec = RandomCalendar(rng, tz);
      auto clock = MustBuild(spec);
      ASSERT_TRUE(clock);
      for (int q = 0; q < 40; ++q) {
        const int64_t from = RandomInstant(rng);
        if (from < Utc("1970-01-02T00:00:00Z") || from > Utc("2199-01-01T00:00:00Z")) continue;
        const int64_t to = from + static_cast<int64_t>(rng() % (40 * kDay));
        std::vector<std::pair<int64_t, int64_t>> open;
        int64_t before = 0;
        ASSERT_TRUE(clock->OpenIntervals(from, to, &open, &before)) << Iso(from);
        for (size_t i = 0; i < open.size(); ++i) {
          ASSERT_LT(open[i].first, open[i].second);
          if (i) {
            ASSERT_LE(open[i - 1].second, open[i].first);
          }
        }
        for (int k = 0; k < 20; ++k) {
          const int64_t t = from + static_cast<int64_t>(rng() % static_cast<uint64_t>(to - from + 1));
          int64_t want = before;
          for (const auto& [b, e] : open)
            if (b < t) want += std::min(t, e) - b;
          ASSERT_EQ(clock->OpenMsBefore(t), want)
              << "seed " << kSeed << " " << Describe(spec) << " from " << Iso(from) << " t " << Iso(t);
        }
      }
    }
  }
  std::vector<std::pair<int64_t, int64_t>> open;
  int64_t before = 0;
  auto clock = MustBuild({"x", "UTC", {Rule(kEveryDay, {{0, 1440}})}, {}});
  EXPECT_FALSE(clock->OpenIntervals(Utc("1969-12-31T00:00:00Z"), Utc("1970-01-05T00:00:00Z"), &open, &before));
}

// ---------------------------------------------------------------- validation

TEST(ValidateCalendar, ReportsTheFirstProblemAndWhere) {
  using W = CalendarProblem::Where;
  struct Case {
    CalendarSpec spec;
    W where;
    size_t index;
    const char* needle;
  };
  const OpenRule ok = Rule(kMonFri, {{Minutes(9, 0), Minutes(17, 0)}});
  const Case cases[] = {
      {{"c", "Mars/Olympus", {ok}, {}}, W::kTz, 0, "unknown time zone 'Mars/Olympus'"},
      {{"c", "../etc/passwd", {ok}, {}}, W::kTz, 0, "unknown time zone"},
      {{"c", "UTC", {ok, Rule(kSat, {{Minutes(12, 0), Minutes(9, 0)}})}, {}}, W::kOpen, 1, "12:00-09:00"},
      {{"c", "UTC", {Rule(kSat, {{Minutes(9, 0), Minutes(9, 0)}})}, {}}, W::kOpen, 0, "do not end after"},
      {{"c", "UTC", {Rule(kSat, {{-1, 60}})}, {}}, W::kOpen, 0, "within 00:00-24:00"},
      {{"c", "UTC", {Rule(kSat, {{60, 1441}})}, {}}, W::kOpen, 0, "within 00:00-24:00"},
      {{"c", "UTC", {ok, Rule(0, {{60, 120}})}, {}}, W::kOpen, 1, "no days"},
      {{"c", "UTC", {Rule(0x80 | kSat, {{60, 120}})}, {}}, W::kOpen, 0, "above Sunday"},
      {{"c", "UTC", {Rule(kSat, {})}, {}}, W::kOpen, 0, "no hours"},
      {{"c", "UTC", {Rule(kMonFri, {{Minutes(9, 0), Minutes(12, 0)}}), Rule(0x01, {{Minutes(11, 0), Minutes(13, 0)}})}, {}},
       W::kOpen, 1, "overlap on mon: 09:00-12:00 and 11:00-13:00"},
      {{"c", "UTC", {Rule(kSun, {{Minutes(9, 0), Minutes(12, 0)}, {Minutes(8, 0), Minutes(10, 0)}})}, {}},
       W::kOpen, 0, "overlap on sun"},
      {{"c", "UTC", {ok}, {Closed(2025, 5, 1), {2025, 10, 8, 2025, 10, 1}}}, W::kClosed, 1,
       "closed dates out of order: 2025-10-08 .. 2025-10-01"},
      {{"c", "UTC", {ok}, {{2025, 10, 8, 2025, 10, 8}}}, W::kClosed, 0, "closed dates out of order"},
      {{"c", "UTC", {ok}, {{2025, 2, 30, 2025, 3, 1}}}, W::kClosed, 0, "no such date 2025-02-30"},
      {{"c", "UTC", {ok}, {{2025, 1, 1, 2025, 13, 1}}}, W::kClosed, 0, "no such date 2025-13-01"},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE("case " + std::to_string(i) + ": " + Describe(c.spec));
    CalendarProblem problem;
    EXPECT_FALSE(ValidateCalendar(c.spec, &problem));
    EXPECT_EQ(problem.where, c.where);
    EXPECT_EQ(problem.index, c.index);
    EXPECT_NE(problem.message.find(c.needle), std::string::npos) << problem.message;
    CalendarProblem again;
    EXPECT_EQ(BusinessClock::Build(c.spec, &again), nullptr);
    EXPECT_EQ(again.message, problem.message);
    EXPECT_EQ(BusinessClock::Build(c.spec, nullptr), nullptr);
  }
  // Touching ranges, across rules too, are fine; so is no rule at all.
  CalendarProblem problem;
  EXPECT_TRUE(ValidateCalendar(
      {"c", "Europe/Berlin", {Rule(kMonFri, {{Minutes(9, 0), Minutes(12, 0)}}), Rule(0x01, {{Minutes(12, 0), 1440}})},
       {Closed(2024, 2, 29)}},
      &problem))
      << problem.message;
  auto never = MustBuild({"c", "UTC", {}, {}});
  EXPECT_EQ(never->OpenMsBetween(INT64_MIN, INT64_MAX), 0);
}

// ---------------------------------------------------------------- cost (printed, not asserted)

TEST(BusinessClock, BuildTimeMemoryAndCallCost) {
  for (const char* tz : {"UTC", "Europe/Berlin", "America/New_York", "Asia/Shanghai"}) {
    const CalendarSpec spec{"cn", tz,
                            {Rule(kMonFri, {{Minutes(9, 0), Minutes(12, 0)}, {Minutes(13, 0), Minutes(18, 0)}}),
                             Rule(kSat, {{Minutes(10, 0), Minutes(16, 0)}})},
                            {{2025, 10, 1, 2025, 10, 8}, Closed(2025, 5, 1)}};
    const auto t0 = std::chrono::steady_clock::now();
    auto clock = MustBuild(spec);
    const auto t1 = std::chrono::steady_clock::now();
    std::mt19937_64 rng(7);
    std::vector<int64_t> points(1 << 16);
    const int64_t lo = Utc("2020-01-01T00:00:00Z");
    for (int64_t& p : points) p = lo + static_cast<int64_t>(rng() % (8 * 365 * kDay));
    int64_t sum = 0;
    const auto t2 = std::chrono::steady_clock::now();
    constexpr int kRounds = 16;
    for (int r = 0; r < kRounds; ++r)
      for (size_t i = 0; i + 1 < points.size(); ++i) sum += clock->OpenMsBetween(points[i], points[i + 1]);
    const auto t3 = std::chrono::steady_clock::now();
    const double build_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    const double call_ns =
        std::chrono::duration<double, std::nano>(t3 - t2).count() / (kRounds * (points.size() - 1));
    const auto t4 = std::chrono::steady_clock::now();
    sum += clock->OpenMsBetween(Utc("1700-01-01T00:00:00Z"), Utc("3000-01-01T00:00:00Z"));
    const auto t5 = std::chrono::steady_clock::now();
    std::printf("%-17s build %.1f ms, %.2f MB, OpenMsBetween %.1f ns/call (2020-2028), 1700..3000 first call %.0f ms [%lld]\n",
                tz, build_ms, clock->MemoryBytes() / 1e6, call_ns,
                std::chrono::duration<double, std::milli>(t5 - t4).count(), static_cast<long long>(sum % 10));
  }
}

}  // namespace
}  // namespace kpi::query
