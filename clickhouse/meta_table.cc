// Named definitions in the cluster (see clickhouse/meta_table.h).
#include "clickhouse/meta_table.h"

#include <algorithm>
#include <atomic>
#include <chrono>

#include "clickhouse/event_rows.h"
#include "clickhouse/http_client.h"
#include "clickhouse/result_tsv.h"

namespace kpi::clickhouse {

namespace {

// ClickHouse's default max_insert_block_size: an INSERT of fewer rows is one block.
constexpr size_t kMaxAtomicRows = 1'048'576;

// One past the last version this process wrote, at least the wall clock in µs.
uint64_t NextVersion() {
  static std::atomic<uint64_t> last{0};
  const uint64_t wall = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  uint64_t prev = last.load();
  uint64_t next = 0;
  do {
    next = std::max(wall, prev + 1);
  } while (!last.compare_exchange_weak(prev, next));
  return next;
}

}  // namespace

std::string MetaTable(const Config& config) { return config.database + ".kpi_meta"; }

std::string CreateMetaTableSql(const Config& config) {
  return "CREATE TABLE IF NOT EXISTS " + MetaTable(config) +
         " (ns String, key String, version UInt64, deleted UInt8, value String)"
         " ENGINE = MergeTree() ORDER BY (ns, key)";
}

Status ClickHouseMetaBackend::Select(const std::string& where, std::vector<std::vector<std::string>>* rows) const {
  std::string reply;
  Status s = HttpClient(config_.urls[0])
                 .Query("SELECT ns, key, value FROM (SELECT ns, key, argMax(value, version) AS value, "
                        "argMax(deleted, version) AS gone FROM " +
                            MetaTable(config_) + " WHERE " + where +
                            " GROUP BY ns, key) WHERE gone = 0 FORMAT TabSeparated",
                        &reply);
  if (!s.ok()) return s;
  *rows = SplitTsv(reply);
  for (const auto& row : *rows)
    if (row.size() != 3) return Status::Corruption("clickhouse " + MetaTable(config_) + ": a row without 3 fields");
  // Bytewise (ns, key) order, as the local store lists.
  std::sort(rows->begin(), rows->end(), [](const auto& a, const auto& b) {
    return a[0] != b[0] ? a[0] < b[0] : a[1] < b[1];
  });
  return Status::OK();
}

Status ClickHouseMetaBackend::GetMeta(const std::string& ns, const std::string& key, std::string* value) const {
  std::vector<std::vector<std::string>> rows;
  KPI_RETURN_IF_ERROR(Select("ns = " + SqlQuote(ns) + " AND key = " + SqlQuote(key), &rows));
  if (rows.empty()) return Status::NotFound(ns + "/" + key);
  *value = std::move(rows[0][2]);
  return Status::OK();
}

Status ClickHouseMetaBackend::ListMeta(const std::string& ns, query::MetaEntries* out) const {
  std::vector<query::MetaEntries> lists;
  KPI_RETURN_IF_ERROR(ListMetaConsistent({ns}, &lists));
  *out = std::move(lists[0]);
  return Status::OK();
}

Status ClickHouseMetaBackend::ListMetaConsistent(const std::vector<std::string>& namespaces,
                                                 std::vector<query::MetaEntries>* out) const {
  out->assign(namespaces.size(), {});
  if (namespaces.empty()) return Status::OK();
  std::string in;
  for (const std::string& ns : namespaces) in += (in.empty() ? "" : ", ") + SqlQuote(ns);
  std::vector<std::vector<std::string>> rows;
  KPI_RETURN_IF_ERROR(Select("ns IN (" + in + ")", &rows));
  for (auto& row : rows)
    for (size_t i = 0; i < namespaces.size(); ++i)
      if (namespaces[i] == row[0]) (*out)[i].emplace_back(std::move(row[1]), row[2]);
  return Status::OK();
}

Status ClickHouseMetaBackend::WriteMeta(const std::vector<query::MetaWrite>& writes) const {
  if (writes.empty()) return Status::OK();
  if (writes.size() >= kMaxAtomicRows)
    return Status::InvalidArgument("a definitions write of " + std::to_string(writes.size()) +
                                   " keys is more than one atomic insert holds");
  std::string rows;
  for (const query::MetaWrite& w : writes) {
    AppendTsvString(w.ns, &rows);
    rows += '\t';
    AppendTsvString(w.key, &rows);
    rows += '\t' + std::to_string(NextVersion()) + '\t' + (w.value ? "0\t" : "1\t");
    AppendTsvString(w.value.value_or(""), &rows);
    rows += '\n';
  }
  return HttpClient(config_.urls[0]).Insert("INSERT INTO " + MetaTable(config_) + " FORMAT TabSeparated", rows);
}

}  // namespace kpi::clickhouse
