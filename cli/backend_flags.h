// `--backend local|clickhouse` and the ClickHouse flags that kpi ingest and
// kpi query share (docs/scale-out.md): --clickhouse-url (comma-separated,
// one per shard, the first is the initiator), --database, --cluster.
// Thread safety: plain data; OpenBackend one call at a time.
#pragma once

#include <memory>
#include <string>

#include "query/backend/backend.h"
#include "storage/status.h"

namespace kpi::storage {
class Store;
}

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

// The backend the flags name, for the commands that work on either through
// query::Backend alone (kpi table load and kpi targets load write its
// definitions, Backend::Meta; kpi audit verify reruns statements):
// --backend clickhouse's, else the local engine over the existing store
// `db`, opened into *store (which must outlive *out).
Status OpenBackendOrStore(const BackendFlags& flags, const std::string& db,
                              std::unique_ptr<storage::Store>* store, std::unique_ptr<query::Backend>* out);

}  // namespace kpi::cli
