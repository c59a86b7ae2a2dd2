// `select ... from watch NAME` (docs/query-language.md 17): the watch's run
// history (query/watch/watch_runs.h) as one table, `during` cutting on
// run_at (absolute, or relative to `now_ms`), then the outer select over
// those rows by the nested-select executor (query/execution/nested_select.h);
// nested selects over a watch (`select ... from (select ... from watch w)`)
// run each level out over the rows of the one inside, with one zone for
// the statement (the first `tz` from the outside in), as nested selects do.
// The history is metadata, not events, so every backend answers `from
// watch` with this one function over its MetaReader: the local engine
// (query/engine.cc) and the ClickHouse backend (clickhouse/) give the same
// rows for the same stored runs.
//
//   ReadsWatch       true when the innermost source of `q` is a watch
//   SelectFromWatch  the answer (or, with `explain`, the plan lines) into
//                    *out; *used gains the definitions it read
//                    ("watch:NAME" -> its definition instant), *windows the
//                    relative `during` it resolved (for provenance). A bad
//                    statement (unknown watch, bad zone or `during`, bind
//                    error) fails with InvalidArgument and *failure set;
//                    failure->bind says the binder found it.
// Thread safety: a pure function of its inputs and the stored runs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "query/backend/backend.h"
#include "query/binder/binder.h"
#include "query/binder/schema.h"
#include "query/catalog/meta_store.h"
#include "query/evaluation/definitions.h"
#include "query/parser/ast.h"
#include "query/result.h"

namespace kpi::query {

struct WatchSelectInput {
  const MetaReader& meta;              // the runs
  const Schema& schema;                // for binding the outer select
  const LoadedDefinitions& defs;       // of the statement's instant (its watches)
  BindContext context;                 // the statement's; nested_columns is set here
  std::optional<int64_t> as_of_ms;     // runs recorded at or before it (all without it)
  int64_t now_ms = 0;                  // relative windows read against it
  const ExecOptions& options;
};

struct WatchSelectFailure {
  std::string message;  // empty: no positioned failure
  ast::SourcePos pos;
  bool bind = false;    // from binding the outer select
};

bool ReadsWatch(const ast::SelectQuery& q);

Status SelectFromWatch(const ast::SelectQuery& q, const WatchSelectInput& in, bool explain, Result* out,
                       std::map<std::string, int64_t>* used, std::vector<ResolvedWindow>* windows,
                       WatchSelectFailure* failure);

}  // namespace kpi::query
