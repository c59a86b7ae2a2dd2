// ClickHouseBackend: the query::Backend over a ClickHouse server or cluster
// (docs/scale-out.md).
//
//   Open      creates the schema where missing (clickhouse/schema_ddl.h)
//   Ingest    one batch: refuses kind conflicts as the local store does
//             (clickhouse/names.h), stamps the batch with the clock's time
//             and inserts every other event, duplicates included (queries
//             keep the copy in force; stats count them as accepted, since
//             duplicates are only resolved at query time). With a cluster
//             the insert is synchronous (insert_distributed_sync=1): once
//             Ingest returns, every shard holds its rows.
//   Execute   every statement: definition statements (define / show / drop
//             of every kind) read and write the cluster's metadata
//             (clickhouse/meta_table.h) with the local store's code
//             (query/definition_statements.h); select and evaluate load the
//             definitions of their instant (`as of`), bind against the
//             cluster's names (query/binder/schema.h), translate
//             (clickhouse/sql_translate.h) and run, and evaluate judges the
//             values as locally (query/evaluation/statement_definitions.h);
//             answers carry the local provenance (as_of: the `as of`
//             given, else the latest batch or definition change, which the
//             statement is then pinned to: batch_ms <= as_of);
//             `explain` shows the SQL. A scoped token's statement
//             (ExecOptions::scope) sees only its scope's tickets, as
//             locally (the scope is a condition in the SQL). Statements
//             using what is not translated yet fail with InvalidArgument
//             naming what is missing.
//   Meta      the definitions in the cluster, for loaders (kpi table load,
//             targets files) and tests; stamped with the backend's clock.
// Thread safety: Execute from many threads; Ingest one call at a time.
#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include "clickhouse/config.h"
#include "clickhouse/names.h"
#include "query/backend/backend.h"
#include "query/catalog/meta_store.h"

namespace kpi::clickhouse {

class ClickHouseBackend final : public query::Backend {
 public:
  // `clock`: the ingest batch time, epoch ms (tests inject one; null: the wall clock).
  static Status Open(const Config& config, std::function<int64_t()> clock, std::unique_ptr<ClickHouseBackend>* out);

  const char* Name() const override { return "clickhouse"; }
  Status Execute(std::string_view text, const query::ExecOptions& options, query::Result* out,
                 query::QueryError* error) const override;
  Status Ingest(std::span<const RawEvent> events, std::vector<storage::EventReject>* rejects,
                storage::IngestStats* stats) override;
  std::vector<std::string> CompletionWords(const std::string* viewer = nullptr) const override;

  const Config& config() const { return config_; }
  query::MetaWriter Meta() const override;
  Status LoadSchema(std::shared_ptr<const query::Schema>* out) const override;  // Names::Load
  Status ScopeDims(const query::Scope& scope, const std::set<std::string>& tickets,
                   std::map<std::string, std::map<std::string, std::string>>* out) const override;  // select_run.h
  int64_t Now() const;  // the clock: batch times and definition instants

 private:
  ClickHouseBackend(Config config, std::function<int64_t()> clock);

  const Config config_;
  const std::function<int64_t()> clock_;
  std::mutex ingest_mu_;
  std::unique_ptr<Names> names_;  // ingest's view (Execute reads its own)
  std::shared_ptr<const query::MetaBackend> meta_;
};

}  // namespace kpi::clickhouse
