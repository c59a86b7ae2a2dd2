#include "query/execution/hollow_scan.h"

#include "query/execution/memo_keys.h"
#include "query/execution/ticket_memo.h"

namespace kpi::query {

namespace {

// Whether evaluating `e` over ticket rows reads the segment through its
// memo only (query/execution/eval.cc: a node with a memo key is a memo
// value, or derived on its miss; an operator without one evaluates its
// operands).
bool ThroughMemo(const BoundExpr& e, uint32_t created_code) {
  switch (e.kind) {
    case BoundKind::kConst:
      return true;
    case BoundKind::kTicketFn:
      if (e.fn == TicketFn::kRepeatWithin) return true;  // the pre-pass's answers
      break;
    default:
      break;
  }
  if (!RowMemoKey(e, Source::kTickets, created_code).empty()) return true;
  if (e.kind != BoundKind::kUnary && e.kind != BoundKind::kBinary && e.kind != BoundKind::kIn) return false;
  for (const BoundExpr* a : e.args)
    if (a == nullptr || !ThroughMemo(*a, created_code)) return false;
  return true;
}

}  // namespace

bool HollowScanOk(const BoundQuery& q, const ExecOptions& options, uint32_t created_code) {
  if (MemoOff() || q.source != Source::kTickets || q.nested || options.scope || !q.exclusions.empty()) return false;
  if (q.where != nullptr && !ThroughMemo(*q.where, created_code)) return false;
  for (const GroupKey& g : q.groups)
    if (!g.is_bucket && (g.expr == nullptr || !ThroughMemo(*g.expr, created_code))) return false;
  for (const AggregateSpec& a : q.aggregates) {
    if (a.cycles || a.over_values) return false;
    for (const BoundExpr* arg : a.args)
      if (arg == nullptr || !ThroughMemo(*arg, created_code)) return false;
  }
  return true;
}

}  // namespace kpi::query
