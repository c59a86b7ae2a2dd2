// The rules of the nested-select walk (see query/execution/nested_levels.h).
#include "query/execution/nested_levels.h"

namespace kpi::query {

std::optional<std::string> NestedZone(const ast::SelectQuery& q) {
  for (const ast::SelectQuery* s = &q; s != nullptr; s = s->subquery.get())
    if (s->tz) return s->tz;
  return std::nullopt;
}

ExecOptions LevelOptions(const ExecOptions& options, bool answer) {
  ExecOptions level = options;
  if (!answer) level.max_result_rows = static_cast<size_t>(-1);
  return level;
}

bool NestedLeafError(const ast::SelectQuery& leaf, ast::SourcePos* pos, std::string* message) {
  if (!leaf.compare && !leaf.rolling) return true;
  *pos = leaf.compare ? leaf.compare->pos : leaf.rolling_pos;
  *message = "`compare with` and `rolling` are not supported inside a nested select yet";
  return false;
}

NestedExplain ExplainNested(const ast::SelectQuery& q) {
  NestedExplain plan;
  const ast::SelectQuery* inner = &q;
  for (; inner->source == "select" && inner->subquery != nullptr; inner = inner->subquery.get())
    plan.notes.push_back("then: a nested select over the result above");
  plan.innermost = *inner;
  if (!plan.innermost.tz) plan.innermost.tz = NestedZone(q);
  return plan;
}

}  // namespace kpi::query
