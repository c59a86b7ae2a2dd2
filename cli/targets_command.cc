// `kpi targets load` (see cli/targets_command.h).
#include "cli/targets_command.h"

#include <memory>

#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/query_command.h"
#include "cli/store_open.h"
#include "query/binder/schema.h"
#include "query/catalog/meta_store.h"
#include "query/evaluation/targets_csv.h"
#include "storage/store.h"

namespace kpi::cli {

int RunTargetsLoad(const TargetsLoadFlags& flags, std::FILE* out, std::FILE* err) {
  std::string csv, error;
  if (!ReadWholeFile(flags.file, kMaxDataFileBytes, &csv, &error)) {
    std::fprintf(err, "kpi targets load: %s\n", error.c_str());
    return kExitUsage;
  }
  // The definitions to write: the cluster's (--backend clickhouse) or the store's.
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<query::Backend> backend;
  std::shared_ptr<const query::Schema> schema;
  Status s = OpenBackendOrStore(flags.backend, flags.db, &store, &backend);
  if (s.ok()) s = backend->LoadSchema(&schema);
  if (!s.ok()) {
    std::fprintf(err, "kpi targets load: %s\n", s.ToString().c_str());
    return kExitUsage;
  }
  const std::string source = flags.file == "-" ? "<stdin>" : flags.file;
  query::TargetsLoadReport report;
  s = query::LoadTargetsCsv(backend->Meta(), *schema, csv, source, &report);
  if (!s.ok()) {
    std::fprintf(err, "kpi targets load: %s\n", s.message().c_str());
    return s.code() == Status::Code::kInvalidArgument ? kExitRejects : kExitUsage;
  }
  std::fprintf(out, "targets: %s loaded from %s (%s new, %s redefined)\n", FormatCount(report.targets).c_str(),
               source.c_str(), FormatCount(report.defined).c_str(), FormatCount(report.redefined).c_str());
  for (const std::string& key : report.keys) std::fprintf(out, "  %s\n", key.c_str());
  return kExitOk;
}

}  // namespace kpi::cli
