// Binder: a parsed select statement -> BoundQuery (query/binder/bound_expr.h).
//
// Resolves every name against a schema (query/binder/schema.h; the local
// store's catalog or another backend's column list): built-in columns of the
// source (events: time, ticket, event, agent; tickets: ticket, created),
// dimensions and measures, columns of joined tables (`agents.role`),
// calendars of `duration(A -> B in CAL)`, per-ticket functions (tickets only), aggregates,
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
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "query/parser/ast.h"
#include "query/binder/bound_expr.h"
#include "query/functions/ticket_function_registry.h"

namespace kpi::storage {
class Catalog;
}

namespace kpi::query {

class Schema;

struct KpiDefinition {
  std::string name;
  ast::ExprPtr expr;
  std::string text;  // as the user wrote it
  int64_t defined_at_ms = 0;
};
using KpiMap = std::map<std::string, KpiDefinition>;

// A business-hours calendar as the binder sees it.
struct CalendarRef {
  std::shared_ptr<const BusinessClock> clock;
  int64_t version_ms = 0;
};

// A lookup table loaded for `join NAME on ...`.
struct TableRef {
  std::shared_ptr<const LookupTable> table;
  int64_t version_ms = 0;
};

// An exemption window that an `evaluate` applies as an exclusion.
struct ExclusionRef {
  std::string name;
  int64_t start_ms = 0, end_ms = 0;
  ast::ExprPtr where;  // null: every row in the window
  int64_t version_ms = 0;
};

// What a statement may refer to besides the catalog's columns: named KPIs,
// calendars (resolved on use, since building a clock costs milliseconds),
// the tables its joins name, already loaded, and the exclusions to apply.
struct BindContext {
  const KpiMap* kpis = nullptr;
  std::function<bool(const std::string& name, CalendarRef* out, std::string* why)> find_calendar;
  std::vector<std::string> calendar_names;  // for suggestions
  std::map<std::string, TableRef> tables;
  std::vector<ExclusionRef> exclusions;
  // from (select ...): the inner result's columns, the outer select's only
  // columns (query/execution/nested_select.h runs it).
  const std::vector<ResultColumn>* nested_columns = nullptr;
  // The instant relative windows (`during last 1h`, `this week`) are read
  // against when the statement has no `as of` (query/binder/relative_window.h).
  std::optional<int64_t> now_ms;
};

struct BindError {
  std::string message;
  ast::SourcePos pos;
};

bool BindSelect(const ast::SelectQuery& query, const storage::Catalog& catalog, const KpiMap& kpis,
                BoundQuery* out, BindError* error);
bool BindSelect(const ast::SelectQuery& query, const storage::Catalog& catalog, const BindContext& context,
                BoundQuery* out, BindError* error);
// The same against any backend's schema (query/binder/schema.h).
bool BindSelect(const ast::SelectQuery& query, const Schema& schema, const BindContext& context, BoundQuery* out,
                BindError* error);

// Built-in column names of either source.
const std::vector<std::string>& BuiltinColumnNames();

}  // namespace kpi::query
