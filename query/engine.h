// Engine: runs statements of the KPI query language against a Store (the
// local backend, query/backend/backend.h).
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

#include "query/backend/backend.h"
#include "query/result.h"
#include "storage/status.h"

namespace kpi::storage {
class Store;
}

namespace kpi::query {

class Engine final : public Backend {
 public:
  explicit Engine(storage::Store* store);

  const char* Name() const override { return "local"; }
  Status Execute(std::string_view text, const ExecOptions& options, Result* out, QueryError* error) const override;
  // Store::Ingest: one batch, staged and sealed.
  Status Ingest(std::span<const RawEvent> events, std::vector<storage::EventReject>* rejects,
                storage::IngestStats* stats) override;

  // Words for completion (query/completion.h): column names, event names,
  // function names and the name of every definition `viewer` sees (the
  // scope text of the asking token; nullptr: unscoped, sees all).
  std::vector<std::string> CompletionWords(const std::string* viewer = nullptr) const override;
  // The store's definitions and catalog.
  MetaWriter Meta() const override;
  Status LoadSchema(std::shared_ptr<const Schema>* out) const override;
  // StoredScopeDims over a snapshot (query/execution/scope.h).
  Status ScopeDims(const Scope& scope, const std::set<std::string>& tickets,
                   std::map<std::string, std::map<std::string, std::string>>* out) const override;

 private:
  storage::Store* store_;
};

}  // namespace kpi::query
