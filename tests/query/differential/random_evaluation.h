// Random definitions and statements of the evaluation layer
// (evaluation-and-trends.md, sections 1-6) for the differential test:
//
//   * definitions, in two rounds at two store-clock instants: fixed KPIs
//     (frt, res, vol, esc, sat and biz_frt, a business-hours KPI on cal0);
//     calendars cal0..cal2 in UTC, Europe/Berlin, America/New_York or
//     Asia/Shanghai with random weekly hours (each day in at most one `open`
//     group, 1-2 ranges, sometimes up to 24:00) and closed days; targets with
//     0-2 equalities over the data's dimensions (rarely a joined column);
//     exemptions (exclude with a simple predicate, relax with 0-1 equalities,
//     sometimes a tz); scorecards with weights summing to 1 and an optional
//     cap; lookup tables agents (key agent), channels (key channel) and teams
//     (key team). The second round redefines, adds and drops some of each.
//   * statements: `evaluate` of 1-3 KPIs, `evaluate scorecard`, selects with
//     joins, selects with duration(A -> B in CAL), each with random joins,
//     where, during, by (dimensions, buckets, agent_of, joined columns),
//     order by / limit, tz and `as of` (none, between the rounds, or before
//     the first).
// Every definition is valid by construction (the engine must accept it);
// statements may be refused (an unknown joined column after a drop, a
// conflict between targets), which is agreement when the reference refuses
// them too. Thread safety: one generator per thread.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace kpi::differential {

struct DefinitionStep {
  int64_t at_ms = 0;
  std::string statement;        // define / drop, or
  std::string table, key, csv;  // a table load
};

// `first_ms`: the first round's instant (after the last ingest batch); the
// second round is one day later.
std::vector<DefinitionStep> GenerateDefinitions(uint64_t seed, int64_t first_ms);

class EvaluationQueryGenerator {
 public:
  // `min_ms`..`max_ms`: the data's event times; `first_ms`: as above.
  EvaluationQueryGenerator(uint64_t seed, int64_t min_ms, int64_t max_ms, int64_t first_ms);
  std::string Next();

 private:
  int Int(int lo, int hi);
  bool Chance(double p);
  const std::string& Pick(const std::vector<std::string>& v);
  std::string Date();
  enum class Kind { kEvaluate, kScorecard, kSelect };  // a select gets no order by
  std::string Clauses(Kind kind, std::vector<std::string>* joined);

  std::mt19937_64 rng_;
  int64_t min_ms_, max_ms_, first_ms_;
};

}  // namespace kpi::differential
