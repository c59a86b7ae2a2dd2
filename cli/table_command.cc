// `kpi table load` (see cli/table_command.h).
#include "cli/table_command.h"

#include <algorithm>
#include <memory>

#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/query_command.h"
#include "cli/store_open.h"
#include "query/catalog/table_store.h"

namespace kpi::cli {

int RunTableLoad(const TableLoadFlags& flags, std::FILE* out, std::FILE* err) {
  Status s = query::CheckTableName(flags.name);
  if (!s.ok()) {
    std::fprintf(err, "kpi table load: %s\n", s.message().c_str());
    return kExitUsage;
  }
  std::string csv, error;
  if (!ReadWholeFile(flags.file, kMaxDataFileBytes, &csv, &error)) {
    std::fprintf(err, "kpi table load: %s\n", error.c_str());
    return kExitUsage;
  }
  // The definitions to write: the cluster's (--backend clickhouse) or the store's.
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<query::Backend> backend;
  s = OpenBackendOrStore(flags.backend, flags.db, &store, &backend);
  if (!s.ok()) {
    std::fprintf(err, "kpi table load: %s\n", s.ToString().c_str());
    return kExitUsage;
  }
  const query::MetaWriter meta = backend->Meta();
  const std::string source = flags.file == "-" ? "<stdin>" : flags.file;
  query::TableLoadReport report;
  s = query::LoadTableCsvIntoStore(meta, flags.name, flags.key, csv, source, meta.NowMs(), &report);
  if (!s.ok()) {
    std::fprintf(err, "kpi table load: %s\n", s.message().c_str());
    return s.code() == Status::Code::kInvalidArgument ? kExitRejects : kExitUsage;
  }
  std::fprintf(out, "table %s: %s rows loaded from %s (key %s)\n", report.name.c_str(),
               FormatCount(report.rows).c_str(), source.c_str(), report.key_column.c_str());
  size_t width = 0;
  for (const auto& [name, type] : report.columns) width = std::max(width, name.size());
  for (const auto& [name, type] : report.columns) {
    std::fprintf(out, "  %-*s  %s\n", static_cast<int>(width), name.c_str(), query::TableColumnTypeName(type));
  }
  return kExitOk;
}

}  // namespace kpi::cli
