// The binder's own unknown-column check for a KPI expression, for `define
// kpi` (query/definition_statements.cc; PUT /v1/kpis/{name} runs one): a
// definition naming a column that does not exist is refused where a query
// naming it would be, with the query's message and position.
//
// The expression is bound as the queries that use a KPI bind it: in the
// select list (an aggregate KPI) and per row (as a `by` group: a per-row
// KPI), each from tickets and from events, with the visible KPIs. It is
// refused when a binding fails on a name that is no column of either
// source, no KPI and no bucket (a builtin of the other source, such as
// `time` from tickets, does not count); other binding errors may depend on
// the query that uses the KPI (its groups, joins, calendars) and are left
// to it. A store
// with no columns yet (nothing ingested) is not checked: KPIs may be
// defined before the first events arrive.
// Thread safety: a pure function of its inputs.
#pragma once

#include "query/binder/binder.h"
#include "query/binder/schema.h"

namespace kpi::query {

// True when `expr` names an unknown column; *error is then the binder's
// error, at the name.
bool KpiNamesUnknownColumn(const ast::Expr& expr, const KpiMap& kpis, const Schema& schema, BindError* error);

}  // namespace kpi::query
