// `kpi compact` (see cli/compact_command.h).
#include "cli/compact_command.h"

#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/store_open.h"
#include "storage/backup.h"
#include "storage/compact.h"

namespace kpi::cli {

namespace {

double BytesPerEvent(uint64_t bytes, uint64_t events) {
  return events == 0 ? 0.0 : static_cast<double>(bytes) / static_cast<double>(events);
}

}  // namespace

int RunCompact(const CompactFlags& flags, std::FILE* out, std::FILE* err) {
  if (storage::StoreInUse(flags.db)) {
    std::fprintf(err,
                 "kpi compact: %s is open in another process (its LOCK is held: a running `kpi serve`?); "
                 "nothing was changed. Stop the server, run `kpi compact --db %s`, then start it again "
                 "(docs/operations.md, \"Compaction\")\n",
                 flags.db.c_str(), flags.db.c_str());
    return kExitUsage;
  }
  std::unique_ptr<storage::Store> store;
  Status s = OpenExistingStore(flags.db, &store);
  if (s.ok()) {
    storage::CompactStats stats;
    s = store->Compact(&stats);
    if (s.ok()) {
      std::string folded;
      if (stats.segments_folded > 0)
        folded = ", folded the delta parts of " + FormatCount(stats.segments_folded) +
                 (stats.segments_folded == 1 ? " segment" : " segments");
      if (stats.live_counts_added > 0)
        folded += ", added live counts to " + FormatCount(stats.live_counts_added) +
                  (stats.live_counts_added == 1 ? " zone map" : " zone maps");
      std::fprintf(out, "compact %s: %s -> %s bytes (%.1f -> %.1f bytes/event, %s events)%s, %.2f s\n",
                   flags.db.c_str(), FormatCount(stats.disk_bytes_before).c_str(),
                   FormatCount(stats.disk_bytes_after).c_str(), BytesPerEvent(stats.disk_bytes_before, stats.events),
                   BytesPerEvent(stats.disk_bytes_after, stats.events), FormatCount(stats.events).c_str(),
                   folded.c_str(), stats.seconds);
      return kExitOk;
    }
  }
  std::fprintf(err, "kpi compact: %s\n", s.ToString().c_str());
  return kExitUsage;
}

}  // namespace kpi::cli
