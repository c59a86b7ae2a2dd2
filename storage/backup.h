// Backups: a consistent copy of a live store, and putting one back.
//
// Store::Backup (declared in store.h, defined in backup.cc) writes a RocksDB
// checkpoint: table files hard-linked (copied across file systems), the
// MANIFEST, OPTIONS and live logs copied, memtables flushed first. It holds
// the store's write lock throughout, so the copy holds every write
// acknowledged before the call and none that started after it; a batch is
// one WriteBatch, so none is ever in the copy in part. Staged batches not yet
// sealed are copied staged and sealed when the copy is opened. The copy gets
// its own ACKNOWLEDGED marker (the sequence number it was taken at).
//
// RestoreStore copies a backup into a store directory: it refuses a target
// holding a store unless `force` (the old directory is then moved aside to
// `<db>.replaced-<epoch seconds>`, never deleted), refuses a target another
// process has open (RocksDB's LOCK), and opens the copy before putting it in
// place, so a backup that does not open never replaces anything.
// Thread safety: RestoreStore must not race other writers of `db`.
#pragma once

#include <cstdint>
#include <string>

#include "storage/status.h"

namespace kpi::storage {

struct BackupInfo {
  uint64_t files = 0;           // files in the backup directory
  uint64_t bytes = 0;           // their sizes (hard-linked files included)
  uint64_t sequence = 0;        // RocksDB sequence number of the copy
  uint32_t last_batch = 0;      // the newest batch it holds
  int64_t last_batch_ms = 0;    // that batch's ingest time (0: none)
  double seconds = 0;           // time the write lock was held
};

struct RestoreInfo {
  uint64_t tickets = 0, events = 0;
  uint32_t last_batch = 0;
  std::string replaced;  // where the old directory went (force), or ""
};

// True when another process holds `dir`'s RocksDB LOCK (e.g. a `kpi serve`).
bool StoreInUse(const std::string& dir);

Status RestoreStore(const std::string& from, const std::string& db, bool force, RestoreInfo* info);

}  // namespace kpi::storage
