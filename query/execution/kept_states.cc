#include "query/execution/kept_states.h"

#include <cstring>
#include <utility>

#include "query/execution/memo_keys.h"
#include "query/execution/ticket_memo.h"

namespace kpi::query {

std::string KeptStatesKey(const BoundQuery& q, const ExecOptions& options, uint32_t created_code,
                          const std::vector<std::string>* repeats) {
  if (MemoOff() || q.nested || options.scope || !q.exclusions.empty()) return "";
  std::string key = MemoKey('s', static_cast<uint64_t>(q.source));
  if (q.during)  // the rows placed in the window
    key += "|w" + MemoKey('w', static_cast<uint64_t>(q.during->first), static_cast<uint64_t>(q.during->second));
  // The rows: every row, or over tickets those holding the `at` event.
  if (q.source == Source::kTickets && q.at && (!q.at->is_created || q.at_last))
    key += "|" + AtMemoKey(q.at->code, q.at_last);
  else key += "|r";
  auto add = [&](const BoundExpr* e) {
    const std::string k = e == nullptr ? std::string("-") : RowMemoKey(*e, q.source, created_code, repeats);
    key += "|" + k;
    return !k.empty();
  };
  if (q.where != nullptr && !add(q.where)) return "";
  key += "|g" + std::to_string(q.groups.size());
  for (const GroupKey& g : q.groups) {
    if (g.is_bucket) key += "|" + BucketMemoKey(q, g, created_code);
    else if (g.expr == nullptr || (g.expr->type == ValueType::kString && g.expr->str.kind != StrKind::kDict) ||
             !add(g.expr))
      return "";  // (string keys: dictionary codes only, PartValue)
  }
  for (const AggregateSpec& a : q.aggregates) {
    if (a.family == nullptr || a.family->kept_group_bytes == 0 || a.cycles || a.over_values) return "";
    uint64_t param;
    std::memcpy(&param, &a.param, sizeof param);
    key += "|" + a.name + MemoKey('t', param, static_cast<uint64_t>(a.out_type), a.args.size());
    for (ValueType t : a.arg_types) key += MemoKey('a', static_cast<uint64_t>(t));
    for (const BoundExpr* e : a.args)
      if (!add(e)) return "";
  }
  return BoundedMemoKey(std::move(key));
}

size_t KeptStatesBytes(const BoundQuery& q, size_t groups) {
  size_t per_group = q.groups.size() * sizeof(uint64_t);
  for (const AggregateSpec& a : q.aggregates) per_group += a.family->kept_group_bytes;
  return sizeof(KeptStates) + q.groups.size() * (sizeof(ValueType) + sizeof(StrDomain)) +
         q.aggregates.size() * 64 + groups * per_group;
}

void FinishKeptStates(const BoundQuery& q, KeptStates* s) {
  s->bytes = KeptStatesBytes(q, s->groups);
  for (auto& a : s->aggs) {
    a->Freeze();
    s->bytes += a->HeldBytes();
  }
}

}  // namespace kpi::query
