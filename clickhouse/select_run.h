// Runs one parsed select on the ClickHouse backend: bind (query/binder),
// translate (clickhouse/sql_translate.h), send, read the answer.
//
//   plain select      one statement.
//   nested select     `from (select ...)` at any depth: every level is bound
//                     against the level below's columns (the local engine's
//                     binder) and translated around the level below's SQL,
//                     so the whole statement is one SQL statement; one zone
//                     (the first `tz` from the outside in) and one `as of`.
//   compare with      the local engine's operator (query/trends: CompareWith)
//                     over scans that are statements here: the current
//                     groups, then the previous buckets `during` does not
//                     cover, each returning group keys and aggregate values.
//   rolling           one statement whose rows count in the n windows ending
//                     at their bucket; the bucket starts come from the local
//                     bucketer (without `during`, a first statement finds
//                     the first and last bucket with rows); `order by` and
//                     `limit` as the local engine does (trends::FinishRows).
// `explain` shows the SQL (compare: its first statement, and how the
// previous values are found).
// Errors with a position in the statement fill *error_pos / *message; other
// failures are the returned Status.
// Thread safety: pure function of its arguments (sends HTTP requests).
#pragma once

#include <optional>
#include <string>

#include "clickhouse/config.h"
#include "clickhouse/names.h"
#include "query/backend/backend.h"
#include "query/binder/binder.h"
#include "query/parser/ast.h"

namespace kpi::clickhouse {

struct SelectFailure {
  std::string message;  // empty: none
  query::ast::SourcePos pos;
};

// `context`: names, KPIs and now as the backend resolved them; `as_of_ms`:
// the statement's `as of` (its own, else the options').
Status RunSelect(const query::ast::SelectQuery& q, bool explain, const Config& config, const Names& names,
                 query::BindContext context, std::optional<int64_t> as_of_ms, const query::ExecOptions& options,
                 query::Result* out, SelectFailure* failure);

}  // namespace kpi::clickhouse
