// `kpi info` (see cli/info_command.h).
#include "cli/info_command.h"

#include "cli/exit_codes.h"
#include "cli/info_format.h"
#include "cli/store_open.h"

namespace kpi::cli {

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
  std::fputs(FormatInfo(flags.db, info, format).c_str(), out);
  return kExitOk;
}

}  // namespace kpi::cli
