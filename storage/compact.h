// Compaction on demand: Store::Compact (declared in store.h, defined in
// compact.cc) reclaims the disk space of what seals replaced.
//
// A seal rewrites every segment a batch touches (and its zone map) under the
// same key, and deletes the staged batches it sealed; RocksDB keeps the old
// values on disk until its background compactions happen to merge them away,
// which after scattered loads (a shuffled file, backfills) can take long.
// Compact seals and flushes (Store::Flush), folds every segment's delta
// parts into its base (Store::FoldDeltas), rewrites every segment value of
// an older version (written by an earlier build) in the current one, with
// its zone map, which then has live counts (docs/storage-format.md, "Segment
// value"), gives the other zone maps written before live counts existed
// their counts (Store::AddLiveCounts), flushes again, then runs a full
// CompactRange over the segments, zones, staging and tickets column families,
// bottommost level included, so every replaced value and tombstone is dropped. The data read back is
// unchanged. It runs RocksDB's compactions in the calling thread, rewriting
// those families' table files (time and free disk in proportion to their
// size); writes during it are safe but may leave new replaced values, so run
// it while nothing else writes.
#pragma once

#include <cstdint>
#include <string>

namespace kpi::storage {

struct CompactStats {
  uint64_t disk_bytes_before = 0;  // every file in the store directory, before
  uint64_t disk_bytes_after = 0;   // and after
  uint64_t events = 0;             // sealed events (for bytes/event)
  uint64_t segments_folded = 0;    // segments whose delta parts were folded into their base
  uint64_t live_counts_added = 0;  // zone maps given live counts (Store::AddLiveCounts)
  double seconds = 0;              // wall time of the whole call
};

// Whether a writer that sealed `events_written` events (new ones plus the
// sealed events its seals re-encoded: IngestStats::accepted +
// events_rewritten) into a store now holding `store_events` should call
// Store::Compact when it is done. Each re-encoded segment leaves its old value
// on disk until RocksDB compacts it, and the ticket index's flushes leave
// overlapping files; a full compaction drops both, at a cost in proportion
// to the store (1M tickets: ~0.3 CPU-s against a 13 CPU-s load). So it is
// worth it when the writer wrote at least a tenth of the store: a bulk load
// then ends at its compacted size, a small addition to a big store leaves the
// work to RocksDB's background compactions.
inline bool WorthCompacting(uint64_t events_written, uint64_t store_events) {
  return events_written > 0 && events_written * 10 >= store_events;
}

// Bytes of every regular file under `dir` (recursively); 0 for a missing dir.
uint64_t DirectoryBytes(const std::string& dir);

}  // namespace kpi::storage
