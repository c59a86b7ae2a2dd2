#include "query/binder/kpi_columns.h"

#include <memory>

#include "query/binder/binder_internal.h"

namespace kpi::query {

namespace {

// Whether `q` fails to bind on an unknown name (*error: the error).
bool FailsOnUnknownName(const ast::SelectQuery& q, const Schema& schema, const KpiMap& kpis, BindError* error) {
  BindContext context;
  context.kpis = &kpis;
  BoundQuery bound;
  binding::Binder binder(q, schema, kpis, context, &bound);
  return !binder.Run(error) && binder.unknown_column();
}

}  // namespace

bool KpiNamesUnknownColumn(const ast::Expr& expr, const KpiMap& kpis, const Schema& schema, BindError* error) {
  if (schema.Columns().empty()) return false;
  const ast::ExprPtr e = std::make_shared<const ast::Expr>(expr);
  auto unknown_in = [&](const char* source, bool per_row, BindError* err) {
    ast::SelectQuery q;
    q.source = source;
    if (per_row) {
      auto count = std::make_shared<ast::Expr>();
      count->kind = ast::ExprKind::kCall;
      count->text = "count";
      count->pos = expr.pos;
      q.items.push_back(ast::SelectItem{count, "n", expr.pos});
      q.group_by.push_back(e);
    } else {
      q.items.push_back(ast::SelectItem{e, "x", expr.pos});
    }
    return FailsOnUnknownName(q, schema, kpis, err);
  };
  // An unknown name is unknown from either source (the builtins of one
  // source are not flagged from the other): the first binding that meets
  // one tells, whatever the others fail on first.
  for (bool per_row : {false, true})
    for (const char* source : {"tickets", "events"})
      if (unknown_in(source, per_row, error)) return true;
  return false;
}

}  // namespace kpi::query
