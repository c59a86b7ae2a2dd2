#include "query/binder.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>
#include <unordered_map>

#include "query/aggregates/aggregate.h"
#include "query/suggest.h"
#include "storage/catalog.h"

namespace kpi::query {

namespace {

// Named KPIs may refer to each other; deeper nesting than this is a cycle or abuse.
constexpr size_t kMaxKpiDepth = 32;

const std::vector<std::string>& BucketNames() {
  static const std::vector<std::string> names = {"hour", "day", "week", "month", "quarter", "year"};
  return names;
}

std::string NumberText(double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

std::string ConstText(const Value& v) {
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

bool IsEventArgKind(const ast::Expr& e) {
  return e.kind == ast::ExprKind::kColumn || e.kind == ast::ExprKind::kString;
}

class Binder {
 public:
  Binder(const ast::SelectQuery& q, const storage::Catalog& catalog, const KpiMap& kpis, BoundQuery* out)
      : q_(q), cat_(catalog), kpis_(kpis), out_(out) {}

  bool Run(BindError* error) {
    const bool ok = RunInner();
    if (!ok) *error = err_;
    return ok;
  }

 private:
  enum class Ctx { kRow, kGroup };

  bool events() const { return out_->source == Source::kEvents; }

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
    for (const auto& [name, def] : kpis_) names.push_back(name);
    return names;
  }

  bool IsBuiltinColumn(const std::string& n) const {
    if (n == "ticket") return true;
    if (events()) return n == "time" || n == "event" || n == "agent";
    return n == "created";
  }

  bool IsColumnName(const std::string& n) const { return IsBuiltinColumn(n) || cat_.FindColumn(n).has_value(); }

  void NeedText(const BoundExpr* e) {
    if (e->type != ValueType::kString || e->str.kind != StrKind::kDict) return;
    if (out_->dict_text.count(e->str.column)) return;
    out_->dict_text[e->str.column] = cat_.DictionaryValues(e->str.column);
  }

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
  const BoundExpr* BindLiteral(const ast::Expr& e, Ctx ctx) {
    switch (e.kind) {
      case ast::ExprKind::kNumber:
      case ast::ExprKind::kPercent:
        if (!std::isfinite(e.number)) return Fail(e.pos, "number out of range");
        return Make(ctx, Const(Value::Number(e.number)));
      case ast::ExprKind::kDuration:
        if (!std::isfinite(e.number)) return Fail(e.pos, "duration out of range");
        return Make(ctx, Const(Value::Duration(e.number)));
      case ast::ExprKind::kString:
        return Make(ctx, Const(Value::String(e.text)));
      case ast::ExprKind::kBool:
        return Make(ctx, Const(Value::Bool(e.boolean)));
      case ast::ExprKind::kNull:
        return Make(ctx, Const(Value::Null()));
      case ast::ExprKind::kTimestamp: {
        int64_t ms;
        std::string why;
        if (!ParseQueryInstant(e.text, out_->tz, &ms, &why)) return Fail(e.pos, "bad timestamp: " + why);
        return Make(ctx, Const(Value::Time(ms)));
      }
      default:
        return Fail(e.pos, "internal: not a literal");
    }
  }

  // ---- KPI splicing ------------------------------------------------------------
  const BoundExpr* BindKpi(const KpiDefinition& def, const ast::Expr& ref, Ctx ctx) {
    if (std::find(kpi_stack_.begin(), kpi_stack_.end(), def.name) != kpi_stack_.end() ||
        kpi_stack_.size() >= kMaxKpiDepth)
      return Fail(ref.pos, "kpi '" + def.name + "' refers to itself");
    if (def.expr == nullptr) return Fail(ref.pos, "kpi '" + def.name + "' has no expression");
    if (kpi_stack_.empty()) kpi_ref_pos_ = ref.pos;
    kpi_stack_.push_back(def.name);
    const BoundExpr* r = ctx == Ctx::kRow ? BindRow(*def.expr) : BindGroupCtx(*def.expr);
    kpi_stack_.pop_back();
    return r;
  }

  // ---- row context -----------------------------------------------------------
  const BoundExpr* BindColumn(const ast::Expr& e) {
    const std::string& n = e.text;
    BoundExpr node;
    node.kind = BoundKind::kColumn;
    node.text = n;
    node.cost = 1;
    if (n == "ticket") {
      node.column = ColumnRef::kTicket;
      node.type = ValueType::kString;
      node.str.kind = StrKind::kTicket;
      return Row(std::move(node));
    }
    if (events() && (n == "time" || n == "event" || n == "agent")) {
      if (n == "time") {
        node.column = ColumnRef::kTime;
        node.type = ValueType::kTime;
      } else {
        node.column = n == "event" ? ColumnRef::kEvent : ColumnRef::kAgent;
        node.type = ValueType::kString;
        node.str = {StrKind::kDict, n == "event" ? storage::kEventColumn : storage::kAgentColumn};
      }
      return Row(std::move(node));
    }
    if (!events() && n == "created") {
      node.column = ColumnRef::kCreated;
      node.type = ValueType::kTime;
      return Row(std::move(node));
    }
    if (std::optional<storage::ColumnInfo> c = cat_.FindColumn(n)) {
      node.column_id = c->id;
      node.cost = 2;
      if (c->kind == storage::ColumnKind::kDimension) {
        node.column = ColumnRef::kDim;
        node.type = ValueType::kString;
        node.str = {StrKind::kDict, c->id};
      } else {
        node.column = ColumnRef::kMeasure;
        node.type = ValueType::kNumber;
      }
      return Row(std::move(node));
    }
    auto kpi = kpis_.find(n);
    if (kpi != kpis_.end()) return BindKpi(kpi->second, e, Ctx::kRow);
    return UnknownColumn(e);
  }

  std::nullptr_t UnknownColumn(const ast::Expr& e) {
    std::vector<std::string> candidates = SourceColumnNames();
    std::string extra;
    if (!events() && (e.text == "time" || e.text == "event" || e.text == "agent"))
      extra = " (a column of `from events`)";
    else if (events() && e.text == "created")
      extra = " (a column of `from tickets`)";
    else if (std::find(BucketNames().begin(), BucketNames().end(), e.text) != BucketNames().end())
      extra = " (time buckets are only allowed in `by`)";
    else
      extra = DidYouMean(e.text, candidates);
    return Fail(e.pos, "unknown column '" + e.text + "'" + extra);
  }

  bool EventArg(const ast::Expr& e, EventRef* ref) {
    if (!IsEventArgKind(e)) {
      Fail(e.pos, "expected an event name");
      return false;
    }
    ref->name = e.text;
    ref->is_created = e.text == "created";
    ref->code = cat_.FindCode(storage::kEventColumn, e.text);
    NoteEvent(e.text, ref->code);
    return true;
  }

  const BoundExpr* BindTicketFunction(const ast::Expr& e) {
    const std::string& f = e.text;
    const auto& args = e.args;
    if (events())
      return Fail(e.pos, f + "() is a per-ticket function: it needs `from tickets`");
    BoundExpr node;
    node.kind = BoundKind::kTicketFn;
    node.cost = 8;
    auto want_one = [&]() -> bool {
      if (args.size() != 1 || args[0] == nullptr) {
        Fail(e.pos, f + "() takes one event name");
        return false;
      }
      return true;
    };
    if (f == "duration") {
      if (args.size() != 1 || args[0] == nullptr || args[0]->kind != ast::ExprKind::kArrow ||
          args[0]->args.size() != 2)
        return Fail(e.pos, "duration() takes `A -> B` (two event names)");
      node.fn = TicketFn::kDuration;
      if (!EventArg(*args[0]->args[0], &node.a) || !EventArg(*args[0]->args[1], &node.b)) return nullptr;
      node.type = ValueType::kDuration;
      node.text = "duration(" + node.a.name + " -> " + node.b.name + ")";
    } else if (f == "count_of") {
      if (!want_one()) return nullptr;
      if (args[0]->kind == ast::ExprKind::kBefore) {
        if (args[0]->args.size() != 2) return Fail(e.pos, "count_of() takes `A` or `A before B`");
        node.fn = TicketFn::kCountBefore;
        if (!EventArg(*args[0]->args[0], &node.a) || !EventArg(*args[0]->args[1], &node.b)) return nullptr;
        node.text = "count_of(" + node.a.name + " before " + node.b.name + ")";
      } else {
        node.fn = TicketFn::kCountOf;
        if (!EventArg(*args[0], &node.a)) return nullptr;
        node.text = "count_of(" + node.a.name + ")";
      }
      node.type = ValueType::kNumber;
    } else if (f == "has" || f == "first" || f == "last" || f == "agent_of") {
      if (!want_one() || !EventArg(*args[0], &node.a)) return nullptr;
      node.text = f + "(" + node.a.name + ")";
      if (f == "has") {
        node.fn = TicketFn::kHas;
        node.type = ValueType::kBool;
      } else if (f == "agent_of") {
        node.fn = TicketFn::kAgentOf;
        node.type = ValueType::kString;
        node.str = {StrKind::kDict, storage::kAgentColumn};
      } else {
        node.fn = f == "first" ? TicketFn::kFirst : TicketFn::kLast;
        node.type = ValueType::kTime;
      }
    } else if (f == "total") {
      if (args.size() != 1 || args[0] == nullptr || args[0]->kind != ast::ExprKind::kColumn)
        return Fail(e.pos, "total() takes a measure name");
      std::optional<storage::ColumnInfo> c = cat_.FindColumn(args[0]->text);
      if (!c || c->kind != storage::ColumnKind::kMeasure) {
        std::vector<std::string> measures;
        for (const auto& col : cat_.Columns())
          if (col.kind == storage::ColumnKind::kMeasure) measures.push_back(col.name);
        return Fail(args[0]->pos,
                    "total() takes a measure; '" + args[0]->text + "' is not one" + DidYouMean(args[0]->text, measures));
      }
      node.fn = TicketFn::kTotal;
      node.column_id = c->id;
      node.type = ValueType::kNumber;
      node.text = "total(" + c->name + ")";
    } else {  // repeat_within
      if (args.size() < 2 || args[0] == nullptr ||
          (args[0]->kind != ast::ExprKind::kDuration && args[0]->kind != ast::ExprKind::kNumber))
        return Fail(e.pos, "repeat_within() takes a duration and one or more dimensions");
      const double seconds = args[0]->number;
      if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e12)
        return Fail(args[0]->pos, "repeat_within() needs a non-negative duration");
      node.fn = TicketFn::kRepeatWithin;
      node.window_ms = static_cast<int64_t>(std::llround(seconds * 1000.0));
      node.text = "repeat_within(" + std::to_string(node.window_ms) + "ms";
      for (size_t i = 1; i < args.size(); ++i) {
        const ast::Expr& d = *args[i];
        std::optional<storage::ColumnInfo> c;
        if (d.kind == ast::ExprKind::kColumn) c = cat_.FindColumn(d.text);
        if (!c || c->kind != storage::ColumnKind::kDimension) {
          std::vector<std::string> dims;
          for (const auto& col : cat_.Columns())
            if (col.kind == storage::ColumnKind::kDimension) dims.push_back(col.name);
          return Fail(d.pos, "repeat_within() takes dimensions; '" + d.text + "' is not one" + DidYouMean(d.text, dims));
        }
        node.dims.push_back(c->id);
        node.text += ", " + c->name;
      }
      node.text += ")";
      node.type = ValueType::kBool;
      node.cost = 16;
      int found = -1;
      for (size_t i = 0; i < out_->repeats.size(); ++i)
        if (out_->repeats[i].window_ms == node.window_ms && out_->repeats[i].dims == node.dims) found = static_cast<int>(i);
      if (found < 0) {
        out_->repeats.push_back(RepeatSpec{node.window_ms, node.dims});
        found = static_cast<int>(out_->repeats.size() - 1);
      }
      node.repeat = found;
    }
    return Row(std::move(node));
  }

  const BoundExpr* BindRow(const ast::Expr& e) {
    if (failed_) return nullptr;
    if (++depth_ > 400) return Fail(e.pos, "expression nests too deep");
    struct DepthGuard {
      int* d;
      ~DepthGuard() { --*d; }
    } guard{&depth_};
    switch (e.kind) {
      case ast::ExprKind::kColumn:
        return BindColumn(e);
      case ast::ExprKind::kCall: {
        if (FindAggregate(e.text))
          return Fail(e.pos, "aggregate " + e.text + "() is not allowed here (only in the select list and having)");
        const auto& tf = TicketFunctionNames();
        if (std::find(tf.begin(), tf.end(), e.text) != tf.end()) return BindTicketFunction(e);
        return Fail(e.pos, "unknown function '" + e.text + "'" + DidYouMean(e.text, FunctionCandidates()));
      }
      case ast::ExprKind::kUnary:
      case ast::ExprKind::kBinary:
      case ast::ExprKind::kIn:
        return BindOperator(e, Ctx::kRow);
      case ast::ExprKind::kArrow:
        return Fail(e.pos, "`->` is only allowed inside duration()");
      case ast::ExprKind::kBefore:
        return Fail(e.pos, "`before` is only allowed inside count_of()");
      default:
        return BindLiteral(e, Ctx::kRow);
    }
  }

  // ---- operators (both contexts) ------------------------------------------------
  const BoundExpr* BindChild(const ast::ExprPtr& e, Ctx ctx, const ast::Expr& parent) {
    if (e == nullptr) return Fail(parent.pos, "missing operand");
    return ctx == Ctx::kRow ? BindRow(*e) : BindGroupCtx(*e);
  }

  const BoundExpr* BindOperator(const ast::Expr& e, Ctx ctx) {
    BoundExpr node;
    if (e.kind == ast::ExprKind::kUnary) {
      if (e.args.size() != 1) return Fail(e.pos, "bad unary operator");
      if (!ParseOp(e.text, true, &node.op)) return Fail(e.pos, "unknown operator '" + e.text + "'");
      const BoundExpr* a = BindChild(e.args[0], ctx, e);
      if (a == nullptr) return nullptr;
      if (node.op == Op::kNot) {
        if (a->type != ValueType::kBool && a->type != ValueType::kNull)
          return Fail(e.pos, std::string("`not` needs a predicate, not a ") + ValueTypeName(a->type));
        node.type = ValueType::kBool;
        node.text = "(not " + a->text + ")";
      } else {
        if (!IsNumericType(a->type) && a->type != ValueType::kNull)
          return Fail(e.pos, std::string("unary minus needs a number, not a ") + ValueTypeName(a->type));
        node.type = a->type;
        node.text = "(-" + a->text + ")";
      }
      node.kind = BoundKind::kUnary;
      node.cost = a->cost + 1;
      node.args = {a};
      return Make(ctx, std::move(node));
    }
    if (e.kind == ast::ExprKind::kBinary) {
      if (e.args.size() != 2) return Fail(e.pos, "bad binary operator");
      if (!ParseOp(e.text, false, &node.op)) return Fail(e.pos, "unknown operator '" + e.text + "'");
      const BoundExpr* a = BindChild(e.args[0], ctx, e);
      if (a == nullptr) return nullptr;
      const BoundExpr* b = BindChild(e.args[1], ctx, e);
      if (b == nullptr) return nullptr;
      node.kind = BoundKind::kBinary;
      node.args = {a, b};
      node.cost = a->cost + b->cost + 1;
      node.text = "(" + a->text + " " + OpText(node.op) + " " + b->text + ")";
      if (node.op == Op::kAnd || node.op == Op::kOr) {
        for (const BoundExpr* x : {a, b})
          if (x->type != ValueType::kBool && x->type != ValueType::kNull)
            return Fail(e.pos, std::string("`") + OpText(node.op) + "` needs predicates on both sides, not a " +
                                   ValueTypeName(x->type));
        node.type = ValueType::kBool;
      } else if (IsComparison(node.op)) {
        if (!ComparableTypes(a->type, b->type))
          return Fail(e.pos, std::string("cannot compare a ") + ValueTypeName(a->type) + " with a " +
                                 ValueTypeName(b->type));
        node.type = ValueType::kBool;
        if (ctx == Ctx::kRow) ResolveComparison(&node);
      } else {
        if (!ArithmeticType(node.op, a->type, b->type, &node.type))
          return Fail(e.pos, std::string("cannot apply `") + OpText(node.op) + "` to a " + ValueTypeName(a->type) +
                                 " and a " + ValueTypeName(b->type));
      }
      return Make(ctx, std::move(node));
    }
    // kIn
    if (e.args.size() < 2) return Fail(e.pos, "`in` needs a list of values");
    node.kind = BoundKind::kIn;
    node.negated = e.negated;
    node.type = ValueType::kBool;
    const BoundExpr* a = BindChild(e.args[0], ctx, e);
    if (a == nullptr) return nullptr;
    node.args.push_back(a);
    node.cost = a->cost + 1;
    node.text = "(" + a->text + (e.negated ? " not in (" : " in (");
    for (size_t i = 1; i < e.args.size(); ++i) {
      const BoundExpr* x = BindChild(e.args[i], ctx, e);
      if (x == nullptr) return nullptr;
      if (!ComparableTypes(a->type, x->type))
        return Fail(e.args[i]->pos, std::string("cannot compare a ") + ValueTypeName(a->type) + " with a " +
                                        ValueTypeName(x->type) + " in the `in` list");
      node.args.push_back(x);
      node.cost += x->cost;
      node.text += (i > 1 ? ", " : "") + x->text;
    }
    node.text += "))";
    if (ctx == Ctx::kRow) ResolveIn(&node);
    return Make(ctx, std::move(node));
  }

  // Comparisons of a dictionary column with a string constant become code
  // comparisons; anything else on strings compares texts.
  void ResolveComparison(BoundExpr* node) {
    const BoundExpr* a = node->args[0];
    const BoundExpr* b = node->args[1];
    if (a->type != ValueType::kString || b->type != ValueType::kString) return;
    const bool equality = node->op == Op::kEq || node->op == Op::kNe;
    if (equality) {
      const BoundExpr* dict = a->str.kind == StrKind::kDict ? a : b->str.kind == StrKind::kDict ? b : nullptr;
      const BoundExpr* lit = a->str.kind == StrKind::kLiteral ? a : b->str.kind == StrKind::kLiteral ? b : nullptr;
      if (dict != nullptr && lit != nullptr) {
        const uint32_t code = cat_.FindCode(dict->str.column, lit->value.text);
        node->codes = {code == 0 ? kNoCode : code};
        node->codes_resolved = true;
        if (dict->str.column == storage::kEventColumn) NoteEvent(lit->value.text, code);
        return;
      }
      if (a->str == b->str && a->str.kind == StrKind::kDict) return;  // same dictionary: codes compare
    }
    NeedText(a);
    NeedText(b);
  }

  void ResolveIn(BoundExpr* node) {
    const BoundExpr* a = node->args[0];
    if (a->type == ValueType::kString && a->str.kind == StrKind::kDict) {
      bool all_const = true;
      std::vector<uint32_t> codes;
      for (size_t i = 1; i < node->args.size(); ++i) {
        const BoundExpr* x = node->args[i];
        if (x->kind != BoundKind::kConst) {
          all_const = false;
          break;
        }
        if (x->type == ValueType::kNull) {
          node->list_has_null = true;
          continue;
        }
        const uint32_t code = cat_.FindCode(a->str.column, x->value.text);
        if (a->str.column == storage::kEventColumn) NoteEvent(x->value.text, code);
        if (code != 0) codes.push_back(code);
      }
      if (all_const) {
        std::sort(codes.begin(), codes.end());
        codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
        node->codes = std::move(codes);
        node->codes_resolved = true;
        return;
      }
    }
    for (const BoundExpr* x : node->args) NeedText(x);
  }

  // ---- group context -------------------------------------------------------
  int GroupIndexOf(const ast::Expr& e) const {
    if (e.kind != ast::ExprKind::kColumn && e.kind != ast::ExprKind::kCall) return -1;
    const std::string t = ast::ToString(e);
    for (size_t i = 0; i < group_texts_.size(); ++i)
      if (group_texts_[i] == t) return static_cast<int>(i);
    return -1;
  }

  const BoundExpr* BindGroupCtx(const ast::Expr& e) {
    if (failed_) return nullptr;
    if (++depth_ > 400) return Fail(e.pos, "expression nests too deep");
    struct DepthGuard {
      int* d;
      ~DepthGuard() { --*d; }
    } guard{&depth_};
    const int g = GroupIndexOf(e);
    if (g >= 0) {
      BoundExpr node;
      node.kind = BoundKind::kGroupKey;
      node.index = g;
      node.type = out_->groups[g].type;
      node.text = out_->groups[g].name;
      return Group(std::move(node));
    }
    switch (e.kind) {
      case ast::ExprKind::kColumn: {
        if (in_having_) {
          for (size_t i = 0; i < out_->items.size(); ++i) {
            if (out_->items[i].name == e.text) {
              BoundExpr node;
              node.kind = BoundKind::kItemRef;
              node.index = static_cast<int>(i);
              node.type = out_->items[i].type;
              node.text = e.text;
              return Group(std::move(node));
            }
          }
        }
        if (!IsColumnName(e.text)) {
          auto kpi = kpis_.find(e.text);
          if (kpi != kpis_.end()) return BindKpi(kpi->second, e, Ctx::kGroup);
          return UnknownColumn(e);
        }
        return Fail(e.pos, "column '" + e.text + "' must be in `by` or inside an aggregate (e.g. count(), avg(" +
                               e.text + "))");
      }
      case ast::ExprKind::kCall: {
        if (const AggregateEntry* agg = FindAggregate(e.text)) return BindAggregate(e, *agg);
        const auto& tf = TicketFunctionNames();
        if (std::find(tf.begin(), tf.end(), e.text) != tf.end())
          return Fail(e.pos, e.text + "() gives one value per ticket: put it inside an aggregate (e.g. avg(...), "
                                      "rate(...)) or in `by`");
        return Fail(e.pos, "unknown function '" + e.text + "'" + DidYouMean(e.text, FunctionCandidates()));
      }
      case ast::ExprKind::kUnary:
      case ast::ExprKind::kBinary:
      case ast::ExprKind::kIn:
        return BindOperator(e, Ctx::kGroup);
      case ast::ExprKind::kArrow:
        return Fail(e.pos, "`->` is only allowed inside duration()");
      case ast::ExprKind::kBefore:
        return Fail(e.pos, "`before` is only allowed inside count_of()");
      default:
        return BindLiteral(e, Ctx::kGroup);
    }
  }

  const BoundExpr* BindAggregate(const ast::Expr& e, const AggregateEntry& entry) {
    const AggregateFamily& fam = *entry.family;
    const bool param_arg = fam.param_is_fraction && entry.fixed_param < 0;
    const size_t given = e.args.size();
    const size_t data_args = param_arg ? (given == 0 ? 0 : given - 1) : given;
    const size_t min_total = static_cast<size_t>(fam.min_args) + (param_arg ? 1 : 0);
    const size_t max_total = static_cast<size_t>(fam.max_args) + (param_arg ? 1 : 0);
    if (given < min_total || given > max_total) {
      std::string want = min_total == max_total ? std::to_string(min_total)
                                                : std::to_string(min_total) + " or " + std::to_string(max_total);
      return Fail(e.pos, std::string(entry.name) + "() takes " + want + " argument" + (max_total == 1 ? "" : "s"));
    }
    AggregateSpec spec;
    spec.family = &fam;
    spec.name = entry.name;
    spec.param = entry.fixed_param;
    std::string text = std::string(entry.name) + "(";
    for (size_t i = 0; i < data_args; ++i) {
      if (e.args[i] == nullptr) return Fail(e.pos, "missing argument");
      const BoundExpr* a = BindRow(*e.args[i]);
      if (a == nullptr) return nullptr;
      spec.args.push_back(a);
      spec.arg_types.push_back(a->type);
      text += (i ? ", " : "") + a->text;
    }
    if (param_arg) {
      const ast::Expr* q = e.args.back().get();
      if (q == nullptr || (q->kind != ast::ExprKind::kNumber && q->kind != ast::ExprKind::kPercent) ||
          !(q->number >= 0 && q->number <= 1))
        return Fail(q ? q->pos : e.pos, std::string(entry.name) + "() needs a fraction in [0, 1] (e.g. 0.9 or 90%)");
      spec.param = q->number;
      text += ", " + NumberText(q->number);
    }
    text += ")";
    std::string why;
    if (!fam.check(spec.arg_types, &spec.out_type, &why)) return Fail(e.pos, std::string(entry.name) + "() " + why);
    if (spec.name == "min" || spec.name == "max") NeedText(spec.args[0]);
    spec.text = text;
    int index = -1;
    for (size_t i = 0; i < out_->aggregates.size(); ++i)
      if (out_->aggregates[i].text == text) index = static_cast<int>(i);
    if (index < 0) {
      out_->aggregates.push_back(std::move(spec));
      index = static_cast<int>(out_->aggregates.size() - 1);
    }
    BoundExpr node;
    node.kind = BoundKind::kAggregate;
    node.index = index;
    node.type = out_->aggregates[index].out_type;
    node.text = text;
    return Group(std::move(node));
  }

  // ---- clauses ------------------------------------------------------------------
  bool BindGroupKey(const ast::ExprPtr& g) {
    if (g == nullptr) {
      Fail(q_.source_pos, "empty `by` item");
      return false;
    }
    GroupKey key;
    BucketUnit unit;
    std::string lower = g->text;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // Bucket names are keywords (any case) unless a column has that exact name.
    if (g->kind == ast::ExprKind::kColumn && !IsColumnName(g->text) && ParseBucketUnit(lower, &unit)) {
      key.is_bucket = true;
      key.unit = unit;
      key.type = ValueType::kTime;
      key.name = lower;
    } else {
      if (g->kind == ast::ExprKind::kColumn && !IsColumnName(g->text) && !kpis_.count(g->text)) {
        std::vector<std::string> candidates = SourceColumnNames();
        for (const auto& b : BucketNames()) candidates.push_back(b);
        Fail(g->pos, "unknown column '" + g->text + "'" + DidYouMean(g->text, candidates));
        return false;
      }
      const BoundExpr* e = BindRow(*g);
      if (e == nullptr) return false;
      if (e->type == ValueType::kNull) {
        Fail(g->pos, "cannot group by a null constant");
        return false;
      }
      key.expr = e;
      key.type = e->type;
      key.name = g->kind == ast::ExprKind::kColumn ? g->text : ast::ToString(*g);
    }
    group_texts_.push_back(ast::ToString(*g));
    out_->groups.push_back(std::move(key));
    return true;
  }

  bool RunInner() {
    // Zone first: dates and timestamps are read in it.
    out_->tz_name = q_.tz.value_or("UTC");
    if (!LoadQueryZone(out_->tz_name, &out_->tz)) {
      Fail(q_.tz_pos, "unknown time zone '" + out_->tz_name + "' (use an IANA name such as \"Europe/Berlin\")");
      return false;
    }
    if (q_.source == "events") {
      out_->source = Source::kEvents;
    } else if (q_.source == "tickets") {
      out_->source = Source::kTickets;
    } else {
      Fail(q_.source_pos, "unknown source '" + q_.source + "' (expected events or tickets)");
      return false;
    }
    if (q_.at_event) {
      if (events()) {
        Fail(q_.at_pos, "`at` places tickets; it needs `from tickets`");
        return false;
      }
      EventRef at;
      at.name = *q_.at_event;
      at.is_created = at.name == "created";
      at.code = cat_.FindCode(storage::kEventColumn, at.name);
      NoteEvent(at.name, at.code);
      // `at created` is the default placement (creation = the first `created`
      // event, else the earliest event): binding it as such keeps tickets
      // without a `created` event and stops the planner from skipping
      // segments that hold no `created` event.
      if (!at.is_created) out_->at = at;
    }
    if (q_.during_start || q_.during_end) {
      if (!q_.during_start || !q_.during_end) {
        Fail(q_.during_start ? q_.during_start->pos : q_.during_end->pos, "`during` needs a start and an end");
        return false;
      }
      int64_t a, b;
      std::string why;
      if (!ParseQueryInstant(q_.during_start->text, out_->tz, &a, &why)) {
        Fail(q_.during_start->pos, "bad `during` start: " + why);
        return false;
      }
      if (!ParseQueryInstant(q_.during_end->text, out_->tz, &b, &why)) {
        Fail(q_.during_end->pos, "bad `during` end: " + why);
        return false;
      }
      out_->during = std::make_pair(a, b);
    }
    if (q_.as_of) {
      int64_t t;
      std::string why;
      if (!ParseQueryInstant(q_.as_of->text, out_->tz, &t, &why)) {
        Fail(q_.as_of->pos, "bad `as of` instant: " + why);
        return false;
      }
      out_->as_of_ms = t;
    }
    if (q_.where) {
      const BoundExpr* w = BindRow(*q_.where);
      if (w == nullptr) return false;
      if (w->type != ValueType::kBool && w->type != ValueType::kNull) {
        Fail(q_.where->pos, std::string("`where` needs a predicate, not a ") + ValueTypeName(w->type));
        return false;
      }
      out_->where = w;
    }
    for (const ast::ExprPtr& g : q_.group_by)
      if (!BindGroupKey(g)) return false;
    if (q_.items.empty()) {
      Fail(q_.source_pos, "select needs at least one item");
      return false;
    }
    for (const ast::SelectItem& item : q_.items) {
      if (item.expr == nullptr) {
        Fail(item.pos, "empty select item");
        return false;
      }
      const BoundExpr* e = BindGroupCtx(*item.expr);
      if (e == nullptr) return false;
      SelectItem si;
      si.name = item.alias.empty() ? ast::ToString(*item.expr) : item.alias;
      si.type = e->type;
      si.expr = e;
      out_->items.push_back(std::move(si));
    }
    if (q_.having) {
      in_having_ = true;
      const BoundExpr* h = BindGroupCtx(*q_.having);
      in_having_ = false;
      if (h == nullptr) return false;
      if (h->type != ValueType::kBool && h->type != ValueType::kNull) {
        Fail(q_.having->pos, std::string("`having` needs a predicate, not a ") + ValueTypeName(h->type));
        return false;
      }
      out_->having = h;
    }
    std::vector<std::string> names;
    for (const GroupKey& g : out_->groups) names.push_back(g.name);
    for (const SelectItem& i : out_->items) names.push_back(i.name);
    for (const ast::OrderItem& o : q_.order_by) {
      auto it = std::find(names.begin(), names.end(), o.name);
      if (it == names.end()) {
        Fail(o.pos, "order by: unknown result column '" + o.name + "'" + DidYouMean(o.name, names));
        return false;
      }
      out_->order.push_back(OrderKey{static_cast<size_t>(it - names.begin()), o.descending});
    }
    out_->limit = q_.limit;
    return !failed_;
  }

  const ast::SelectQuery& q_;
  const storage::Catalog& cat_;
  const KpiMap& kpis_;
  BoundQuery* out_;
  BindError err_;
  bool failed_ = false;
  int depth_ = 0;
  bool in_having_ = false;
  std::unordered_map<std::string, const BoundExpr*> row_dedup_;
  std::vector<std::string> kpi_stack_;
  ast::SourcePos kpi_ref_pos_;
  std::vector<std::string> group_texts_;
};

}  // namespace

const std::vector<std::string>& TicketFunctionNames() {
  static const std::vector<std::string> names = {"duration", "count_of", "has",   "first",
                                                 "last",     "agent_of", "total", "repeat_within"};
  return names;
}

const std::vector<std::string>& BuiltinColumnNames() {
  static const std::vector<std::string> names = {"time", "ticket", "event", "agent", "created"};
  return names;
}

bool BindSelect(const ast::SelectQuery& query, const storage::Catalog& catalog, const KpiMap& kpis,
                BoundQuery* out, BindError* error) {
  Binder binder(query, catalog, kpis, out);
  return binder.Run(error);
}

}  // namespace kpi::query
