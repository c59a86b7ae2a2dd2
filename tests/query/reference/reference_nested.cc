#include "query/reference/reference_nested.h"

#include <memory>
#include <set>

namespace kpi::reference {

namespace {
Status At(const query::ast::SourcePos& pos, const std::string& what) {
  return Status::InvalidArgument("line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) +
                                 ": " + what);
}
}  // namespace

std::optional<std::string> StatementZone(const query::ast::SelectQuery& q) {
  for (const query::ast::SelectQuery* s = &q; s != nullptr; s = s->subquery.get())
    if (s->tz) return s->tz;
  return std::nullopt;
}

namespace {
// Every level below `q` that names no zone gets `zone`: the statement's, not
// the nearest enclosing level's (outer NY, middle Berlin, inner none: NY).
void FillZone(query::ast::SelectQuery* q, const std::optional<std::string>& zone) {
  if (!q->tz) q->tz = zone;
  if (q->subquery == nullptr) return;
  auto copy = std::make_shared<query::ast::SelectQuery>(*q->subquery);
  FillZone(copy.get(), zone);
  q->subquery = std::move(copy);
}
}  // namespace

Status InnerStatement(const query::ast::SelectQuery& outer, query::ast::SelectQuery* inner) {
  *inner = *outer.subquery;
  if (inner->as_of) return At(inner->as_of->pos, "`as of` belongs to the whole statement");
  inner->as_of = outer.as_of;
  FillZone(inner, StatementZone(outer));
  return Status::OK();
}

Status CheckNestedSource(const query::ast::SelectQuery& outer, const query::Result& inner) {
  std::set<std::string> names;
  for (const query::ResultColumn& c : inner.columns)
    if (!names.insert(c.name).second) return At(outer.subquery->source_pos, "two inner columns named " + c.name);
  if (!outer.joins.empty()) return At(outer.joins[0].pos, "join on a nested select");
  if (outer.at_event) return At(outer.at_pos, "at on a nested select");
  if (outer.during_start) return At(outer.during_start->pos, "during on a nested select");
  if (outer.rolling) return At(outer.rolling_pos, "rolling on a nested select");
  if (outer.compare) return At(outer.compare->pos, "compare on a nested select");
  return Status::OK();
}

}  // namespace kpi::reference
