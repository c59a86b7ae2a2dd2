#include "query/time_buckets.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>

#include <cctz/civil_time.h>

namespace kpi::query {

namespace {

using Seconds = cctz::time_point<cctz::seconds>;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

Seconds ToTimePoint(int64_t s) { return Seconds(cctz::seconds(s)); }
int64_t FromTimePoint(Seconds tp) { return tp.time_since_epoch().count(); }

const cctz::civil_day kEpochDay(1970, 1, 1);

// The first instant of a local day: its midnight, the earlier one when the
// midnight repeats (a 25-hour day starts at its first 00:00), the transition
// when the zone skips it. Day buckets start there, and so does a date.
int64_t LocalDayStart(const cctz::civil_day& day, const cctz::time_zone& tz) {
  const cctz::time_zone::civil_lookup cl = tz.lookup(cctz::civil_second(day));
  switch (cl.kind) {
    case cctz::time_zone::civil_lookup::SKIPPED:
      return FromTimePoint(cl.trans);
    case cctz::time_zone::civil_lookup::REPEATED:
      return std::min(FromTimePoint(cl.pre), FromTimePoint(cl.post));
    case cctz::time_zone::civil_lookup::UNIQUE:
    default:
      return FromTimePoint(cl.pre);
  }
}

// A zone-less wall-clock time, as calendars read theirs (Python's zoneinfo
// with fold=0): a time that occurs twice is its first occurrence, one that
// does not exist is read with the offset in force before the gap.
int64_t WallClockFold0(const cctz::civil_second& cs, const cctz::time_zone& tz) {
  return FromTimePoint(tz.lookup(cs).pre);
}

bool Digits(std::string_view text, size_t* i, int n, int* value) {
  if (*i + static_cast<size_t>(n) > text.size()) return false;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    const char c = text[*i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *i += n;
  *value = v;
  return true;
}

bool Take(std::string_view text, size_t* i, char c) {
  if (*i >= text.size() || text[*i] != c) return false;
  ++*i;
  return true;
}

}  // namespace

bool ParseBucketUnit(std::string_view name, BucketUnit* unit) {
  static constexpr std::pair<std::string_view, BucketUnit> kUnits[] = {
      {"hour", BucketUnit::kHour},     {"day", BucketUnit::kDay},
      {"week", BucketUnit::kWeek},     {"month", BucketUnit::kMonth},
      {"quarter", BucketUnit::kQuarter}, {"year", BucketUnit::kYear},
      {"minute", BucketUnit::kMinute}, {"hour_of_day", BucketUnit::kHourOfDay},
      {"weekday", BucketUnit::kWeekday}};
  for (const auto& [n, u] : kUnits) {
    if (n == name) {
      *unit = u;
      return true;
    }
  }
  return false;
}

const char* BucketUnitName(BucketUnit unit) {
  switch (unit) {
    case BucketUnit::kHour:
      return "hour";
    case BucketUnit::kDay:
      return "day";
    case BucketUnit::kWeek:
      return "week";
    case BucketUnit::kMonth:
      return "month";
    case BucketUnit::kQuarter:
      return "quarter";
    case BucketUnit::kYear:
      return "year";
    case BucketUnit::kMinute:
      return "minute";
    case BucketUnit::kStep:
      return "step";
    case BucketUnit::kHourOfDay:
      return "hour_of_day";
    case BucketUnit::kWeekday:
      return "weekday";
  }
  return "?";
}

bool LoadQueryZone(const std::string& name, cctz::time_zone* tz) {
  if (name == "UTC") {
    *tz = cctz::utc_time_zone();
    return true;
  }
  // cctz reads any readable file under the zoneinfo root; refuse paths.
  if (name.empty() || name.size() > 64 || name.find("..") != std::string::npos || name[0] == '/') return false;
  return cctz::load_time_zone(name, tz);
}

bool ParseQueryInstant(std::string_view text, const cctz::time_zone& tz, int64_t* epoch_ms, std::string* error) {
  auto fail = [&](const char* why) {
    *error = std::string(why) + " in '" + std::string(text) + "'";
    return false;
  };
  size_t i = 0;
  int y, mo, d;
  if (!Digits(text, &i, 4, &y) || !Take(text, &i, '-') || !Digits(text, &i, 2, &mo) || !Take(text, &i, '-') ||
      !Digits(text, &i, 2, &d))
    return fail("expected a date YYYY-MM-DD");
  if (mo < 1 || mo > 12) return fail("month out of range");
  const cctz::civil_day day(y, mo, d);
  if (d < 1 || day.day() != d || day.month() != mo) return fail("no such day");
  if (i == text.size()) {
    *epoch_ms = LocalDayStart(day, tz) * 1000;
    return true;
  }
  if (text[i] != 'T' && text[i] != 't' && text[i] != ' ') return fail("expected 'T' after the date");
  ++i;
  int h, mi, s;
  if (!Digits(text, &i, 2, &h) || !Take(text, &i, ':') || !Digits(text, &i, 2, &mi) || !Take(text, &i, ':') ||
      !Digits(text, &i, 2, &s))
    return fail("expected a time hh:mm:ss");
  if (h > 23 || mi > 59 || s > 59) return fail("time out of range");
  int ms = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    int n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (n < 3) ms = ms * 10 + (text[i] - '0');
      ++n;
      ++i;
    }
    if (n == 0) return fail("expected digits after '.'");
    for (int k = n; k < 3; ++k) ms *= 10;
  }
  const cctz::civil_second cs(y, mo, d, h, mi, s);
  if (i == text.size()) {
    *epoch_ms = WallClockFold0(cs, tz) * 1000 + ms;
    return true;
  }
  int offset_s = 0;
  if (text[i] == 'Z' || text[i] == 'z') {
    ++i;
  } else if (text[i] == '+' || text[i] == '-') {
    const int sign = text[i] == '-' ? -1 : 1;
    ++i;
    int oh, om;
    if (!Digits(text, &i, 2, &oh) || !Take(text, &i, ':') || !Digits(text, &i, 2, &om) || oh > 23 || om > 59)
      return fail("bad zone offset");
    offset_s = sign * (oh * 3600 + om * 60);
  } else {
    return fail("unexpected text after the time");
  }
  if (i != text.size()) return fail("unexpected text after the zone");
  const int64_t utc_s = FromTimePoint(cctz::convert(cs, cctz::utc_time_zone())) - offset_s;
  *epoch_ms = utc_s * 1000 + ms;
  return true;
}

std::string FormatInstantUtc(int64_t epoch_ms) {
  const int64_t s = FloorDiv(epoch_ms, 1000);
  const cctz::civil_second cs = cctz::convert(ToTimePoint(s), cctz::utc_time_zone());
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d.%03lldZ", static_cast<long long>(cs.year()),
                cs.month(), cs.day(), cs.hour(), cs.minute(), cs.second(),
                static_cast<long long>(epoch_ms - s * 1000));
  return buf;
}

TimeBucketer::TimeBucketer(const cctz::time_zone& tz, BucketUnit unit, int64_t step_ms)
    : tz_(tz), unit_(unit), step_ms_(unit == BucketUnit::kMinute ? 60'000 : step_ms) {
  if (unit_ == BucketUnit::kStep && step_ms_ <= 0) step_ms_ = 86'400'000;
  cctz::time_zone::civil_transition trans;
  if (!tz_.next_transition(ToTimePoint(-(int64_t{1} << 40)), &trans)) {
    fixed_ = true;
    fixed_offset_ = tz_.lookup(ToTimePoint(0)).offset;
  }
}

int32_t TimeBucketer::OffsetAt(int64_t epoch_s) {
  if (fixed_) return fixed_offset_;
  const int64_t hour = FloorDiv(epoch_s, 3600);
  HourEntry& e = hours_[static_cast<uint64_t>(hour) % kHourSlots];
  if (e.hour != hour) {
    e.hour = hour;
    const int32_t a = tz_.lookup(ToTimePoint(hour * 3600)).offset;
    const int32_t b = tz_.lookup(ToTimePoint(hour * 3600 + 3599)).offset;
    e.offset = a;
    e.mixed = a != b;
  }
  if (e.mixed) return tz_.lookup(ToTimePoint(epoch_s)).offset;
  return e.offset;
}

void TimeBucketer::FillDay(int64_t local_day, DayEntry* e) const {
  cctz::civil_day day = kEpochDay + local_day;
  switch (unit_) {
    case BucketUnit::kHour:
    case BucketUnit::kDay:
    case BucketUnit::kMinute:
    case BucketUnit::kStep:
    case BucketUnit::kHourOfDay:
    case BucketUnit::kWeekday:
      break;
    case BucketUnit::kWeek:
      day -= FloorMod(local_day + 3, 7);  // 1970-01-01 was a Thursday
      break;
    case BucketUnit::kMonth:
      day = cctz::civil_day(day.year(), day.month(), 1);
      break;
    case BucketUnit::kQuarter:
      day = cctz::civil_day(day.year(), ((day.month() - 1) / 3) * 3 + 1, 1);
      break;
    case BucketUnit::kYear:
      day = cctz::civil_day(day.year(), 1, 1);
      break;
  }
  e->local_day = local_day;
  const cctz::time_zone::civil_lookup cl = tz_.lookup(cctz::civil_second(day));
  switch (cl.kind) {
    case cctz::time_zone::civil_lookup::SKIPPED:
      e->pre_s = e->post_s = FromTimePoint(cl.trans);
      break;
    case cctz::time_zone::civil_lookup::REPEATED:
      e->pre_s = FromTimePoint(cl.pre);
      e->post_s = FromTimePoint(cl.post);
      break;
    case cctz::time_zone::civil_lookup::UNIQUE:
    default:
      e->pre_s = e->post_s = FromTimePoint(cl.pre);
      break;
  }
}

int64_t TimeBucketer::DayBucketStart(int64_t epoch_s, int64_t local_day) {
  DayEntry& e = days_[static_cast<uint64_t>(local_day) % kDaySlots];
  if (e.local_day != local_day) FillDay(local_day, &e);
  (void)epoch_s;
  // A repeated local midnight (a zone falling back from 01:00 to 00:00):
  // the day starts at its first midnight and is one bucket of 25 hours.
  return std::min(e.pre_s, e.post_s);
}

int64_t TimeBucketer::Start(int64_t epoch_ms) {
  const int64_t s = FloorDiv(epoch_ms, 1000);
  const int64_t local = s + OffsetAt(s);
  if (unit_ == BucketUnit::kHour) return (s - FloorMod(local, 3600)) * 1000;
  const int64_t local_day = FloorDiv(local, 86400);
  if (unit_ == BucketUnit::kHourOfDay) return FloorMod(local, 86400) / 3600;
  if (unit_ == BucketUnit::kWeekday) return FloorMod(local_day + 3, 7) + 1;  // 1970-01-01 was a Thursday
  if (unit_ == BucketUnit::kMinute || unit_ == BucketUnit::kStep) {
    // Whole steps of elapsed time from the local midnight that starts the
    // day (a 23- or 25-hour day has 23 or 25 hours of steps).
    int64_t day_start = fixed_ ? (local_day * 86400 - fixed_offset_) * 1000 : DayBucketStart(s, local_day) * 1000;
    if (day_start > epoch_ms) day_start = DayBucketStart(s, local_day - 1) * 1000;
    return day_start + FloorDiv(epoch_ms - day_start, step_ms_) * step_ms_;
  }
  if (fixed_) {
    if (unit_ == BucketUnit::kDay) return (local_day * 86400 - fixed_offset_) * 1000;
    if (unit_ == BucketUnit::kWeek) return ((local_day - FloorMod(local_day + 3, 7)) * 86400 - fixed_offset_) * 1000;
  }
  return DayBucketStart(s, local_day) * 1000;
}

int64_t TimeBucketer::End(int64_t start) {
  constexpr int64_t h = 3'600'000, d = 24 * h;
  switch (unit_) {
    case BucketUnit::kHour: return start + h;
    case BucketUnit::kDay: return Start(start + 25 * h + 1);
    case BucketUnit::kWeek: return Start(start + 7 * d + 2 * h);
    case BucketUnit::kMonth: return Start(start + 32 * d);
    case BucketUnit::kQuarter: return Start(start + 93 * d);
    case BucketUnit::kYear: return Start(start + 367 * d);
    case BucketUnit::kMinute:
    case BucketUnit::kStep:
      // The next step, or the next local midnight when that comes first
      // (the bucket holding start + step then starts at that midnight).
      return Start(start + step_ms_);
    case BucketUnit::kHourOfDay:
    case BucketUnit::kWeekday:
      return start;
  }
  return start + d;
}

void TimeBucketer::StartMany(const int64_t* in, size_t n, int64_t* out) {
  if (fixed_ && unit_ == BucketUnit::kDay) {
    const int64_t off_ms = int64_t{fixed_offset_} * 1000;
    for (size_t i = 0; i < n; ++i) out[i] = FloorDiv(in[i] + off_ms, 86400000) * 86400000 - off_ms;
    return;
  }
  if (fixed_ && unit_ == BucketUnit::kHour && fixed_offset_ % 3600 == 0) {
    for (size_t i = 0; i < n; ++i) out[i] = FloorDiv(in[i], 3600000) * 3600000;
    return;
  }
  for (size_t i = 0; i < n; ++i) out[i] = Start(in[i]);
}

}  // namespace kpi::query
