// Bound expressions and the bound query: the binder's output, the planner's
// and executor's input.
//
// A BoundExpr is an AST expression with every name resolved against the
// catalog (dictionary column ids, event codes), every type known and named
// KPIs spliced in. Two contexts exist:
//   * row context (where, group keys, aggregate arguments): evaluated column
//     at a time over the rows of a segment (query/execution/eval.h); such nodes carry a
//     dense `id` (a memo slot) and identical subexpressions are shared, so
//     p50(x) and p90(x) evaluate x once;
//   * group context (select items, having): evaluated once per group over
//     Values (query/execution/group_eval.h); leaves are aggregates, group keys, item
//     aliases and constants.
// Values inside a BoundQuery follow value_ops.h (durations in seconds); the
// vectorized evaluator carries durations as milliseconds.
//
// Ownership: a BoundQuery owns all its nodes (stable addresses in a deque).
// Thread safety: immutable after binding; shared by the executor's workers.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <cctz/time_zone.h>

#include "query/result.h"
#include "query/time_buckets.h"
#include "query/functions/scalar_functions.h"
#include "query/value_ops.h"

namespace kpi::query {

struct LookupTable;
class BusinessClock;

enum class Source : uint8_t { kTickets, kEvents };

// Where the strings of a string-typed expression come from.
enum class StrKind : uint8_t {
  kNone,
  kDict,     // dictionary codes of catalog column `column` (0 = null)
  kTicket,   // ticket ids: the row's ticket index in its segment
  kLiteral,  // a constant: the node's value
};
struct StrDomain {
  StrKind kind = StrKind::kNone;
  uint32_t column = 0;
  bool operator==(const StrDomain& o) const { return kind == o.kind && column == o.column; }
};

enum class ColumnRef : uint8_t {
  kTime,     // events: the event's time
  kTicket,   // both sources: the ticket id
  kEvent,    // events: event name (dictionary kEventColumn)
  kAgent,    // events: agent (dictionary kAgentColumn), null when absent
  kCreated,  // tickets: the creation time
  kDim,      // events: effective (sticky) value; tickets: latest value
  kMeasure,  // events: the event's own value; tickets: the last non-null value
};

enum class TicketFn : uint8_t {
  kDuration,      // duration(A -> B)
  kCountOf,       // count_of(A)
  kCountBefore,   // count_of(A before B)
  kHas,           // has(A)
  kFirst,         // first(A)
  kLast,          // last(A)
  kAgentOf,       // agent_of(A)
  kTotal,         // total(measure)
  kRepeatWithin,  // repeat_within(d, dims...)
};

// An event name inside a per-ticket function. `created` means the creation
// time where a time is asked for (first, last, duration, before).
struct EventRef {
  std::string name;
  uint32_t code = 0;  // 0: never ingested (matches no event)
  bool is_created = false;
};

enum class BoundKind : uint8_t {
  kConst,
  kColumn,
  kTicketFn,
  kUnary,
  kBinary,
  kIn,
  kAggregate,  // group context: aggregate `index`
  kGroupKey,   // group context: group key `index`
  kItemRef,    // having: select item `index` (by its alias)
  kJoinColumn, // row context: column `column_id` of joined table `index`, looked up by args[0] (the join key)
  kScalar,     // both contexts: scalar function `scalar` over args (query/functions/scalar_functions.h)
};

struct BoundExpr {
  BoundKind kind = BoundKind::kConst;
  ValueType type = ValueType::kNull;
  StrDomain str;       // string-typed nodes
  int id = -1;         // row context: dense memo slot
  int cost = 0;        // rough evaluation cost; cheaper operands of and/or run first
  std::string text;    // canonical text (explain, dedup)

  Value value;                            // kConst
  ColumnRef column = ColumnRef::kTime;    // kColumn
  uint32_t column_id = 0;                 // kColumn kDim / kMeasure; kTicketFn kTotal: the measure
  TicketFn fn = TicketFn::kHas;           // kTicketFn
  EventRef a, b;                          // kTicketFn event arguments
  int64_t window_ms = 0;                  // kRepeatWithin
  std::vector<uint32_t> dims;             // kRepeatWithin dimension columns
  int repeat = -1;                        // kRepeatWithin: index in BoundQuery::repeats
  const BusinessClock* clock = nullptr;   // kDuration `in CAL`: open hours only (owned by BoundQuery::clocks)
  ScalarFn scalar = ScalarFn::kCoalesce;  // kScalar
  bool has_else = false;                  // kScalar case: the last arg is the else value
  int digits = 0;                         // kScalar round: n
  // kScalar with a string result in row context: its own dictionary
  // (dict_text[str.column]); per argument, its codes there (arg code ->
  // result code) or, for a literal, the one code it has.
  std::vector<std::vector<uint32_t>> str_remap;
  std::vector<uint32_t> str_fixed;
  Op op = Op::kAnd;                       // kUnary / kBinary
  bool negated = false;                   // kIn
  std::vector<const BoundExpr*> args;     // operands; kIn: args[0] tested, the rest the list
  // Dictionary comparisons with string constants resolved at bind time:
  // kBinary = / != between a kDict operand and a constant: the constant's
  // code (kNoCode when the dictionary lacks it); kIn with a kDict operand
  // and only constant strings: the codes present in the dictionary.
  bool codes_resolved = false;
  std::vector<uint32_t> codes;
  bool list_has_null = false;             // kIn: some list item is the null literal
  int index = -1;                         // kAggregate / kGroupKey / kItemRef
};

inline constexpr uint32_t kNoCode = 0xFFFFFFFFu;

struct AggregateFamily;

// Dictionary ids of the string columns of joined tables: above every catalog
// column, so string nodes over them use the kDict paths (codes, texts in
// BoundQuery::dict_text).
inline constexpr uint32_t kJoinDictBase = 0x80000000u;
// Dictionaries of string-valued scalar functions (case, coalesce) over rows:
// the union of their arguments' texts, in BoundQuery::dict_text.
inline constexpr uint32_t kScalarDictBase = 0x40000000u;
inline uint32_t JoinDictColumn(size_t join, size_t column) {
  return kJoinDictBase | static_cast<uint32_t>(join << 16) | static_cast<uint32_t>(column);
}

// `join NAME on <key>`: the table and, for a dictionary-coded key, the table
// row of each dictionary code (-1: no match), resolved once at bind time.
struct BoundJoin {
  std::string name;
  std::shared_ptr<const LookupTable> table;
  const BoundExpr* key = nullptr;       // row context
  std::vector<int32_t> row_of_code;     // key->str.kind == kDict: [code] -> row or -1
};

// An exemption window that leaves rows out of an `evaluate`: rows placed in
// [start_ms, end_ms) where `pred` (null: always) is true.
struct BoundExclusion {
  std::string name;
  int64_t start_ms = 0, end_ms = 0;
  const BoundExpr* pred = nullptr;  // row context
};

// `cycles(A -> B)` inside an aggregate (docs/query-language.md 16.6).
struct CycleSpec {
  EventRef a, b;
};

struct AggregateSpec {
  const AggregateFamily* family = nullptr;
  std::string name;                      // as called: "p90", "count"
  std::vector<const BoundExpr*> args;    // row context
  std::vector<ValueType> arg_types;
  double param = 0;                      // percentile: q in [0, 1]
  ValueType out_type = ValueType::kNumber;
  std::string text;                      // canonical, e.g. "p90(duration(created -> agent_reply))"
  // The arguments are Value-row expressions (group-context nodes whose
  // kGroupKey leaves index a Value row, query/execution/group_eval.h): over the inner
  // result's rows of a nested select, or over the cycles of `cycles`.
  bool over_values = false;
  std::optional<CycleSpec> cycles;       // runs over every cycle of the group's tickets (its one Value: the duration)
};

struct GroupKey {
  std::string name;  // result column name
  ValueType type = ValueType::kString;
  bool is_bucket = false;           // a time bucket or a cyclic group of the placement time
  BucketUnit unit = BucketUnit::kDay;
  int64_t step_ms = 0;              // kStep: the step
  const BoundExpr* expr = nullptr;  // row context, when !is_bucket
};

struct SelectItem {
  std::string name;
  ValueType type = ValueType::kNull;
  const BoundExpr* expr = nullptr;  // group context
};

struct RepeatSpec {
  int64_t window_ms = 0;
  std::vector<uint32_t> dims;
};

struct OrderKey {
  size_t column = 0;  // index in the result row (groups, then items)
  bool descending = false;
};

struct BoundQuery {
  Source source = Source::kTickets;
  std::string tz_name = "UTC";
  cctz::time_zone tz;
  std::optional<EventRef> at;                 // tickets placed at their first `at` event
  bool at_last = false;                       // ... or at their last (`at last(A)`)
  std::optional<std::pair<int64_t, int64_t>> during;  // [begin, end) epoch ms
  std::string during_relative;                // `last 1w`, `this month`...: the relative window `during` resolves; empty for a.. b
  std::optional<int64_t> as_of_ms;
  bool nested = false;                        // from (select ...): where, group keys and aggregate
                                              // arguments are Value-row expressions over the inner rows
  const BoundExpr* where = nullptr;           // row context
  std::vector<GroupKey> groups;
  std::vector<AggregateSpec> aggregates;
  std::vector<SelectItem> items;
  const BoundExpr* having = nullptr;          // group context
  std::vector<OrderKey> order;
  std::optional<int64_t> limit;
  std::vector<RepeatSpec> repeats;
  std::vector<BoundJoin> joins;
  std::vector<BoundExclusion> exclusions;
  std::vector<std::shared_ptr<const BusinessClock>> clocks;  // keeps `in CAL` clocks alive
  std::map<std::string, int64_t> used_definitions;           // "kind:name" -> version (provenance)
  std::vector<std::string> warnings;
  int num_row_nodes = 0;
  // Texts of dictionaries the evaluator compares by text (ordering of
  // strings, min/max of strings, mixed dictionaries): column -> values[code - 1].
  std::map<uint32_t, std::vector<std::string>> dict_text;
  std::deque<BoundExpr> nodes;  // owns every node above
};

// Text of dictionary code `code` (>= 1) of `column` when it is a joined
// table's column, else of `dict_text`; nullptr when unknown.
const std::string* DictText(const BoundQuery& q, uint32_t column, uint32_t code);

}  // namespace kpi::query
