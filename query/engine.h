// Engine: runs statements of the KPI query language against a Store.
//
// Execute() parses, binds (names resolved against the store's catalog, types
// checked), plans (time range and filters pushed into the storage scan) and
// runs one statement on a fresh consistent snapshot, in parallel over
// segments. Statements: select, explain select, define kpi, show kpis,
// drop kpi. Named KPIs live in the store's metadata (namespace "kpi").
//
// Errors: a statement that fails to parse or bind returns InvalidArgument and
// fills *error with the message, the 1-based line and column and a snippet
// with a caret. A cancelled or timed-out query returns Aborted / TimedOut.
// Thread safety: an Engine is stateless beyond its Store pointer; Execute may
// be called from many threads at once. The Store must outlive the Engine.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "query/result.h"
#include "storage/status.h"

namespace kpi::storage {
class Store;
}

namespace kpi::query {

class Scope;  // query/execution/scope.h

struct QueryError {
  std::string message;
  int line = 0;    // 0 when the error has no position
  int column = 0;
  std::string snippet;  // source line + caret line, may be empty
  std::string ToString() const;  // "line 1, column 8: unknown column 'chanel' (did you mean 'channel'?)\n<snippet>"
};

struct ExecOptions {
  int threads = 2;                       // worker threads for the scan, at most
  uint64_t rows_per_thread = 200'000;    // a worker per this many rows to read (0: always `threads`)
  const std::atomic<bool>* cancel = nullptr;  // set to true to stop a running query (Aborted)
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();  // TimedOut
  size_t max_result_rows = static_cast<size_t>(-1);  // ResourceExhausted past it
  std::optional<int64_t> as_of_ms;  // run as if the statement said "as of" this instant (ignored when it has its own as of)
  // "Now" for relative windows (`during last 1h`, `this week`) when the
  // statement has no `as of`: unset, as_of_ms if set, else the store's clock.
  std::optional<int64_t> now_ms;
  // A token's scope (query/execution/scope.h): the statement sees only the tickets in
  // it, as if the store held nothing else. Null: the whole store.
  std::shared_ptr<const Scope> scope;
};

class Engine {
 public:
  explicit Engine(storage::Store* store);

  Status Execute(std::string_view text, const ExecOptions& options, Result* out, QueryError* error) const;

  // Words for completion (query/completion.h): column names, event names,
  // function names and the name of every definition `viewer` sees (the
  // scope text of the asking token; nullptr: unscoped, sees all).
  std::vector<std::string> CompletionWords(const std::string* viewer = nullptr) const;

 private:
  storage::Store* store_;
};

}  // namespace kpi::query
