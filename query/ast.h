// The abstract syntax tree of the KPI query language.
//
// Pure data: the AST never refers to storage objects (a query can be parsed,
// printed and checked without a store). Every node records where it started
// in the source text (1-based line and column), so the binder can report
// semantic errors at the right spot. The parser (query/parser.h) builds it;
// the binder (query/binder.h) resolves it against the catalog.
// Nodes are immutable once built and shared through shared_ptr<const Expr>,
// so a named KPI's expression can be spliced into many queries.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace kpi::query::ast {

struct SourcePos {
  int line = 1;    // 1-based
  int column = 1;  // 1-based, in bytes
};

enum class ExprKind {
  kNumber,     // number: 12, 0.5
  kPercent,    // number: 85% is stored as 0.85
  kDuration,   // number: seconds, 15m -> 900
  kString,     // text: the unquoted value
  kBool,       // boolean
  kNull,       // the literal null
  kTimestamp,  // text: a date (2025-01-01) or RFC 3339 timestamp as written; the binder reads it in the query's zone
  kColumn,     // text: an identifier (column, event name, KPI name, bucket name)
  kCall,       // text: function name as written (lower-cased); args: its arguments
  kUnary,      // text: "not" or "-"; args[0]: operand
  kBinary,     // text: one of = != < <= > >= + - * / and or; args[0], args[1]
  kIn,         // args[0]: tested expression; args[1..]: the list; negated: `not in`
  kArrow,      // `A -> B` inside duration(): args[0] = A, args[1] = B (kColumn)
  kBefore,     // `A before B` inside count_of(): args[0] = A, args[1] = B (kColumn)
};

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Expr {
  ExprKind kind = ExprKind::kNull;
  SourcePos pos;
  double number = 0;
  bool boolean = false;
  bool negated = false;  // kIn only
  std::string text;
  std::vector<ExprPtr> args;
};

struct SelectItem {
  ExprPtr expr;
  std::string alias;  // empty when not given; the binder names the column
  SourcePos pos;
};

struct OrderItem {
  std::string name;  // a result column name (alias or group column)
  bool descending = false;
  SourcePos pos;
};

struct TimeLiteral {
  std::string text;  // as written: `2025-01-01` or an RFC 3339 timestamp
  SourcePos pos;
};

struct SelectQuery {
  std::vector<SelectItem> items;
  std::string source;  // "events" or "tickets" (lower-cased)
  SourcePos source_pos;
  ExprPtr where;  // null when absent
  std::optional<TimeLiteral> during_start, during_end;
  std::optional<std::string> at_event;
  SourcePos at_pos;
  std::vector<ExprPtr> group_by;  // kColumn (dimension or bucket) or kCall (agent_of(A))
  ExprPtr having;                 // null when absent
  std::vector<OrderItem> order_by;
  std::optional<int64_t> limit;
  std::optional<std::string> tz;
  SourcePos tz_pos;
  std::optional<TimeLiteral> as_of;
};

// define kpi <name> = <expr>
struct DefineKpi {
  std::string name;
  ExprPtr expr;
  std::string expr_text;  // the expression's source text, trimmed, as the user wrote it
  SourcePos pos;
};

struct ShowKpis {};

struct DropKpi {
  std::string name;
  SourcePos pos;
};

// explain <select>
struct Explain {
  SelectQuery query;
};

using Statement = std::variant<SelectQuery, DefineKpi, ShowKpis, DropKpi, Explain>;

// Canonical one-line text of an expression (keywords lower case, minimal
// parentheses that keep the meaning), e.g. for column names and `show kpis`.
std::string ToString(const Expr& expr);

}  // namespace kpi::query::ast
