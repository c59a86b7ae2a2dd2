#include "query/differential/random_trends.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include "query/reference/reference_time.h"

namespace kpi::differential {

namespace {

const std::vector<std::string> kDims = {"channel", "team", "category", "customer", "priority"};
const std::vector<std::string> kMeasures = {"csat", "handle_seconds", "cost", "accurate"};
const std::vector<std::string> kZones = {"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata",
                                         "Australia/Sydney"};
const std::vector<std::string> kFine = {"minute", "5m", "15m", "30m", "1h", "2h"};
const std::vector<std::string> kCyclic = {"hour_of_day", "weekday"};
const std::vector<std::string> kCoarse = {"hour", "day", "week", "month", "quarter"};
const std::vector<std::string> kUnits = {"day", "week", "month", "quarter", "year"};
const std::vector<std::string> kCycleEvents = {"customer_reply", "agent_reply", "created", "reopened", "resolved",
                                               "escalated"};
const std::vector<std::string> kAtLast = {"resolved", "agent_reply", "reopened", "customer_reply", "rated"};
// Local days of the 2025 changes: New York 03-09, Berlin 03-30, Sydney 04-06
// (the data is denser around the first two, random_data.h).
const std::vector<std::string> kDstWindows = {"2025-03-08 .. 2025-03-11", "2025-03-09 .. 2025-03-10",
                                              "2025-03-29 .. 2025-04-01", "2025-03-30 .. 2025-03-31",
                                              "2025-04-05 .. 2025-04-07", "2025-03-08T20:00:00Z .. 2025-03-09T12:00:00Z",
                                              "2025-03-29T22:00:00Z .. 2025-03-30T06:00:00Z"};

std::string Utc(int64_t ms) {
  ms -= ms % 1000;
  return reference::FormatUtc(ms).substr(0, 19) + "Z";
}

}  // namespace

std::string TrendQueryGenerator::Zone() { return Chance(0.7) ? Pick(kZones) : ""; }

std::string TrendQueryGenerator::DuringDst() { return " during " + Pick(kDstWindows); }

std::string TrendQueryGenerator::DuringShort() {
  if (Chance(0.5)) return DuringDst();
  const int64_t a = std::uniform_int_distribution<int64_t>(min_ms_, max_ms_)(rng_);
  const int64_t len = std::uniform_int_distribution<int64_t>(3'600'000, 2 * 86'400'000)(rng_);
  if (Chance(0.5)) return " during " + DateLiteral(a) + " .. " + DateLiteral(a + 86'400'000 * Int(1, 2));
  return " during " + Utc(a) + " .. " + Utc(a + len);
}

std::string TrendQueryGenerator::DuringAny() {
  if (Chance(0.3)) return DuringShort();
  int64_t a = std::uniform_int_distribution<int64_t>(min_ms_, max_ms_)(rng_);
  int64_t b = std::uniform_int_distribution<int64_t>(min_ms_, max_ms_)(rng_);
  if (a > b) std::swap(a, b);
  return " during " + DateLiteral(a) + " .. " + DateLiteral(b + 86'400'000);
}

// A number (or, through the base functions, a duration) per row; mixing the
// two in least / greatest / case is a type error both sides must refuse.
std::string TrendQueryGenerator::Scalar(bool tickets, int depth) {
  auto base = [&] { return tickets ? TicketNumber(1) : EventNumber(1); };
  if (depth > 2) return Chance(0.6) ? Pick(kMeasures) : base();
  auto sub = [&] { return Chance(0.5) ? Scalar(tickets, depth + 1) : (Chance(0.7) ? Pick(kMeasures) : base()); };
  static const std::vector<std::string> kConsts = {"0", "1", "2.5", "-3", "60", "100"};
  switch (Int(0, 7)) {
    case 0:
    case 1: {
      std::string s = "case";
      for (int n = Int(1, 3); n > 0; --n) s += " when " + ScalarPredicate(tickets, depth + 1) + " then " + sub();
      if (Chance(0.6)) s += " else " + (Chance(0.5) ? Pick(kConsts) : sub());
      return s + " end";
    }
    case 2:
      return "coalesce(" + sub() + ", " + (Chance(0.5) ? sub() + ", " : "") + Pick(kConsts) + ")";
    case 3:
    case 4: {
      std::string s = Chance(0.5) ? "least(" : "greatest(";
      s += sub() + ", " + (Chance(0.5) ? sub() : Pick(kConsts));
      if (Chance(0.3)) s += ", " + Pick(kConsts);
      return s + ")";
    }
    case 5:
      return "abs(" + sub() + (Chance(0.5) ? " - " + Pick(kConsts) : "") + ")";
    case 6: {
      static const std::vector<std::string> kDigits = {"0", "1", "2", "-1"};
      return "round(" + sub() + (Chance(0.5) ? " / 7" : "") + (Chance(0.6) ? ", " + Pick(kDigits) : "") + ")";
    }
    default:
      return base();
  }
}

std::string TrendQueryGenerator::ScalarPredicate(bool tickets, int depth) {
  const int hi = depth > 2 ? 3 : 6;
  switch (Int(0, hi)) {
    case 0:
      return (Chance(0.5) ? Pick(kMeasures) : Pick(kDims)) + (Chance(0.5) ? " is null" : " is not null");
    case 1:
      return (tickets ? TicketPredicate(1) : EventPredicate(1));
    case 2: {
      const std::string& d = Pick(kDims);
      return "coalesce(" + d + ", \"none\") " + (Chance(0.5) ? "=" : "!=") + " " +
             (Chance(0.3) ? std::string("\"none\"") : DimValue(d));
    }
    case 3:
      return MeasureComparison();
    case 4:
      return "(" + Scalar(tickets, depth + 1) + ") " + (Chance(0.5) ? ">=" : "<") + " " + std::to_string(Int(0, 5));
    case 5:
      return "(" + Scalar(tickets, depth + 1) + (Chance(0.5) ? ") is null" : ") is not null");
    default:
      return "(" + ScalarPredicate(tickets, depth + 1) + (Chance(0.5) ? " and " : " or ") +
             ScalarPredicate(tickets, depth + 1) + ")";
  }
}

std::string TrendQueryGenerator::ScalarGroup(bool tickets) {
  const std::string& d = Pick(kDims);
  switch (Int(0, 5)) {
    case 0:
      return "coalesce(" + d + ", \"none\")";
    case 1:
      return "case when " + d + " in (" + DimValue(d) + ", " + DimValue(d) + ") then \"in\"" +
             (Chance(0.6) ? " else \"out\"" : "") + " end";
    case 2:
      return "case when csat >= 4 then \"happy\" when csat < 3 then \"unhappy\"" + std::string(Chance(0.5) ? " else \"meh\"" : "") +
             " end";
    case 3:
      return Chance(0.5) ? "least(csat, 4)" : "greatest(cost, 2)";
    case 4:
      return Chance(0.5) ? "round(handle_seconds / 60)" : "abs(csat - 3)";
    default:
      return "case when " + ScalarPredicate(tickets, 2) + " then 1 else 0 end";
  }
}

std::string TrendQueryGenerator::ScalarAggregate(bool tickets) {
  auto agg = [&] { return Aggregate(tickets); };
  switch (Int(0, 11)) {
    case 0:
      return "sum(" + Scalar(tickets, 0) + ")";
    case 1:
      return "avg(" + Scalar(tickets, 0) + ")";
    case 2:
      return std::string(Chance(0.5) ? "min(" : "max(") + Scalar(tickets, 0) + ")";
    case 3:
      return "p90(" + Scalar(tickets, 0) + ")";
    case 4:
      return "rate(" + ScalarPredicate(tickets, 0) + ")";
    case 5:
      return "count(case when " + ScalarPredicate(tickets, 1) + " then \"x\" end)";
    case 6:
      return "distinct(coalesce(" + Pick(kDims) + ", \"none\"))";
    case 7:
      return "round(" + agg() + (Chance(0.5) ? ", 1" : "") + ")";
    case 8:
      return "abs(" + agg() + " - " + agg() + ")";
    case 9:
      return std::string(Chance(0.5) ? "greatest(" : "least(") + agg() + ", " + std::to_string(Int(0, 10)) + ")";
    case 10:
      return "coalesce(" + agg() + ", 0)";
    default:
      return "case when count() > " + std::to_string(Int(0, 4)) + " then " + agg() +
             (Chance(0.5) ? " else 0" : "") + " end";
  }
}

std::string TrendQueryGenerator::Cycles() {
  return "cycles(" + Pick(kCycleEvents) + " -> " + Pick(kCycleEvents) + ")";
}

std::string TrendQueryGenerator::WindowAggregate(bool tickets) {
  auto number = [&] { return tickets ? TicketNumber(1) : EventNumber(1); };
  switch (Int(0, 8)) {
    case 0:
      return "count()";
    case 1:
      return "sum(" + number() + ")";
    case 2:
      return "avg(" + number() + ")";
    case 3:
      return "rate(" + (tickets ? TicketPredicate(1) : EventPredicate(1)) + ")";
    case 4:
      return std::string(Chance(0.5) ? "min(" : "max(") + number() + ")";
    case 5:
      return "p90(" + number() + ")";
    case 6:
      return "distinct(" + Pick(kDims) + ")";
    case 7:
      return "ratio(" + number() + ", " + number() + ")";
    default:
      return Chance(0.5) ? ScalarAggregate(tickets) : "percentile(" + number() + ", 0.25)";
  }
}

std::string TrendQueryGenerator::AsOf() {
  if (batch_times_.empty() || !Chance(0.2)) return "";
  const int64_t t = batch_times_[static_cast<size_t>(Int(0, static_cast<int>(batch_times_.size()) - 1))];
  return " as of " + reference::FormatUtc(Chance(0.5) ? t : t - 1);
}

void TrendQueryGenerator::Tail(Built* b, const std::vector<std::string>& aliases, bool allow_limit) {
  if (!aliases.empty() && Chance(0.2)) {
    b->text += " having " + aliases[static_cast<size_t>(Int(0, static_cast<int>(aliases.size()) - 1))] + " " +
               (Chance(0.5) ? ">" : "<=") + " " + std::to_string(Int(0, 3));
  }
  std::vector<std::string> names;
  for (const Column& c : b->columns)  // a `by 15m` column is named 15m, which order by cannot name
    if (std::isalpha(static_cast<unsigned char>(c.name[0]))) names.push_back(c.name);
  if (!names.empty() && Chance(0.3)) {
    b->ordered = true;
    std::shuffle(names.begin(), names.end(), rng_);
    const int n = Int(1, std::min<int>(2, static_cast<int>(names.size())));
    b->text += " order by ";
    for (int i = 0; i < n; ++i) b->text += (i ? ", " : "") + names[static_cast<size_t>(i)] + (Chance(0.5) ? " desc" : "");
  }
  if (allow_limit && Chance(0.15)) {
    b->limited = true;
    b->text += " limit " + std::to_string(Int(0, 6));
  }
}

// n aliased items c0.. drawn by `draw`, each a number column of b.
std::string TrendQueryGenerator::Items(int n, const std::function<std::string()>& draw, Built* b,
                                       std::vector<std::string>* aliases) {
  std::string items;
  for (int i = 0; i < n; ++i) {
    const std::string a = "c" + std::to_string(i);
    items += (i ? ", " : "") + draw() + " as " + a;
    aliases->push_back(a);
    b->columns.push_back({a, 'n'});
  }
  return items;
}

void TrendQueryGenerator::By(const std::vector<std::string>& group, Built* b) {
  if (group.empty()) return;
  b->text += " by ";
  for (size_t i = 0; i < group.size(); ++i) {
    b->text += (i ? ", " : "") + group[i];
    if (group[i].find_first_of("( ") == std::string::npos) b->columns.push_back({group[i], 'd'});
  }
}

void TrendQueryGenerator::ZoneAndAsOf(Built* b) {
  const std::string zone = Zone();
  if (!zone.empty()) b->text += " tz \"" + zone + "\"";
  b->text += AsOf();
}

// Scalars everywhere, the new buckets, at last(A).
TrendQueryGenerator::Built TrendQueryGenerator::PlainSelect() {
  Built b;
  const bool tickets = Chance(0.7);
  std::vector<std::string> aliases;
  const std::string items =
      Items(Int(1, 3), [&] { return Chance(0.6) ? ScalarAggregate(tickets) : Aggregate(tickets); }, &b, &aliases);
  b.text = "select " + items + " from " + (tickets ? "tickets" : "events");
  if (Chance(0.5)) b.text += " where " + ScalarPredicate(tickets, 0);
  bool fine = false;
  std::vector<std::string> group;
  for (int n = Int(0, 2); n > 0; --n) {
    std::string g;
    switch (Int(0, 4)) {
      case 0:
        g = Pick(kFine);
        fine = true;
        break;
      case 1:
        g = Pick(kCyclic);
        break;
      case 2:
        g = ScalarGroup(tickets);
        break;
      case 3:
        g = Pick(kDims);
        break;
      default:
        g = Pick(kCoarse);
    }
    if (std::find(group.begin(), group.end(), g) == group.end()) group.push_back(g);
  }
  if (fine || Chance(0.4)) b.text += fine && Chance(0.7) ? DuringShort() : DuringAny();
  if (tickets && Chance(0.3)) b.text += Chance(0.7) ? " at last(" + Pick(kAtLast) + ")" : " at " + Pick(kAtLast);
  By(group, &b);
  Tail(&b, aliases, true);
  ZoneAndAsOf(&b);
  return b;
}

// compare with previous [unit], with a time bucket or with during alone.
TrendQueryGenerator::Built TrendQueryGenerator::CompareSelect() {
  Built b;
  const bool tickets = Chance(0.7);
  std::vector<std::string> aliases;
  const std::string items = Items(
      Int(1, 2),
      [&] {
        const int k = Int(0, 9);
        return k < 6 ? WindowAggregate(tickets) : k < 8 ? ScalarAggregate(tickets) : tickets ? "avg(" + Cycles() + ")" : "count()";
      },
      &b, &aliases);
  for (const std::string& a : aliases)
    if (Chance(0.2)) b.columns.push_back({a + (Chance(0.5) ? "_prev" : "_change"), 'n'});
  b.text = "select " + items + " from " + (tickets ? "tickets" : "events");
  if (Chance(0.4)) b.text += " where " + (Chance(0.5) ? ScalarPredicate(tickets, 1) : tickets ? TicketPredicate(1) : EventPredicate(1));
  std::vector<std::string> group;
  const int how = Int(0, 9);
  std::string bucket;
  if (how < 4) bucket = Pick(kCoarse);
  else if (how < 6) bucket = Pick(kFine);
  else if (how == 6) bucket = Chance(0.8) ? "day" : Pick(kCyclic);  // cyclic: both refuse
  // how >= 7: no bucket, `during` required (rarely left out: both refuse)
  const bool fine = std::find(kFine.begin(), kFine.end(), bucket) != kFine.end() || bucket == "hour";
  if (bucket.empty()) {
    if (Chance(0.95)) b.text += Chance(0.5) ? DuringAny() : DuringShort();
  } else if (fine) {
    b.text += DuringShort();
  } else if (Chance(0.5)) {
    b.text += DuringAny();
  }
  if (tickets && Chance(0.15)) b.text += " at last(" + Pick(kAtLast) + ")";
  if (!bucket.empty()) group.push_back(bucket);
  if (Chance(0.4)) group.push_back(Pick(kDims));
  if (Chance(0.5)) std::shuffle(group.begin(), group.end(), rng_);
  By(group, &b);
  Tail(&b, aliases, true);
  b.text += " compare with previous";
  if (Chance(0.6)) b.text += " " + Pick(kUnits);
  ZoneAndAsOf(&b);
  return b;
}

// by <bucket> rolling n.
TrendQueryGenerator::Built TrendQueryGenerator::RollingSelect() {
  Built b;
  const bool tickets = Chance(0.7);
  std::vector<std::string> aliases;
  const std::string items = Items(Int(1, 3), [&] { return WindowAggregate(tickets); }, &b, &aliases);
  b.text = "select " + items + " from " + (tickets ? "tickets" : "events");
  if (Chance(0.4)) b.text += " where " + (Chance(0.5) ? ScalarPredicate(tickets, 1) : tickets ? TicketPredicate(1) : EventPredicate(1));
  const int how = Int(0, 9);
  std::string bucket;
  if (how < 4) {
    bucket = "day";
    if (Chance(0.6)) b.text += Chance(0.5) ? DuringDst() : DuringAny();
  } else if (how < 6) {
    bucket = Chance(0.5) ? "week" : "month";
    if (Chance(0.4)) b.text += DuringAny();
  } else if (how < 9) {
    bucket = Chance(0.3) ? "hour" : Pick(kFine);
    if (bucket == "minute" || bucket == "5m") {
      const int64_t a = std::uniform_int_distribution<int64_t>(min_ms_, max_ms_)(rng_);
      b.text += " during " + Utc(a) + " .. " + Utc(a + Int(1, 4) * 3'600'000);
    } else {
      b.text += DuringShort();
    }
  } else {
    bucket = Chance(0.5) ? Pick(kCyclic) : Pick(kDims);  // not a time bucket: both refuse
  }
  if (tickets && Chance(0.15)) b.text += " at last(" + Pick(kAtLast) + ")";
  std::vector<std::string> group = {bucket};
  if (Chance(0.3)) group.push_back(Pick(kDims));
  if (group.size() > 1 && group[0] == group[1]) group.pop_back();
  if (Chance(0.3)) std::shuffle(group.begin(), group.end(), rng_);
  By(group, &b);
  b.text += " rolling " + std::to_string(Chance(0.03) ? 0 : Int(1, 8));
  Tail(&b, aliases, true);
  ZoneAndAsOf(&b);
  return b;
}

// cycles(A -> B) inside aggregates over tickets, with other aggregates.
TrendQueryGenerator::Built TrendQueryGenerator::CyclesSelect() {
  Built b;
  std::vector<std::string> aliases;
  std::string items;
  static const std::vector<std::string> kAgg = {"count", "sum", "avg", "min", "max", "p50", "p90", "distinct"};
  for (int i = 0, n = Int(1, 3); i < n; ++i) {
    const std::string a = "c" + std::to_string(i);
    std::string item;
    switch (Int(0, 5)) {
      case 0:
      case 1:
        item = Pick(kAgg) + "(" + Cycles() + ")";
        break;
      case 2:
        item = "avg(" + Cycles() + (Chance(0.5) ? " / 60" : " * 2") + ")";
        break;
      case 3:
        item = "percentile(" + Cycles() + ", " + (Chance(0.5) ? "0.25" : "75%") + ")";
        break;
      case 4:
        item = Chance(0.5) ? "round(avg(" + Cycles() + "), 1)" : "rate(" + Cycles() + " > " + std::to_string(Int(0, 4000)) + ")";
        break;
      default:
        item = Chance(0.9) ? Aggregate(true) : Cycles();  // a bare cycles(): both refuse
    }
    items += (i ? ", " : "") + item + " as " + a;
    aliases.push_back(a);
    b.columns.push_back({a, 'n'});
  }
  const bool events = Chance(0.05);  // cycles over events: both refuse
  b.text = "select " + items + " from " + (events ? "events" : "tickets");
  if (Chance(0.4)) b.text += " where " + TicketPredicate(1);
  if (Chance(0.3)) b.text += DuringAny();
  if (Chance(0.2)) b.text += " at last(" + Pick(kAtLast) + ")";
  if (Chance(0.6)) {
    const std::string g = Chance(0.6) ? Pick(kDims) : Chance(0.5) ? Pick(kCoarse) : Pick(kCyclic);
    b.text += " by " + g;
    b.columns.push_back({g, 'd'});
  }
  Tail(&b, aliases, true);
  ZoneAndAsOf(&b);
  return b;
}

// The innermost select of a nested one: named aggregates by dimensions and
// buckets, so the outer has columns of each kind.
TrendQueryGenerator::Built TrendQueryGenerator::InnerSelect(int depth) {
  if (depth > 1) {
    return NestedSelect(depth - 1, false);  // its items n0.. are the next outer's numbers
  }
  Built b;
  const bool tickets = Chance(0.6);
  std::string items;
  for (int i = 0, n = Int(1, 2); i < n; ++i) {
    const std::string a = "n" + std::to_string(i);
    items += (i ? ", " : "") + (Chance(0.7) ? WindowAggregate(tickets) : ScalarAggregate(tickets)) + " as " + a;
    b.columns.push_back({a, 'n'});
  }
  b.text = "select " + items + " from " + (tickets ? "tickets" : "events");
  if (Chance(0.4)) b.text += " where " + (tickets ? TicketPredicate(1) : EventPredicate(1));
  if (Chance(0.3)) b.text += DuringAny();
  std::vector<std::string> group;
  for (int n = Int(1, 2); n > 0; --n) {
    const int k = Int(0, 5);
    const std::string g = k < 3 ? Pick(kDims) : k < 5 ? Pick(kCoarse) : (!tickets && Chance(0.7)) ? "agent" : Pick(kCyclic);
    if (std::find(group.begin(), group.end(), g) == group.end()) group.push_back(g);
  }
  b.text += " by ";
  for (size_t i = 0; i < group.size(); ++i) {
    b.text += (i ? ", " : "") + group[i];
    const bool time = std::find(kCoarse.begin(), kCoarse.end(), group[i]) != kCoarse.end();
    const bool number = group[i] == "hour_of_day" || group[i] == "weekday";
    b.columns.push_back({group[i], time ? 't' : number ? 'n' : 'd'});
  }
  if (Chance(0.15)) {
    b.limited = true;  // a limit inside: the outer reads the first rows
    b.text += " order by " + b.columns[0].name + " desc";
    for (const std::string& g : group) b.text += ", " + g;  // a total order: one answer
    b.text += " limit " + std::to_string(Int(1, 8));
  }
  return b;
}

// select ... from (select ...) with where / by / having / order by / limit
// over the inner's columns; depth 1-3.
TrendQueryGenerator::Built TrendQueryGenerator::NestedSelect(int depth, bool outermost) {
  const Built inner = InnerSelect(depth);
  std::vector<Column> nums, dims;
  for (const Column& c : inner.columns) (c.kind == 'n' ? nums : dims).push_back(c);
  auto num = [&]() -> std::string {
    if (nums.empty()) return "1";
    return nums[static_cast<size_t>(Int(0, static_cast<int>(nums.size()) - 1))].name;
  };
  auto dim = [&]() -> const Column* {
    if (dims.empty()) return nullptr;
    return &dims[static_cast<size_t>(Int(0, static_cast<int>(dims.size()) - 1))];
  };
  Built b;
  std::vector<std::string> aliases;
  std::string items;
  for (int i = 0, n = Int(1, 3); i < n; ++i) {
    std::string item;
    switch (Int(0, 9)) {
      case 0:
        item = "count()";
        break;
      case 1:
      case 2:
        item = "avg(" + num() + ")";
        break;
      case 3:
        item = std::string(Chance(0.5) ? "sum(" : "max(") + num() + ")";
        break;
      case 4:
        item = std::string(Chance(0.5) ? "p50(" : "min(") + num() + ")";
        break;
      case 5: {
        const Column* d = dim();
        item = d ? (Chance(0.5) ? "distinct(" : "min(") + d->name + ")" : "count()";
        break;
      }
      case 6:
        item = "rate(" + num() + " > " + std::to_string(Int(0, 3)) + ")";
        break;
      case 7:
        item = "round(avg(" + num() + "), " + std::to_string(Int(0, 2)) + ")";
        break;
      case 8:
        item = "coalesce(max(" + num() + "), 0)";
        break;
      default:
        item = "sum(case when " + num() + " is null then 0 else " + num() + " end)";
    }
    const std::string a = "n" + std::to_string(i);
    items += (i ? ", " : "") + item + " as " + a;
    aliases.push_back(a);
    b.columns.push_back({a, 'n'});
  }
  b.text = "select " + items + " from (" + inner.text + ")";
  if (Chance(0.4)) {
    const Column* d = dim();
    if (d && d->kind == 'd' && Chance(0.5))
      b.text += " where " + d->name + (Chance(0.5) ? " is not null" : " != \"chat\"");
    else
      b.text += " where " + num() + (Chance(0.2) ? " is null" : " > " + std::to_string(Int(0, 3)));
  }
  if (Chance(0.5)) {
    const Column* d = dim();
    if (d != nullptr) {
      b.text += " by " + d->name;
      b.columns.push_back({d->name, d->kind});
    }
  }
  // A limit below the outermost level needs a total order to be one answer.
  Tail(&b, aliases, outermost);
  if (outermost || Chance(0.3)) {
    const std::string zone = Zone();
    if (!zone.empty()) b.text += " tz \"" + zone + "\"";
  }
  return b;
}

GeneratedQuery TrendQueryGenerator::Next() {
  Built b;
  const int kind = Int(0, 9);
  if (kind < 3) b = PlainSelect();
  else if (kind < 5) b = CompareSelect();
  else if (kind < 7) b = RollingSelect();
  else if (kind < 9) {
    b = NestedSelect(Int(1, 3), true);
    b.text += AsOf();
  } else {
    b = CyclesSelect();
  }
  GeneratedQuery out;
  out.text = b.text;
  out.ordered = b.ordered;
  out.limited = b.limited;
  return out;
}

}  // namespace kpi::differential
