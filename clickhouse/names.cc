// The ClickHouse backend's schema (see clickhouse/names.h).
#include "clickhouse/names.h"

#include "storage/kind_conflict.h"

#include "clickhouse/event_rows.h"
#include "clickhouse/http_client.h"
#include "clickhouse/result_tsv.h"
#include "clickhouse/schema_ddl.h"

namespace kpi::clickhouse {

namespace {
constexpr int kKindEvent = 3;  // kpi_names.kind: 1 dimension, 2 measure (storage::ColumnKind), 3 event name

}  // namespace

Status Names::Load(const Config& config, std::unique_ptr<Names>* out) {
  auto names = std::make_unique<Names>();
  const HttpClient client(config.urls[0]);
  std::string reply;
  // The first kind recorded for a name wins (two ingests may race).
  Status s = client.Query("SELECT name, argMin(kind, added_ms) FROM " + NamesTable(config) +
                              " GROUP BY name, kind = 3 ORDER BY name",
                          &reply);
  if (!s.ok()) return s;
  for (const auto& row : SplitTsv(reply)) {
    if (row.size() != 2) continue;
    const int kind = std::atoi(row[1].c_str());
    if (kind == kKindEvent) names->events_.insert(row[0]);
    else if (kind == 1 || kind == 2) names->kinds_.emplace(row[0], static_cast<storage::ColumnKind>(kind));
  }
  names->Renumber();
  *out = std::move(names);
  return Status::OK();
}

void Names::Renumber() {
  columns_.clear();
  for (const auto& [name, kind] : kinds_)
    columns_.push_back({static_cast<uint32_t>(storage::kFirstUserColumn + columns_.size()), name, kind});
}

std::vector<storage::ColumnInfo> Names::Columns() const { return columns_; }

std::optional<storage::ColumnInfo> Names::FindColumn(std::string_view name) const {
  auto it = kinds_.find(std::string(name));
  if (it == kinds_.end()) return std::nullopt;
  return columns_[static_cast<size_t>(std::distance(kinds_.begin(), it))];
}

uint32_t Names::FindCode(uint32_t column, std::string_view value) const {
  if (column == storage::kEventColumn) return events_.count(std::string(value)) ? 1 : 0;
  return value.empty() ? 0 : 1;
}

std::string Names::ColumnName(uint32_t id) const {
  if (id < storage::kFirstUserColumn || id - storage::kFirstUserColumn >= columns_.size()) return "";
  return columns_[id - storage::kFirstUserColumn].name;
}

Status Names::Admit(const Config& config, std::span<const RawEvent> events, int64_t now_ms,
                    std::vector<storage::EventReject>* rejects) {
  std::string rows;
  bool renumber = false;
  auto record = [&](const std::string& name, int kind) {
    rows += std::to_string(kind) + "\t";
    AppendTsvString(name, &rows);
    rows += "\t" + std::to_string(now_ms) + "\n";
  };
  for (size_t i = 0; i < events.size(); ++i) {
    const RawEvent& e = events[i];
    std::string conflict;
    for (const auto& [name, value] : e.dims) {
      auto it = kinds_.find(name);
      if (it != kinds_.end() && it->second != storage::ColumnKind::kDimension) {
        conflict = storage::KindConflictReason(name, it->second);
        break;
      }
    }
    for (const auto& [name, value] : e.measures) {
      if (!conflict.empty()) break;
      auto it = kinds_.find(name);
      if (it != kinds_.end() && it->second != storage::ColumnKind::kMeasure) {
        conflict = storage::KindConflictReason(name, it->second);
      }
    }
    if (!conflict.empty()) {
      rejects->push_back({i, conflict});
      continue;
    }
    for (const auto& [name, value] : e.dims)
      if (kinds_.emplace(name, storage::ColumnKind::kDimension).second) record(name, 1), renumber = true;
    for (const auto& [name, value] : e.measures)
      if (kinds_.emplace(name, storage::ColumnKind::kMeasure).second) record(name, 2), renumber = true;
    if (events_.insert(e.event).second) record(e.event, kKindEvent);
  }
  if (renumber) Renumber();
  if (rows.empty()) return Status::OK();
  return HttpClient(config.urls[0]).Insert("INSERT INTO " + NamesTable(config) + " FORMAT TabSeparated", rows);
}

}  // namespace kpi::clickhouse
