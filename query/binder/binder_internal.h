// Binder internals, shared by the binder's translation units: the Binder
// class (one per BindSelect call) and its small helpers.
//   query/binder/binder.cc        statement level: source, placement, window,
//                          groups, aggregates, items, having, order
//   query/binder/binder_exprs.cc  expressions: literals, columns, named KPIs,
//                          per-ticket functions, operators
// Not part of the query layer's interface: include query/binder/binder.h instead.
#pragma once

#include "query/binder/binder.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>
#include <unordered_map>

#include "query/aggregates/aggregate.h"
#include "query/catalog/lookup_table.h"
#include "query/evaluation/business_calendar.h"
#include "query/binder/suggest.h"
#include "query/binder/schema.h"
#include "storage/catalog.h"

namespace kpi::query::binding {

// Named KPIs may refer to each other; deeper nesting than this is a cycle or abuse.
inline constexpr size_t kMaxKpiDepth = 32;

inline const std::vector<std::string>& BucketNames() {
  static const std::vector<std::string> names = {"hour", "day", "week", "month", "quarter", "year"};
  return names;
}

inline std::string NumberText(double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

inline std::string ConstText(const Value& v) {
  switch (v.type) {
    case ValueType::kNull:
      return "null";
    case ValueType::kBool:
      return v.boolean ? "true" : "false";
    case ValueType::kNumber:
      return NumberText(v.number);
    case ValueType::kDuration:
      return NumberText(v.number) + "s";
    case ValueType::kTime:
      return "@" + std::to_string(v.time_ms);
    case ValueType::kString: {
      std::string out = "\"";
      for (char c : v.text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      return out + "\"";
    }
  }
  return "?";
}

inline bool IsEventArgKind(const ast::Expr& e) {
  return e.kind == ast::ExprKind::kColumn || e.kind == ast::ExprKind::kString;
}

// Counts how deep binding has recursed for as long as it lives; a statement
// nested deeper than kMaxNesting fails instead of overflowing the stack.
class NestingGuard {
 public:
  static constexpr int kMaxNesting = 400;
  explicit NestingGuard(int* depth) : depth_(depth) { ++*depth_; }
  ~NestingGuard() { --*depth_; }
  NestingGuard(const NestingGuard&) = delete;
  NestingGuard& operator=(const NestingGuard&) = delete;
  bool too_deep() const { return *depth_ > kMaxNesting; }

 private:
  int* depth_;
};

class Binder {
 public:
  Binder(const ast::SelectQuery& q, const Schema& catalog, const KpiMap& kpis, const BindContext& ctx,
         BoundQuery* out)
      : q_(q), cat_(catalog), kpis_(kpis), ctx_(ctx), out_(out) {}

  bool Run(BindError* error) {
    const bool ok = RunInner();
    if (!ok) *error = err_;
    return ok;
  }
  // After a failed Run: whether the error is a name that is no column of
  // the source, KPI or bucket ("unknown column 'x'"; kpi_columns.h).
  bool unknown_column() const { return unknown_column_; }

 private:
  enum class Ctx { kRow, kGroup };

  bool events() const { return out_->source == Source::kEvents; }
  bool nested() const { return ctx_.nested_columns != nullptr; }

  // ---- errors --------------------------------------------------------------
  std::nullptr_t Fail(const ast::SourcePos& pos, const std::string& msg) {
    if (!failed_) {
      failed_ = true;
      if (!kpi_stack_.empty()) {
        err_.pos = kpi_ref_pos_;
        err_.message = "in kpi '" + kpi_stack_.front() + "': " + msg;
      } else {
        err_.pos = pos;
        err_.message = msg;
      }
    }
    return nullptr;
  }

  void Warn(const std::string& w) {
    if (std::find(out_->warnings.begin(), out_->warnings.end(), w) == out_->warnings.end())
      out_->warnings.push_back(w);
  }

  void NoteEvent(const std::string& name, uint32_t code) {
    if (code == 0 && name != "created") Warn("event name '" + name + "' has never been ingested");
  }

  // ---- names ---------------------------------------------------------------
  std::vector<std::string> SourceColumnNames() const {
    std::vector<std::string> names;
    if (events()) names = {"time", "ticket", "event", "agent"};
    else names = {"ticket", "created"};
    for (const storage::ColumnInfo& c : cat_.Columns()) names.push_back(c.name);
    for (const auto& [name, def] : kpis_) names.push_back(name);
    return names;
  }

  std::vector<std::string> FunctionCandidates() const {
    std::vector<std::string> names = AggregateNames();
    for (const std::string& f : TicketFunctionNames()) names.push_back(f);
    for (const std::string& f : ScalarFunctionNames()) names.push_back(f);
    for (const auto& [name, def] : kpis_) names.push_back(name);
    return names;
  }

  bool IsBuiltinColumn(const std::string& n) const {
    if (n == "ticket") return true;
    if (events()) return n == "time" || n == "event" || n == "agent";
    return n == "created";
  }

  // A store column that a named KPI of the same name hides is not a column
  // name here: `define kpi` refuses a column's name, so such a column was
  // ingested after the KPI was defined, and the KPI keeps its meaning (a
  // report, and its `as of` rerun, answers as before such data arrived).
  bool IsColumnName(const std::string& n) const {
    if (nested()) return NestedColumnIndex(n) >= 0;
    return IsBuiltinColumn(n) || (cat_.FindColumn(n).has_value() && kpis_.count(n) == 0);
  }

  void NeedText(const BoundExpr* e) {
    if (e->type != ValueType::kString || e->str.kind != StrKind::kDict) return;
    if (out_->dict_text.count(e->str.column)) return;
    out_->dict_text[e->str.column] = DictTexts(e->str.column);
  }

  // Texts of a dictionary (catalog column or joined table column), code - 1 -> text.
  std::vector<std::string> DictTexts(uint32_t column) const;
  // Code of `text` in a dictionary (catalog or joined table column); 0 when absent.
  uint32_t FindCode(uint32_t column, const std::string& text) const;

  // ---- node construction ---------------------------------------------------
  // Row-context nodes are shared by canonical text: the same subexpression
  // is evaluated once per batch.
  const BoundExpr* Row(BoundExpr node) {
    const std::string key = std::to_string(static_cast<int>(node.kind)) + "|" + node.text;
    auto it = row_dedup_.find(key);
    if (it != row_dedup_.end()) return it->second;
    node.id = out_->num_row_nodes++;
    out_->nodes.push_back(std::move(node));
    const BoundExpr* p = &out_->nodes.back();
    row_dedup_.emplace(key, p);
    return p;
  }

  const BoundExpr* Group(BoundExpr node) {
    out_->nodes.push_back(std::move(node));
    return &out_->nodes.back();
  }

  const BoundExpr* Make(Ctx ctx, BoundExpr node) { return ctx == Ctx::kRow ? Row(std::move(node)) : Group(std::move(node)); }

  static BoundExpr Const(Value v) {
    BoundExpr n;
    n.kind = BoundKind::kConst;
    n.type = v.type;
    if (v.type == ValueType::kString) n.str.kind = StrKind::kLiteral;
    n.text = ConstText(v);
    n.value = std::move(v);
    return n;
  }

  // ---- literals --------------------------------------------------------------
  const BoundExpr* BindLiteral(const ast::Expr& e, Ctx ctx);
  // ---- KPI splicing ------------------------------------------------------------
  const BoundExpr* BindKpi(const KpiDefinition& def, const ast::Expr& ref, Ctx ctx);
  // ---- row context -----------------------------------------------------------
  const BoundExpr* BindColumn(const ast::Expr& e);
  std::nullptr_t UnknownColumn(const ast::Expr& e);
  bool EventArg(const ast::Expr& e, EventRef* ref);
  const BoundExpr* BindTicketFunction(const ast::Expr& e);
  bool BindCalendar(const ast::Expr& span, BoundExpr* node);
  bool BindRepeatArgs(const ast::Expr& e, const TicketFunctionEntry& entry, BoundExpr* node);
  const BoundExpr* BindRow(const ast::Expr& e);
  // ---- operators (both contexts) ------------------------------------------------
  const BoundExpr* BindChild(const ast::ExprPtr& e, Ctx ctx, const ast::Expr& parent);
  const BoundExpr* BindOperator(const ast::Expr& e, Ctx ctx);
  // What both contexts bind alike: operators, a misplaced `->` / `before`, literals.
  const BoundExpr* BindOperatorOrLiteral(const ast::Expr& e, Ctx ctx);
  // case, is [not] null, coalesce, least, greatest, abs, round.
  const BoundExpr* BindScalar(const ast::Expr& e, Ctx ctx);
  bool BuildScalarDictionary(BoundExpr* node, const ast::Expr& e);
  // Comparisons of a dictionary column with a string constant become code
  // comparisons; anything else on strings compares texts.
  void ResolveComparison(BoundExpr* node);
  void ResolveIn(BoundExpr* node);
  // ---- group context -------------------------------------------------------
  int GroupIndexOf(const ast::Expr& e) const;
  const BoundExpr* BindGroupCtx(const ast::Expr& e);
  const BoundExpr* BindAggregate(const ast::Expr& e, const AggregateEntry& entry);
  // ---- clauses ------------------------------------------------------------------
  bool BindGroupKey(const ast::ExprPtr& g);
  bool BindJoins();
  bool BindExclusions();
  const BoundExpr* BindJoinColumn(const ast::Expr& e);
  bool RunInner();
  // ---- Value rows: nested selects and reply cycles (query/binder/binder_nested.cc) ----
  // Which Value row a group-context expression reads its columns from.
  enum class RowScope { kNone, kNested, kCycles };
  int NestedColumnIndex(const std::string& name) const;
  const BoundExpr* BindValueRow(const ast::Expr& e);
  // A row expression of the statement (where, a join key): bound over the
  // inner rows of a nested select, else over the source's rows.
  const BoundExpr* BindRowExpr(const ast::Expr& e);
  // An aggregate's data argument: over rows, the inner rows or the cycles.
  const BoundExpr* BindAggregateArg(const ast::Expr& e, AggregateSpec* spec);
  bool BindNestedSource();
  bool BindNestedGroupKey(const ast::ExprPtr& g);

  const ast::SelectQuery& q_;
  const Schema& cat_;
  const KpiMap& kpis_;
  const BindContext& ctx_;
  BoundQuery* out_;
  BindError err_;
  bool failed_ = false;
  bool unknown_column_ = false;  // the first error is an unknown name
  int depth_ = 0;
  bool in_having_ = false;
  std::unordered_map<std::string, const BoundExpr*> row_dedup_;
  std::vector<std::string> kpi_stack_;
  ast::SourcePos kpi_ref_pos_;
  std::vector<std::string> group_texts_;
  RowScope scope_ = RowScope::kNone;
  std::optional<CycleSpec> cycle_;  // the cycles(...) of the aggregate argument being bound
};

}  // namespace kpi::query::binding
