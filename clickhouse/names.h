// Names: the ClickHouse backend's schema (query/binder/schema.h), read from
// D.kpi_names (clickhouse/schema_ddl.h): every dimension and measure with
// its kind, and every event name, as ingest recorded them.
//
// Column ids are 16 + the name's place in name order (stable for one
// Names object: a statement binds and translates with the same one).
// FindCode answers 1 for any value of a dimension or agent (ClickHouse keeps
// no dictionaries; the translator uses texts) and, for an event name, 1 when
// ingest recorded it, else 0 (the binder's "never seen" warning).
//
// Admit() is ingest's part: the events of a batch whose dimension is a
// known measure (or the reverse) are refused with the local store's reasons
// (storage::KindConflictReason); new names are recorded before the events go in.
// Thread safety: const methods from any thread; Admit one call at a time.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "clickhouse/config.h"
#include "query/binder/schema.h"
#include "storage/raw_event.h"
#include "storage/status.h"
#include "storage/store.h"

namespace kpi::clickhouse {

class Names final : public query::Schema {
 public:
  static Status Load(const Config& config, std::unique_ptr<Names>* out);

  std::vector<storage::ColumnInfo> Columns() const override;
  std::optional<storage::ColumnInfo> FindColumn(std::string_view name) const override;
  uint32_t FindCode(uint32_t column, std::string_view value) const override;
  std::vector<std::string> DictionaryValues(uint32_t) const override { return {}; }

  // The name of user column `id`, or "" when unknown.
  std::string ColumnName(uint32_t id) const;
  const std::set<std::string>& EventNames() const { return events_; }

  // Refuses the events whose attributes conflict with a column's kind
  // (indices into `events`, in order) and records the new names.
  Status Admit(const Config& config, std::span<const RawEvent> events, int64_t now_ms,
               std::vector<storage::EventReject>* rejects);

 private:
  void Renumber();

  std::map<std::string, storage::ColumnKind> kinds_;
  std::vector<storage::ColumnInfo> columns_;  // by id - 16
  std::set<std::string> events_;
};

}  // namespace kpi::clickhouse
