// Random `select` statements with the trend features of
// evaluation-and-trends.md section 7 (issue 10), for the differential test:
// scalar expressions (case with 1-3 branches with or without else,
// coalesce, is [not] null, least, greatest, abs, round) in where, by,
// aggregate arguments and select items; minute, duration (5m .. 2h),
// hour_of_day and weekday buckets in every zone of the test, often over the
// 2025 daylight-saving days; `at last(A)`; `compare with previous [unit]`
// with a bucket or with `during` alone; `by <bucket> rolling n` (1-8) over
// count / sum / avg / rate / min / max / p90 / distinct; nested selects of
// depth 1-3 with where / by / having / order by / limit on the outer;
// `cycles(A -> B)` inside aggregates. Some statements are invalid on
// purpose (mixed types, cycles outside an aggregate, compare with a cyclic
// bucket): engine and reference must then both refuse them.
// Fine buckets in rolling windows and compares get a short `during`, as the
// reference evaluates every window afresh. Thread safety: one per thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "query/differential/random_query.h"

namespace kpi::differential {

class TrendQueryGenerator : public QueryGenerator {
 public:
  using QueryGenerator::QueryGenerator;
  GeneratedQuery Next() override;

 private:
  // A column of a generated select, for the clauses that name columns and
  // for an outer select reading it.
  struct Column {
    std::string name;
    char kind;  // 'd' dimension (string), 't' time bucket, 'n' number
  };
  struct Built {
    std::string text;
    std::vector<Column> columns;
    bool ordered = false, limited = false;
  };

  std::string Scalar(bool tickets, int depth);           // number-valued, per row
  std::string ScalarPredicate(bool tickets, int depth);  // boolean, per row
  std::string ScalarGroup(bool tickets);                 // a by expression
  std::string ScalarAggregate(bool tickets);             // an item holding aggregates
  std::string Cycles();
  std::string WindowAggregate(bool tickets);  // the families a rolling window slides
  std::string Zone();
  std::string DuringDst();    // a window around a daylight-saving change
  std::string DuringShort();  // a few hours or days somewhere in the data
  std::string DuringAny();

  Built PlainSelect();
  Built CompareSelect();
  Built RollingSelect();
  Built CyclesSelect();
  Built NestedSelect(int depth, bool outermost);
  Built InnerSelect(int depth);
  std::string Items(int n, const std::function<std::string()>& draw, Built* b, std::vector<std::string>* aliases);
  void By(const std::vector<std::string>& group, Built* b);  // group columns named plainly become columns
  void ZoneAndAsOf(Built* b);
  // having / order by / limit over `b.columns`; appends to b.text.
  void Tail(Built* b, const std::vector<std::string>& aliases, bool allow_limit);
  std::string AsOf();
};

}  // namespace kpi::differential
