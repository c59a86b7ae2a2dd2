// Binding of a select statement (see query/binder/binder_internal.h).
#include "query/binder/binder_internal.h"
#include "query/binder/relative_window.h"

namespace kpi::query::binding {

// ---- group context -------------------------------------------------------
int Binder::GroupIndexOf(const ast::Expr& e) const {
  if (e.kind != ast::ExprKind::kColumn && e.kind != ast::ExprKind::kCall) return -1;
  const std::string t = ast::ToString(e);
  for (size_t i = 0; i < group_texts_.size(); ++i)
    if (group_texts_[i] == t) return static_cast<int>(i);
  return -1;
}

const BoundExpr* Binder::BindGroupCtx(const ast::Expr& e) {
  if (failed_) return nullptr;
  const NestingGuard nesting(&depth_);
  if (nesting.too_deep()) return Fail(e.pos, "expression nests too deep");
  if (scope_ != RowScope::kNone) return BindValueRow(e);
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
      if (FindScalarFunction(e.text)) return BindScalar(e, Ctx::kGroup);
      if (e.text == "cycles") return BindValueRow(e);  // the error: only inside an aggregate
      const auto& tf = TicketFunctionNames();
      if (std::find(tf.begin(), tf.end(), e.text) != tf.end())
        return Fail(e.pos, e.text + "() gives one value per ticket: put it inside an aggregate (e.g. avg(...), "
                                    "rate(...)) or in `by`");
      return Fail(e.pos, "unknown function '" + e.text + "'" + DidYouMean(e.text, FunctionCandidates()));
    }
    default:
      return BindOperatorOrLiteral(e, Ctx::kGroup);
  }
}

const BoundExpr* Binder::BindAggregate(const ast::Expr& e, const AggregateEntry& entry) {
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
    const BoundExpr* a = BindAggregateArg(*e.args[i], &spec);
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
bool Binder::BindGroupKey(const ast::ExprPtr& g) {
  if (g == nullptr) {
    Fail(q_.source_pos, "empty `by` item");
    return false;
  }
  if (nested()) return BindNestedGroupKey(g);
  GroupKey key;
  BucketUnit unit;
  std::string lower = g->text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // Bucket names are keywords (any case) unless a column has that exact name.
  if (g->kind == ast::ExprKind::kColumn && !IsColumnName(g->text) && ParseBucketUnit(lower, &unit)) {
    key.is_bucket = true;
    key.unit = unit;
    key.type = IsCyclicUnit(unit) ? ValueType::kNumber : ValueType::kTime;
    key.name = lower;
  } else if (g->kind == ast::ExprKind::kDuration || g->kind == ast::ExprKind::kNumber ||
             g->kind == ast::ExprKind::kPercent) {
    // `by 15m`: steps of a duration that divides a day, from local midnight.
    const double ms = g->number * 1000.0;
    constexpr int64_t kDayMs = 86'400'000;
    if (g->kind != ast::ExprKind::kDuration || !(ms >= 1) || ms > kDayMs || std::floor(ms) != ms ||
        kDayMs % static_cast<int64_t>(ms) != 0) {
      Fail(g->pos, "a duration bucket must divide a day (e.g. 5m, 15m, 30m, 1h, 2h), not `" + ast::ToString(*g) + "`");
      return false;
    }
    key.is_bucket = true;
    key.unit = BucketUnit::kStep;
    key.step_ms = static_cast<int64_t>(ms);
    key.type = ValueType::kTime;
    key.name = g->text.empty() ? ast::ToString(*g) : g->text;  // named as written: `by 60m` is `60m`
  } else {
    if (g->kind == ast::ExprKind::kColumn && !IsColumnName(g->text) && !kpis_.count(g->text) &&
        !g->boolean) {  // not TABLE.column
      std::vector<std::string> candidates = SourceColumnNames();
      for (const auto& b : BucketNames()) candidates.push_back(b);
      if (!failed_) unknown_column_ = true;
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

bool Binder::BindJoins() {
  for (const ast::JoinClause& j : q_.joins) {
    auto it = ctx_.tables.find(j.table);
    if (it == ctx_.tables.end() || it->second.table == nullptr) {
      std::vector<std::string> names;
      for (const auto& [name, t] : ctx_.tables) names.push_back(name);
      Fail(j.pos, "unknown table '" + j.table + "'" + DidYouMean(j.table, names) +
                      " (load one with `kpi table load` or PUT /v1/tables/NAME)");
      return false;
    }
    for (const BoundJoin& b : out_->joins)
      if (b.name == j.table) {
        Fail(j.pos, "table '" + j.table + "' is joined twice");
        return false;
      }
    if (j.on == nullptr) {
      Fail(j.pos, "join needs `on <expression>`");
      return false;
    }
    const BoundExpr* key = BindRow(*j.on);
    if (key == nullptr) return false;
    const LookupTable& table = *it->second.table;
    const bool number_key = table.key().type == TableColumnType::kNumber;
    if (number_key ? !IsNumericType(key->type) : key->type != ValueType::kString) {
      Fail(j.on->pos, "join key is a " + std::string(ValueTypeName(key->type)) + " but table '" + j.table +
                          "' is keyed on " + (number_key ? "numbers" : "strings") + " (column '" +
                          table.key().name + "')");
      return false;
    }
    BoundJoin join;
    join.name = j.table;
    join.table = it->second.table;
    join.key = key;
    if (key->type == ValueType::kString && key->str.kind == StrKind::kDict) {
      const std::vector<std::string> texts = DictTexts(key->str.column);
      join.row_of_code.assign(texts.size() + 1, -1);
      for (size_t c = 0; c < texts.size(); ++c)
        join.row_of_code[c + 1] = static_cast<int32_t>(table.FindRow(std::string_view(texts[c])));
    } else {
      NeedText(key);
    }
    out_->joins.push_back(std::move(join));
    out_->used_definitions["table:" + j.table] = it->second.version_ms;
  }
  return true;
}

bool Binder::BindExclusions() {
  for (const ExclusionRef& x : ctx_.exclusions) {
    // Rows are kept by `during` and left out by the window, both on the
    // row's time: a window outside `during` leaves nothing out, so it is
    // not bound (a predicate that cannot bind here fails only where it
    // could matter) and not listed as used.
    if (out_->during && (x.end_ms <= out_->during->first || x.start_ms >= out_->during->second)) continue;
    BoundExclusion b;
    b.name = x.name;
    b.start_ms = x.start_ms;
    b.end_ms = x.end_ms;
    if (x.where) {
      b.pred = BindRow(*x.where);
      // The predicate's positions are in the exemption's own text, not in
      // this statement: the error points at the statement's source and
      // gives the position inside the definition in words.
      const auto in_definition = [&](const ast::SourcePos& pos, const std::string& msg) {
        err_.message = "exemption '" + x.name + "' cannot be applied to this statement: its `where` (line " +
                       std::to_string(pos.line) + ", column " + std::to_string(pos.column) +
                       " of its definition): " + msg;
        err_.pos = q_.source_pos;
        failed_ = true;
        return false;
      };
      if (b.pred == nullptr) return in_definition(err_.pos, err_.message);
      if (b.pred->type != ValueType::kBool && b.pred->type != ValueType::kNull)
        return in_definition(x.where->pos, "needs a predicate");
    }
    out_->exclusions.push_back(b);
    out_->used_definitions["exemption:" + x.name] = x.version_ms;
  }
  return true;
}

bool Binder::RunInner() {
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
  } else if (q_.source == "select" || q_.source == "watch") {
    if (!BindNestedSource()) return false;
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
    if (!at.is_created || q_.at_last) out_->at = at;
    out_->at_last = q_.at_last;
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
  if (q_.during_relative) {
    if (!ctx_.now_ms) {
      Fail(q_.during_relative->pos, "internal: `during " + q_.during_relative->text + "` without a current instant");
      return false;
    }
    int64_t a, b;
    std::string why;
    if (!ResolveRelativeWindow(*q_.during_relative, out_->tz, *ctx_.now_ms, &a, &b, &why)) {
      Fail(q_.during_relative->pos, why);
      return false;
    }
    out_->during = std::make_pair(a, b);
    out_->during_relative = q_.during_relative->text;
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
  if (!BindJoins() || !BindExclusions()) return false;
  if (q_.where) {
    const BoundExpr* w = BindRowExpr(*q_.where);
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

}  // namespace kpi::query::binding

namespace kpi::query {

const std::vector<std::string>& BuiltinColumnNames() {
  static const std::vector<std::string> names = {"time", "ticket", "event", "agent", "created"};
  return names;
}

bool BindSelect(const ast::SelectQuery& query, const storage::Catalog& catalog, const KpiMap& kpis,
                BoundQuery* out, BindError* error) {
  BindContext context;
  context.kpis = &kpis;
  return BindSelect(query, catalog, context, out, error);
}

bool BindSelect(const ast::SelectQuery& query, const storage::Catalog& catalog, const BindContext& context,
                BoundQuery* out, BindError* error) {
  return BindSelect(query, CatalogSchema(catalog), context, out, error);
}

bool BindSelect(const ast::SelectQuery& query, const Schema& schema, const BindContext& context, BoundQuery* out,
                BindError* error) {
  static const KpiMap kNoKpis;
  binding::Binder binder(query, schema, context.kpis ? *context.kpis : kNoKpis, context, out);
  return binder.Run(error);
}

}  // namespace kpi::query
