// Binding over Value rows (see query/binder/binder_internal.h): the outer select of
// `from (select ...)` and aggregates over `cycles(A -> B)`.
//
// Both read rows that are not the store's: the inner result's rows, or the
// cycles of a ticket (one Value: the cycle's duration). Their expressions
// are bound as group-context nodes (query/execution/group_eval.h) whose kGroupKey
// leaves index that Value row, so one evaluator serves items, having and
// these rows. The executors are query/execution/nested_select.h and
// query/execution/cycles.h.
#include "query/binder/binder_internal.h"

namespace kpi::query::binding {

namespace {

bool ContainsCycles(const ast::Expr& e) {
  if (e.kind == ast::ExprKind::kCall && e.text == "cycles") return true;
  for (const ast::ExprPtr& a : e.args)
    if (a && ContainsCycles(*a)) return true;
  return false;
}

const ast::Expr* FirstCycles(const ast::Expr& e) {
  if (e.kind == ast::ExprKind::kCall && e.text == "cycles") return &e;
  for (const ast::ExprPtr& a : e.args)
    if (const ast::Expr* c = a ? FirstCycles(*a) : nullptr) return c;
  return nullptr;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

int Binder::NestedColumnIndex(const std::string& name) const {
  if (!nested()) return -1;
  const std::vector<ResultColumn>& cols = *ctx_.nested_columns;
  for (size_t i = 0; i < cols.size(); ++i)
    if (cols[i].name == name) return static_cast<int>(i);
  return -1;
}

// The clauses a nested select refuses, and the inner result's names.
bool Binder::BindNestedSource() {
  // `from watch NAME` reads the watch's run history the same way (query/engine.cc).
  const bool watch = q_.source == "watch";
  if (!nested() || (q_.subquery == nullptr && !watch)) {
    Fail(q_.source_pos, "internal: a nested select without its inner result");
    return false;
  }
  out_->nested = true;
  out_->source = Source::kTickets;  // unused: the planner never sees a nested select
  if (!watch && q_.subquery->as_of) {
    Fail(q_.subquery->as_of->pos, "`as of` applies to the whole statement: write it once, after the outermost select");
    return false;
  }
  if (!q_.joins.empty()) {
    Fail(q_.joins[0].pos, "`join` reads the rows of events or tickets: join in the inner select instead");
    return false;
  }
  if (q_.at_event) {
    Fail(q_.at_pos, "`at` places tickets: put it in the inner select (a nested select's rows are its result)");
    return false;
  }
  if (q_.during_start || q_.during_end || q_.during_relative) {
    Fail(q_.during_relative ? q_.during_relative->pos : q_.during_start ? q_.during_start->pos : q_.during_end->pos,
         "`during` cuts events or tickets by time: put it in the inner select (or filter a time column with "
         "`where`)");
    return false;
  }
  if (q_.rolling) {
    Fail(q_.rolling_pos, "`rolling` needs a time bucket of events or tickets: use it in the inner select");
    return false;
  }
  if (q_.compare) {
    Fail(q_.compare->pos, "`compare with` needs events or tickets: use it in the inner select");
    return false;
  }
  // Two inner columns with one name would make every reference ambiguous.
  const std::vector<ResultColumn>& cols = *ctx_.nested_columns;
  for (size_t i = 0; i < cols.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (cols[i].name != cols[j].name) continue;
      if (watch) {
        Fail(q_.source_pos, "watch '" + q_.watch + "' has two columns named '" + cols[i].name +
                                "': name one of them with `as` in its statement to read them here");
        return false;
      }
      const ast::SelectQuery& inner = *q_.subquery;
      ast::SourcePos pos = inner.source_pos;
      int seen = 0;
      for (const ast::ExprPtr& g : inner.group_by)
        if (g && ast::ToString(*g) == cols[i].name && ++seen == 2) pos = g->pos;
      for (const ast::SelectItem& item : inner.items) {
        const std::string name = item.alias.empty() && item.expr ? ast::ToString(*item.expr) : item.alias;
        if (name == cols[i].name && ++seen == 2) pos = item.pos;
      }
      if (seen < 2)  // a group column named by its bucket
        for (const ast::SelectItem& item : inner.items)
          if (item.alias == cols[i].name) pos = item.pos;
      bool grouped = false;
      for (const ast::ExprPtr& g : inner.group_by) grouped |= g && ast::ToString(*g) == cols[i].name;
      Fail(pos, "the nested select has two columns named '" + cols[i].name + "': " +
                    (grouped ? "`by` columns lead every row already; drop '" + cols[i].name +
                                   "' from its select list or name the item with `as`"
                             : std::string("name one of them with `as` so the outer select can tell them apart")));
      return false;
    }
  }
  return true;
}

bool Binder::BindNestedGroupKey(const ast::ExprPtr& g) {
  std::vector<std::string> names;
  for (const ResultColumn& c : *ctx_.nested_columns) names.push_back(c.name);
  if (g->kind != ast::ExprKind::kColumn) {
    Fail(g->pos, "a nested select groups by columns of its inner result, not by `" + ast::ToString(*g) +
                     "` (compute it in the inner select and name it with `as`)");
    return false;
  }
  const int col = NestedColumnIndex(g->text);
  if (col < 0) {
    std::string lower = g->text;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    BucketUnit unit;
    std::string hint = DidYouMean(g->text, names);
    if (ParseBucketUnit(lower, &unit))
      hint = " (time buckets group events or tickets: group the inner select by " + lower +
             "; the nested select's columns are " + JoinNames(names) + ")";
    else if (hint.empty())
      hint = " (the nested select's columns are " + JoinNames(names) + ")";
    Fail(g->pos, "unknown column '" + g->text + "' of the nested select" + hint);
    return false;
  }
  const BoundExpr* e = BindRowExpr(*g);
  if (e == nullptr) return false;
  GroupKey key;
  key.expr = e;
  key.type = e->type;
  key.name = g->text;
  group_texts_.push_back(ast::ToString(*g));
  out_->groups.push_back(std::move(key));
  return true;
}

const BoundExpr* Binder::BindRowExpr(const ast::Expr& e) {
  if (!nested()) return BindRow(e);
  const RowScope saved = scope_;
  scope_ = RowScope::kNested;
  const BoundExpr* r = BindGroupCtx(e);
  scope_ = saved;
  return r;
}

const BoundExpr* Binder::BindAggregateArg(const ast::Expr& e, AggregateSpec* spec) {
  if (nested()) {
    spec->over_values = true;
    return BindRowExpr(e);
  }
  const bool cycles = spec->cycles.has_value() || ContainsCycles(e);
  if (!cycles) return BindRow(e);
  if (events()) {
    const ast::Expr* c = FirstCycles(e);
    return Fail(c ? c->pos : e.pos, "cycles(...) reads a ticket's events: it needs `from tickets`");
  }
  if (!spec->args.empty() && !spec->over_values)
    return Fail(e.pos, "an aggregate over cycles(...) runs over cycles in every argument: put cycles(...) in its "
                       "first argument");
  cycle_ = spec->cycles;
  const RowScope saved = scope_;
  scope_ = RowScope::kCycles;
  const BoundExpr* r = BindGroupCtx(e);
  scope_ = saved;
  if (r == nullptr) return nullptr;
  if (r->type == ValueType::kString)
    return Fail(e.pos, "an aggregate over cycles(...) takes a number, duration, time or predicate, not a string");
  spec->over_values = true;
  spec->cycles = cycle_;
  return r;
}

const BoundExpr* Binder::BindValueRow(const ast::Expr& e) {
  switch (e.kind) {
    case ast::ExprKind::kColumn: {
      if (scope_ == RowScope::kCycles)
        return Fail(e.pos, "an aggregate over cycles(...) reads only the cycle's duration; '" + e.text +
                               "' is per ticket (use it in `where`, in `by` or in another aggregate)");
      const int col = NestedColumnIndex(e.text);
      if (col < 0) {
        std::vector<std::string> names;
        for (const ResultColumn& c : *ctx_.nested_columns) names.push_back(c.name);
        std::string hint = DidYouMean(e.text, names);
        if (kpis_.count(e.text))
          hint = " (kpi '" + e.text + "' is computed over tickets: use it in the inner select)";
        else if (hint.empty())
          hint = " (the nested select's columns are " + JoinNames(names) + ")";
        return Fail(e.pos, "unknown column '" + e.text + "' of the nested select" + hint);
      }
      BoundExpr node;
      node.kind = BoundKind::kGroupKey;
      node.index = col;
      node.type = (*ctx_.nested_columns)[col].type;
      node.text = e.text;
      return Group(std::move(node));
    }
    case ast::ExprKind::kCall: {
      if (e.text == "cycles") {
        if (scope_ == RowScope::kNested || nested())
          return Fail(e.pos, "cycles(...) reads a ticket's events: a nested select's rows are not tickets");
        if (scope_ != RowScope::kCycles)
          return Fail(e.pos, events() ? "cycles(...) reads a ticket's events: it needs `from tickets`"
                                      : "cycles(A -> B) is only allowed inside an aggregate (e.g. "
                                        "p90(cycles(customer_reply -> agent_reply)))");
        const ast::Expr* span = e.args.size() == 1 ? e.args[0].get() : nullptr;
        if (span == nullptr || span->kind != ast::ExprKind::kArrow || span->args.size() != 2)
          return Fail(e.pos, "usage: cycles(A -> B), A and B event names");
        if (!span->text.empty())
          return Fail(span->pos, "cycles(...) measures elapsed time; it takes no calendar (`in " + span->text + "`)");
        CycleSpec spec;
        if (!EventArg(*span->args[0], &spec.a) || !EventArg(*span->args[1], &spec.b)) return nullptr;
        if (cycle_ && (cycle_->a.name != spec.a.name || cycle_->b.name != spec.b.name))
          return Fail(e.pos, "one aggregate runs over one kind of cycle: cycles(" + cycle_->a.name + " -> " +
                                 cycle_->b.name + ") and cycles(" + spec.a.name + " -> " + spec.b.name +
                                 ") differ (use one aggregate for each)");
        cycle_ = spec;
        BoundExpr node;
        node.kind = BoundKind::kGroupKey;
        node.index = 0;
        node.type = ValueType::kDuration;
        node.text = "cycles(" + spec.a.name + " -> " + spec.b.name + ")";
        return Group(std::move(node));
      }
      if (FindAggregate(e.text))
        return Fail(e.pos, "aggregate " + e.text + "() is not allowed here (aggregates do not nest; in a nested "
                                                   "select, aggregate the inner result's columns)");
      if (FindScalarFunction(e.text)) return BindScalar(e, Ctx::kGroup);
      if (FindTicketFunction(e.text))
        return Fail(e.pos, scope_ == RowScope::kCycles
                               ? e.text + "() is per ticket; an aggregate over cycles(...) reads only the cycle "
                                          "(use another aggregate)"
                               : e.text + "() is a per-ticket function: a nested select's rows are the inner "
                                          "result's, not tickets (use it in the inner select)");
      return Fail(e.pos, "unknown function '" + e.text + "'" + DidYouMean(e.text, FunctionCandidates()));
    }
    default:
      return BindOperatorOrLiteral(e, Ctx::kGroup);
  }
}

}  // namespace kpi::query::binding
