// `kpi backup` and `kpi restore` (see cli/backup_command.h).
#include "cli/backup_command.h"

#include <filesystem>

#include "cli/exit_codes.h"
#include "cli/store_open.h"
#include "storage/backup.h"
#include "storage/timestamp.h"

namespace kpi::cli {

int RunBackup(const BackupFlags& flags, std::FILE* out, std::FILE* err) {
  if (storage::StoreInUse(flags.db)) {
    std::fprintf(err,
                 "kpi backup: %s is open in another process (a running `kpi serve`?); nothing was written. "
                 "Take the backup through the server: curl -X POST -H 'Authorization: Bearer ADMIN_TOKEN' "
                 "'http://HOST:PORT/v1/backup?to=%s' (docs/operations.md, \"Backups and copies\")\n",
                 flags.db.c_str(), std::filesystem::absolute(flags.to).c_str());
    return kExitUsage;
  }
  std::unique_ptr<storage::Store> store;
  Status s = OpenExistingStore(flags.db, &store);
  if (!s.ok()) {
    std::fprintf(err, "kpi backup: %s\n", s.ToString().c_str());
    return kExitUsage;
  }
  storage::BackupInfo info;
  s = store->Backup(flags.to, &info);
  if (!s.ok()) {
    std::fprintf(err, "kpi backup: %s\n", s.ToString().c_str());
    return kExitUsage;
  }
  std::fprintf(out, "backup %s: %llu files, %llu bytes, up to batch %u (%s), %.2f s\n", flags.to.c_str(),
               static_cast<unsigned long long>(info.files), static_cast<unsigned long long>(info.bytes),
               info.last_batch, info.last_batch_ms > 0 ? FormatRfc3339(info.last_batch_ms).c_str() : "none",
               info.seconds);
  return kExitOk;
}

int RunRestore(const RestoreFlags& flags, std::FILE* out, std::FILE* err) {
  storage::RestoreInfo info;
  const Status s = storage::RestoreStore(flags.from, flags.db, flags.force, &info);
  if (!s.ok()) {
    std::fprintf(err, "kpi restore: %s\n", s.ToString().c_str());
    return kExitUsage;
  }
  if (!info.replaced.empty())
    std::fprintf(out, "moved the previous %s to %s (delete it once the restore reads as expected)\n",
                 flags.db.c_str(), info.replaced.c_str());
  std::fprintf(out, "restored %s from %s: %llu tickets, %llu events, up to batch %u\n", flags.db.c_str(),
               flags.from.c_str(), static_cast<unsigned long long>(info.tickets),
               static_cast<unsigned long long>(info.events), info.last_batch);
  return kExitOk;
}

}  // namespace kpi::cli
