// The ClickHouse backend's tables (see clickhouse/schema_ddl.h).
#include "clickhouse/schema_ddl.h"

#include "clickhouse/http_client.h"
#include "clickhouse/meta_table.h"

namespace kpi::clickhouse {

std::string EventsTable(const Config& config) {
  return config.database + (config.cluster.empty() ? ".events_local" : ".events");
}

std::string NamesTable(const Config& config) { return config.database + ".kpi_names"; }

Status EnsureSchema(const Config& config) {
  const std::string d = config.database;
  const std::string columns =
      "(ticket String, ts Int64, event String, agent String, "
      "dim_keys Array(String), dim_values Array(String), "
      "measure_keys Array(String), measure_values Array(Float64), "
      "identity UInt64, revision UInt32, retract UInt8, batch_ms Int64, seq UInt32)";
  for (size_t i = 0; i < config.urls.size(); ++i) {
    const HttpClient client(config.urls[i]);
    std::string reply;
    Status s = client.Query("CREATE DATABASE IF NOT EXISTS " + d, &reply);
    if (!s.ok()) return s;
    s = client.Query("CREATE TABLE IF NOT EXISTS " + d + ".events_local " + columns +
                         " ENGINE = MergeTree() PARTITION BY intDiv(ts, 2592000000) ORDER BY (ticket, ts)",
                     &reply);
    if (!s.ok()) return s;
    if (!config.cluster.empty()) {
      s = client.Query("CREATE TABLE IF NOT EXISTS " + d + ".events " + columns + " ENGINE = Distributed(" +
                           config.cluster + ", " + d + ", events_local, cityHash64(ticket))",
                       &reply);
      if (!s.ok()) return s;
    }
    if (i == 0) {
      s = client.Query("CREATE TABLE IF NOT EXISTS " + NamesTable(config) +
                           " (kind UInt8, name String, added_ms Int64) ENGINE = ReplacingMergeTree() ORDER BY (kind, name)",
                       &reply);
      if (!s.ok()) return s;
      s = client.Query(CreateMetaTableSql(config), &reply);
      if (!s.ok()) return s;
    }
  }
  return Status::OK();
}

}  // namespace kpi::clickhouse
