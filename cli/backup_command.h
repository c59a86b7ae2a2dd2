// `kpi backup --db DIR --to DIR2` and `kpi restore --from DIR2 --db DIR [--force]`.
//
// backup writes a consistent copy of a store that no other process has open
// (storage/backup.h). A store a running `kpi serve` holds is refused with a
// message naming the server's endpoint, POST /v1/backup?to=DIR2, which takes
// the same backup inside the server. restore copies a backup into DIR after
// checking that the copy opens; a DIR holding anything is refused unless
// --force (it is then moved aside to DIR.replaced-<epoch seconds>, never
// deleted), and a DIR another process has open is always refused.
// Exit status: 0, or 2 (bad flags, a refused or failed backup / restore).
#pragma once

#include <cstdio>
#include <string>

namespace kpi::cli {

struct BackupFlags {
  std::string db, to;
};

struct RestoreFlags {
  std::string from, db;
  bool force = false;
};

int RunBackup(const BackupFlags& flags, std::FILE* out, std::FILE* err);
int RunRestore(const RestoreFlags& flags, std::FILE* out, std::FILE* err);

}  // namespace kpi::cli
