// The walk of a nested select (`select ... from (select ...)`, any depth;
// docs/query-language.md 16.5), one set of rules for every place that runs
// one: the local engine (query/engine.cc), `from watch`
// (query/watch/watch_select.cc) and the ClickHouse backend
// (clickhouse/select_run.cc, which turns levels into SQL, not rows).
//
//   NestedZone      the statement's zone: the first `tz` from the outside in;
//                   every level that names none reads in it
//   WalkNested      the levels innermost first, each given the one inside's
//                   output; only the outermost is the answer
//   LevelOptions    a level's options: only the answer is capped by
//                   max_result_rows (inner levels may have any number of rows)
//   NestedLeafError the innermost level of a nested select may not use
//                   `compare with` or `rolling` (yet)
//   ExplainNested   what explain shows: the innermost level's plan (in the
//                   statement's zone) and a note for each level above it
// Thread safety: pure functions of their arguments.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "query/backend/backend.h"
#include "query/parser/ast.h"
#include "storage/status.h"

namespace kpi::query {

std::optional<std::string> NestedZone(const ast::SelectQuery& q);

ExecOptions LevelOptions(const ExecOptions& options, bool answer);

// False for a nested select's innermost level `leaf` that uses `compare
// with` or `rolling`, with the position and message of the error.
bool NestedLeafError(const ast::SelectQuery& leaf, ast::SourcePos* pos, std::string* message);

struct NestedExplain {
  ast::SelectQuery innermost;      // with the statement's zone when it names none
  std::vector<std::string> notes;  // "then: ..." one a level above it, inside out
};
NestedExplain ExplainNested(const ast::SelectQuery& q);

// Runs `q` (zone `tz`: NestedZone of the whole statement) level by level
// into *out, innermost first: leaf(level, answer, out) for the innermost
// (whose source is not a select), over(level, inner, answer, out) for each
// level above it, `inner` what the level inside gave. `level` is the
// level's statement with `tz` when it names none; `answer` is true for the
// outermost level only. The first failure stops the walk.
template <typename Out, typename Leaf, typename Over>
Status WalkNested(const ast::SelectQuery& q, const std::optional<std::string>& tz, const Leaf& leaf, const Over& over,
                  Out* out, bool answer = true) {
  ast::SelectQuery level = q;
  if (!level.tz) level.tz = tz;
  if (level.source != "select" || level.subquery == nullptr) return leaf(level, answer, out);
  Out inner;
  KPI_RETURN_IF_ERROR(WalkNested(*q.subquery, tz, leaf, over, &inner, false));
  return over(level, inner, answer, out);
}

}  // namespace kpi::query
