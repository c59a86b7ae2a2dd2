// Named definitions in the cluster: the query::MetaBackend
// (query/catalog/meta_store.h) over D.kpi_meta on the first node
// (docs/scale-out.md, "Definitions"), so several front ends share KPIs,
// tables, calendars, targets, exemptions, scorecards and watches, with
// their history (`as of`).
//
//   D.kpi_meta (ns String, key String, version UInt64, deleted UInt8,
//               value String)  MergeTree ORDER BY (ns, key), not partitioned
// Append-only: a put is a row, a delete a row with deleted = 1. A reader
// takes, per (ns, key), the row of the highest version (argMax) and drops
// deleted ones, so answers are right before and after background merges.
//
// Guarantees:
//   - WriteMeta is ONE INSERT of all its rows. The table is not partitioned,
//     so ClickHouse writes them as one part (an INSERT of fewer than
//     max_insert_block_size rows is one block, atomic): a reader sees all of
//     them or none. Writes of more rows than that are refused.
//   - A SELECT reads the parts present when it starts: ListMetaConsistent
//     reads every namespace in one SELECT, so it never sees a write without
//     the writes that completed before it began.
//   - Order: version = the writer's wall clock in microseconds, raised to
//     one past the last version this process wrote (process-wide), so one
//     process's writes apply in order; writes to one key by two front ends
//     within their clocks' skew apply in their clocks' order (keep clocks
//     in sync). Two writes get the same version only from two processes in
//     the same microsecond; then either may win.
//   - NowMs is the backend's clock: the one that stamps ingest batches.
// Thread safety: const methods from any thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "clickhouse/config.h"
#include "query/catalog/meta_store.h"

namespace kpi::clickhouse {

// The metadata table's name and its CREATE statement (clickhouse/schema_ddl.cc runs it on the first node).
std::string MetaTable(const Config& config);
std::string CreateMetaTableSql(const Config& config);

class ClickHouseMetaBackend final : public query::MetaBackend {
 public:
  ClickHouseMetaBackend(Config config, std::function<int64_t()> now_ms)
      : config_(std::move(config)), now_ms_(std::move(now_ms)) {}

  int64_t NowMs() const override { return now_ms_(); }
  Status GetMeta(const std::string& ns, const std::string& key, std::string* value) const override;
  Status ListMeta(const std::string& ns, query::MetaEntries* out) const override;
  Status ListMetaConsistent(const std::vector<std::string>& namespaces,
                            std::vector<query::MetaEntries>* out) const override;
  Status WriteMeta(const std::vector<query::MetaWrite>& writes) const override;
  std::string Identity() const override { return "clickhouse:" + config_.urls[0] + "/" + config_.database; }

 private:
  // The live (ns, key, value) rows matching `where`, in (ns, key) order.
  Status Select(const std::string& where, std::vector<std::vector<std::string>>* rows) const;

  const Config config_;
  const std::function<int64_t()> now_ms_;
};

}  // namespace kpi::clickhouse
