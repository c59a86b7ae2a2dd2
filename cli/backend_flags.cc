// --backend and the ClickHouse flags (see cli/backend_flags.h).
#include "cli/backend_flags.h"

#include "cli/store_open.h"
#include "clickhouse/clickhouse_backend.h"
#include "query/engine.h"
#include "storage/store.h"

namespace kpi::cli {

Status OpenBackend(const BackendFlags& flags, bool have_db, std::unique_ptr<query::Backend>* out) {
  if (flags.backend != "local" && flags.backend != "clickhouse")
    return Status::InvalidArgument("--backend must be local or clickhouse (got '" + flags.backend + "')");
  if (!flags.clickhouse() && !have_db) return Status::InvalidArgument("--db is required (or --backend clickhouse)");
  if (flags.clickhouse() && flags.clickhouse_url.empty())
    return Status::InvalidArgument("--backend clickhouse needs --clickhouse-url http://HOST:8123");
  if (!flags.clickhouse()) return Status::OK();
  clickhouse::Config config;
  std::string why;
  if (!clickhouse::ParseConfig(flags.clickhouse_url, flags.database, flags.cluster, &config, &why))
    return Status::InvalidArgument(why);
  std::unique_ptr<clickhouse::ClickHouseBackend> backend;
  Status s = clickhouse::ClickHouseBackend::Open(config, nullptr, &backend);
  if (!s.ok()) return Status::InvalidArgument(s.ToString());
  *out = std::move(backend);
  return Status::OK();
}

Status OpenBackendOrStore(const BackendFlags& flags, const std::string& db,
                              std::unique_ptr<storage::Store>* store, std::unique_ptr<query::Backend>* out) {
  KPI_RETURN_IF_ERROR(OpenBackend(flags, !db.empty(), out));
  if (*out != nullptr) return Status::OK();
  KPI_RETURN_IF_ERROR(OpenExistingStore(db, store));
  *out = std::make_unique<query::Engine>(store->get());
  return Status::OK();
}

}  // namespace kpi::cli
