// Binder: a parsed select statement -> BoundQuery (query/bound_expr.h).
//
// Resolves every name against the store's catalog: built-in columns of the
// source (events: time, ticket, event, agent; tickets: ticket, created),
// dimensions and measures, per-ticket functions (tickets only), aggregates,
// time buckets in `by`, and named KPIs (spliced in as their expression;
// recursion is refused). Checks types (value_ops.h rules) and where each
// construct may appear (no aggregate in where, no bare column outside `by`
// in the select list, ...). Parses the query's time zone, `during`, `as of`
// and timestamp literals in that zone.
//
// Errors carry the position of the offending node; unknown names get the
// closest known names. An event name the store has never seen is a warning
// (BoundQuery::warnings), not an error.
// Thread safety: BindSelect is a pure function of its inputs (the catalog
// may grow concurrently; the binder reads a consistent subset).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "query/ast.h"
#include "query/bound_expr.h"

namespace kpi::storage {
class Catalog;
}

namespace kpi::query {

struct KpiDefinition {
  std::string name;
  ast::ExprPtr expr;
  std::string text;  // as the user wrote it
  int64_t defined_at_ms = 0;
};
using KpiMap = std::map<std::string, KpiDefinition>;

struct BindError {
  std::string message;
  ast::SourcePos pos;
};

bool BindSelect(const ast::SelectQuery& query, const storage::Catalog& catalog, const KpiMap& kpis,
                BoundQuery* out, BindError* error);

// Per-ticket function names and aggregate names (for suggestions, completion
// and the names a KPI may not take).
const std::vector<std::string>& TicketFunctionNames();
// Built-in column names of either source.
const std::vector<std::string>& BuiltinColumnNames();

}  // namespace kpi::query
