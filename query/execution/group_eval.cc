#include "query/execution/group_eval.h"

#include "query/functions/scalar_functions.h"
#include "query/value_ops.h"

namespace kpi::query {

Value EvalGroupExpr(const BoundExpr& e, const std::vector<Value>& keys, const std::vector<Value>& aggregates,
                    const std::vector<Value>* items) {
  auto at = [](const std::vector<Value>& v, int i) {
    return i >= 0 && static_cast<size_t>(i) < v.size() ? v[i] : Value::Null();
  };
  switch (e.kind) {
    case BoundKind::kConst:
      return e.value;
    case BoundKind::kGroupKey:
      return at(keys, e.index);
    case BoundKind::kAggregate:
      return at(aggregates, e.index);
    case BoundKind::kItemRef:
      return items ? at(*items, e.index) : Value::Null();
    case BoundKind::kUnary:
      return ApplyUnary(e.op, EvalGroupExpr(*e.args[0], keys, aggregates, items));
    case BoundKind::kBinary:
      return ApplyBinary(e.op, EvalGroupExpr(*e.args[0], keys, aggregates, items),
                         EvalGroupExpr(*e.args[1], keys, aggregates, items));
    case BoundKind::kIn: {
      std::vector<Value> list;
      for (size_t i = 1; i < e.args.size(); ++i) list.push_back(EvalGroupExpr(*e.args[i], keys, aggregates, items));
      return ApplyIn(EvalGroupExpr(*e.args[0], keys, aggregates, items), list, e.negated);
    }
    case BoundKind::kScalar: {
      std::vector<Value> args;
      args.reserve(e.args.size());
      for (const BoundExpr* a : e.args) args.push_back(EvalGroupExpr(*a, keys, aggregates, items));
      return ApplyScalar(e.scalar, args, e.has_else, e.digits);
    }
    default:
      return Value::Null();
  }
}

}  // namespace kpi::query
