// `kpi info` (see cli/info_command.h).
#include "cli/info_command.h"

#include "cli/exit_codes.h"
#include "cli/info_format.h"
#include "cli/store_open.h"
#include "query/evaluation/definitions.h"

namespace kpi::cli {

namespace {

// Every stored definition, as `show` reads them: those that no longer read
// are listed with the warning `show` gives.
Status LoadInfoDefinitions(const storage::Store& store, InfoDefinitions* out) {
  query::LoadedDefinitions defs;
  KPI_RETURN_IF_ERROR(query::LoadAllDefinitions(store, std::nullopt, &defs));
  out->counts = {{"kpis", defs.kpis.size()},           {"calendars", defs.calendars.size()},
                 {"targets", defs.targets.size()},     {"exemptions", defs.exemptions.size()},
                 {"scorecards", defs.scorecards.size()}, {"tables", defs.tables.size()},
                 {"watches", defs.watches.size()}};
  for (const query::UnreadableDefinition& u : defs.unreadable) out->unreadable.push_back(u.Describe());
  return Status::OK();
}

}  // namespace

int RunInfo(const InfoFlags& flags, std::FILE* out, std::FILE* err) {
  OutputFormat format;
  if (!ParseOutputFormat(flags.format, &format) || format == OutputFormat::kCsv) {
    std::fprintf(err, "kpi info: --format must be table or json (got '%s')\n", flags.format.c_str());
    return kExitUsage;
  }
  std::unique_ptr<storage::Store> store;
  Status s = OpenExistingStore(flags.db, &store);
  if (!s.ok()) {
    std::fprintf(err, "kpi info: %s\n", s.ToString().c_str());
    return kExitUsage;
  }
  storage::StoreInfo info;
  s = store->GetInfo(&info);
  if (!s.ok()) {
    std::fprintf(err, "kpi info: reading %s: %s\n", flags.db.c_str(), s.ToString().c_str());
    return kExitUsage;
  }
  InfoDefinitions defs;
  s = LoadInfoDefinitions(*store, &defs);
  if (!s.ok()) {
    std::fprintf(err, "kpi info: reading the definitions in %s: %s\n", flags.db.c_str(), s.ToString().c_str());
    return kExitUsage;
  }
  std::fputs(FormatInfo(flags.db, info, defs, format).c_str(), out);
  for (const std::string& u : defs.unreadable) std::fprintf(err, "warning: %s\n", Printable(u).c_str());
  return kExitOk;
}

}  // namespace kpi::cli
