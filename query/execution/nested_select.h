// Nested selects: `select ... from (select ...)` (docs/query-language.md 16.5).
//
// The engine runs the inner statement first (same snapshot, `as of` and
// definitions, recursively for any depth) and binds the outer select
// against the inner result's columns (BindContext::nested_columns): its
// `where`, group keys and aggregate arguments are Value-row expressions
// (BoundQuery::nested). ExecuteNestedSelect then evaluates the outer over
// the inner rows: `where` row at a time, groups by the key columns' values,
// aggregates through the engine's own families (query/aggregates/) fed in
// batches of packed Vecs, then items, `having`, the default order (group
// columns ascending, nulls last), `order by` and `limit`, as the executor
// does. Without `by` there is exactly one row.
// Thread safety: one call per query; runs on the calling thread.
#pragma once

#include "query/binder/bound_expr.h"
#include "query/engine.h"
#include "query/result.h"
#include "storage/status.h"

namespace kpi::query {

// `query` gains the dictionary of packed strings (dict_text); `inner` is
// the inner statement's result. `out` keeps inner's stats.
Status ExecuteNestedSelect(BoundQuery* query, const Result& inner, const ExecOptions& options, Result* out);

}  // namespace kpi::query
