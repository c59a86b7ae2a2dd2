#include "query/evaluation/business_calendar.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>
#include <map>

#include <cctz/civil_time.h>

#include "query/time_buckets.h"

namespace kpi::query {

namespace {

using Seconds = cctz::time_point<cctz::seconds>;
using Pattern = std::vector<std::pair<int32_t, int32_t>>;

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kGregorianCycleDays = 146'097;  // 400 years, a whole number of weeks
const cctz::civil_day kEpochDay(1970, 1, 1);
constexpr const char* kDayNames[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int64_t DayNumber(int y, int m, int d) { return cctz::civil_day(y, m, d) - kEpochDay; }

bool ValidDate(int y, int m, int d) {
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  const cctz::civil_day day(y, m, d);
  return day.year() == y && day.month() == m && day.day() == d;
}

// Monday = 0 .. Sunday = 6; 1970-01-01 was a Thursday.
int Weekday(int64_t day) { return static_cast<int>(day - FloorDiv(day + 3, 7) * 7 + 3); }

std::string Hhmm(int minutes) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

std::string Date(int y, int m, int d) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

bool Fail(CalendarProblem* problem, CalendarProblem::Where where, size_t index, std::string message) {
  if (problem) {
    problem->where = where;
    problem->index = index;
    problem->message = std::move(message);
  }
  return false;
}

// Intervals arrive sorted by begin within a day, days in order: starting each
// where the previous one ended keeps them disjoint and increasing, and their
// total is the measure of their union. False if nothing is left.
bool ClampAfter(int64_t* begin, int64_t* end, int64_t* last_end) {
  *begin = std::max(*begin, *last_end);
  *end = std::max(*end, *begin);
  *last_end = *end;
  return *end > *begin;
}

int64_t Saturate(__int128 v) {
  if (v > INT64_MAX) return INT64_MAX;
  if (v < INT64_MIN) return INT64_MIN;
  return static_cast<int64_t>(v);
}

bool CheckRule(const OpenRule& rule, size_t index, CalendarProblem* problem) {
  using W = CalendarProblem::Where;
  if ((rule.days_mask & 0x7f) == 0) return Fail(problem, W::kOpen, index, "open rule names no days");
  if (rule.days_mask & 0x80) return Fail(problem, W::kOpen, index, "open rule's days mask has bits above Sunday");
  if (rule.ranges.empty()) return Fail(problem, W::kOpen, index, "open rule lists no hours");
  for (const ClockRange& r : rule.ranges) {
    if (r.begin_min < 0 || r.begin_min > 1440 || r.end_min < 0 || r.end_min > 1440)
      return Fail(problem, W::kOpen, index, "open hours must lie within 00:00-24:00");
    if (r.begin_min >= r.end_min)
      return Fail(problem, W::kOpen, index,
                  "open hours " + Hhmm(r.begin_min) + "-" + Hhmm(r.end_min) + " do not end after they begin");
  }
  return true;
}

// Ranges open on each weekday, with the rule that opened them.
struct Opening {
  ClockRange range;
  size_t rule;
};

bool CheckOverlaps(const CalendarSpec& spec, CalendarProblem* problem) {
  std::array<std::vector<Opening>, 7> per_day;
  for (size_t i = 0; i < spec.open.size(); ++i)
    for (int w = 0; w < 7; ++w)
      if (spec.open[i].days_mask & (1u << w))
        for (const ClockRange& r : spec.open[i].ranges) per_day[w].push_back({r, i});
  for (int w = 0; w < 7; ++w) {
    auto& list = per_day[w];
    std::stable_sort(list.begin(), list.end(),
                     [](const Opening& a, const Opening& b) { return a.range.begin_min < b.range.begin_min; });
    for (size_t k = 1; k < list.size(); ++k) {
      const Opening& a = list[k - 1];
      const Opening& b = list[k];
      if (b.range.begin_min < a.range.end_min)
        return Fail(problem, CalendarProblem::Where::kOpen, std::max(a.rule, b.rule),
                    std::string("open hours overlap on ") + kDayNames[w] + ": " + Hhmm(a.range.begin_min) + "-" +
                        Hhmm(a.range.end_min) + " and " + Hhmm(b.range.begin_min) + "-" + Hhmm(b.range.end_min));
    }
  }
  return true;
}

bool CheckClosed(const ClosedDays& c, size_t index, CalendarProblem* problem) {
  using W = CalendarProblem::Where;
  if (!ValidDate(c.y1, c.m1, c.d1)) return Fail(problem, W::kClosed, index, "no such date " + Date(c.y1, c.m1, c.d1));
  if (!ValidDate(c.y2, c.m2, c.d2)) return Fail(problem, W::kClosed, index, "no such date " + Date(c.y2, c.m2, c.d2));
  if (DayNumber(c.y2, c.m2, c.d2) <= DayNumber(c.y1, c.m1, c.d1))
    return Fail(problem, W::kClosed, index,
                "closed dates out of order: " + Date(c.y1, c.m1, c.d1) + " .. " + Date(c.y2, c.m2, c.d2));
  return true;
}

}  // namespace

bool ValidateCalendar(const CalendarSpec& spec, CalendarProblem* problem) {
  cctz::time_zone tz;
  if (!LoadQueryZone(spec.tz, &tz))
    return Fail(problem, CalendarProblem::Where::kTz, 0, "unknown time zone '" + spec.tz + "'");
  for (size_t i = 0; i < spec.open.size(); ++i)
    if (!CheckRule(spec.open[i], i, problem)) return false;
  if (!CheckOverlaps(spec, problem)) return false;
  for (size_t i = 0; i < spec.closed.size(); ++i)
    if (!CheckClosed(spec.closed[i], i, problem)) return false;
  return true;
}

std::shared_ptr<const BusinessClock> BusinessClock::Build(const CalendarSpec& spec, CalendarProblem* problem) {
  if (!ValidateCalendar(spec, problem)) return nullptr;
  std::shared_ptr<BusinessClock> clock(new BusinessClock());
  BusinessClock& c = *clock;
  LoadQueryZone(spec.tz, &c.tz_);

  for (const OpenRule& rule : spec.open)
    for (int w = 0; w < 7; ++w)
      if (rule.days_mask & (1u << w)) c.weekday_[w].insert(c.weekday_[w].end(), rule.ranges.begin(), rule.ranges.end());
  for (auto& ranges : c.weekday_) {  // sort; merge touching ranges (validation ruled out overlaps)
    std::sort(ranges.begin(), ranges.end(), [](ClockRange a, ClockRange b) { return a.begin_min < b.begin_min; });
    std::vector<ClockRange> merged;
    for (ClockRange r : ranges) {
      if (!merged.empty() && r.begin_min <= merged.back().end_min)
        merged.back().end_min = std::max(merged.back().end_min, r.end_min);
      else
        merged.push_back(r);
    }
    ranges = std::move(merged);
  }
  for (const ClosedDays& cd : spec.closed)
    c.closed_.emplace_back(DayNumber(cd.y1, cd.m1, cd.d1), DayNumber(cd.y2, cd.m2, cd.d2));
  std::sort(c.closed_.begin(), c.closed_.end());
  std::vector<std::pair<int64_t, int64_t>> merged;
  for (const auto& r : c.closed_) {
    if (!merged.empty() && r.first <= merged.back().second)
      merged.back().second = std::max(merged.back().second, r.second);
    else
      merged.push_back(r);
  }
  c.closed_ = std::move(merged);

  const int64_t first_day = DayNumber(kFirstYear, 1, 1);
  const int64_t n = DayNumber(kEndYear, 1, 1) - first_day;
  const int64_t computed = n + 2;  // two days past the end, so the last day's slot end is right

  // Local midnights (running max: a zone moving back across a day boundary
  // must not make day starts decrease) and the offset changes among them.
  std::vector<int64_t> midnight(computed + 1);
  for (int64_t i = 0; i <= computed; ++i) {
    midnight[i] = c.LocalMidnight(first_day + i);
    if (i > 0) midnight[i] = std::max(midnight[i], midnight[i - 1]);
  }
  std::vector<int64_t> transitions;  // instants (ms) of UTC-offset changes
  {
    Seconds tp(cctz::seconds(FloorDiv(midnight[0], 1000) - 3 * 86400));
    const Seconds end(cctz::seconds(midnight[computed] / 1000 + 3 * 86400));
    cctz::time_zone::civil_transition tr;
    while (tp < end && c.tz_.next_transition(tp, &tr)) {
      const Seconds at = c.tz_.lookup(tr.to).trans;
      if (at <= tp) break;
      transitions.push_back(at.time_since_epoch().count() * 1000);
      tp = at;
    }
  }

  // Each day's intervals, clamped to stay disjoint and increasing.
  std::vector<Interval> all;
  std::vector<uint32_t> first_interval(computed + 1);
  all.reserve(static_cast<size_t>(computed) * 2);
  int64_t last_end = INT64_MIN;
  size_t next_tr = 0;
  std::vector<Interval> day;
  for (int64_t i = 0; i < computed; ++i) {
    first_interval[i] = static_cast<uint32_t>(all.size());
    const int64_t d = first_day + i;
    const auto& ranges = c.weekday_[Weekday(d)];
    if (ranges.empty() || c.IsClosed(d)) continue;
    const int64_t lo = midnight[i] - kDayMs, hi = midnight[i + 1] + kDayMs;
    while (next_tr < transitions.size() && transitions[next_tr] < lo) ++next_tr;
    day.clear();
    if (next_tr == transitions.size() || transitions[next_tr] > hi) {
      // No offset change within a day of this one: wall clock = midnight + minutes.
      for (const ClockRange& r : ranges)
        day.push_back({midnight[i] + r.begin_min * int64_t{60'000}, midnight[i] + r.end_min * int64_t{60'000}});
    } else {
      c.DayIntervals(d, &day);
    }
    for (Interval iv : day)
      if (ClampAfter(&iv.begin_ms, &iv.end_ms, &last_end)) all.push_back(iv);
  }
  first_interval[computed] = static_cast<uint32_t>(all.size());

  // Day slots: start[d] lies between every earlier interval's end and every
  // later interval's begin, near the local midnight; so day d's intervals lie
  // in [start[d], start[d + 1]] and OpenMsBefore needs only that day.
  std::vector<int64_t> first_begin_from(computed + 1, INT64_MAX);
  for (int64_t i = computed - 1; i >= 0; --i)
    first_begin_from[i] =
        first_interval[i] < first_interval[i + 1] ? all[first_interval[i]].begin_ms : first_begin_from[i + 1];
  c.days_.resize(n + 1);
  c.day_pattern_.resize(n);
  c.pattern_begin_.push_back(0);  // pattern 0: no open hours
  c.pattern_begin_.push_back(0);
  std::map<Pattern, uint32_t> pattern_ids;
  std::array<uint32_t, 7> last_of_weekday{};
  int64_t end_before = INT64_MIN, cum = 0;
  Pattern rel;
  for (int64_t i = 0; i <= n; ++i) {
    const int64_t start = std::max(end_before, std::min(midnight[i], first_begin_from[i]));
    c.days_[i] = {start, cum};
    if (i == n) break;
    rel.clear();
    for (uint32_t k = first_interval[i]; k < first_interval[i + 1]; ++k) {
      const Interval& iv = all[k];
      // Fits: a slot is at most a couple of days long, far below 2^31 ms.
      rel.emplace_back(static_cast<int32_t>(iv.begin_ms - start), static_cast<int32_t>(iv.end_ms - start));
      cum += iv.end_ms - iv.begin_ms;
      end_before = iv.end_ms;
    }
    uint32_t id = 0;
    if (!rel.empty()) {
      const int w = Weekday(first_day + i);
      const uint32_t cand = last_of_weekday[w];
      if (cand != 0 && std::equal(rel.begin(), rel.end(), c.pattern_ranges_.begin() + c.pattern_begin_[cand],
                                  c.pattern_ranges_.begin() + c.pattern_begin_[cand + 1])) {
        id = cand;
      } else {
        auto [it, added] = pattern_ids.emplace(rel, static_cast<uint32_t>(c.pattern_begin_.size() - 1));
        if (added) {
          c.pattern_ranges_.insert(c.pattern_ranges_.end(), rel.begin(), rel.end());
          c.pattern_begin_.push_back(static_cast<uint32_t>(c.pattern_ranges_.size()));
        }
        id = it->second;
      }
      last_of_weekday[w] = id;
    }
    c.day_pattern_[i] = id;
  }
  c.days_.shrink_to_fit();
  c.pattern_ranges_.shrink_to_fit();
  c.pattern_begin_.shrink_to_fit();

  // Outside the range. Before the zone's first offset change (and the first
  // closed day) the offset is fixed, so open hours repeat weekly; after 2200
  // and the last closed day the zone's rule repeats with the Gregorian
  // calendar every 400 years (cctz extends zones that way too).
  int64_t past_day = first_day;
  {
    cctz::time_zone::civil_transition tr;
    if (c.tz_.next_transition(Seconds::min(), &tr))
      past_day = std::min<int64_t>(past_day, cctz::civil_day(tr.from) - kEpochDay);
    if (!c.closed_.empty()) past_day = std::min(past_day, c.closed_.front().first);
  }
  c.past_anchor_ms_ = c.LocalMidnight(past_day - 2);
  c.past_period_ms_ = 7 * kDayMs;
  c.past_period_open_ms_ = c.OpenMsSlow(c.past_anchor_ms_ - c.past_period_ms_, c.past_anchor_ms_);
  int64_t future_day = first_day + n;
  if (!c.closed_.empty()) future_day = std::max(future_day, c.closed_.back().second);
  c.future_anchor_ms_ = c.LocalMidnight(future_day + 2);
  c.future_period_ms_ = kGregorianCycleDays * kDayMs;
  return clock;
}

int64_t BusinessClock::LocalMidnight(int64_t day) const {
  return tz_.lookup(cctz::civil_second(kEpochDay + day)).pre.time_since_epoch().count() * 1000;
}

bool BusinessClock::IsClosed(int64_t day) const {
  auto it = std::upper_bound(closed_.begin(), closed_.end(), std::make_pair(day, INT64_MAX));
  return it != closed_.begin() && day < std::prev(it)->second;
}

void BusinessClock::DayIntervals(int64_t day, std::vector<Interval>* out) const {
  const auto& ranges = weekday_[Weekday(day)];
  if (ranges.empty() || IsClosed(day)) return;
  const cctz::civil_second midnight(kEpochDay + day);
  auto at = [&](int minutes) {  // 24:00 is the next day's 00:00
    return tz_.lookup(midnight + minutes * 60).pre.time_since_epoch().count() * 1000;
  };
  const size_t first = out->size();
  for (const ClockRange& r : ranges) {
    const int64_t b = at(r.begin_min), e = at(r.end_min);
    if (e > b) out->push_back({b, e});  // a range ending inside a gap it began after is empty
  }
  // A gap can reorder a day's ranges (02:30 reads as 03:30 CEST, after 03:00
  // CEST); sorted by begin, clamping each to the previous end yields their union.
  std::sort(out->begin() + first, out->end(),
            [](const Interval& a, const Interval& b) { return a.begin_ms < b.begin_ms; });
}

int64_t BusinessClock::OpenMsSlow(int64_t a, int64_t b) const {
  if (a >= b) return 0;
  auto local_day = [&](int64_t ms) {
    return cctz::civil_day(tz_.lookup(Seconds(cctz::seconds(FloorDiv(ms, 1000)))).cs) - kEpochDay;
  };
  // Two days of lead-in so clamping starts from the same state as it would
  // from further back (it only ever reaches across one day boundary).
  const int64_t from = local_day(a) - 2, to = local_day(b) + 1;
  int64_t last_end = INT64_MIN, total = 0;
  std::vector<Interval> day;
  for (int64_t d = from; d <= to; ++d) {
    day.clear();
    DayIntervals(d, &day);
    for (Interval iv : day)
      if (ClampAfter(&iv.begin_ms, &iv.end_ms, &last_end))
        total += std::max<int64_t>(0, std::min(iv.end_ms, b) - std::max(iv.begin_ms, a));
  }
  return total;
}

int64_t BusinessClock::BeforeRange(int64_t t_ms) const {
  // -(open ms of [t, origin)); whole weekly periods before the anchor are skipped.
  const int64_t origin = days_.front().start_ms;
  __int128 open = 0;
  int64_t t = t_ms;
  if (t < past_anchor_ms_ - past_period_ms_) {
    const __int128 k = (static_cast<__int128>(past_anchor_ms_) - t) / past_period_ms_;
    t = static_cast<int64_t>(t + k * past_period_ms_);
    open = k * past_period_open_ms_;
  }
  return Saturate(-(open + OpenMsSlow(t, origin)));
}

int64_t BusinessClock::AfterRange(int64_t t_ms) const {
  const Day& end = days_.back();
  __int128 open = end.cum_ms;
  int64_t t = t_ms;
  if (t >= future_anchor_ms_ && t - future_anchor_ms_ >= future_period_ms_) {
    std::call_once(future_once_, [this] {
      future_period_open_ms_ = OpenMsSlow(future_anchor_ms_, future_anchor_ms_ + future_period_ms_);
    });
    const int64_t k = (t - future_anchor_ms_) / future_period_ms_;
    t -= k * future_period_ms_;
    open += static_cast<__int128>(k) * future_period_open_ms_;
  }
  return Saturate(open + OpenMsSlow(end.start_ms, t));
}

int64_t BusinessClock::OpenMsBefore(int64_t t_ms) const {
  const int64_t n = static_cast<int64_t>(day_pattern_.size());
  if (t_ms < days_[0].start_ms) return BeforeRange(t_ms);
  if (t_ms >= days_[n].start_ms) return AfterRange(t_ms);
  int64_t d = std::min((t_ms - days_[0].start_ms) / kDayMs, n - 1);
  while (days_[d].start_ms > t_ms) --d;
  while (days_[d + 1].start_ms <= t_ms) ++d;
  const Day& day = days_[d];
  const int64_t rel = t_ms - day.start_ms;
  int64_t open = day.cum_ms;
  const uint32_t p = day_pattern_[d];
  for (uint32_t k = pattern_begin_[p]; k < pattern_begin_[p + 1]; ++k) {
    const auto [b, e] = pattern_ranges_[k];
    if (rel <= b) break;
    open += std::min<int64_t>(rel, e) - b;
  }
  return open;
}

int64_t BusinessClock::OpenMsBetween(int64_t start_ms, int64_t end_ms) const {
  if (end_ms <= start_ms) return 0;
  return Saturate(static_cast<__int128>(OpenMsBefore(end_ms)) - OpenMsBefore(start_ms));
}

bool BusinessClock::OpenIntervals(int64_t from_ms, int64_t to_ms, std::vector<std::pair<int64_t, int64_t>>* out,
                                  int64_t* open_before) const {
  const int64_t n = static_cast<int64_t>(day_pattern_.size());
  if (from_ms > to_ms || from_ms < days_[0].start_ms || to_ms >= days_[n].start_ms) return false;
  out->clear();
  *open_before = OpenMsBefore(from_ms);
  int64_t d = std::min((from_ms - days_[0].start_ms) / kDayMs, n - 1);
  while (days_[d].start_ms > from_ms) --d;
  while (days_[d + 1].start_ms <= from_ms) ++d;
  for (; d < n && days_[d].start_ms <= to_ms; ++d) {
    const uint32_t p = day_pattern_[d];
    for (uint32_t k = pattern_begin_[p]; k < pattern_begin_[p + 1]; ++k) {
      const int64_t b = days_[d].start_ms + pattern_ranges_[k].first, e = days_[d].start_ms + pattern_ranges_[k].second;
      if (e > from_ms && b <= to_ms) out->emplace_back(std::max(b, from_ms), e);
    }
  }
  return true;
}

size_t BusinessClock::MemoryBytes() const {
  return sizeof(*this) + days_.capacity() * sizeof(Day) + day_pattern_.capacity() * sizeof(uint32_t) +
         pattern_begin_.capacity() * sizeof(uint32_t) + pattern_ranges_.capacity() * sizeof(pattern_ranges_[0]) +
         closed_.capacity() * sizeof(closed_[0]);
}

}  // namespace kpi::query
