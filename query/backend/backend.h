// Backend: where statements run and events go. The CLI (kpi query, ingest,
// repl) calls this interface; the local store's Engine (query/engine.h) is
// one implementation, the ClickHouse backend (clickhouse/) another. Every
// backend follows the semantics of docs/architecture.md and
// docs/event-format.md (sticky dimensions, the creation time rule,
// placement, `as of` by ingest batch, first copy wins, corrections).
//
//   Execute(text)   parses and runs one statement into *out; on a bad
//                   statement InvalidArgument with *error holding the
//                   message, line, column and snippet
//   Ingest(events)  stores one batch of events read by the ingest readers
//                   (storage/ingest): refused events in *rejects by index
//                   (same reasons as the local store), counts in *stats
//                   (accepted, duplicates: what the backend knows of them)
//   CompletionWords the data's names (columns, event names) and the
//                   definitions `viewer` sees (query/completion.h adds the
//                   language's words)
//   Meta()          the backend's named definitions (query/catalog/
//                   meta_store.h): loaders of tables and targets files,
//                   the server's definition endpoints, its watch scheduler,
//                   webhook sender and alerts write and read them, the
//                   same code for every backend
//   LoadSchema      the names the data holds now (query/binder/schema.h),
//                   for checks made outside a statement (a targets file's
//                   dimensions)
//   ScopeDims       for the stored tickets among `tickets`, the latest value
//                   each of the scope's dimensions carried (as `from
//                   tickets` reads them; a dimension never carried is
//                   absent, a ticket not stored is absent): a scoped
//                   upload's check (server/event_upload.h)
// Thread safety: Execute may be called from many threads; Ingest one call
// at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "query/result.h"
#include "storage/raw_event.h"
#include "storage/status.h"

namespace kpi::storage {
struct EventReject;
struct IngestStats;
}  // namespace kpi::storage

namespace kpi::query {

class Scope;       // query/execution/scope.h
class MetaWriter;  // query/catalog/meta_store.h
class Schema;      // query/binder/schema.h

struct ExecOptions;

// The instant a statement is answered as of, before a backend's own limit
// (the local store answers no later than its snapshot's instant:
// storage::Snapshot::instant_ms): its own `as of` (`own`), no later than
// options.as_of_ms; else options.as_of_ms; else none (the latest data).
std::optional<int64_t> StatementAsOf(std::optional<int64_t> own, const ExecOptions& options);

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
  // Run as if the statement said "as of" this instant; a statement's own
  // `as of` stays, but no later than it (a rerun of an answer given as of an
  // earlier instant than it asked for: StatementAsOf).
  std::optional<int64_t> as_of_ms;
  // "Now" for relative windows (`during last 1h`, `this week`) when the
  // statement has no `as of`: unset, as_of_ms if set, else the store's clock.
  std::optional<int64_t> now_ms;
  // A token's scope (query/execution/scope.h): the statement sees only the tickets in
  // it, as if the store held nothing else. Null: the whole store.
  std::shared_ptr<const Scope> scope;
};

// The source line `line_no` of `text` and a caret under `column` (1-based),
// for QueryError::snippet, as a parse error shows them (a long line cut to
// a window around the caret: query/parser/x3/error_report.h Snippet); ""
// when the line does not exist.
std::string SourceSnippet(std::string_view text, int line_no, int column);

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* Name() const = 0;  // "local", "clickhouse"
  virtual Status Execute(std::string_view text, const ExecOptions& options, Result* out, QueryError* error) const = 0;
  virtual Status Ingest(std::span<const RawEvent> events, std::vector<storage::EventReject>* rejects,
                        storage::IngestStats* stats) = 0;
  // Words for completion: column names, event names, function and definition names.
  virtual std::vector<std::string> CompletionWords(const std::string* viewer = nullptr) const = 0;
  virtual MetaWriter Meta() const = 0;
  virtual Status LoadSchema(std::shared_ptr<const Schema>* out) const = 0;
  virtual Status ScopeDims(const Scope& scope, const std::set<std::string>& tickets,
                           std::map<std::string, std::map<std::string, std::string>>* out) const = 0;
};

}  // namespace kpi::query
