#include "query/reference/reference_evaluator.h"
#include "query/reference/reference_cycles.h"
#include "query/reference/reference_nested.h"
#include "query/reference/reference_trends.h"

#include <algorithm>
#include <functional>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>
#include <vector>

#include "query/reference/reference_calendar.h"
#include "query/reference/reference_time.h"

namespace kpi::reference {

namespace {

namespace ast = query::ast;
using query::Value;
using query::ValueType;

// Nesting of named KPIs inside each other; deeper is a definition cycle.
constexpr int kMaxKpiDepth = 16;

enum class Context {
  kRow,    // where, group keys, aggregate arguments: one source row
  kGroup,  // select items, having: one group
};

bool IsAggregate(const std::string& f) {
  static const std::set<std::string> kNames = {"count", "sum",  "avg", "min", "max",   "percentile", "p50",
                                               "p90",   "p95",  "p99", "rate", "ratio", "distinct"};
  return kNames.count(f) > 0;
}

bool IsTicketFunction(const std::string& f) {
  static const std::set<std::string> kNames = {"duration", "count_of", "has",   "first",
                                               "last",     "agent_of", "total", "repeat_within"};
  return kNames.count(f) > 0;
}

bool IsNumeric(ValueType t) { return t == ValueType::kNumber || t == ValueType::kDuration; }

bool IsComparison(const std::string& op) {
  return op == "=" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=";
}

bool IsArithmetic(const std::string& op) { return op == "+" || op == "-" || op == "*" || op == "/"; }

// Whether values of the two types may be compared with each other.
bool Comparable(ValueType a, ValueType b) {
  if (a == ValueType::kNull || b == ValueType::kNull) return true;
  if (IsNumeric(a) && IsNumeric(b)) return true;
  return a == b;
}

// Result type of `a op b` for + - * /; nullopt when not allowed.
std::optional<ValueType> ArithmeticType(const std::string& op, ValueType a, ValueType b) {
  using VT = ValueType;
  if (a == VT::kNull && b == VT::kNull) return VT::kNull;
  if (a == VT::kNull) return (b == VT::kString || b == VT::kBool) ? std::nullopt : std::optional<VT>(b);
  if (b == VT::kNull) return (a == VT::kString || a == VT::kBool) ? std::nullopt : std::optional<VT>(a);
  if (a == VT::kNumber && b == VT::kNumber) return VT::kNumber;
  if (a == VT::kTime || b == VT::kTime) {
    if (op == "-" && a == VT::kTime && b == VT::kTime) return VT::kDuration;
    if ((op == "+" || op == "-") && a == VT::kTime && IsNumeric(b)) return VT::kTime;
    if (op == "+" && b == VT::kTime && IsNumeric(a)) return VT::kTime;
    return std::nullopt;
  }
  if (IsNumeric(a) && IsNumeric(b)) {
    if (op == "+" || op == "-") return VT::kDuration;
    if (op == "*") return (a == VT::kDuration && b == VT::kDuration) ? VT::kNumber : VT::kDuration;
    // "/": duration / duration is a plain ratio.
    if (a == VT::kDuration && b == VT::kNumber) return VT::kDuration;
    return VT::kNumber;
  }
  return std::nullopt;
}

double NumberOf(const Value& v) {
  switch (v.type) {
    case ValueType::kNumber:
    case ValueType::kDuration:
      return v.number;
    case ValueType::kTime:
      return static_cast<double>(v.time_ms);
    case ValueType::kBool:
      return v.boolean ? 1 : 0;
    default:
      return 0;
  }
}

Value MakeTyped(ValueType t, double x) {
  if (t == ValueType::kDuration) return Value::Duration(x);
  if (t == ValueType::kTime) return Value::Time(static_cast<int64_t>(std::llround(x)));
  return Value::Number(x);
}

// Three-valued equality / order of two non-null comparable values.
int CompareNonNull(const Value& a, const Value& b) {
  if (IsNumeric(a.type) && IsNumeric(b.type)) return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
  if (a.type != b.type) return a.type < b.type ? -1 : 1;
  switch (a.type) {
    case ValueType::kBool:
      return static_cast<int>(a.boolean) - static_cast<int>(b.boolean);
    case ValueType::kTime:
      return a.time_ms < b.time_ms ? -1 : a.time_ms > b.time_ms ? 1 : 0;
    case ValueType::kString:
      return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
    default:
      return 0;
  }
}

class QueryRun {
 public:
  QueryRun(const RefStore& store, const ast::SelectQuery& q, const RefContext& context,
           const ReferenceOptions& options)
      : store_(store), q_(q), ctx_(context), kpis_(context.kpis), options_(options) {}

  Status Run(query::Result* out);
  // from (select ...): the inner result's rows are the rows, its columns the columns.
  void SetNested(const query::Result* inner) { nested_ = inner; }

 private:
  struct Row {
    const RefTicket* ticket = nullptr;
    const RefEvent* event = nullptr;  // events source only
    int64_t place_ms = 0;
    std::map<std::string, std::string> dims;  // sticky (events) or latest (tickets)
    std::vector<int> join_rows;               // per join of the query: the table row, -1 when none
    const std::vector<Value>* values = nullptr;  // nested select: the inner row
  };
  struct Group {
    std::vector<Value> keys;
    std::vector<const Row*> rows;
    std::vector<Value> items;
  };

  bool events_source() const { return q_.source == "events"; }
  Status Error(const ast::SourcePos& pos, const std::string& what) const {
    return Status::InvalidArgument("line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) +
                                   ": " + what);
  }
  void NoteEventName(const std::string& name) {
    if (name != "created" && store_.event_names.count(name) == 0)
      warnings_.insert("event name '" + name + "' has never been ingested");
  }
  bool IsColumn(const std::string& name) const;
  // `T.col`: the join (index in q_.joins, among the first visible_joins_) and
  // the table column; false with *why when it names none.
  bool FindJoinColumn(const std::string& name, int* join, int* col, std::string* why) const;
  const RefTable& JoinTable(int join) const { return ctx_.tables.at(q_.joins[join].table); }
  int GroupKeyIndex(const ast::Expr& e) const;
  // The bucket unit of a `by` item (hour .. year, any case), unless it names a column.
  std::optional<std::string> BucketOf(const ast::Expr& e) const;
  int AliasIndex(const std::string& name) const;

  Status Check(const ast::Expr& e, Context ctx, ValueType* type, int depth);
  Status CheckCall(const ast::Expr& e, Context ctx, ValueType* type, int depth);
  Status CheckEventArg(const ast::Expr& e);

  Value EvalRow(const ast::Expr& e, const Row& row) const;
  Value EvalGroup(const ast::Expr& e, const Group& g, bool aliases_ready) const;
  Value EvalTicketFunction(const ast::Expr& e, const Row& row) const;
  Value EvalAggregate(const ast::Expr& e, const Group& g) const;
  Value EvalGroupKey(const ast::Expr& e, const Row& row) const;
  bool RepeatWithin(const RefTicket& t, double seconds, const std::vector<std::string>& dims) const;
  // Shared by both contexts: operators over already computed operands.
  static Value Unary(const std::string& op, const Value& v);
  static Value Binary(const std::string& op, const Value& a, const Value& b);
  static Value In(const Value& v, const std::vector<Value>& list, bool negated);

  const RefStore& store_;
  const ast::SelectQuery& q_;
  const RefContext& ctx_;
  const KpiDefinitions& kpis_;
  ReferenceOptions options_;
  size_t visible_joins_ = 0;  // joins bound so far: `T.col` may name these
  cctz::time_zone tz_;
  std::set<std::string> warnings_;
  // A KPI named like a store column hides it (the column came later).
  void NoteHiddenColumn(const std::string& n) {
    if (store_.dims.count(n) || store_.measures.count(n))
      warnings_.insert("kpi '" + n + "' hides the column '" + n +
                       "' (ingested after the kpi was defined; drop the kpi to read the column)");
  }
  std::vector<std::string> group_names_, item_names_;
  std::vector<ValueType> item_types_;
  std::map<const ast::Expr*, ValueType> types_;  // static type of every checked node
  bool checking_having_ = false;
  // Nested selects and reply cycles (reference_nested.h, reference_cycles.h).
  int NestedColumn(const std::string& name) const {
    for (size_t i = 0; nested_ && i < nested_->columns.size(); ++i)
      if (nested_->columns[i].name == name) return static_cast<int>(i);
    return -1;
  }
  // An aggregate's inputs, each its data arguments' values: one per row of
  // the group, or one per cycle of each row's ticket when it reads cycles().
  std::vector<std::vector<Value>> AggregateInputs(const ast::Expr& e, const Group& g) const;
  const query::Result* nested_ = nullptr;
  bool in_cycles_ = false;                // checking an aggregate argument over cycles
  std::string cycle_a_, cycle_b_;
  mutable double cycle_value_ = 0;        // seconds of the cycle being evaluated
};

std::vector<std::vector<Value>> QueryRun::AggregateInputs(const ast::Expr& e, const Group& g) const {
  const size_t nargs = e.text == "percentile" ? 1 : e.args.size();
  const ast::Expr* cycles = nested_ ? nullptr : FindCyclesCall(e);
  std::vector<std::vector<Value>> inputs;
  auto add = [&](const Row& row) {
    std::vector<Value> v;
    for (size_t i = 0; i < nargs; ++i) v.push_back(EvalRow(*e.args[i], row));
    inputs.push_back(std::move(v));
  };
  for (const Row* row : g.rows) {
    if (cycles == nullptr) {
      add(*row);
      continue;
    }
    const auto& span = *cycles->args[0];
    for (double seconds : TicketCycleSeconds(*row->ticket, span.args[0]->text, span.args[1]->text)) {
      cycle_value_ = seconds;
      add(*row);
    }
  }
  return inputs;
}

bool QueryRun::FindJoinColumn(const std::string& name, int* join, int* col, std::string* why) const {
  const size_t dot = name.find('.');
  if (dot == std::string::npos) return false;
  const std::string table = name.substr(0, dot), column = name.substr(dot + 1);
  for (size_t j = 0; j < visible_joins_; ++j) {
    if (q_.joins[j].table != table) continue;
    const RefTable& t = ctx_.tables.at(table);
    for (size_t c = 0; c < t.columns.size(); ++c) {
      if (t.columns[c] == column) {
        *join = static_cast<int>(j);
        *col = static_cast<int>(c);
        return true;
      }
    }
    *why = "table '" + table + "' has no column '" + column + "'";
    return false;
  }
  *why = "'" + table + "' is not a joined table";
  return false;
}

bool QueryRun::IsColumn(const std::string& name) const {
  if (nested_) return NestedColumn(name) >= 0;
  if (name.find('.') != std::string::npos) {
    int j, c;
    std::string why;
    return FindJoinColumn(name, &j, &c, &why);
  }
  if (name == "ticket") return true;
  if (events_source() && (name == "time" || name == "event" || name == "agent")) return true;
  if (!events_source() && name == "created") return true;
  // A named KPI hides a store column of its name (the column came later).
  return (store_.dims.count(name) > 0 || store_.measures.count(name) > 0) && kpis_.count(name) == 0;
}

int QueryRun::GroupKeyIndex(const ast::Expr& e) const {
  const std::string text = ast::ToString(e);
  for (size_t i = 0; i < q_.group_by.size(); ++i)
    if (ast::ToString(*q_.group_by[i]) == text) return static_cast<int>(i);
  return -1;
}

int QueryRun::AliasIndex(const std::string& name) const {
  for (size_t i = 0; i < q_.items.size(); ++i)
    if (item_names_[i] == name) return static_cast<int>(i);
  return -1;
}

Status QueryRun::CheckEventArg(const ast::Expr& e) {
  if (e.kind != ast::ExprKind::kColumn) return Error(e.pos, "expected an event name");
  NoteEventName(e.text);
  return Status::OK();
}

Status QueryRun::Check(const ast::Expr& e, Context ctx, ValueType* type, int depth) {
  if (depth > kMaxKpiDepth) return Error(e.pos, "named KPIs nest too deep");
  ValueType t = ValueType::kNull;
  switch (e.kind) {
    case ast::ExprKind::kNumber:
    case ast::ExprKind::kPercent:
      t = ValueType::kNumber;
      break;
    case ast::ExprKind::kDuration:
      t = ValueType::kDuration;
      break;
    case ast::ExprKind::kString:
      t = ValueType::kString;
      break;
    case ast::ExprKind::kBool:
      t = ValueType::kBool;
      break;
    case ast::ExprKind::kNull:
      t = ValueType::kNull;
      break;
    case ast::ExprKind::kTimestamp: {
      int64_t ms;
      if (!ParseInstant(e.text, tz_, &ms)) return Error(e.pos, "bad timestamp '" + e.text + "'");
      t = ValueType::kTime;
      break;
    }
    case ast::ExprKind::kColumn: {
      if (ctx == Context::kGroup) {
        int k = GroupKeyIndex(e);
        if (k >= 0) {
          auto it = types_.find(q_.group_by[k].get());
          t = it != types_.end() ? it->second : ValueType::kString;
          break;
        }
        if (checking_having_) {  // having may name the items by their aliases
          int a = AliasIndex(e.text);
          if (a >= 0) {
            t = item_types_[a];
            break;
          }
        }
        if (!IsColumn(e.text) && kpis_.count(e.text)) {
          NoteHiddenColumn(e.text);
          KPI_RETURN_IF_ERROR(Check(*kpis_.at(e.text), ctx, &t, depth + 1));
          break;
        }
        return Error(e.pos, "column '" + e.text + "' must be grouped or aggregated");
      }
      if (in_cycles_) return Error(e.pos, "an aggregate over cycles() reads only the cycle");
      if (nested_) {
        const int c = NestedColumn(e.text);
        if (c < 0) return Error(e.pos, "unknown column '" + e.text + "' of the nested select");
        t = nested_->columns[c].type;
        break;
      }
      const std::string& n = e.text;
      if (n.find('.') != std::string::npos) {
        int j, c;
        std::string why;
        if (!FindJoinColumn(n, &j, &c, &why)) return Error(e.pos, why);
        t = JoinTable(j).numeric[c] ? ValueType::kNumber : ValueType::kString;
      } else if (n == "ticket" || (events_source() && (n == "event" || n == "agent"))) {
        t = ValueType::kString;
      } else if ((events_source() && n == "time") || (!events_source() && n == "created")) {
        t = ValueType::kTime;
      } else if (kpis_.count(n)) {
        NoteHiddenColumn(n);
        KPI_RETURN_IF_ERROR(Check(*kpis_.at(n), ctx, &t, depth + 1));
      } else if (store_.dims.count(n)) {
        t = ValueType::kString;
      } else if (store_.measures.count(n)) {
        t = ValueType::kNumber;
      } else {
        return Error(e.pos, "unknown column '" + n + "'");
      }
      break;
    }
    case ast::ExprKind::kCall:
      KPI_RETURN_IF_ERROR(CheckCall(e, ctx, &t, depth));
      break;
    case ast::ExprKind::kUnary: {
      if (e.args.size() != 1) return Error(e.pos, "bad unary");
      ValueType a;
      KPI_RETURN_IF_ERROR(Check(*e.args[0], ctx, &a, depth));
      if (e.text == "not") {
        if (a != ValueType::kBool && a != ValueType::kNull) return Error(e.pos, "not needs a predicate");
        t = ValueType::kBool;
      } else {
        if (!IsNumeric(a) && a != ValueType::kNull) return Error(e.pos, "unary minus needs a number");
        t = a;
      }
      break;
    }
    case ast::ExprKind::kBinary: {
      if (e.args.size() != 2) return Error(e.pos, "bad binary");
      ValueType a, b;
      KPI_RETURN_IF_ERROR(Check(*e.args[0], ctx, &a, depth));
      KPI_RETURN_IF_ERROR(Check(*e.args[1], ctx, &b, depth));
      if (e.text == "and" || e.text == "or") {
        for (ValueType x : {a, b})
          if (x != ValueType::kBool && x != ValueType::kNull) return Error(e.pos, e.text + " needs predicates");
        t = ValueType::kBool;
      } else if (IsComparison(e.text)) {
        if (!Comparable(a, b)) return Error(e.pos, "cannot compare");
        t = ValueType::kBool;
      } else if (IsArithmetic(e.text)) {
        std::optional<ValueType> r = ArithmeticType(e.text, a, b);
        if (!r) return Error(e.pos, "bad operand types for " + e.text);
        t = *r;
      } else {
        return Error(e.pos, "unknown operator " + e.text);
      }
      break;
    }
    case ast::ExprKind::kIn: {
      if (e.args.size() < 2) return Error(e.pos, "empty in list");
      ValueType a;
      KPI_RETURN_IF_ERROR(Check(*e.args[0], ctx, &a, depth));
      for (size_t i = 1; i < e.args.size(); ++i) {
        ValueType b;
        KPI_RETURN_IF_ERROR(Check(*e.args[i], ctx, &b, depth));
        if (!Comparable(a, b)) return Error(e.args[i]->pos, "in list type mismatch");
      }
      t = ValueType::kBool;
      break;
    }
    case ast::ExprKind::kArrow:
    case ast::ExprKind::kBefore:
      return Error(e.pos, "'->' and 'before' only inside duration() / count_of()");
    case ast::ExprKind::kIsNull: {
      ValueType a;
      KPI_RETURN_IF_ERROR(Check(*e.args[0], ctx, &a, depth));
      t = ValueType::kBool;
      break;
    }
    case ast::ExprKind::kCase: {
      if (ctx == Context::kGroup && GroupKeyIndex(e) >= 0) {  // by case ... end
        t = types_.at(q_.group_by[GroupKeyIndex(e)].get());
        break;
      }
      // Conditions are predicates; the values share one type (nulls aside).
      const size_t values_end = e.args.size() - (e.boolean ? 1 : 0);
      t = ValueType::kNull;
      for (size_t i = 0; i < e.args.size(); ++i) {
        ValueType a;
        KPI_RETURN_IF_ERROR(Check(*e.args[i], ctx, &a, depth));
        const bool is_condition = i < values_end && i % 2 == 0;
        if (is_condition) {
          if (a != ValueType::kBool && a != ValueType::kNull) return Error(e.args[i]->pos, "when needs a predicate");
        } else if (a != ValueType::kNull) {
          if (t != ValueType::kNull && t != a) return Error(e.args[i]->pos, "case branches of different types");
          t = a;
        }
      }
      break;
    }
  }
  types_[&e] = t;
  *type = t;
  return Status::OK();
}

Status QueryRun::CheckCall(const ast::Expr& e, Context ctx, ValueType* type, int depth) {
  const std::string& f = e.text;
  const auto& args = e.args;
  if (ctx == Context::kGroup && GroupKeyIndex(e) >= 0) {  // by agent_of(resolved), by coalesce(...)
    auto it = types_.find(q_.group_by[GroupKeyIndex(e)].get());
    *type = it != types_.end() ? it->second : ValueType::kString;
    return Status::OK();
  }
  if (f == "coalesce" || f == "least" || f == "greatest" || f == "abs" || f == "round") {
    size_t n = args.size();
    if (n == 0 || ((f == "abs") && n != 1) || (f == "round" && n > 2))
      return Error(e.pos, f + "(): wrong number of arguments");
    if (f == "round" && n == 2) {
      const ast::Expr& d = *args[1];
      const bool literal = d.kind == ast::ExprKind::kNumber ||
                           (d.kind == ast::ExprKind::kUnary && d.text == "-" && d.args[0]->kind == ast::ExprKind::kNumber);
      if (!literal) return Error(d.pos, "round() digits must be a whole number");
      n = 1;
    }
    ValueType common = ValueType::kNull;
    for (size_t i = 0; i < n; ++i) {
      ValueType a;
      KPI_RETURN_IF_ERROR(Check(*args[i], ctx, &a, depth));
      if (a == ValueType::kNull) continue;
      if (common != ValueType::kNull && common != a) return Error(args[i]->pos, f + "(): arguments of different types");
      common = a;
    }
    if ((f == "abs" || f == "round") && common != ValueType::kNull && !IsNumeric(common))
      return Error(e.pos, f + "() needs a number");
    if ((f == "least" || f == "greatest") && common != ValueType::kNull && !IsNumeric(common) &&
        common != ValueType::kTime)
      return Error(e.pos, f + "() needs numbers or times");
    *type = (f == "abs" || f == "round") && common == ValueType::kNull ? ValueType::kNumber : common;
    return Status::OK();
  }
  if (f == "cycles") {
    if (!in_cycles_) return Error(e.pos, "cycles() only inside an aggregate over tickets");
    if (args.size() != 1 || args[0]->kind != ast::ExprKind::kArrow || args[0]->args.size() != 2 ||
        !args[0]->text.empty())
      return Error(e.pos, "cycles() takes A -> B");
    KPI_RETURN_IF_ERROR(CheckEventArg(*args[0]->args[0]));
    KPI_RETURN_IF_ERROR(CheckEventArg(*args[0]->args[1]));
    const std::string& a = args[0]->args[0]->text;
    const std::string& b = args[0]->args[1]->text;
    if (!cycle_a_.empty() && (cycle_a_ != a || cycle_b_ != b)) return Error(e.pos, "two kinds of cycle in one aggregate");
    cycle_a_ = a;
    cycle_b_ = b;
    *type = ValueType::kDuration;
    return Status::OK();
  }
  if (IsAggregate(f)) {
    if (ctx != Context::kGroup || in_cycles_) return Error(e.pos, "aggregate " + f + "() not allowed here");
    const ast::Expr* cycles = nested_ ? nullptr : FindCyclesCall(e);
    if (cycles && events_source()) return Error(cycles->pos, "cycles() needs the tickets source");
    in_cycles_ = cycles != nullptr;
    cycle_a_.clear();
    cycle_b_.clear();
    std::vector<ValueType> at;
    for (const auto& a : args) {
      ValueType t;
      KPI_RETURN_IF_ERROR(Check(*a, Context::kRow, &t, depth));
      if (in_cycles_ && t == ValueType::kString) return Error(a->pos, "an aggregate over cycles() takes no strings");
      at.push_back(t);
    }
    in_cycles_ = false;
    auto want = [&](size_t n) -> Status {
      if (args.size() != n) return Error(e.pos, f + "() takes " + std::to_string(n) + " argument(s)");
      return Status::OK();
    };
    if (f == "count") {
      if (args.size() > 1) return Error(e.pos, "count() takes at most one argument");
      *type = ValueType::kNumber;
    } else if (f == "sum" || f == "avg" || f == "p50" || f == "p90" || f == "p95" || f == "p99") {
      KPI_RETURN_IF_ERROR(want(1));
      if (!IsNumeric(at[0]) && at[0] != ValueType::kNull) return Error(e.pos, f + "() needs a number or duration");
      *type = at[0] == ValueType::kNull ? ValueType::kNumber : at[0];
    } else if (f == "min" || f == "max") {
      KPI_RETURN_IF_ERROR(want(1));
      if (at[0] == ValueType::kBool) return Error(e.pos, f + "() of a predicate");
      *type = at[0] == ValueType::kNull ? ValueType::kNumber : at[0];
    } else if (f == "percentile") {
      KPI_RETURN_IF_ERROR(want(2));
      if (!IsNumeric(at[0]) && at[0] != ValueType::kNull) return Error(e.pos, "percentile() needs a number");
      const ast::Expr& q = *args[1];
      if ((q.kind != ast::ExprKind::kNumber && q.kind != ast::ExprKind::kPercent) || q.number < 0 || q.number > 1)
        return Error(q.pos, "percentile() needs a fraction in [0, 1]");
      *type = at[0] == ValueType::kNull ? ValueType::kNumber : at[0];
    } else if (f == "rate") {
      KPI_RETURN_IF_ERROR(want(1));
      if (at[0] != ValueType::kBool && at[0] != ValueType::kNull) return Error(e.pos, "rate() needs a predicate");
      *type = ValueType::kNumber;
    } else if (f == "ratio") {
      KPI_RETURN_IF_ERROR(want(2));
      for (ValueType t : at)
        if (!IsNumeric(t) && t != ValueType::kNull) return Error(e.pos, "ratio() needs numbers");
      *type = ValueType::kNumber;
    } else {  // distinct
      KPI_RETURN_IF_ERROR(want(1));
      *type = ValueType::kNumber;
    }
    return Status::OK();
  }
  if (IsTicketFunction(f)) {
    if (events_source()) return Error(e.pos, f + "() needs the tickets source");
    if (nested_) return Error(e.pos, f + "() needs tickets, not a nested select's rows");
    if (in_cycles_) return Error(e.pos, f + "() inside an aggregate over cycles()");
    for (const auto& a : args)
      if (a && a->kind == ast::ExprKind::kCall && a->text == "cycles") return Error(a->pos, "cycles() inside " + f + "()");
    if (ctx != Context::kRow) return Error(e.pos, f + "() must be aggregated or grouped");
    if (f == "duration") {
      if (args.size() != 1 || args[0]->kind != ast::ExprKind::kArrow || args[0]->args.size() < 2)
        return Error(e.pos, "duration() takes A -> B");
      KPI_RETURN_IF_ERROR(CheckEventArg(*args[0]->args[0]));
      KPI_RETURN_IF_ERROR(CheckEventArg(*args[0]->args[1]));
      const std::string& cal = args[0]->text;
      if (!cal.empty() && !ctx_.calendars.count(cal))
        return Error(args[0]->args.size() > 2 ? args[0]->args[2]->pos : args[0]->pos, "unknown calendar '" + cal + "'");
      *type = ValueType::kDuration;
    } else if (f == "count_of") {
      if (args.size() != 1) return Error(e.pos, "count_of() takes one argument");
      if (args[0]->kind == ast::ExprKind::kBefore) {
        if (args[0]->args.size() != 2) return Error(e.pos, "bad before");
        KPI_RETURN_IF_ERROR(CheckEventArg(*args[0]->args[0]));
        KPI_RETURN_IF_ERROR(CheckEventArg(*args[0]->args[1]));
      } else {
        KPI_RETURN_IF_ERROR(CheckEventArg(*args[0]));
      }
      *type = ValueType::kNumber;
    } else if (f == "has" || f == "first" || f == "last" || f == "agent_of") {
      if (args.size() != 1) return Error(e.pos, f + "() takes one event name");
      KPI_RETURN_IF_ERROR(CheckEventArg(*args[0]));
      *type = f == "has" ? ValueType::kBool : f == "agent_of" ? ValueType::kString : ValueType::kTime;
    } else if (f == "total") {
      if (args.size() != 1 || args[0]->kind != ast::ExprKind::kColumn || !store_.measures.count(args[0]->text))
        return Error(e.pos, "total() takes a measure");
      *type = ValueType::kNumber;
    } else {  // repeat_within
      if (args.size() < 2 || (args[0]->kind != ast::ExprKind::kDuration && args[0]->kind != ast::ExprKind::kNumber))
        return Error(e.pos, "repeat_within() takes a duration and dimensions");
      if (!(args[0]->number >= 0 && args[0]->number <= 1e12))  // the documented limit
        return Error(args[0]->pos, "repeat_within() needs a duration from 0 to 10^12 seconds");
      for (size_t i = 1; i < args.size(); ++i)
        if (args[i]->kind != ast::ExprKind::kColumn || !store_.dims.count(args[i]->text))
          return Error(args[i]->pos, "repeat_within() takes dimensions");
      *type = ValueType::kBool;
    }
    return Status::OK();
  }
  return Error(e.pos, "unknown function '" + f + "'");
}

Value QueryRun::Unary(const std::string& op, const Value& v) {
  if (v.is_null()) return Value::Null();
  if (op == "not") return Value::Bool(!v.boolean);
  Value r = v;
  r.number = -r.number;
  return r;
}

Value QueryRun::Binary(const std::string& op, const Value& a, const Value& b) {
  if (op == "and") {
    if ((!a.is_null() && !a.boolean) || (!b.is_null() && !b.boolean)) return Value::Bool(false);
    if (a.is_null() || b.is_null()) return Value::Null();
    return Value::Bool(true);
  }
  if (op == "or") {
    if ((!a.is_null() && a.boolean) || (!b.is_null() && b.boolean)) return Value::Bool(true);
    if (a.is_null() || b.is_null()) return Value::Null();
    return Value::Bool(false);
  }
  if (a.is_null() || b.is_null()) return Value::Null();
  if (IsComparison(op)) {
    const int c = CompareNonNull(a, b);
    if (op == "=") return Value::Bool(c == 0);
    if (op == "!=") return Value::Bool(c != 0);
    if (op == "<") return Value::Bool(c < 0);
    if (op == "<=") return Value::Bool(c <= 0);
    if (op == ">") return Value::Bool(c > 0);
    return Value::Bool(c >= 0);
  }
  const std::optional<ValueType> rt = ArithmeticType(op, a.type, b.type);
  if (!rt) return Value::Null();
  if (a.type == ValueType::kTime || b.type == ValueType::kTime) {
    if (a.type == ValueType::kTime && b.type == ValueType::kTime)
      return Value::Duration(static_cast<double>(a.time_ms - b.time_ms) / 1000.0);
    const Value& t = a.type == ValueType::kTime ? a : b;
    const Value& d = a.type == ValueType::kTime ? b : a;
    const int64_t delta = static_cast<int64_t>(std::llround(d.number * 1000.0));
    return Value::Time(op == "-" ? t.time_ms - delta : t.time_ms + delta);
  }
  double x = a.number, y = b.number, r;
  if (op == "+") {
    r = x + y;
  } else if (op == "-") {
    r = x - y;
  } else if (op == "*") {
    r = x * y;
  } else {
    if (y == 0) return Value::Null();
    r = x / y;
  }
  if (!std::isfinite(r)) return Value::Null();
  return MakeTyped(*rt, r);
}

Value QueryRun::In(const Value& v, const std::vector<Value>& list, bool negated) {
  if (v.is_null()) return Value::Null();
  bool any_null = false;
  for (const Value& w : list) {
    if (w.is_null()) {
      any_null = true;
    } else if (CompareNonNull(v, w) == 0) {
      return Value::Bool(!negated);
    }
  }
  if (any_null) return Value::Null();
  return Value::Bool(negated);
}

bool QueryRun::RepeatWithin(const RefTicket& t, double seconds, const std::vector<std::string>& dims) const {
  const int64_t window_ms = static_cast<int64_t>(std::llround(seconds * 1000.0));
  for (const auto& [id, other] : store_.tickets) {
    if (id == t.id) continue;
    if (!(other.created >= t.created - window_ms && other.created < t.created)) continue;
    bool same = true;
    for (const std::string& d : dims) {
      auto a = t.dims.find(d), b = other.dims.find(d);
      if (b == other.dims.end() || a->second != b->second) same = false;
    }
    if (same) return true;
  }
  return false;
}

Value QueryRun::EvalTicketFunction(const ast::Expr& e, const Row& row) const {
  const RefTicket& t = *row.ticket;
  const std::string& f = e.text;
  const auto& args = e.args;
  if (f == "duration") {
    std::optional<double> s = t.DurationSeconds(args[0]->args[0]->text, args[0]->args[1]->text);
    if (!s) return Value::Null();
    if (args[0]->text.empty()) return Value::Duration(*s);
    // In a calendar: the open seconds of [first A, its B].
    const int64_t start = *t.First(args[0]->args[0]->text);
    const int64_t end = start + static_cast<int64_t>(std::llround(*s * 1000.0));
    double open = 0;
    std::string why;
    if (!CalendarOpenSeconds(ctx_.calendars.at(args[0]->text), start, end, &open, &why)) return Value::Null();
    return Value::Duration(open);
  }
  if (f == "count_of") {
    if (args[0]->kind == ast::ExprKind::kBefore)
      return Value::Number(static_cast<double>(t.CountBefore(args[0]->args[0]->text, args[0]->args[1]->text)));
    return Value::Number(static_cast<double>(t.Count(args[0]->text)));
  }
  if (f == "has") return Value::Bool(t.Has(args[0]->text));
  if (f == "first" || f == "last") {
    std::optional<int64_t> ms = f == "first" ? t.First(args[0]->text) : t.Last(args[0]->text);
    return ms ? Value::Time(*ms) : Value::Null();
  }
  if (f == "agent_of") {
    std::optional<std::string> a = t.AgentOf(args[0]->text);
    return a ? Value::String(*a) : Value::Null();
  }
  if (f == "total") {
    std::optional<double> s = t.Total(args[0]->text);
    return s ? Value::Number(*s) : Value::Null();
  }
  // repeat_within
  std::vector<std::string> dims;
  for (size_t i = 1; i < args.size(); ++i) {
    if (!t.dims.count(args[i]->text)) return Value::Null();
    dims.push_back(args[i]->text);
  }
  return Value::Bool(RepeatWithin(t, args[0]->number, dims));
}

// case, is [not] null, coalesce, least, greatest, abs, round: `eval`
// evaluates an argument in the caller's context. Written plainly from the
// contract (nulls: see docs/query-language.md section 16).
Value ScalarValue(const ast::Expr& e, const std::function<Value(const ast::Expr&)>& eval) {
  if (e.kind == ast::ExprKind::kIsNull) return Value::Bool(eval(*e.args[0]).is_null() != e.negated);
  if (e.kind == ast::ExprKind::kCase) {
    const size_t values_end = e.args.size() - (e.boolean ? 1 : 0);
    for (size_t i = 0; i + 1 < values_end; i += 2) {
      const Value c = eval(*e.args[i]);
      if (!c.is_null() && c.type == ValueType::kBool && c.boolean) return eval(*e.args[i + 1]);
    }
    return e.boolean ? eval(*e.args.back()) : Value::Null();
  }
  const std::string& f = e.text;
  if (f == "coalesce") {
    for (const auto& a : e.args) {
      Value v = eval(*a);
      if (!v.is_null()) return v;
    }
    return Value::Null();
  }
  if (f == "least" || f == "greatest") {
    std::optional<Value> best;
    for (const auto& a : e.args) {
      Value v = eval(*a);
      if (v.is_null()) continue;
      if (!best) {
        best = v;
        continue;
      }
      const double x = v.type == ValueType::kTime ? double(v.time_ms) : v.number;
      const double y = best->type == ValueType::kTime ? double(best->time_ms) : best->number;
      if (f == "least" ? x < y : x > y) best = v;
    }
    return best ? *best : Value::Null();
  }
  Value v = eval(*e.args[0]);
  if (v.is_null()) return v;
  if (f == "abs") {
    v.number = v.number < 0 ? -v.number : v.number;
    return v;
  }
  // round(x, n): half away from zero at n digits.
  int digits = 0;
  if (e.args.size() == 2) {
    const ast::Expr& d = *e.args[1];
    digits = d.kind == ast::ExprKind::kNumber ? int(d.number) : -int(d.args[0]->number);
  }
  const double scale = std::pow(10.0, digits);
  const double r = std::round(v.number * scale) / scale;
  if (std::isfinite(r)) v.number = r;
  return v;
}

bool IsScalar(const ast::Expr& e) {
  if (e.kind == ast::ExprKind::kIsNull || e.kind == ast::ExprKind::kCase) return true;
  return e.kind == ast::ExprKind::kCall && (e.text == "coalesce" || e.text == "least" || e.text == "greatest" ||
                                            e.text == "abs" || e.text == "round");
}

Value QueryRun::EvalRow(const ast::Expr& e, const Row& row) const {
  if (IsScalar(e)) return ScalarValue(e, [&](const ast::Expr& a) { return EvalRow(a, row); });
  switch (e.kind) {
    case ast::ExprKind::kNumber:
    case ast::ExprKind::kPercent:
      return Value::Number(e.number);
    case ast::ExprKind::kDuration:
      return Value::Duration(e.number);
    case ast::ExprKind::kString:
      return Value::String(e.text);
    case ast::ExprKind::kBool:
      return Value::Bool(e.boolean);
    case ast::ExprKind::kNull:
      return Value::Null();
    case ast::ExprKind::kTimestamp: {
      int64_t ms = 0;
      ParseInstant(e.text, tz_, &ms);
      return Value::Time(ms);
    }
    case ast::ExprKind::kColumn: {
      const std::string& n = e.text;
      if (row.values != nullptr) return (*row.values)[NestedColumn(n)];
      if (n.find('.') != std::string::npos) {
        int j = 0, c = 0;
        std::string why;
        FindJoinColumn(n, &j, &c, &why);
        const int r = row.join_rows[j];
        return r < 0 ? Value::Null() : JoinTable(j).rows[r][c];
      }
      if (n == "ticket") return Value::String(row.ticket->id);
      if (events_source()) {
        if (n == "time") return Value::Time(row.event->time);
        if (n == "event") return Value::String(row.event->event);
        if (n == "agent") return row.event->agent.empty() ? Value::Null() : Value::String(row.event->agent);
      } else if (n == "created") {
        return Value::Time(row.ticket->created);
      }
      if (kpis_.count(n)) return EvalRow(*kpis_.at(n), row);
      if (store_.dims.count(n)) {
        auto it = row.dims.find(n);
        return it == row.dims.end() ? Value::Null() : Value::String(it->second);
      }
      if (store_.measures.count(n)) {
        if (events_source()) {
          auto it = row.event->measures.find(n);
          return it == row.event->measures.end() ? Value::Null() : Value::Number(it->second);
        }
        std::optional<double> m = row.ticket->LastMeasure(n);
        return m ? Value::Number(*m) : Value::Null();
      }
      return Value::Null();
    }
    case ast::ExprKind::kCall:
      if (e.text == "cycles") return Value::Duration(cycle_value_);
      return EvalTicketFunction(e, row);
    case ast::ExprKind::kUnary:
      return Unary(e.text, EvalRow(*e.args[0], row));
    case ast::ExprKind::kBinary:
      return Binary(e.text, EvalRow(*e.args[0], row), EvalRow(*e.args[1], row));
    case ast::ExprKind::kIn: {
      std::vector<Value> list;
      for (size_t i = 1; i < e.args.size(); ++i) list.push_back(EvalRow(*e.args[i], row));
      return In(EvalRow(*e.args[0], row), list, e.negated);
    }
    default:
      return Value::Null();
  }
}

Value QueryRun::EvalAggregate(const ast::Expr& e, const Group& g) const {
  const std::string& f = e.text;
  if (f == "count" && e.args.empty()) return Value::Number(static_cast<double>(g.rows.size()));
  const std::vector<std::vector<Value>> inputs = AggregateInputs(e, g);
  std::vector<Value> values;
  for (const std::vector<Value>& in : inputs)
    if (!in[0].is_null()) values.push_back(in[0]);
  const ValueType arg_type = types_.at(e.args[0].get());
  const ValueType out_type = types_.at(&e);
  if (f == "count") return Value::Number(static_cast<double>(values.size()));
  if (f == "distinct") {
    std::vector<Value> uniq;
    for (const Value& v : values) {
      bool dup = false;
      for (const Value& u : uniq) dup = dup || CompareNonNull(u, v) == 0;
      if (!dup) uniq.push_back(v);
    }
    return Value::Number(static_cast<double>(uniq.size()));
  }
  if (f == "rate") {
    if (values.empty()) return Value::Null();
    double yes = 0;
    for (const Value& v : values) yes += v.boolean;
    return Value::Number(yes / static_cast<double>(values.size()));
  }
  if (f == "ratio") {
    std::optional<double> num, den;
    for (const std::vector<Value>& in : inputs) {
      const Value &a = in[0], &b = in[1];
      if (!a.is_null()) num = num.value_or(0) + NumberOf(a);
      if (!b.is_null()) den = den.value_or(0) + NumberOf(b);
    }
    if (!num || !den || *den == 0) return Value::Null();
    return Value::Number(*num / *den);
  }
  if (values.empty()) return Value::Null();
  if (f == "min" || f == "max") {
    Value best = values[0];
    for (const Value& v : values) {
      const int c = CompareNonNull(v, best);
      if ((f == "min" && c < 0) || (f == "max" && c > 0)) best = v;
    }
    return best;
  }
  std::vector<double> xs;
  for (const Value& v : values) xs.push_back(NumberOf(v));
  if (f == "sum" || f == "avg") {
    double s = 0;
    for (double x : xs) s += x;
    if (f == "avg") s /= static_cast<double>(xs.size());
    return MakeTyped(out_type == ValueType::kNull ? arg_type : out_type, s);
  }
  // percentile family: linear interpolation between closest ranks.
  double q = f == "p50" ? 0.5 : f == "p90" ? 0.9 : f == "p95" ? 0.95 : f == "p99" ? 0.99 : e.args[1]->number;
  std::sort(xs.begin(), xs.end());
  const double pos = q * static_cast<double>(xs.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, xs.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  const double value = frac == 0 ? xs[lo] : xs[lo] + (xs[hi] - xs[lo]) * frac;
  return MakeTyped(out_type, value);
}

Value QueryRun::EvalGroup(const ast::Expr& e, const Group& g, bool aliases_ready) const {
  if (e.kind == ast::ExprKind::kColumn || e.kind == ast::ExprKind::kCall || e.kind == ast::ExprKind::kCase) {
    const int k = GroupKeyIndex(e);
    if (k >= 0) return g.keys[k];
  }
  if (IsScalar(e)) return ScalarValue(e, [&](const ast::Expr& a) { return EvalGroup(a, g, aliases_ready); });
  switch (e.kind) {
    case ast::ExprKind::kColumn: {
      if (aliases_ready) {
        const int a = AliasIndex(e.text);
        if (a >= 0) return g.items[a];
      }
      return EvalGroup(*kpis_.at(e.text), g, aliases_ready);
    }
    case ast::ExprKind::kCall:
      return EvalAggregate(e, g);
    case ast::ExprKind::kUnary:
      return Unary(e.text, EvalGroup(*e.args[0], g, aliases_ready));
    case ast::ExprKind::kBinary:
      return Binary(e.text, EvalGroup(*e.args[0], g, aliases_ready), EvalGroup(*e.args[1], g, aliases_ready));
    case ast::ExprKind::kIn: {
      std::vector<Value> list;
      for (size_t i = 1; i < e.args.size(); ++i) list.push_back(EvalGroup(*e.args[i], g, aliases_ready));
      return In(EvalGroup(*e.args[0], g, aliases_ready), list, e.negated);
    }
    default: {
      Row none;
      return EvalRow(e, none);  // a literal
    }
  }
}

std::optional<std::string> QueryRun::BucketOf(const ast::Expr& e) const {
  if (e.kind != ast::ExprKind::kColumn || IsColumn(e.text)) return std::nullopt;
  std::string lower = e.text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!IsBucketName(lower)) return std::nullopt;
  return lower;
}

Value QueryRun::EvalGroupKey(const ast::Expr& e, const Row& row) const {
  if (std::optional<std::string> unit = BucketOf(e)) {
    if (*unit == "hour_of_day") return Value::Number(LocalHour(row.place_ms, tz_));
    if (*unit == "weekday") return Value::Number(IsoWeekday(row.place_ms, tz_));
    int64_t start = 0;
    BucketStart(row.place_ms, *unit, tz_, &start);
    return Value::Time(start);
  }
  if (e.kind == ast::ExprKind::kDuration)
    return Value::Time(StepStart(row.place_ms, static_cast<int64_t>(std::llround(e.number * 1000)), tz_));
  return EvalRow(e, row);
}

Status QueryRun::Run(query::Result* out) {
  const std::string tz_name = q_.tz.value_or("UTC");
  if (!LoadZone(tz_name, &tz_)) return Error(q_.tz_pos, "unknown time zone '" + tz_name + "'");
  if (q_.source != "events" && q_.source != "tickets" && !(nested_ && q_.source == "select"))
    return Error(q_.source_pos, "unknown source");
  if (q_.at_event) {
    if (events_source()) return Error(q_.at_pos, "`at` places tickets; it needs the tickets source");
    NoteEventName(*q_.at_event);
  }
  std::optional<int64_t> during_start, during_end;
  if (q_.during_start) {
    int64_t a, b;
    if (!ParseInstant(q_.during_start->text, tz_, &a)) return Error(q_.during_start->pos, "bad timestamp");
    if (!q_.during_end || !ParseInstant(q_.during_end->text, tz_, &b))
      return Error(q_.during_start->pos, "bad timestamp");
    during_start = a;
    during_end = b;
  }

  // Joins, in order: each `on` may name the tables joined before it.
  ValueType t;
  for (size_t j = 0; j < q_.joins.size(); ++j) {
    const ast::JoinClause& join = q_.joins[j];
    if (!ctx_.tables.count(join.table)) return Error(join.pos, "unknown table '" + join.table + "'");
    for (size_t k = 0; k < j; ++k)
      if (q_.joins[k].table == join.table) return Error(join.pos, "table '" + join.table + "' is joined twice");
    if (!join.on) return Error(join.pos, "join needs `on`");
    KPI_RETURN_IF_ERROR(Check(*join.on, Context::kRow, &t, 0));
    const RefTable& table = ctx_.tables.at(join.table);
    const bool number_key = table.numeric[std::find(table.columns.begin(), table.columns.end(), table.key) -
                                          table.columns.begin()];
    if (number_key ? !IsNumeric(t) : t != ValueType::kString)
      return Error(join.on->pos, "join key type does not match table '" + join.table + "'");
    ++visible_joins_;
  }
  // Exclusions (evaluate): their predicates see the joined columns. A
  // window that does not meet `during` leaves nothing out and is not checked.
  for (const RefExclusion& x : ctx_.exclusions) {
    if (!x.where || (during_start && (x.end_ms <= *during_start || x.start_ms >= *during_end))) continue;
    KPI_RETURN_IF_ERROR(Check(*x.where, Context::kRow, &t, 0));
    if (t != ValueType::kBool && t != ValueType::kNull) return Error(x.where->pos, "exemption needs a predicate");
  }

  // Static checks, in clause order.
  if (q_.where) {
    KPI_RETURN_IF_ERROR(Check(*q_.where, Context::kRow, &t, 0));
    if (t != ValueType::kBool && t != ValueType::kNull) return Error(q_.where->pos, "where needs a predicate");
  }
  for (const ast::ExprPtr& g : q_.group_by) {
    if (nested_ && (g->kind != ast::ExprKind::kColumn || !IsColumn(g->text)))
      return Error(g->pos, "a nested select groups by its inner columns");
    if (g->kind == ast::ExprKind::kDuration) {
      // `by 15m`: the duration must divide a day into whole milliseconds.
      const double ms = g->number * 1000;
      if (!(ms >= 1) || ms > 86'400'000 || ms != std::floor(ms) ||
          86'400'000 % static_cast<int64_t>(ms) != 0)
        return Error(g->pos, "a duration bucket must divide a day");
      types_[g.get()] = ValueType::kTime;
      group_names_.push_back(g->text.empty() ? ast::ToString(*g) : g->text);  // named as written
    } else if (g->kind == ast::ExprKind::kCase) {
      KPI_RETURN_IF_ERROR(Check(*g, Context::kRow, &t, 0));
      group_names_.push_back(ast::ToString(*g));
    } else if (g->kind == ast::ExprKind::kColumn) {
      if (BucketOf(*g)) {
        const std::string unit = *BucketOf(*g);
        types_[g.get()] = unit == "hour_of_day" || unit == "weekday" ? ValueType::kNumber : ValueType::kTime;
        group_names_.push_back(unit);
      } else {
        KPI_RETURN_IF_ERROR(Check(*g, Context::kRow, &t, 0));
        group_names_.push_back(g->text);
      }
    } else if (g->kind == ast::ExprKind::kCall) {  // agent_of(A), coalesce(...), any per-row call
      KPI_RETURN_IF_ERROR(Check(*g, Context::kRow, &t, 0));
      group_names_.push_back(ast::ToString(*g));
    } else {
      return Error(g->pos, "cannot group by " + ast::ToString(*g));
    }
  }
  for (const ast::SelectItem& item : q_.items) {
    KPI_RETURN_IF_ERROR(Check(*item.expr, Context::kGroup, &t, 0));
    item_types_.push_back(t);
    item_names_.push_back(item.alias.empty() ? ast::ToString(*item.expr) : item.alias);
  }
  if (q_.having) {
    checking_having_ = true;
    KPI_RETURN_IF_ERROR(Check(*q_.having, Context::kGroup, &t, 0));
    if (t != ValueType::kBool && t != ValueType::kNull) return Error(q_.having->pos, "having needs a predicate");
  }
  std::vector<std::string> names = group_names_;
  names.insert(names.end(), item_names_.begin(), item_names_.end());
  std::vector<std::pair<size_t, bool>> order;  // column, descending
  for (const ast::OrderItem& o : q_.order_by) {
    auto it = std::find(names.begin(), names.end(), o.name);
    if (it == names.end()) return Error(o.pos, "order by: unknown column '" + o.name + "'");
    order.emplace_back(static_cast<size_t>(it - names.begin()), o.descending);
  }

  // Source rows.
  std::vector<Row> rows;
  for (size_t i = 0; nested_ && i < nested_->rows.size(); ++i) {
    Row r;
    r.values = &nested_->rows[i];
    rows.push_back(std::move(r));
  }
  for (const auto& [id, ticket] : store_.tickets) {
    if (events_source()) {
      for (size_t i = 0; i < ticket.events.size(); ++i) {
        Row r;
        r.ticket = &ticket;
        r.event = &ticket.events[i];
        r.place_ms = ticket.events[i].time;
        r.dims = ticket.StickyDims(i);
        rows.push_back(std::move(r));
      }
    } else {
      Row r;
      r.ticket = &ticket;
      if (q_.at_event) {
        std::optional<int64_t> at = q_.at_last ? ticket.Last(*q_.at_event) : ticket.First(*q_.at_event);
        if (!at) continue;
        r.place_ms = *at;
      } else {
        r.place_ms = ticket.created;
      }
      r.dims = ticket.dims;
      rows.push_back(std::move(r));
    }
  }
  // Left joins: the table row whose key equals the `on` value (a string
  // never matches a number key and a number never a string key).
  for (Row& r : rows) {
    for (size_t j = 0; j < q_.joins.size(); ++j) {
      const Value key = EvalRow(*q_.joins[j].on, r);
      const RefTable& table = ctx_.tables.at(q_.joins[j].table);
      const size_t kc = static_cast<size_t>(std::find(table.columns.begin(), table.columns.end(), table.key) -
                                            table.columns.begin());
      int found = -1;
      for (size_t i = 0; i < table.rows.size() && found < 0 && !key.is_null(); ++i) {
        const Value& cell = table.rows[i][kc];
        if (cell.type == ValueType::kString && key.type == ValueType::kString && cell.text == key.text) found = int(i);
        if (cell.type == ValueType::kNumber && IsNumeric(key.type) && cell.number == key.number) found = int(i);
      }
      r.join_rows.push_back(found);
    }
  }
  std::vector<const Row*> kept;
  for (const Row& r : rows) {
    if (during_start && !(r.place_ms >= *during_start && r.place_ms < *during_end)) continue;
    bool excluded = false;
    for (const RefExclusion& x : ctx_.exclusions) {
      if (r.place_ms < x.start_ms || r.place_ms >= x.end_ms) continue;
      if (!x.where) {
        excluded = true;
      } else {
        const Value v = EvalRow(*x.where, r);
        excluded = excluded || (!v.is_null() && v.boolean);
      }
    }
    if (excluded) continue;
    if (q_.where) {
      Value v = EvalRow(*q_.where, r);
      if (v.is_null() || !v.boolean) continue;
    }
    kept.push_back(&r);
  }

  // Groups.
  std::vector<Group> groups;
  if (q_.group_by.empty()) {
    groups.emplace_back();
    groups[0].rows = kept;
  } else {
    for (const Row* r : kept) {
      std::vector<Value> keys;
      for (const ast::ExprPtr& g : q_.group_by) keys.push_back(EvalGroupKey(*g, *r));
      Group* found = nullptr;
      for (Group& grp : groups) {
        bool same = true;
        for (size_t i = 0; i < keys.size() && same; ++i) same = CompareValues(keys[i], grp.keys[i]) == 0;
        if (same) found = &grp;
      }
      if (!found) {
        groups.emplace_back();
        found = &groups.back();
        found->keys = keys;
      }
      found->rows.push_back(r);
    }
  }
  std::vector<Group> shown;
  for (Group& g : groups) {
    for (const ast::SelectItem& item : q_.items) g.items.push_back(EvalGroup(*item.expr, g, false));
    if (q_.having) {
      Value v = EvalGroup(*q_.having, g, true);
      if (v.is_null() || !v.boolean) continue;
    }
    shown.push_back(std::move(g));
  }

  // Rows of the table, sorted.
  out->columns.clear();
  out->rows.clear();
  for (size_t i = 0; i < q_.group_by.size(); ++i)
    out->columns.push_back({group_names_[i], types_.count(q_.group_by[i].get()) ? types_[q_.group_by[i].get()]
                                                                                 : ValueType::kString});
  for (size_t i = 0; i < q_.items.size(); ++i) out->columns.push_back({item_names_[i], item_types_[i]});
  for (Group& g : shown) {
    std::vector<Value> row = g.keys;
    row.insert(row.end(), g.items.begin(), g.items.end());
    out->rows.push_back(std::move(row));
  }
  const size_t nkeys = q_.group_by.size();
  std::stable_sort(out->rows.begin(), out->rows.end(), [&](const auto& a, const auto& b) {
    for (size_t i = 0; i < nkeys; ++i) {
      int c = CompareValues(a[i], b[i]);
      if (c != 0) return c < 0;
    }
    return false;
  });
  if (!order.empty()) {
    const bool nulls_first_desc = options_.nulls_first_when_descending;
    std::stable_sort(out->rows.begin(), out->rows.end(), [&](const auto& a, const auto& b) {
      for (const auto& [col, desc] : order) {
        const Value &x = a[col], &y = b[col];
        if (x.is_null() || y.is_null()) {
          if (x.is_null() && y.is_null()) continue;
          const bool null_first = desc && nulls_first_desc;
          return x.is_null() ? null_first : !null_first;
        }
        int c = CompareNonNull(x, y);
        if (c != 0) return desc ? c > 0 : c < 0;
      }
      return false;
    });
  }
  if (q_.limit && static_cast<int64_t>(out->rows.size()) > std::max<int64_t>(*q_.limit, 0))
    out->rows.resize(static_cast<size_t>(std::max<int64_t>(*q_.limit, 0)));
  out->warnings.assign(warnings_.begin(), warnings_.end());
  out->tz = tz_name;
  out->message.clear();
  return Status::OK();
}

}  // namespace

int CompareValues(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return a.is_null() == b.is_null() ? 0 : a.is_null() ? 1 : -1;
  return CompareNonNull(a, b);
}

Status Evaluate(const EventLog& log, const query::ast::SelectQuery& query, const KpiDefinitions& kpis,
                const ReferenceOptions& options, query::Result* out) {
  RefContext context;
  context.kpis = kpis;
  return Evaluate(log, query, context, options, out);
}

Status Evaluate(const EventLog& log, const query::ast::SelectQuery& query, const RefContext& context,
                const ReferenceOptions& options, query::Result* out) {
  if (query.source == "select" && query.subquery) {  // the inner first, then the outer over its rows
    query::ast::SelectQuery inner_query, outer = query;
    KPI_RETURN_IF_ERROR(InnerStatement(query, &inner_query));
    query::Result inner;
    KPI_RETURN_IF_ERROR(Evaluate(log, inner_query, context, options, &inner));
    KPI_RETURN_IF_ERROR(CheckNestedSource(query, inner));
    if (!outer.tz) outer.tz = StatementZone(query);
    const RefStore none;
    QueryRun run(none, outer, context, options);
    run.SetNested(&inner);
    KPI_RETURN_IF_ERROR(run.Run(out));
    for (const std::string& w : inner.warnings)
      if (std::find(out->warnings.begin(), out->warnings.end(), w) == out->warnings.end()) out->warnings.push_back(w);
    return Status::OK();
  }
  if (query.compare || query.rolling) return EvaluateTrend(log, query, context, options, out);
  std::optional<int64_t> as_of;
  if (query.as_of) {
    cctz::time_zone tz;
    if (!LoadZone(query.tz.value_or("UTC"), &tz)) return Status::InvalidArgument("unknown time zone");
    int64_t ms;
    if (!ParseInstant(query.as_of->text, tz, &ms)) return Status::InvalidArgument("bad `as of` timestamp");
    as_of = ms;
  }
  const RefStore store = BuildTickets(log, as_of);
  QueryRun run(store, query, context, options);
  return run.Run(out);
}

}  // namespace kpi::reference
