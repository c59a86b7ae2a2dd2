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

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

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

// For the stored tickets among `tickets`: the latest value each of
// `scope`'s dimensions carried, as `from tickets` reads them (a dimension
// never carried, or not a dimension of the cluster, is absent; a ticket not
// stored is absent): query::Backend::ScopeDims. One statement, reading only
// those tickets' events.
Status StoredScopeDims(const Config& config, const Names& names, const query::Scope& scope,
                       const std::set<std::string>& tickets,
                       std::map<std::string, std::map<std::string, std::string>>* out);

// What a select used, for its provenance: the definitions every level
// bound ("kind:name" -> version, BoundQuery::used_definitions) and the
// relative windows it resolved.
struct SelectUsed {
  std::map<std::string, int64_t> definitions;
  std::vector<query::ResolvedWindow> windows;
};

// `context`: names, KPIs and now as the backend resolved them; `as_of_ms`:
// the instant of the batches the statement reads (its own `as of`, else
// the options', else the one the backend pinned it to).
Status RunSelect(const query::ast::SelectQuery& q, bool explain, const Config& config, const Names& names,
                 query::BindContext context, std::optional<int64_t> as_of_ms, const query::ExecOptions& options,
                 query::Result* out, SelectFailure* failure, SelectUsed* used);

}  // namespace kpi::clickhouse
