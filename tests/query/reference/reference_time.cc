#include "query/reference/reference_time.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>

#include <cctz/civil_time.h>

namespace kpi::reference {

namespace {

using Seconds = cctz::time_point<cctz::seconds>;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

Seconds ToSeconds(int64_t epoch_s) { return Seconds(cctz::seconds(epoch_s)); }
int64_t FromSeconds(Seconds tp) { return tp.time_since_epoch().count(); }

// Reads exactly `n` digits at text[*i].
bool Digits(std::string_view text, size_t* i, int n, int* value) {
  if (*i + n > text.size()) return false;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    char c = text[*i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *i += n;
  *value = v;
  return true;
}

bool Expect(std::string_view text, size_t* i, char c) {
  if (*i >= text.size() || text[*i] != c) return false;
  ++*i;
  return true;
}

// The first instant whose local date is `day`: of the instants that read
// `day` 00:00 on the wall clock, the earliest; none (the zone skips its
// midnight): the instant the clock jumps over it.
int64_t DayStartSeconds(const cctz::civil_day& day, const cctz::time_zone& tz) {
  const cctz::time_zone::civil_lookup cl = tz.lookup(cctz::civil_second(day));
  if (cl.kind == cctz::time_zone::civil_lookup::SKIPPED) return FromSeconds(cl.trans);
  int64_t first = FromSeconds(cl.pre);
  for (int64_t t : {FromSeconds(cl.pre), FromSeconds(cl.post)})
    if (tz.lookup(ToSeconds(t)).cs == cctz::civil_second(day) && t < first) first = t;
  return first;
}

// A zone-less wall-clock time: the earliest instant that shows it; in a gap,
// the time read with the UTC offset in force just before the gap.
int64_t WallClockSeconds(const cctz::civil_second& cs, const cctz::time_zone& tz) {
  const int64_t naive = FromSeconds(cctz::convert(cs, cctz::utc_time_zone()));
  int64_t best = INT64_MAX;
  for (int64_t probe : {naive - 86400, naive, naive + 86400}) {
    const int64_t t = naive - tz.lookup(ToSeconds(probe)).offset;
    if (tz.lookup(ToSeconds(t)).cs == cs && t < best) best = t;
  }
  if (best != INT64_MAX) return best;
  const cctz::time_zone::civil_lookup cl = tz.lookup(cs);  // in a gap
  return naive - tz.lookup(ToSeconds(FromSeconds(cl.trans) - 1)).offset;
}

}  // namespace

bool LoadZone(const std::string& name, cctz::time_zone* tz) {
  if (name == "UTC") {
    *tz = cctz::utc_time_zone();
    return true;
  }
  return cctz::load_time_zone(name, tz);
}

bool ParseInstant(std::string_view text, const cctz::time_zone& tz, int64_t* epoch_ms) {
  size_t i = 0;
  int y, mo, d;
  if (!Digits(text, &i, 4, &y) || !Expect(text, &i, '-') || !Digits(text, &i, 2, &mo) ||
      !Expect(text, &i, '-') || !Digits(text, &i, 2, &d))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  const cctz::civil_day day(y, mo, d);
  if (day.day() != d || day.month() != mo) return false;  // 2025-02-30
  if (i == text.size()) {
    *epoch_ms = DayStartSeconds(day, tz) * 1000;
    return true;
  }
  if (text[i] != 'T' && text[i] != 't' && text[i] != ' ') return false;
  ++i;
  int h, mi, s;
  if (!Digits(text, &i, 2, &h) || !Expect(text, &i, ':') || !Digits(text, &i, 2, &mi) ||
      !Expect(text, &i, ':') || !Digits(text, &i, 2, &s))
    return false;
  if (h > 23 || mi > 59 || s > 59) return false;
  int ms = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    int n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (n < 3) ms = ms * 10 + (text[i] - '0');
      ++n;
      ++i;
    }
    if (n == 0) return false;
    for (int k = n; k < 3; ++k) ms *= 10;
  }
  const cctz::civil_second cs(y, mo, d, h, mi, s);
  if (i == text.size()) {
    *epoch_ms = WallClockSeconds(cs, tz) * 1000 + ms;
    return true;
  }
  int offset_s = 0;
  if (text[i] == 'Z' || text[i] == 'z') {
    ++i;
  } else if (text[i] == '+' || text[i] == '-') {
    int sign = text[i] == '-' ? -1 : 1;
    ++i;
    int oh, om;
    if (!Digits(text, &i, 2, &oh) || !Expect(text, &i, ':') || !Digits(text, &i, 2, &om)) return false;
    offset_s = sign * (oh * 3600 + om * 60);
  } else {
    return false;
  }
  if (i != text.size()) return false;
  const int64_t utc_s = FromSeconds(cctz::convert(cs, cctz::utc_time_zone())) - offset_s;
  *epoch_ms = utc_s * 1000 + ms;
  return true;
}

std::string FormatUtc(int64_t epoch_ms) {
  const int64_t s = FloorDiv(epoch_ms, 1000);
  const int64_t ms = epoch_ms - s * 1000;
  const cctz::civil_second cs = cctz::convert(ToSeconds(s), cctz::utc_time_zone());
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d.%03lldZ", static_cast<long long>(cs.year()),
                cs.month(), cs.day(), cs.hour(), cs.minute(), cs.second(), static_cast<long long>(ms));
  return buf;
}

std::string FormatInZone(int64_t epoch_ms, const cctz::time_zone& tz) {
  const int64_t s = FloorDiv(epoch_ms, 1000);
  const int64_t ms = epoch_ms - s * 1000;
  const cctz::time_zone::absolute_lookup al = tz.lookup(ToSeconds(s));
  const cctz::civil_second cs = al.cs;
  const int off = al.offset;
  const int aoff = off < 0 ? -off : off;
  char buf[80];
  if (ms == 0) {
    std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", static_cast<long long>(cs.year()),
                  cs.month(), cs.day(), cs.hour(), cs.minute(), cs.second(), off < 0 ? '-' : '+', aoff / 3600,
                  (aoff % 3600) / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d.%03lld%c%02d:%02d",
                  static_cast<long long>(cs.year()), cs.month(), cs.day(), cs.hour(), cs.minute(), cs.second(),
                  static_cast<long long>(ms), off < 0 ? '-' : '+', aoff / 3600, (aoff % 3600) / 60);
  }
  return buf;
}

bool IsBucketName(std::string_view name) {
  return name == "hour" || name == "day" || name == "week" || name == "month" || name == "quarter" ||
         name == "year" || name == "minute" || name == "hour_of_day" || name == "weekday";
}

int64_t StepStart(int64_t epoch_ms, int64_t step_ms, const cctz::time_zone& tz) {
  int64_t day_start = 0;
  BucketStart(epoch_ms, "day", tz, &day_start);
  int64_t k = (epoch_ms - day_start) / step_ms;  // epoch_ms >= day_start
  return day_start + k * step_ms;
}

int LocalHour(int64_t epoch_ms, const cctz::time_zone& tz) {
  return tz.lookup(ToSeconds(FloorDiv(epoch_ms, 1000))).cs.hour();
}

int IsoWeekday(int64_t epoch_ms, const cctz::time_zone& tz) {
  const cctz::civil_day day(tz.lookup(ToSeconds(FloorDiv(epoch_ms, 1000))).cs);
  switch (cctz::get_weekday(day)) {
    case cctz::weekday::monday: return 1;
    case cctz::weekday::tuesday: return 2;
    case cctz::weekday::wednesday: return 3;
    case cctz::weekday::thursday: return 4;
    case cctz::weekday::friday: return 5;
    case cctz::weekday::saturday: return 6;
    case cctz::weekday::sunday: return 7;
  }
  return 0;
}

bool BucketStart(int64_t epoch_ms, std::string_view unit, const cctz::time_zone& tz, int64_t* start_ms) {
  const int64_t s = FloorDiv(epoch_ms, 1000);
  const cctz::time_zone::absolute_lookup al = tz.lookup(ToSeconds(s));
  const cctz::civil_second cs = al.cs;
  if (unit == "minute") {
    *start_ms = StepStart(epoch_ms, 60'000, tz);
    return true;
  }
  if (unit == "hour") {
    // The real hour the instant falls in: a repeated wall-clock hour (autumn
    // change) gives two buckets, each one hour long.
    const int64_t into_hour = cs.minute() * 60 + cs.second();
    *start_ms = (s - into_hour) * 1000;
    return true;
  }
  cctz::civil_day day(cs);
  if (unit == "day") {
  } else if (unit == "week") {
    const int from_monday = static_cast<int>(cctz::get_weekday(day)) - static_cast<int>(cctz::weekday::monday);
    day -= (from_monday + 7) % 7;
  } else if (unit == "month") {
    day = cctz::civil_day(cctz::civil_month(cs));
  } else if (unit == "quarter") {
    day = cctz::civil_day(cs.year(), ((cs.month() - 1) / 3) * 3 + 1, 1);
  } else if (unit == "year") {
    day = cctz::civil_day(cctz::civil_year(cs));
  } else {
    return false;
  }
  *start_ms = DayStartSeconds(day, tz) * 1000;
  return true;
}

}  // namespace kpi::reference
