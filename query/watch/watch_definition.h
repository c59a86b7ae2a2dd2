// Watches: `define watch NAME every <duration> [keep <duration>] as
// <select | evaluate> [notify "<url>"]` (docs/query-language.md 17).
//
// A watch is a definition like any other (kind "watch" of the catalog,
// query/catalog/definition_store.h: versioned, `as of`, owned by a scope);
// `kpi serve` runs it on its schedule (server/watch_scheduler.h) and keeps
// each run's rows (query/watch/watch_runs.h).
// Rules checked here, once at define and again when stored texts are read:
//   * every >= 1s; keep (the run history's retention, default 7d) >= every;
//   * the watched statement has no `as of` (it runs against now) and no
//     item named `run_at` (the run instant's column in `from watch NAME`);
//   * notify: an http:// URL (query/watch/webhook_url.h), and something to
//     judge: an evaluate of KPIs, or a select with an item `as met`.
// Binding the watched statement against the store is the engine's part
// (query/engine.cc runs its explain before the watch is stored).
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "query/catalog/definition_store.h"
#include "query/evaluation/definitions.h"
#include "query/parser/ast.h"

namespace kpi::query {

inline constexpr int64_t kDefaultWatchKeepMs = int64_t{7} * 24 * 3600 * 1000;

struct WatchDefinition {
  std::string name;
  int64_t every_ms = 0;
  int64_t keep_ms = kDefaultWatchKeepMs;
  std::string statement;  // the watched statement, as written
  bool evaluate = false;  // an evaluate (of KPIs or a scorecard), not a select
  size_t group_columns = 0;  // the leading group columns of its result (`by`)
  bool judged = false;    // its rows carry `met` (alerts can fire)
  std::optional<std::string> notify;  // webhook URL
  std::string text;       // the define statement as written
  int64_t defined_at_ms = 0;
  std::string owner;      // the owning scope's text; empty: shared
};

bool ReadWatch(const ast::DefineWatch& d, WatchDefinition* out, DefinitionError* error);

// A stored watch (its define statement) in typed form; false when the text
// no longer reads.
bool WatchFromStored(const StoredDefinition& def, WatchDefinition* out, std::string* why);

// The watches of `defs` (kind "watch") that still read; the others are
// listed in *bad when given.
std::map<std::string, WatchDefinition> WatchesFrom(const DefinitionMap& defs, std::vector<std::string>* bad = nullptr);

}  // namespace kpi::query
