// The abstract syntax tree of the KPI query language.
//
// Pure data: the AST never refers to storage objects (a query can be parsed,
// printed and checked without a store). Every node records where it started
// in the source text (1-based line and column), so the binder can report
// semantic errors at the right spot. The parser (query/parser/parser.h) builds it;
// the binder (query/binder/binder.h) resolves it against the catalog.
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
  int column = 1;  // 1-based, in characters (query/text_width.h)
};

enum class ExprKind {
  kNumber,     // number: 12, 0.5
  kPercent,    // number: 85% is stored as 0.85
  kDuration,   // number: seconds, 15m -> 900
  kString,     // text: the unquoted value
  kBool,       // boolean
  kNull,       // the literal null
  kTimestamp,  // text: a date (2025-01-01) or RFC 3339 timestamp as written; the binder reads it in the query's zone
  kColumn,     // text: an identifier (column, event name, KPI name, bucket name) or TABLE.column
  kCall,       // text: function name as written (lower-cased); args: its arguments
  kUnary,      // text: "not" or "-"; args[0]: operand
  kBinary,     // text: one of = != < <= > >= + - * / and or; args[0], args[1]
  kIn,         // args[0]: tested expression; args[1..]: the list; negated: `not in`
  kArrow,      // `A -> B [in CAL]` inside duration(): args[0] = A, args[1] = B (kColumn); text: CAL or empty, args[2]: CAL's name (kColumn, for its position)
  kBefore,     // `A before B` inside count_of(): args[0] = A, args[1] = B (kColumn)
  kCase,       // case when c1 then v1 [when ...] [else e] end: args = c1, v1, c2, v2, ... [, e]; boolean: has else
  kIsNull,     // `x is null` (negated: `x is not null`): args[0] = x
};

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Expr {
  ExprKind kind = ExprKind::kNull;
  SourcePos pos;
  double number = 0;
  bool boolean = false;  // kBool: its value; kCase: has `else`; kColumn: TABLE.column (a joined table's)
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

// join NAME on <expr>: a left join of a lookup table on its key.
struct JoinClause {
  std::string table;
  SourcePos pos;  // of the table name
  ExprPtr on;
};

// `during last <duration>`, `during today`, `during this <unit>`, `during
// previous <unit>`: a window read against "now" when the statement runs
// (query/binder/relative_window.h resolves it).
struct RelativeWindow {
  enum class Kind { kLast, kThis, kPrevious };
  Kind kind = Kind::kLast;
  double seconds = 0;  // kLast: the duration
  std::string unit;    // kThis / kPrevious: hour, day, week, month, quarter or year (`today` is `this day`)
  std::string text;    // canonical: "last 1w", "today", "this month", "previous quarter"
  SourcePos pos;       // of the word after `during`
};

struct SelectQuery;

// compare with previous [day|week|month|quarter|year]
struct CompareWith {
  std::string unit;  // empty: the immediately preceding period
  SourcePos pos;
};

struct SelectQuery {
  std::vector<SelectItem> items;
  std::string source;  // "events", "tickets" (lower-cased), "select" (a nested select: `subquery`) or "watch"
  SourcePos source_pos;
  std::shared_ptr<const SelectQuery> subquery;  // from (select ...)
  std::string watch;  // source "watch": `from watch NAME` reads that watch's run history
  std::vector<JoinClause> joins;
  ExprPtr where;  // null when absent
  std::optional<TimeLiteral> during_start, during_end;
  std::optional<RelativeWindow> during_relative;  // instead of during_start .. during_end
  std::optional<std::string> at_event;
  bool at_last = false;  // `at last(A)`: placed at the last A
  SourcePos at_pos;
  std::vector<ExprPtr> group_by;  // kColumn (dimension or bucket), kCall (agent_of(A)) or kDuration (`by 15m`)
  std::optional<int64_t> rolling;  // by <bucket> rolling <n>
  SourcePos rolling_pos;
  std::optional<CompareWith> compare;
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

// A name and where it was written.
struct NamePos {
  std::string name;
  SourcePos pos;
};

// show kpis | tables | calendars | targets | exemptions | scorecards | watches | alerts
struct ShowKpis {
  std::string kind = "kpi";  // the definition kind, singular: "kpi", "table", ...
};

struct DropKpi {
  std::string name;
  SourcePos pos;
};

// drop table | calendar | exemption | scorecard | watch NAME
struct DropNamed {
  std::string kind;  // "table", "calendar", "exemption", "scorecard", "watch"
  NamePos name;
};

// evaluate k1, k2 from ...   |   evaluate scorecard NAME from ...
// `query` holds the source and every clause; its items are empty.
struct Evaluate {
  std::vector<NamePos> kpis;
  std::optional<NamePos> scorecard;
  SelectQuery query;
  SourcePos pos;
};

// explain <select> | explain <evaluate>
struct Explain {
  SelectQuery query;
  std::shared_ptr<const Evaluate> evaluate;  // set for `explain evaluate ...`
};

// One `open` group of a calendar: days and local wall-clock ranges.
struct CalendarOpen {
  uint8_t days_mask = 0;                     // bit 0 = Monday .. bit 6 = Sunday
  std::vector<std::pair<int, int>> ranges;   // minutes after local midnight, [begin, end), end <= 1440
  SourcePos pos;
};

// One `closed` entry: a local date, or `first .. end` (half-open).
struct CalendarClosed {
  TimeLiteral first;
  std::optional<TimeLiteral> end;
};

// define calendar NAME tz "Zone" open ... [closed ...]
struct DefineCalendar {
  NamePos name;
  std::string tz;
  SourcePos tz_pos;
  std::vector<CalendarOpen> open;
  std::vector<CalendarClosed> closed;
  std::string text;  // the whole statement as written (stored and re-parsed)
};

// define target <kpi> <op> <value> [where <dim> = <literal> [and ...]]
struct DefineTarget {
  NamePos kpi;
  std::string op;  // ">=", ">", "<=", "<"
  SourcePos op_pos;
  ExprPtr value;
  ExprPtr where;   // null when absent; checked to be a conjunction of equalities
  std::string text;
};

// drop target <kpi> [where ...]
struct DropTarget {
  NamePos kpi;
  ExprPtr where;
};

// <kpi> <op> <value> in `relax`
struct Relaxation {
  NamePos kpi;
  std::string op;
  ExprPtr value;
};

// define exemption NAME during a .. b [where p] (exclude | relax ...) [tz "Zone"]
struct DefineExemption {
  NamePos name;
  TimeLiteral start, end;
  ExprPtr where;
  bool exclude = false;
  std::vector<Relaxation> relax;
  std::optional<std::string> tz;
  SourcePos tz_pos;
  std::string text;
};

// define scorecard NAME = <weight> <kpi> + ... [cap <number>]
struct ScorecardTerm {
  ExprPtr weight;  // a number or percentage literal
  NamePos kpi;
};
struct DefineScorecard {
  NamePos name;
  std::vector<ScorecardTerm> terms;
  ExprPtr cap;     // null: 1
  std::string text;
};

// define watch NAME every <duration> [keep <duration>] as <select | evaluate> [notify "<url>"]
struct DefineWatch {
  NamePos name;
  ExprPtr every;   // a duration literal
  ExprPtr keep;    // null: the default retention
  std::shared_ptr<const SelectQuery> select;  // one of select / evaluate is set
  std::shared_ptr<const Evaluate> evaluate;
  std::string statement;     // the watched statement as written
  SourcePos statement_pos;
  std::optional<std::string> notify;  // the webhook URL
  SourcePos notify_pos;
  std::string text;  // the whole statement as written (stored and re-parsed)
};

using Statement = std::variant<SelectQuery, DefineKpi, ShowKpis, DropKpi, Explain, Evaluate, DefineCalendar,
                               DefineTarget, DropTarget, DefineExemption, DefineScorecard, DropNamed, DefineWatch>;

// Canonical one-line text of an expression (keywords lower case, minimal
// parentheses that keep the meaning), e.g. for column names and `show kpis`.
std::string ToString(const Expr& expr);

}  // namespace kpi::query::ast
