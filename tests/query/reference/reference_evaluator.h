// Reference evaluator: a deliberately simple, obviously-correct evaluator of
// `select` statements of the KPI query language, used as the oracle of the
// query tests (the data-file runner and the differential test).
//
// It shares no code with the engine (query/) beyond the AST, the parser's
// ast::ToString (for default column names) and the Result struct: it walks
// the event log row at a time over std::map / std::string, with none of the
// engine's dictionaries, segments, pruning or vectorization. Semantics follow
// query-language.md plus the team's decisions where it is silent:
//   * `as of T` first: only events ingested at or before T exist;
//   * a ticket is placed at `created` (first `created`, else its earliest
//     event) or at its first `at` event (tickets without it are dropped);
//     `during a .. b` is half-open on that placement (events: event time);
//   * events source: dimensions are sticky within the ticket (last value
//     carried at or before the event in time order), measures the event's own;
//     tickets source: dimensions are the latest value, a bare measure its last
//     non-null value, total(m) the sum;
//   * SQL three-valued logic; division by zero is null; where/having keep
//     rows whose predicate is true;
//   * bucket names in `by` (hour .. year) are keywords, any case;
//   * no `by` gives exactly one row; rows sorted by the group columns
//     ascending, nulls last, unless `order by` (a stable sort on top).
// Inputs accepted: any parsed SelectQuery; a query the engine would refuse
// (unknown column or function, type mismatch, aggregate in where) returns
// InvalidArgument. Never throws. Thread safety: pure function.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "query/parser/ast.h"
#include "query/reference/reference_tickets.h"
#include "query/result.h"
#include "storage/status.h"

namespace kpi::reference {

// Named KPIs (`define kpi name = expr`): a column reference `name` that is
// not a column is replaced by `expr`.
using KpiDefinitions = std::map<std::string, query::ast::ExprPtr>;

// A lookup table as plain rows (evaluation-and-trends.md, section 1): every
// cell null, a number or a string; a column is numeric when all its non-empty
// cells are numbers. The key column's cells are unique and non-null.
struct RefTable {
  std::string key;                         // the key column's name
  std::vector<std::string> columns;        // header order
  std::vector<bool> numeric;               // per column
  std::vector<std::vector<query::Value>> rows;
};

// `exclude` exemptions as the reference applies them in `evaluate`: rows
// placed in [start_ms, end_ms) whose predicate is true (or without one) are
// left out.
struct RefExclusion {
  std::string name;
  int64_t start_ms = 0, end_ms = 0;
  query::ast::ExprPtr where;  // null: every row in the window
};

// Everything a statement may use besides the events: KPIs, tables and
// calendars (the AST as written; the reference reads it itself).
struct RefContext {
  KpiDefinitions kpis;
  std::map<std::string, RefTable> tables;
  std::map<std::string, query::ast::DefineCalendar> calendars;
  std::vector<RefExclusion> exclusions;  // only `evaluate` sets these
};

struct ReferenceOptions {
  // `order by x desc`: where null values go. The contract does not say; the
  // default sort puts them last.
  bool nulls_first_when_descending = false;
};

Status Evaluate(const EventLog& log, const query::ast::SelectQuery& query, const KpiDefinitions& kpis,
                const ReferenceOptions& options, query::Result* out);

inline Status Evaluate(const EventLog& log, const query::ast::SelectQuery& query, const KpiDefinitions& kpis,
                       query::Result* out) {
  return Evaluate(log, query, kpis, ReferenceOptions{}, out);
}

// With joins (`join T on expr`, `T.col`) and business-hours durations
// (`duration(A -> B in CAL)`) resolved against `context`.
Status Evaluate(const EventLog& log, const query::ast::SelectQuery& query, const RefContext& context,
                const ReferenceOptions& options, query::Result* out);

// Orders values of one column: by type, then value; null after everything.
// Returns <0, 0, >0.
int CompareValues(const query::Value& a, const query::Value& b);

}  // namespace kpi::reference
