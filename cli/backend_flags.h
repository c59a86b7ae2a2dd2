// `--backend local|clickhouse` and the ClickHouse flags that kpi ingest and
// kpi query share (docs/scale-out.md): --clickhouse-url (comma-separated,
// one per shard, the first is the initiator), --database, --cluster.
// Thread safety: plain data; OpenBackend one call at a time.
#pragma once

#include <memory>
#include <string>

#include "query/backend/backend.h"
#include "storage/status.h"

namespace kpi::cli {

struct BackendFlags {
  std::string backend = "local";  // local | clickhouse
  std::string clickhouse_url;
  std::string database = "kpi";
  std::string cluster;
  bool clickhouse() const { return backend == "clickhouse"; }
};

// Checks the flags (InvalidArgument naming the bad one: an unknown backend,
// no --db for the local one, no URL) and, for --backend clickhouse, opens it
// into *out (creating the schema where missing). For the local backend *out
// stays null: the caller opens the store as it needs.
Status OpenBackend(const BackendFlags& flags, bool have_db, std::unique_ptr<query::Backend>* out);

}  // namespace kpi::cli
