// Evaluation of group-context expressions (select items, having) once per
// group, over Values: leaves are the group's key values, its finalized
// aggregates, the already computed items (having may name them by alias)
// and constants. Operators follow value_ops.h.
// Thread safety: pure function.
#pragma once

#include <vector>

#include "query/binder/bound_expr.h"
#include "query/result.h"

namespace kpi::query {

// `items` may be nullptr when no item is computed yet (select list).
Value EvalGroupExpr(const BoundExpr& e, const std::vector<Value>& keys, const std::vector<Value>& aggregates,
                    const std::vector<Value>* items);

}  // namespace kpi::query
