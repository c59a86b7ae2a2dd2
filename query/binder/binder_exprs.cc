// Binding of expressions (see query/binder/binder_internal.h).
#include "query/binder/binder_internal.h"

namespace kpi::query::binding {

// ---- literals --------------------------------------------------------------
const BoundExpr* Binder::BindLiteral(const ast::Expr& e, Ctx ctx) {
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
const BoundExpr* Binder::BindKpi(const KpiDefinition& def, const ast::Expr& ref, Ctx ctx) {
  if (std::find(kpi_stack_.begin(), kpi_stack_.end(), def.name) != kpi_stack_.end() ||
      kpi_stack_.size() >= kMaxKpiDepth)
    return Fail(ref.pos, "kpi '" + def.name + "' refers to itself");
  if (def.expr == nullptr) return Fail(ref.pos, "kpi '" + def.name + "' has no expression");
  if (kpi_stack_.empty()) kpi_ref_pos_ = ref.pos;
  if (cat_.FindColumn(def.name))
    Warn("kpi '" + def.name + "' hides the column '" + def.name +
         "' (ingested after the kpi was defined; drop the kpi to read the column)");
  out_->used_definitions["kpi:" + def.name] = def.defined_at_ms;
  kpi_stack_.push_back(def.name);
  const BoundExpr* r = ctx == Ctx::kRow ? BindRow(*def.expr) : BindGroupCtx(*def.expr);
  kpi_stack_.pop_back();
  return r;
}

// ---- row context -----------------------------------------------------------
std::vector<std::string> Binder::DictTexts(uint32_t column) const {
  if (column >= kScalarDictBase && column < kJoinDictBase) {
    auto it = out_->dict_text.find(column);
    return it == out_->dict_text.end() ? std::vector<std::string>{} : it->second;
  }
  if (column < kJoinDictBase) return cat_.DictionaryValues(column);
  const size_t join = (column & ~kJoinDictBase) >> 16, col = column & 0xFFFFu;
  if (join >= out_->joins.size()) return {};
  return out_->joins[join].table->columns[col].dictionary.ids();
}

uint32_t Binder::FindCode(uint32_t column, const std::string& text) const {
  if (column >= kScalarDictBase && column < kJoinDictBase) {
    auto it = out_->dict_text.find(column);
    if (it == out_->dict_text.end()) return 0;
    for (size_t i = 0; i < it->second.size(); ++i)
      if (it->second[i] == text) return static_cast<uint32_t>(i + 1);
    return 0;
  }
  if (column < kJoinDictBase) return cat_.FindCode(column, text);
  const size_t join = (column & ~kJoinDictBase) >> 16, col = column & 0xFFFFu;
  if (join >= out_->joins.size()) return 0;
  const uint32_t index = out_->joins[join].table->columns[col].dictionary.Find(text);
  return index == storage::StringInterner::kAbsent ? 0 : index + 1;
}

// `TABLE.column` of a joined table: looked up by the join's key per row.
const BoundExpr* Binder::BindJoinColumn(const ast::Expr& e) {
  const size_t dot = e.text.find('.');
  const std::string table = e.text.substr(0, dot), column = e.text.substr(dot + 1);
  size_t join = 0;
  while (join < out_->joins.size() && out_->joins[join].name != table) ++join;
  if (join == out_->joins.size()) {
    std::vector<std::string> names;
    for (const BoundJoin& j : out_->joins) names.push_back(j.name);
    std::string hint = ctx_.tables.count(table) ? " (add `join " + table + " on <key>`)" : DidYouMean(table, names);
    return Fail(e.pos, "'" + table + "' is not a joined table" + hint);
  }
  const LookupTable& t = *out_->joins[join].table;
  const int col = t.ColumnIndex(column);
  if (col < 0) {
    std::vector<std::string> names;
    for (const auto& c : t.columns) names.push_back(c.name);
    return Fail(e.pos, "table '" + table + "' has no column '" + column + "'" + DidYouMean(column, names));
  }
  BoundExpr node;
  node.kind = BoundKind::kJoinColumn;
  node.text = e.text;
  node.index = static_cast<int>(join);
  node.column_id = static_cast<uint32_t>(col);
  node.args = {out_->joins[join].key};
  node.cost = out_->joins[join].key->cost + 2;
  if (t.columns[col].type == TableColumnType::kNumber) {
    node.type = ValueType::kNumber;
  } else {
    node.type = ValueType::kString;
    node.str = {StrKind::kDict, JoinDictColumn(join, static_cast<size_t>(col))};
  }
  return Row(std::move(node));
}

const BoundExpr* Binder::BindColumn(const ast::Expr& e) {
  const std::string& n = e.text;
  if (e.boolean) return BindJoinColumn(e);  // TABLE.column (a quoted name may hold dots)
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
  // A named KPI before a store column of its name (IsColumnName).
  auto kpi = kpis_.find(n);
  if (kpi != kpis_.end()) return BindKpi(kpi->second, e, Ctx::kRow);
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
  return UnknownColumn(e);
}

std::nullptr_t Binder::UnknownColumn(const ast::Expr& e) {
  std::vector<std::string> candidates = SourceColumnNames();
  std::string extra;
  if (!events() && (e.text == "time" || e.text == "event" || e.text == "agent"))
    extra = " (a column of `from events`)";
  else if (events() && e.text == "created")
    extra = " (a column of `from tickets`)";
  else if (std::find(BucketNames().begin(), BucketNames().end(), e.text) != BucketNames().end())
    extra = " (time buckets are only allowed in `by`)";
  else if (!failed_)
    unknown_column_ = true;  // no column of either source, KPI or bucket (kpi_columns.h)
  if (extra.empty()) extra = DidYouMean(e.text, candidates);
  return Fail(e.pos, "unknown column '" + e.text + "'" + extra);
}

bool Binder::EventArg(const ast::Expr& e, EventRef* ref) {
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

// A per-ticket function: the registry entry says the argument shape, the
// evaluator's function and the result type.
const BoundExpr* Binder::BindTicketFunction(const ast::Expr& e) {
  const TicketFunctionEntry* entry = FindTicketFunction(e.text);
  if (entry == nullptr) return Fail(e.pos, "unknown function '" + e.text + "'");
  const std::string& f = e.text;
  const auto& args = e.args;
  if (events()) return Fail(e.pos, f + "() is a per-ticket function: it needs `from tickets`");
  for (const ast::ExprPtr& a : args)
    if (a && a->kind == ast::ExprKind::kCall && a->text == "cycles")
      return Fail(a->pos, "cycles(...) cannot be an argument of " + f + "(): use it directly inside an aggregate");
  BoundExpr node;
  node.kind = BoundKind::kTicketFn;
  node.fn = entry->fn;
  node.type = entry->type;
  node.cost = entry->cost;
  const bool one_arg = args.size() == 1 && args[0] != nullptr;
  switch (entry->args) {
    case TicketArgs::kSpan:
      if (!one_arg || args[0]->kind != ast::ExprKind::kArrow || args[0]->args.size() < 2)
        return Fail(e.pos, entry->usage);
      if (!EventArg(*args[0]->args[0], &node.a) || !EventArg(*args[0]->args[1], &node.b)) return nullptr;
      node.text = f + "(" + node.a.name + " -> " + node.b.name;
      if (!BindCalendar(*args[0], &node)) return nullptr;
      node.text += ")";
      break;
    case TicketArgs::kEventOrBefore:
      if (!one_arg) return Fail(e.pos, entry->usage);
      if (args[0]->kind == ast::ExprKind::kBefore) {
        if (args[0]->args.size() != 2) return Fail(e.pos, entry->usage);
        node.fn = TicketFn::kCountBefore;
        if (!EventArg(*args[0]->args[0], &node.a) || !EventArg(*args[0]->args[1], &node.b)) return nullptr;
        node.text = f + "(" + node.a.name + " before " + node.b.name + ")";
      } else {
        if (!EventArg(*args[0], &node.a)) return nullptr;
        node.text = f + "(" + node.a.name + ")";
      }
      break;
    case TicketArgs::kEvent:
      if (!one_arg) return Fail(e.pos, entry->usage);
      if (!EventArg(*args[0], &node.a)) return nullptr;
      node.text = f + "(" + node.a.name + ")";
      if (node.fn == TicketFn::kAgentOf) node.str = {StrKind::kDict, storage::kAgentColumn};
      break;
    case TicketArgs::kMeasure: {
      if (!one_arg || args[0]->kind != ast::ExprKind::kColumn) return Fail(e.pos, entry->usage);
      std::optional<storage::ColumnInfo> c = cat_.FindColumn(args[0]->text);
      if (!c || c->kind != storage::ColumnKind::kMeasure) {
        std::vector<std::string> measures;
        for (const auto& col : cat_.Columns())
          if (col.kind == storage::ColumnKind::kMeasure) measures.push_back(col.name);
        return Fail(args[0]->pos, f + "() takes a measure; '" + args[0]->text + "' is not one" +
                                      DidYouMean(args[0]->text, measures));
      }
      node.column_id = c->id;
      node.text = f + "(" + c->name + ")";
      break;
    }
    case TicketArgs::kWindowDims:
      if (!BindRepeatArgs(e, *entry, &node)) return nullptr;
      break;
  }
  return Row(std::move(node));
}

// `in CALENDAR` of a span: the calendar's clock, kept alive by the query.
bool Binder::BindCalendar(const ast::Expr& span, BoundExpr* node) {
  const std::string& cal = span.text;
  if (cal.empty()) return true;
  CalendarRef ref;
  std::string why = "unknown calendar '" + cal + "'" + DidYouMean(cal, ctx_.calendar_names);
  if (!ctx_.find_calendar || !ctx_.find_calendar(cal, &ref, &why) || ref.clock == nullptr) {
    Fail(span.args.size() > 2 && span.args[2] ? span.args[2]->pos : span.pos, why);
    return false;
  }
  node->clock = ref.clock.get();
  out_->clocks.push_back(ref.clock);
  out_->used_definitions["calendar:" + cal] = ref.version_ms;
  node->text += " in " + cal;
  return true;
}

// repeat_within(<duration>, <dim>, ...): answered by the pre-pass, one
// RepeatSpec per distinct (window, dimensions).
bool Binder::BindRepeatArgs(const ast::Expr& e, const TicketFunctionEntry& entry, BoundExpr* node) {
  const auto& args = e.args;
  if (args.size() < 2 || args[0] == nullptr ||
      (args[0]->kind != ast::ExprKind::kDuration && args[0]->kind != ast::ExprKind::kNumber)) {
    Fail(e.pos, entry.usage);
    return false;
  }
  const double seconds = args[0]->number;
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e12) {
    Fail(args[0]->pos, std::string(entry.name) + "() needs a duration from 0 to 10^12 seconds");
    return false;
  }
  node->window_ms = static_cast<int64_t>(std::llround(seconds * 1000.0));
  node->text = std::string(entry.name) + "(" + std::to_string(node->window_ms) + "ms";
  for (size_t i = 1; i < args.size(); ++i) {
    const ast::Expr& d = *args[i];
    std::optional<storage::ColumnInfo> c;
    if (d.kind == ast::ExprKind::kColumn) c = cat_.FindColumn(d.text);
    if (!c || c->kind != storage::ColumnKind::kDimension) {
      std::vector<std::string> dims;
      for (const auto& col : cat_.Columns())
        if (col.kind == storage::ColumnKind::kDimension) dims.push_back(col.name);
      Fail(d.pos, std::string(entry.name) + "() takes dimensions; '" + d.text + "' is not one" + DidYouMean(d.text, dims));
      return false;
    }
    node->dims.push_back(c->id);
    node->text += ", " + c->name;
  }
  node->text += ")";
  int found = -1;
  for (size_t i = 0; i < out_->repeats.size(); ++i)
    if (out_->repeats[i].window_ms == node->window_ms && out_->repeats[i].dims == node->dims) found = static_cast<int>(i);
  if (found < 0) {
    out_->repeats.push_back(RepeatSpec{node->window_ms, node->dims});
    found = static_cast<int>(out_->repeats.size() - 1);
  }
  node->repeat = found;
  return true;
}

const BoundExpr* Binder::BindRow(const ast::Expr& e) {
  if (failed_) return nullptr;
  const NestingGuard nesting(&depth_);
  if (nesting.too_deep()) return Fail(e.pos, "expression nests too deep");
  switch (e.kind) {
    case ast::ExprKind::kColumn:
      return BindColumn(e);
    case ast::ExprKind::kCall: {
      if (FindAggregate(e.text))
        return Fail(e.pos, "aggregate " + e.text + "() is not allowed here (only in the select list and having)");
      if (FindTicketFunction(e.text)) return BindTicketFunction(e);
      if (FindScalarFunction(e.text)) return BindScalar(e, Ctx::kRow);
      if (e.text == "cycles") return BindValueRow(e);  // the error: only inside an aggregate
      return Fail(e.pos, "unknown function '" + e.text + "'" + DidYouMean(e.text, FunctionCandidates()));
    }
    default:
      return BindOperatorOrLiteral(e, Ctx::kRow);
  }
}

// ---- scalar functions (both contexts) --------------------------------------------
const BoundExpr* Binder::BindScalar(const ast::Expr& e, Ctx ctx) {
  BoundExpr node;
  node.kind = BoundKind::kScalar;
  std::vector<const ast::Expr*> arg_exprs;
  for (const ast::ExprPtr& a : e.args) arg_exprs.push_back(a.get());
  std::string name;
  if (e.kind == ast::ExprKind::kIsNull) {
    node.scalar = e.negated ? ScalarFn::kIsNotNull : ScalarFn::kIsNull;
  } else if (e.kind == ast::ExprKind::kCase) {
    node.scalar = ScalarFn::kCase;
    node.has_else = e.boolean;
    if (arg_exprs.size() < (e.boolean ? 3u : 2u)) return Fail(e.pos, "case needs at least one `when ... then ...`");
  } else {
    const ScalarFunctionEntry* entry = FindScalarFunction(e.text);
    if (entry == nullptr) return Fail(e.pos, "unknown function '" + e.text + "'");
    node.scalar = entry->fn;
    name = entry->name;
    const int n = static_cast<int>(arg_exprs.size());
    if (n < entry->min_args || (entry->max_args >= 0 && n > entry->max_args))
      return Fail(e.pos, name + "() takes " +
                             (entry->max_args < 0 ? "one or more arguments"
                                                  : entry->min_args == entry->max_args ? "one argument"
                                                                                       : "one or two arguments"));
    if (node.scalar == ScalarFn::kRound && n == 2) {
      const ast::Expr* d = arg_exprs[1];
      double digits = 0;
      if (d && d->kind == ast::ExprKind::kNumber) digits = d->number;
      else if (d && d->kind == ast::ExprKind::kUnary && d->text == "-" && !d->args.empty() && d->args[0] &&
               d->args[0]->kind == ast::ExprKind::kNumber)
        digits = -d->args[0]->number;
      else
        return Fail(d ? d->pos : e.pos, "round()'s second argument is a whole number of digits (e.g. 2)");
      if (digits != std::floor(digits) || digits < -12 || digits > 12)
        return Fail(d->pos, "round() takes -12 to 12 digits");
      node.digits = static_cast<int>(digits);
      arg_exprs.pop_back();
    }
  }
  std::vector<ValueType> types;
  for (const ast::Expr* a : arg_exprs) {
    if (a == nullptr) return Fail(e.pos, "missing argument");
    const BoundExpr* b = ctx == Ctx::kRow ? BindRow(*a) : BindGroupCtx(*a);
    if (b == nullptr) return nullptr;
    node.args.push_back(b);
    types.push_back(b->type);
    node.cost += b->cost;
  }
  std::string why;
  size_t bad = 0;
  if (!ScalarResultType(node.scalar, types, node.has_else, &node.type, &why, &bad)) {
    const std::string what = name.empty() ? why : name + "() " + why;
    return Fail(bad < arg_exprs.size() ? arg_exprs[bad]->pos : e.pos, what);
  }
  node.cost += 1;
  node.text = ast::ToString(e);
  if (node.type == ValueType::kString && ctx == Ctx::kRow && !BuildScalarDictionary(&node, e)) return nullptr;
  return Make(ctx, std::move(node));
}

// A string-valued case / coalesce over rows gets a dictionary of its own:
// the distinct texts of its string arguments, each argument's codes mapped
// into it (so equal texts from different sources are one group).
bool Binder::BuildScalarDictionary(BoundExpr* node, const ast::Expr& e) {
  const uint32_t column = kScalarDictBase + static_cast<uint32_t>(out_->dict_text.size() + out_->nodes.size());
  std::vector<std::string> texts;
  std::unordered_map<std::string, uint32_t> code_of;
  auto intern = [&](const std::string& t) {
    auto [it, inserted] = code_of.emplace(t, static_cast<uint32_t>(texts.size() + 1));
    if (inserted) texts.push_back(t);
    return it->second;
  };
  node->str_remap.assign(node->args.size(), {});
  node->str_fixed.assign(node->args.size(), 0);
  for (size_t i = 0; i < node->args.size(); ++i) {
    const BoundExpr* a = node->args[i];
    if (a->type != ValueType::kString) continue;
    if (a->str.kind == StrKind::kLiteral) {
      node->str_fixed[i] = intern(a->value.text);
    } else if (a->str.kind == StrKind::kDict) {
      const std::vector<std::string> source = DictTexts(a->str.column);
      std::vector<uint32_t>& remap = node->str_remap[i];
      remap.assign(source.size() + 1, 0);
      for (size_t c = 0; c < source.size(); ++c) remap[c + 1] = intern(source[c]);
    } else {
      Fail(e.pos, "ticket ids cannot be a value of case or coalesce() over rows; group by ticket instead");
      return false;
    }
  }
  node->str = {StrKind::kDict, column};
  out_->dict_text[column] = std::move(texts);
  return true;
}

// ---- operators (both contexts) ------------------------------------------------
const BoundExpr* Binder::BindOperatorOrLiteral(const ast::Expr& e, Ctx ctx) {
  switch (e.kind) {
    case ast::ExprKind::kIsNull:
    case ast::ExprKind::kCase:
      return BindScalar(e, ctx);
    case ast::ExprKind::kUnary:
    case ast::ExprKind::kBinary:
    case ast::ExprKind::kIn:
      return BindOperator(e, ctx);
    case ast::ExprKind::kArrow:
      return Fail(e.pos, "`->` is only allowed inside duration()");
    case ast::ExprKind::kBefore:
      return Fail(e.pos, "`before` is only allowed inside count_of()");
    default:
      return BindLiteral(e, ctx);
  }
}

const BoundExpr* Binder::BindChild(const ast::ExprPtr& e, Ctx ctx, const ast::Expr& parent) {
  if (e == nullptr) return Fail(parent.pos, "missing operand");
  return ctx == Ctx::kRow ? BindRow(*e) : BindGroupCtx(*e);
}

const BoundExpr* Binder::BindOperator(const ast::Expr& e, Ctx ctx) {
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
void Binder::ResolveComparison(BoundExpr* node) {
  const BoundExpr* a = node->args[0];
  const BoundExpr* b = node->args[1];
  if (a->type != ValueType::kString || b->type != ValueType::kString) return;
  const bool equality = node->op == Op::kEq || node->op == Op::kNe;
  if (equality) {
    const BoundExpr* dict = a->str.kind == StrKind::kDict ? a : b->str.kind == StrKind::kDict ? b : nullptr;
    const BoundExpr* lit = a->str.kind == StrKind::kLiteral ? a : b->str.kind == StrKind::kLiteral ? b : nullptr;
    if (dict != nullptr && lit != nullptr) {
      const uint32_t code = FindCode(dict->str.column, lit->value.text);
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

void Binder::ResolveIn(BoundExpr* node) {
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
      const uint32_t code = FindCode(a->str.column, x->value.text);
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

}  // namespace kpi::query::binding
