// `from watch NAME` (see query/watch/watch_select.h).
#include "query/watch/watch_select.h"

#include <algorithm>

#include "query/binder/relative_window.h"
#include "query/binder/suggest.h"
#include "query/execution/nested_levels.h"
#include "query/execution/nested_select.h"
#include "query/time_buckets.h"
#include "query/watch/watch_runs.h"

namespace kpi::query {

namespace {

Status Failed(const ast::SourcePos& pos, const std::string& message, bool bind, WatchSelectFailure* failure) {
  failure->message = message;
  failure->pos = pos;
  failure->bind = bind;
  return Status::InvalidArgument("line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) + ": " +
                                 message);
}

// The `during` of the statement, on run_at: absolute, or relative to now
// (and then recorded in *windows).
Status RunWindow(const ast::SelectQuery& q, int64_t now_ms, std::optional<std::pair<int64_t, int64_t>>* window,
                 std::vector<ResolvedWindow>* windows, WatchSelectFailure* failure) {
  if (!q.during_start && !q.during_relative) return Status::OK();
  cctz::time_zone tz;
  if (!LoadQueryZone(q.tz.value_or("UTC"), &tz))
    return Failed(q.tz_pos, "unknown time zone '" + *q.tz + "' (use an IANA name such as \"Europe/Berlin\")", false,
                  failure);
  int64_t a = 0, b = 0;
  std::string why;
  if (q.during_relative) {
    if (!ResolveRelativeWindow(*q.during_relative, tz, now_ms, &a, &b, &why))
      return Failed(q.during_relative->pos, why, false, failure);
    windows->push_back(ResolvedWindow{q.during_relative->text, a, b});
  } else {
    if (!ParseQueryInstant(q.during_start->text, tz, &a, &why))
      return Failed(q.during_start->pos, "bad `during` start: " + why, false, failure);
    if (!ParseQueryInstant(q.during_end->text, tz, &b, &why))
      return Failed(q.during_end->pos, "bad `during` end: " + why, false, failure);
  }
  *window = std::make_pair(a, b);
  return Status::OK();
}

// Binds one level of a nested select over rows with `columns` (the level
// below's answer), inheriting the statement's `as of`; adds the definitions
// it used to *used.
Status BindOverRows(const ast::SelectQuery& q, const std::vector<ResultColumn>& columns, const WatchSelectInput& in,
                    BoundQuery* bound, std::map<std::string, int64_t>* used, WatchSelectFailure* failure) {
  BindContext context = in.context;
  context.nested_columns = &columns;
  BindError berr;
  if (!BindSelect(q, in.schema, context, bound, &berr)) return Failed(berr.pos, berr.message, true, failure);
  if (in.as_of_ms) bound->as_of_ms = in.as_of_ms;  // the statement's, as the engine answers it
  used->insert(bound->used_definitions.begin(), bound->used_definitions.end());
  return Status::OK();
}

// One `select ... from watch NAME` level.
Status WatchLevel(const ast::SelectQuery& q, const WatchSelectInput& in, bool explain, Result* out,
                  std::map<std::string, int64_t>* used, std::vector<ResolvedWindow>* windows,
                  WatchSelectFailure* failure) {
  const auto def = in.defs.watches.find(q.watch);
  if (def == in.defs.watches.end()) {
    std::vector<std::string> names;
    for (const auto& [name, d] : in.defs.watches) names.push_back(name);
    return Failed(q.source_pos, "unknown watch '" + q.watch + "'" + DidYouMean(q.watch, names), false, failure);
  }
  std::vector<WatchRun> runs;
  KPI_RETURN_IF_ERROR(LoadWatchRuns(in.meta, q.watch, in.as_of_ms, &runs));
  Result history = WatchHistoryTable(runs);
  std::optional<std::pair<int64_t, int64_t>> window;
  KPI_RETURN_IF_ERROR(RunWindow(q, in.now_ms, &window, windows, failure));
  if (window)
    std::erase_if(history.rows, [&window](const std::vector<Value>& row) {
      return row[0].time_ms < window->first || row[0].time_ms >= window->second;
    });
  ast::SelectQuery outer = q;
  outer.during_start.reset();
  outer.during_end.reset();
  outer.during_relative.reset();
  BoundQuery bound;
  KPI_RETURN_IF_ERROR(BindOverRows(outer, history.columns, in, &bound, used, failure));
  (*used)["watch:" + q.watch] = def->second.defined_at_ms;
  if (explain) {
    out->columns = {ResultColumn{"plan", ValueType::kString}};
    std::string source = "source: watch " + q.watch + " (" + std::to_string(runs.size()) + " runs kept, " +
                         std::to_string(history.rows.size()) + " rows";
    if (window)
      source += " with run_at in [" + FormatInstantUtc(window->first) + ", " + FormatInstantUtc(window->second) + ")";
    out->rows.push_back({Value::String(source + ")")});
    out->rows.push_back({Value::String("then: a nested select over those rows (columns: run_at, then the watch's)")});
    return Status::OK();
  }
  return ExecuteNestedSelect(&bound, history, in.options, out);
}

}  // namespace

bool ReadsWatch(const ast::SelectQuery& q) {
  const ast::SelectQuery* s = &q;
  while (s->source == "select" && s->subquery != nullptr) s = s->subquery.get();
  return s->source == "watch";
}

Status SelectFromWatch(const ast::SelectQuery& q, const WatchSelectInput& in, bool explain, Result* out,
                       std::map<std::string, int64_t>* used, std::vector<ResolvedWindow>* windows,
                       WatchSelectFailure* failure) {
  if (q.source == "watch") return WatchLevel(q, in, explain, out, used, windows, failure);
  // A nested select over a watch (query/execution/nested_levels.h).
  if (explain) {
    const NestedExplain plan = ExplainNested(q);
    KPI_RETURN_IF_ERROR(WatchLevel(plan.innermost, in, true, out, used, windows, failure));
    for (const std::string& n : plan.notes) out->rows.push_back({Value::String(n)});
    return Status::OK();
  }
  auto leaf = [&](const ast::SelectQuery& level, bool answer, Result* into) {
    const ExecOptions options = LevelOptions(in.options, answer);
    const WatchSelectInput input{in.meta, in.schema, in.defs, in.context, in.as_of_ms, in.now_ms, options};
    return WatchLevel(level, input, false, into, used, windows, failure);
  };
  auto over = [&](const ast::SelectQuery& level, const Result& inner, bool answer, Result* into) {
    BoundQuery bound;
    KPI_RETURN_IF_ERROR(BindOverRows(level, inner.columns, in, &bound, used, failure));
    return ExecuteNestedSelect(&bound, inner, LevelOptions(in.options, answer), into);
  };
  return WalkNested(q, NestedZone(q), leaf, over, out);
}

}  // namespace kpi::query
