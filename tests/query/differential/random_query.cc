#include "query/differential/random_query.h"

#include <algorithm>
#include <set>

#include "query/reference/reference_time.h"

namespace kpi::differential {

namespace {

const std::vector<std::string> kDims = {"channel", "team", "category", "customer", "priority"};
const std::vector<std::string> kMeasures = {"csat", "handle_seconds", "cost", "accurate"};
const std::vector<std::string> kEvents = {"agent_reply", "customer_reply", "escalated", "transferred", "resolved",
                                          "reopened",    "closed",         "rated",     "qa_reviewed", "assigned"};
const std::vector<std::string> kAgents = {"a1", "a2", "a3", "a4", "a5"};
const std::vector<std::string> kZones = {"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata",
                                         "Australia/Sydney"};
const std::vector<std::string> kBuckets = {"hour", "day", "week", "month", "quarter", "year"};
const std::vector<std::string> kDurations = {"30s", "15m", "1h", "2h", "8h", "1d", "2d", "1w", "900", "3600"};
const std::vector<std::string> kCompare = {"=", "!=", "<", "<=", ">", ">="};

}  // namespace

QueryGenerator::QueryGenerator(uint64_t seed, int64_t min_time_ms, int64_t max_time_ms,
                               std::vector<int64_t> batch_times, QueryFeatures features)
    : rng_(seed), min_ms_(min_time_ms), max_ms_(max_time_ms), batch_times_(std::move(batch_times)),
      features_(features) {}

int QueryGenerator::Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
bool QueryGenerator::Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
const std::string& QueryGenerator::Pick(const std::vector<std::string>& v) {
  return v[static_cast<size_t>(Int(0, static_cast<int>(v.size()) - 1))];
}

std::string QueryGenerator::TimestampLiteral() {
  int64_t ms = std::uniform_int_distribution<int64_t>(min_ms_, max_ms_)(rng_);
  if (Chance(0.5)) return DateLiteral(ms);
  ms -= ms % 1000;
  std::string utc = reference::FormatUtc(ms);  // 2025-01-02T03:04:05.000Z
  return utc.substr(0, 19) + "Z";
}

std::string QueryGenerator::DateLiteral(int64_t ms) { return reference::FormatUtc(ms).substr(0, 10); }

std::string QueryGenerator::EventName(bool allow_created) {
  if (allow_created && Chance(0.3)) return "created";
  return Pick(kEvents);
}

std::string QueryGenerator::DimValue(const std::string& dim) {
  static const std::vector<std::string> kChannels = {"chat", "email", "phone", "fax"};
  static const std::vector<std::string> kTeams = {"billing", "tech", "sales"};
  static const std::vector<std::string> kCategories = {"refund", "bug", "order"};
  static const std::vector<std::string> kCustomers = {"C1", "C2", "C3", "C4", "C5", "C6"};
  static const std::vector<std::string> kPriorities = {"P1", "P2", "P3"};
  const std::vector<std::string>& v = dim == "channel"    ? kChannels
                                      : dim == "team"     ? kTeams
                                      : dim == "category" ? kCategories
                                      : dim == "customer" ? kCustomers
                                      : dim == "priority" ? kPriorities
                                                          : kAgents;
  return "\"" + Pick(v) + "\"";
}

// A number or duration valued expression over one ticket.
std::string QueryGenerator::TicketNumber(int depth) {
  switch (Int(0, depth > 1 ? 5 : 7)) {
    case 0:
    case 1:
      return "duration(" + EventName(true) + " -> " + EventName(true) + ")";
    case 2:
      return "count_of(" + EventName(false) + ")";
    case 3:
      return "count_of(" + EventName(false) + " before " + EventName(true) + ")";
    case 4:
      return Pick(kMeasures);
    case 5:
      return "total(" + Pick(kMeasures) + ")";
    case 6: {
      static const std::vector<std::string> kOps = {"+", "-", "*", "/"};
      static const std::vector<std::string> kConsts = {"0", "1", "2", "60", "0.5"};
      return "(" + TicketNumber(depth + 1) + " " + Pick(kOps) + " " + Pick(kConsts) + ")";
    }
    default:
      if (features_.time_arithmetic && Chance(0.5)) return "(first(" + EventName(false) + ") - created)";
      return "(" + Pick(kMeasures) + " + " + Pick(kMeasures) + ")";
  }
}

std::string QueryGenerator::TicketPredicate(int depth) {
  const int pick = Int(0, depth > 1 ? 9 : 12);
  switch (pick) {
    case 0:
      return "has(" + EventName(false) + ")";
    case 1:
      return "duration(" + EventName(true) + " -> " + EventName(false) + ") " + Pick(kCompare) + " " +
             Pick(kDurations);
    case 2:
      return "count_of(" + EventName(false) + (Chance(0.5) ? " before " + EventName(true) : "") + ") " +
             Pick(kCompare) + " " + std::to_string(Int(0, 3));
    case 3:
      return MeasureComparison();
    case 4: {
      const std::string& d = Pick(kDims);
      return d + " " + (Chance(0.5) ? "=" : "!=") + " " + DimValue(d);
    }
    case 5: {
      const std::string& d = Pick(kDims);
      std::string list = DimValue(d);
      for (int i = Int(0, 2); i > 0; --i) list += ", " + DimValue(d);
      return d + (Chance(0.3) ? " not in (" : " in (") + list + ")";
    }
    case 6:
      return Chance(0.5) ? "repeat_within(7d, customer, category)" : "repeat_within(" + Pick(kDurations) + ", customer)";
    case 7:
      return std::string(Chance(0.5) ? "created" : "first(" + EventName(false) + ")") + " " + Pick(kCompare) + " " +
             TimestampLiteral();
    case 8:
      return "agent_of(" + EventName(false) + ") = " + DimValue("agent");
    case 9:
      if (features_.null_literal && Chance(0.3)) return Pick(kDims) + " = null";
      return "total(" + Pick(kMeasures) + ") > " + std::to_string(Int(0, 10));
    case 10:
      return "not " + TicketPredicate(depth + 1);
    case 11:
      return "(" + TicketPredicate(depth + 1) + " and " + TicketPredicate(depth + 1) + ")";
    default:
      return "(" + TicketPredicate(depth + 1) + " or " + TicketPredicate(depth + 1) + ")";
  }
}

// A measure compared with a value in its usual range, so both outcomes occur.
std::string QueryGenerator::MeasureComparison() {
  const std::string& m = Pick(kMeasures);
  const int hi = m == "csat" ? 5 : m == "accurate" ? 1 : m == "cost" ? 8 : 900;
  return m + " " + Pick(kCompare) + " " + std::to_string(Int(0, hi));
}

std::string QueryGenerator::EventNumber(int depth) {
  switch (Int(0, depth > 1 ? 1 : 2)) {
    case 0:
    case 1:
      return Pick(kMeasures);
    default: {
      static const std::vector<std::string> kOps = {"+", "-", "*", "/"};
      static const std::vector<std::string> kConsts = {"0", "1", "3", "60", "0.5"};
      return "(" + EventNumber(depth + 1) + " " + Pick(kOps) + " " + (Chance(0.3) ? Pick(kMeasures) : Pick(kConsts)) +
             ")";
    }
  }
}

std::string QueryGenerator::EventPredicate(int depth) {
  switch (Int(0, depth > 1 ? 5 : 8)) {
    case 0:
      return "event = \"" + EventName(true) + "\"";
    case 1:
      return "event in (\"" + EventName(true) + "\", \"" + EventName(true) + "\")";
    case 2:
      return "agent " + std::string(Chance(0.7) ? "=" : "!=") + " " + DimValue("agent");
    case 3: {
      const std::string& d = Pick(kDims);
      return d + " " + (Chance(0.6) ? "=" : "!=") + " " + DimValue(d);
    }
    case 4:
      return MeasureComparison();
    case 5:
      return "time " + Pick(kCompare) + " " + TimestampLiteral();
    case 6:
      return "not " + EventPredicate(depth + 1);
    case 7:
      return "(" + EventPredicate(depth + 1) + " and " + EventPredicate(depth + 1) + ")";
    default:
      return "(" + EventPredicate(depth + 1) + " or " + EventPredicate(depth + 1) + ")";
  }
}

std::string QueryGenerator::Aggregate(bool tickets) {
  auto number = [&] { return tickets ? TicketNumber(0) : EventNumber(0); };
  auto predicate = [&] { return tickets ? TicketPredicate(0) : EventPredicate(0); };
  switch (Int(0, 11)) {
    case 0:
      return "count()";
    case 1:
      return "sum(" + number() + ")";
    case 2:
      return "avg(" + number() + ")";
    case 3:
      return std::string(Chance(0.5) ? "min(" : "max(") + number() + ")";
    case 4: {
      static const std::vector<std::string> kP = {"p50", "p90", "p95", "p99"};
      return Pick(kP) + "(" + number() + ")";
    }
    case 5: {
      static const std::vector<std::string> kQ = {"0", "0.25", "0.5", "0.75", "1", "10%", "90%"};
      return "percentile(" + number() + ", " + Pick(kQ) + ")";
    }
    case 6:
    case 7:
      return "rate(" + predicate() + ")";
    case 8:
      return "ratio(" + number() + ", " + (Chance(0.3) ? std::string("1") : number()) + ")";
    case 9: {
      if (tickets) {
        if (Chance(0.3)) return "distinct(agent_of(" + EventName(false) + "))";
        return "distinct(" + (Chance(0.2) ? std::string("ticket") : Pick(kDims)) + ")";
      }
      static const std::vector<std::string> kD = {"agent", "event", "ticket", "channel", "team", "customer"};
      return "distinct(" + Pick(kD) + ")";
    }
    case 10:
      if (tickets) return std::string(Chance(0.5) ? "min" : "max") + "(" + (Chance(0.5) ? "created" : "first(" + EventName(false) + ")") + ")";
      return std::string(Chance(0.5) ? "min" : "max") + "(time)";
    default:
      if (features_.aggregate_arithmetic) return "count() * 2";
      return "count()";
  }
}

GeneratedQuery QueryGenerator::Next() {
  GeneratedQuery out;
  const bool tickets = Chance(0.65);
  if (Chance(0.06)) {
    // A bare count takes the engine's shortcut (zone maps' live counts, no
    // segment read); it must still see every correction at every `as of`.
    out.text = std::string("select count() from ") + (tickets ? "tickets" : "events") + (Chance(0.6) ? AsOfClause() : "");
    return out;
  }
  std::vector<std::string> names;  // result column names usable in having / order by
  std::vector<std::string> aliases;
  std::vector<bool> alias_is_time;

  // by
  std::vector<std::string> group;
  std::set<std::string> used;
  for (int n = Int(0, 2); n > 0; --n) {
    std::string g;
    const int kind = Int(0, 9);
    if (kind < 4) {
      g = Pick(kDims);
    } else if (kind < 7) {
      g = Pick(kBuckets);
    } else if (tickets) {
      g = "agent_of(" + EventName(false) + ")";
    } else if (features_.group_by_ticket_column) {
      g = Chance(0.5) ? "agent" : "event";
    } else {
      g = Pick(kDims);
    }
    if (used.insert(g).second) group.push_back(g);
  }
  for (const std::string& g : group)
    if (g.find('(') == std::string::npos) names.push_back(g);

  // items
  std::string items;
  std::set<std::string> item_texts;
  const int nitems = Int(1, 3);
  for (int i = 0; i < nitems; ++i) {
    std::string agg = Aggregate(tickets);
    if (features_.aggregate_arithmetic && Chance(0.05)) agg = "sum(" + (tickets ? TicketNumber(0) : EventNumber(0)) + ") / count()";
    const bool alias = Chance(0.85) || item_texts.count(agg);
    item_texts.insert(agg);
    if (i) items += ", ";
    items += agg;
    if (alias) {
      const std::string a = "c" + std::to_string(i);
      items += " as " + a;
      aliases.push_back(a);
      auto starts = [&agg](const char* p) { return agg.rfind(p, 0) == 0; };
      alias_is_time.push_back(starts("min(first(") || starts("max(first(") || agg == "min(created)" ||
                              agg == "max(created)" || agg == "min(time)" || agg == "max(time)");
      names.push_back(a);
    }
  }

  std::string q = "select " + items + " from " + (tickets ? "tickets" : "events");
  if (Chance(0.5)) q += " where " + (tickets ? TicketPredicate(0) : EventPredicate(0));
  std::string tz = Chance(0.5) ? Pick(kZones) : "";
  if (Chance(0.35)) q += DuringClause(&out.now_ms);
  if (tickets && Chance(0.2)) {
    static const std::vector<std::string> kAt = {"resolved", "agent_reply", "closed", "rated", "reopened",
                                                 "last(resolved)", "last(agent_reply)"};
    q += " at " + Pick(kAt);
  }
  if (!group.empty()) {
    q += " by ";
    for (size_t i = 0; i < group.size(); ++i) q += (i ? ", " : "") + group[i];
  }
  if (Chance(0.2)) {
    if (!aliases.empty() && Chance(0.7)) {
      const size_t a = static_cast<size_t>(Int(0, static_cast<int>(aliases.size()) - 1));
      // A time-valued item is compared with a timestamp, anything else with a small number.
      const bool is_time = alias_is_time[a];
      q += " having " + aliases[a] + " " + Pick(kCompare) + " " +
           (is_time ? TimestampLiteral() : std::to_string(Int(0, 3)));
    } else {
      q += " having count() > " + std::to_string(Int(0, 5));
    }
  }
  if (!names.empty() && Chance(0.35)) {
    out.ordered = true;
    q += " order by ";
    const int n = Int(1, std::min<int>(2, static_cast<int>(names.size())));
    std::vector<std::string> pool = names;
    std::shuffle(pool.begin(), pool.end(), rng_);
    for (int i = 0; i < n; ++i) {
      q += (i ? ", " : "") + pool[static_cast<size_t>(i)];
      const int dir = Int(0, 2);
      if (dir == 1) q += " asc";
      if (dir == 2) q += " desc";
    }
  }
  if (Chance(0.2)) {
    out.limited = true;
    q += " limit " + std::to_string(Int(0, 8));
  }
  if (!tz.empty()) q += " tz \"" + tz + "\"";
  if (Chance(0.3)) q += AsOfClause();
  out.text = q;
  return out;
}

std::string QueryGenerator::DuringClause(std::optional<int64_t>* now_ms) {
  int64_t a = std::uniform_int_distribution<int64_t>(min_ms_, max_ms_)(rng_);
  int64_t b = std::uniform_int_distribution<int64_t>(min_ms_, max_ms_)(rng_);
  if (a > b) std::swap(a, b);
  if (Chance(0.2)) {
    // A relative window, read against a `now` inside the data's range.
    static const std::vector<std::string> kRelative = {
        "last 1h",      "last 6h",       "last 1d",       "last 3d",        "last 1w",      "last 30d",
        "today",        "this hour",     "this week",     "this month",     "this quarter", "this year",
        "previous day", "previous hour", "previous week", "previous month", "previous quarter", "previous year"};
    *now_ms = b;
    return " during " + Pick(kRelative);
  }
  if (Chance(0.6)) return " during " + DateLiteral(a) + " .. " + DateLiteral(b + 86400000);
  a -= a % 1000;
  b -= b % 1000;
  return " during " + reference::FormatUtc(a).substr(0, 19) + "Z .. " + reference::FormatUtc(b).substr(0, 19) + "Z";
}

std::string QueryGenerator::AsOfClause() {
  if (batch_times_.empty()) return "";
  const int64_t t = batch_times_[static_cast<size_t>(Int(0, static_cast<int>(batch_times_.size()) - 1))];
  const int how = Int(0, 9);  // at a batch, 1 ms before it, an hour after it, rarely before all
  const int64_t at = how < 3 ? t : how < 6 ? t - 1 : how < 9 ? t + 3600000 : batch_times_.front() - 86400000;
  return " as of " + reference::FormatUtc(at);
}

}  // namespace kpi::differential
