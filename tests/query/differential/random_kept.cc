#include "query/differential/random_kept.h"

#include <set>
#include <vector>


namespace kpi::differential {

namespace {

const std::vector<std::string> kKeptDims = {"channel", "team", "category", "customer", "priority"};
const std::vector<std::string> kKeptBuckets = {"hour", "day", "week", "month"};
const std::vector<std::string> kKeptZones = {"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"};

}  // namespace

// The plain generator's aggregates of the families keeping states (not
// min, max or distinct), percentiles more often (their states are sorted
// runs: RankOfRuns across a partition's members).
std::string KeptQueryGenerator::KeptAggregate(bool tickets) {
  if (Chance(0.15)) {
    static const std::vector<std::string> kP = {"p50", "p90", "p99", "percentile"};
    const std::string& p = Pick(kP);
    const std::string x = tickets ? TicketNumber(1) : EventNumber(1);
    return p == "percentile" ? "percentile(" + x + ", " + (Chance(0.5) ? "0.37" : "0.25") + ")" : p + "(" + x + ")";
  }
  for (;;) {
    std::string a = Aggregate(tickets);
    if (a.rfind("min(", 0) != 0 && a.rfind("max(", 0) != 0 && a.rfind("distinct(", 0) != 0) return a;
  }
}

std::string KeptQueryGenerator::KeptPredicate(bool tickets) {
  if (!tickets) return EventPredicate(1);
  if (Chance(0.3)) {
    static const std::vector<std::string> kRepeat = {"repeat_within(7d, customer, category)",
                                                     "repeat_within(3d, customer)", "repeat_within(1d, customer)"};
    const std::string& r = Pick(kRepeat);
    return Chance(0.5) ? r : "(" + r + " and " + TicketPredicate(1) + ")";
  }
  return TicketPredicate(1);
}

std::string KeptQueryGenerator::Group(bool tickets) {
  std::vector<std::string> group;
  std::set<std::string> used;
  for (int n = Int(0, 2); n > 0; --n) {
    std::string g;
    const int kind = Int(0, 9);
    if (kind < 4) g = Pick(kKeptDims);
    else if (kind < 8) g = Pick(kKeptBuckets);
    else if (tickets) g = "agent_of(" + EventName(false) + ")";
    else g = "agent";
    if (used.insert(g).second) group.push_back(g);
  }
  std::string by;
  for (size_t i = 0; i < group.size(); ++i) by += (i ? ", " : " by ") + group[i];
  return by;
}

std::string KeptQueryGenerator::Items(bool tickets, int n) {
  std::string items;
  for (int i = 0; i < n; ++i) items += (i ? ", " : "") + KeptAggregate(tickets) + " as c" + std::to_string(i);
  return items;
}

std::string KeptQueryGenerator::At(bool tickets) {
  static const std::vector<std::string> kAt = {"resolved", "agent_reply", "closed", "last(resolved)",
                                               "last(agent_reply)"};
  return tickets && Chance(0.25) ? " at " + Pick(kAt) : "";
}

std::string KeptQueryGenerator::Where(bool tickets) {
  return Chance(0.55) ? " where " + KeptPredicate(tickets) : "";
}

std::string KeptQueryGenerator::Zone() { return Chance(0.35) ? " tz \"" + Pick(kKeptZones) + "\"" : ""; }

GeneratedQuery KeptQueryGenerator::Next() {
  if (Chance(0.2)) return QueryGenerator::Next();
  Parts p;
  if (last_ && Chance(0.5)) {
    // A sibling: the last statement with one part drawn again.
    // The window and `as of` most often: what a rollup's or a state's key
    // may leave out while its versions stay the same.
    p = *last_;
    switch (Int(0, 9)) {
      case 0: p.items = Items(p.tickets, p.nitems); break;
      case 1: p.where = Where(p.tickets); break;
      case 2:
      case 3: p.now_ms.reset(); p.during = Chance(0.8) ? DuringClause(&p.now_ms) : ""; break;
      case 4: p.at = At(p.tickets); break;
      case 5: p.by = Group(p.tickets); break;
      case 6: p.tz = Zone(); break;
      default: p.as_of = p.as_of.empty() || Chance(0.5) ? AsOfClause() : ""; break;
    }
  } else {
    p.tickets = Chance(0.6);
    p.nitems = Int(1, 3);
    p.items = Items(p.tickets, p.nitems);
    p.by = Group(p.tickets);
    p.where = Where(p.tickets);
    if (Chance(0.45)) p.during = DuringClause(&p.now_ms);
    p.at = At(p.tickets);
    if (Chance(0.1)) p.tail = " having count() > " + std::to_string(Int(0, 3));
    else if (Chance(0.15)) p.tail = " order by c0 desc limit " + std::to_string(Int(1, 6));
    p.tz = Zone();
    if (Chance(0.35)) p.as_of = AsOfClause();
  }
  last_ = p;
  GeneratedQuery out;
  out.text = "select " + p.items + " from " + (p.tickets ? "tickets" : "events") + p.where + p.during + p.at + p.by +
             p.tail + p.tz + p.as_of;
  out.now_ms = p.now_ms;
  out.ordered = out.limited = p.tail.find(" limit ") != std::string::npos;
  return out;
}

}  // namespace kpi::differential
