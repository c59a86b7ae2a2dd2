// Random `select` statements shaped to keep partial states (query/execution/
// kept_states.h), for memo_differential_test.cc: aggregates whose families
// keep per-segment states (count, sum, avg, rate, ratio, p50..p99,
// percentile), each argument, the `where` and the group keys memo-keyable
// (per-ticket functions, measures, dimensions, buckets, agent_of), often
// with `repeat_within` in the `where`, a `during` window (dates, instants,
// relative windows with their `now`), `at`, `tz` and `as of`; having /
// order by / limit now and then (they read the combined groups only).
// Half of them are siblings of the statement before: the same but for one
// part drawn again (the aggregates, the `where`, the window, `at`, the
// group keys, the zone or the `as of`), so that a key leaving out what
// differs finds the sibling's states (random statements alone rarely
// share all but one part). A share of the statements are the plain
// generator's (random_query.h), so the kept-states paths are compared
// beside every other.
// Thread safety: one generator per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "query/differential/random_query.h"

namespace kpi::differential {

class KeptQueryGenerator : public QueryGenerator {
 public:
  using QueryGenerator::QueryGenerator;
  GeneratedQuery Next() override;

 private:
  // A statement's parts, each rendered with its leading space ("": none).
  struct Parts {
    bool tickets = true;
    int nitems = 1;
    std::string items, where, during, at, by, tail, tz, as_of;
    std::optional<int64_t> now_ms;  // of a relative `during`
  };
  std::string KeptAggregate(bool tickets);
  std::string KeptPredicate(bool tickets);
  std::string Items(bool tickets, int n);
  std::string Group(bool tickets);
  std::string Where(bool tickets);
  std::string At(bool tickets);
  std::string Zone();

  std::optional<Parts> last_;
};

}  // namespace kpi::differential
