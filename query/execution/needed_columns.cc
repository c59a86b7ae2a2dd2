#include "query/execution/needed_columns.h"

#include "query/execution/scope.h"

namespace kpi::query {

namespace {

// A string node's dictionary, when it is one the segments hold.
void AddDictionary(const StrDomain& str, storage::SegmentColumns* c) {
  if (str.kind == StrKind::kTicket) c->ticket_ids = true;
  if (str.kind != StrKind::kDict || str.column >= kScalarDictBase) return;
  if (str.column == storage::kEventColumn) c->events = true;
  else if (str.column == storage::kAgentColumn) c->agents = true;
  else c->AddDim(str.column);
}

void AddNode(const BoundExpr& e, storage::SegmentColumns* c) {
  AddDictionary(e.str, c);
  if (e.kind == BoundKind::kColumn) {
    switch (e.column) {
      case ColumnRef::kTime: c->times = true; break;
      case ColumnRef::kTicket: c->ticket_ids = true; break;
      case ColumnRef::kEvent: c->events = true; break;
      case ColumnRef::kAgent: c->agents = true; break;
      case ColumnRef::kCreated: c->times = c->events = true; break;
      case ColumnRef::kDim: c->AddDim(e.column_id); break;
      case ColumnRef::kMeasure: c->AddMeasure(e.column_id); break;
    }
  } else if (e.kind == BoundKind::kTicketFn) {
    c->times = c->events = true;  // every per-ticket function reads the ticket's events in time
    if (e.fn == TicketFn::kAgentOf) c->agents = true;
    if (e.fn == TicketFn::kTotal) c->AddMeasure(e.column_id);
    for (uint32_t d : e.dims) c->AddDim(d);  // repeat_within
  }
}

// `e` and every node below it.
void AddTree(const BoundExpr* e, storage::SegmentColumns* c) {
  if (e == nullptr) return;
  for (const BoundExpr* a : e->args) AddTree(a, c);
  AddNode(*e, c);
}

}  // namespace

bool NeedsPlacement(const BoundQuery& q) {
  if (q.during || q.at || !q.exclusions.empty()) return true;
  for (const GroupKey& g : q.groups)
    if (g.is_bucket) return true;
  return false;
}

storage::SegmentColumns NeededColumns(const BoundQuery& q, const ExecOptions& options, const storage::Catalog& catalog) {
  storage::SegmentColumns c;
  // From the roots, not BoundQuery::nodes: a query derived from another
  // (trends' WithWindow) shares the other's nodes and owns none.
  AddTree(q.where, &c);
  for (const GroupKey& g : q.groups) AddTree(g.expr, &c);
  for (const AggregateSpec& a : q.aggregates)
    for (const BoundExpr* arg : a.args) AddTree(arg, &c);
  for (const BoundJoin& j : q.joins) AddTree(j.key, &c);
  for (const BoundExclusion& x : q.exclusions) AddTree(x.pred, &c);
  for (const SelectItem& item : q.items) AddTree(item.expr, &c);
  AddTree(q.having, &c);
  if (NeedsPlacement(q)) {
    c.times = true;
    if (q.source == Source::kTickets) c.events = true;  // creation: the first `created` (or `at`) event
  }
  if (q.as_of_ms || options.as_of_ms) c.batches = true;
  for (const RepeatSpec& r : q.repeats) {
    c.times = c.events = true;  // each ticket's creation
    for (uint32_t d : r.dims) c.AddDim(d);
  }
  for (const AggregateSpec& a : q.aggregates)
    if (a.cycles) c.times = c.events = true;
  if (options.scope) {
    for (const std::string& name : options.scope->dims()) {
      const auto info = catalog.FindColumn(name);
      if (info && info->kind == storage::ColumnKind::kDimension) c.AddDim(info->id);
    }
  }
  return c;
}

}  // namespace kpi::query
