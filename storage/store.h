// Store: the one owner of the RocksDB database of a kpistore directory.
//
// Write path:  Stage() lands a batch of events durably in the staging column
// family (one WriteBatch, WAL synced when StoreOptions::sync) and returns; the
// batch then survives a crash. Seal() turns everything staged into columnar
// segments: events are grouped by ticket, merged into the ticket's existing
// segment (only the segments a batch touches are rewritten), duplicates
// dropped (identity = the source `id`, else an XXH3-128 of the canonical
// content), and the new segments, zone maps, ticket index and the removal of
// the staged batches are written in ONE atomic WriteBatch. Open() seals what a
// crash left staged. Queries see sealed data only, and a batch's instant for
// `as of` is that of the seal that took it (storage/batch_instants.cc).
//
// Read path: GetSnapshot() pins a consistent view (a RocksDB snapshot plus the
// zone maps of that instant); its Plan() prunes segments with zone maps and
// Load() returns decoded segments through a shared cache.
//
// Thread safety: Stage/Seal/Ingest serialize on an internal mutex and may run
// concurrently with any number of snapshots and metadata reads. A Store must
// outlive its snapshots.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "storage/catalog.h"
#include "storage/raw_event.h"
#include "storage/segment.h"
#include "storage/status.h"
#include "storage/zone_map.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Snapshot;
}  // namespace rocksdb

namespace kpi::storage {

struct StoreOptions {
  bool create_if_missing = true;
  bool sync = true;                       // fsync the WAL per staged batch and seal
  // Open the database read-only (still holding RocksDB's LOCK, so one
  // process at a time as ever) and reopen it writable on the first write:
  // Stage, Flush, metadata writes, Backup, or staged batches a crash left.
  // A process that only reads then writes nothing to the directory at open
  // (no new log, MANIFEST or OPTIONS file, no fsync). The switch must not
  // run concurrently with other calls on the Store: for one-client
  // processes (kpi query, info, repl), not the server. Ignored when the
  // store is created.
  bool read_only_until_write = false;
  size_t cache_bytes = size_t{2} << 30;   // decoded segment cache
  size_t ticket_cache_bytes = size_t{32} << 20;  // block cache of the ticket index (storage/ticket_index.h)
  // Every column family's memtable together; 0: the built-in sizes (240 MiB
  // in all). A memory limit sets it (storage/memory_budget.h).
  size_t write_buffer_bytes = 0;
  DictionaryPaging dictionaries;          // which dictionaries are paged, and their page cache (catalog.h)
  uint32_t max_tickets_per_segment = 2048;
  // A seal works through its partitions in groups of about this many events
  // (incoming, plus the sealed events of the segments it decodes), dropping
  // each group's decoded segments before the next: what one seal holds
  // decoded is bounded by this, not by how many segments it touches
  // (storage/sealer.h). 0: one group.
  uint64_t seal_group_events = 0;
  // A seal reading staged events back from disk (Store::SpillStaged) takes
  // staged batches, oldest first, while what it keeps for all of them (a few
  // words per incoming ticket, 8 bytes per event) and their share of the
  // seal's one write stay under about this many bytes; Seal then seals the
  // rest in another run. 0: no bound.
  uint64_t spilled_seal_bytes = 0;
  // A seal that only adds a little to a segment appends it as a delta part
  // instead of re-encoding the segment (storage/segment_parts.h), up to this
  // many per segment; the seal after folds them. 0: always re-encode.
  uint32_t max_deltas_per_segment = 16;
  // Wall clock used to stamp batches (tests inject a fake clock). Milliseconds.
  std::function<int64_t()> clock;
};

// One event the store refused, with the index of the event in the input span.
struct EventReject {
  size_t index = 0;
  std::string reason;
};

struct IngestStats {
  uint64_t staged = 0;      // events landed in staging
  uint64_t accepted = 0;    // new events sealed
  uint64_t duplicates = 0;  // events already stored (or repeated in the input)
  uint64_t corrections = 0;  // of `accepted`: copies with a higher revision (replacing or retracting)
  uint64_t segments_written = 0;
  uint64_t events_rewritten = 0;  // events sealed before that a seal re-encoded (their segment changed)
  uint32_t last_batch = 0;  // Stage: the number of the batch it landed (0: none)
  void Add(const IngestStats& o) {
    staged += o.staged; accepted += o.accepted; duplicates += o.duplicates; corrections += o.corrections;
    segments_written += o.segments_written;
    events_rewritten += o.events_rewritten;
    last_batch = std::max(last_batch, o.last_batch);
  }
};

// What a scan wants; segments that cannot hold a matching row are skipped.
struct ScanSpec {
  int64_t min_time_ms = std::numeric_limits<int64_t>::min();  // [min, max): some event
  int64_t max_time_ms = std::numeric_limits<int64_t>::max();  // must fall in the range
  std::vector<uint32_t> event_codes;  // non-empty: the segment must hold one of them
  std::vector<uint32_t> agent_codes;  // non-empty: the segment must hold one of them
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> dim_codes;  // per dimension, same rule
  uint32_t max_batch = std::numeric_limits<uint32_t>::max();  // `as of`: skip segments all newer
  // [min, max) of the tickets' placement (creation: first `created`, else
  // earliest event, over ALL their events): partitions, which are UTC
  // placement days, outside it are skipped. Not valid under `as of` (a
  // ticket's visible events may place it elsewhere).
  int64_t min_placement_ms = std::numeric_limits<int64_t>::min();
  int64_t max_placement_ms = std::numeric_limits<int64_t>::max();
};

struct SegmentRef {
  uint32_t partition = 0;  // UTC day number of the tickets' placement
  uint32_t segment = 0;
  uint64_t generation = 0;  // changes whenever the segment is rewritten or a delta appended
  ZoneMap zone;             // of the base and its deltas together
  uint32_t deltas = 0;        // delta parts after the base (storage/segment_parts.h)
  uint32_t delta_events = 0;  // events in them
};

struct PlanStats {
  uint64_t partitions_total = 0, partitions_scanned = 0;
  uint64_t segments_total = 0, segments_scanned = 0;
  uint64_t events_total = 0, events_in_scanned_segments = 0;
};

class Store;
struct BackupInfo;  // storage/backup.h
struct CompactStats;  // storage/compact.h

// A consistent, immutable view of the sealed data. Always held by a
// shared_ptr (Store::GetSnapshot): a hollow segment shares it (Load).
class Snapshot : public std::enable_shared_from_this<Snapshot> {
 public:
  ~Snapshot();
  // Segments that may hold rows matching `spec`, in (partition, segment) order.
  std::vector<SegmentRef> Plan(const ScanSpec& spec, PlanStats* stats) const;
  // Decoded segment for `ref` (from the cache or the snapshot). Thread-safe.
  // A snapshot is one scan of the cache: Plan claims the cached segments
  // it returns, and reading more than the cache holds keeps what fits
  // rather than cycling (storage/segment_cache.h).
  Status Load(const SegmentRef& ref, std::shared_ptr<const Segment>* out) const;
  // The same with only the columns of `want` decoded (at least those: a
  // cached segment may hold more). Reading a column not asked for is a bug.
  Status Load(const SegmentRef& ref, const SegmentColumns& want, std::shared_ptr<const Segment>* out) const;
  // The same, except that with `hollow_ok`, when the segment's columns are
  // not cached but the values readers derived from it are, a hollow
  // segment: its ticket structure and memo only, `want` decoded into it by
  // its memo's Materialize() (storage/segment_memo.h). For a reader that
  // reads columns only to derive memo values, and checks memo.status().
  // A hollow segment decodes through this snapshot and holds a share of
  // it until it is decoded or dropped, so it may outlive the caller's.
  Status Load(const SegmentRef& ref, const SegmentColumns& want, bool hollow_ok,
              std::shared_ptr<const Segment>* out) const;
  const Catalog& catalog() const;
  // Largest batch number sealed at or before `epoch_ms` (0 if none):
  // `as of T` keeps events with batch <= BatchAtOrBefore(T). A batch's
  // instant is its seal's (storage/batch_instants.cc).
  uint32_t BatchAtOrBefore(int64_t epoch_ms) const;
  // The instant this view answers for (store clock, epoch ms): every batch
  // sealed at or before it is in the view, and every later seal is stamped
  // after it, so an answer as of any instant up to it never changes. `as of`
  // a later instant is answered as of this one.
  int64_t instant_ms() const { return instant_ms_; }
  uint32_t last_batch() const { return last_batch_; }
  // Seal instant (store clock, epoch ms) of the latest batch; 0 with none.
  int64_t last_batch_time_ms() const {
    return batch_times_ && last_batch_ > 0 && last_batch_ <= batch_times_->size() ? (*batch_times_)[last_batch_ - 1]
                                                                                  : 0;
  }

 private:
  friend class Store;
  Snapshot() = default;
  // Reads and decodes `columns` of the segment (its base and deltas).
  Status Decode(const SegmentRef& ref, const SegmentColumns& columns, Segment* out) const;
  const Store* store_ = nullptr;
  rocksdb::DB* db_ = nullptr;  // the instance db_snapshot_ belongs to
  rocksdb::ColumnFamilyHandle* segments_cf_ = nullptr;
  const rocksdb::Snapshot* db_snapshot_ = nullptr;
  std::shared_ptr<const std::vector<SegmentRef>> segments_;
  std::shared_ptr<const std::vector<int64_t>> batch_times_;  // [b - 1] = seal instant of batch b
  uint32_t last_batch_ = 0;
  uint64_t scan_ = 0;  // its loads' scan in the segment cache (storage/segment_cache.h)
  int64_t instant_ms_ = 0;
};

struct ColumnUsage {
  std::string column;    // "time", "event", "dim:channel", "measure:csat", ...
  std::string encoding;  // e.g. "delta 812, bitpacked 3"
  uint64_t bytes = 0;    // encoded bytes over all segments
};

// The ticket index's counters (storage/ticket_index.h), for `kpi info` and /metrics.
struct TicketIndexStats {
  uint64_t lookups = 0, found = 0;  // tickets looked up by seals, of those found sealed
  CacheStats blocks;  // its block cache: bytes, capacity; hits, and misses = blocks read from the files
};

struct StoreInfo {
  uint64_t tickets = 0, events = 0, staged_events = 0;
  int64_t min_time_ms = 0, max_time_ms = 0;
  uint64_t partitions = 0, segments = 0, batches = 0;
  uint64_t delta_parts = 0, delta_events = 0;  // segments' delta parts (storage/segment_parts.h)
  uint64_t segment_bytes = 0;  // encoded segment values, deltas included
  uint64_t disk_bytes = 0;     // every file in the directory
  std::vector<std::pair<std::string, uint32_t>> dictionaries;  // column -> size
  std::vector<ColumnUsage> columns;
  CacheStats segment_cache;      // decoded segments, over this process's life
  CacheStats memo_cache;         // values derived from them (storage/segment_cache.h); hits: hollow loads
  DictionaryStats dictionary_cache;
  TicketIndexStats ticket_index;
};

class Store {
 public:
  static Status Open(const std::string& dir, const StoreOptions& options, std::unique_ptr<Store>* out);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // A metadata write (see WriteMeta): a put when `value` is set, else a delete.
  struct MetaWrite {
    std::string ns, key;
    std::optional<std::string> value;
  };

  // Validates `events` against the catalog (a name used as a dimension and a
  // measure is refused: appended to *rejects with the index), assigns
  // dictionary codes and lands the rest durably as one batch. OK means every
  // non-rejected event is safe on disk. `extra` metadata writes go in the
  // same atomic write (e.g. an ingest checkpoint that must never get ahead
  // of the events it describes), also when no event is left to stage.
  //
  // When the batch becomes durable (with StoreOptions::sync): kOnStage, when
  // Stage returns (its own fsync); kOnSeal, when the next Seal returns OK:
  // the batch is written to the log unsynced, and the seal's synced write
  // syncs it with everything before it, so batches sealed together share one
  // fsync. A kOnSeal batch must not be acknowledged before a Seal that took
  // it has returned OK (server/group_commit.h does so); a crash before that
  // may lose the batch (and `extra`), never part of it.
  enum class Durable { kOnStage, kOnSeal };
  Status Stage(std::span<const RawEvent> events, std::vector<EventReject>* rejects, IngestStats* stats,
               std::span<const MetaWrite> extra = {}, Durable durable = Durable::kOnStage);
  // Seals everything staged (see the class comment). No-op when nothing is
  // staged. Its write is synced (StoreOptions::sync), which also makes every
  // batch staged before it durable (Durable::kOnSeal).
  // With `per_batch`, also adds each sealed batch's accepted and duplicate
  // counts under its batch number (IngestStats::last_batch of its Stage).
  Status Seal(IngestStats* stats, std::map<uint32_t, IngestStats>* per_batch = nullptr);
  // What sealing now would cost: the staged events it would seal and the
  // sealed events in the segments their tickets live in, which it would
  // decode and re-encode (or, for a segment taking a delta part, decode and
  // merge: still a cost in proportion). Scattered arrival (a shuffled file, a backfill
  // across old days) touches most of the store, so a loader sealing less
  // often re-encodes less. Builds the ticket index on first use, as a seal
  // would. Counts only staged events held in memory (all but those a crash
  // left staged).
  // Scattered arrival also shows within the staged events, before anything
  // is sealed (the first seal of a shuffled load): had the earlier half of
  // the staged batches been sealed alone, sealing the later half would have
  // re-encoded the earlier half's events of the tickets both halves hold
  // (split_rewrite), for split_later new events.
  struct SealEstimate {
    uint64_t staged = 0;
    uint64_t rewrite = 0;
    uint64_t split_rewrite = 0, split_later = 0;
  };
  Status EstimateSeal(SealEstimate* out);
  // Lets go of the staged events held decoded in memory for the next seal,
  // and of those staged after, until that seal: they are on disk in the
  // staging family, and the seal reads them back from there, one partition
  // group at a time (storage/sealer.h). For a bulk load whose arrival is
  // scattered (a shuffled file, a backfill): it seals once at the end and
  // writes each segment once, instead of re-encoding the store at every
  // seal, and what it holds is bounded by the seal's group, not by what is
  // staged. Changes nothing on disk.
  void SpillStaged();
  // Stage + Seal.
  Status Ingest(std::span<const RawEvent> events, std::vector<EventReject>* rejects, IngestStats* stats);
  uint64_t staged_events() const;
  // Seals, then flushes every memtable to table files and compacts the
  // staging family away, so the write-ahead log can be recycled and the
  // directory holds only sealed data. Call at the end of a bulk load.
  Status Flush();

  std::shared_ptr<const Snapshot> GetSnapshot() const;
  const Catalog& catalog() const { return catalog_; }
  Status GetInfo(StoreInfo* info) const;

  // Small named metadata (e.g. named KPIs) in the catalog family, namespaced.
  Status PutMeta(const std::string& ns, const std::string& key, const std::string& value);
  // Several puts (value set) and deletes (no value) in one atomic, synced write.
  Status WriteMeta(const std::vector<MetaWrite>& writes);
  // The store's clock (StoreOptions::clock), milliseconds: the instants that
  // `as of` compares with, for batches and for metadata that must follow them.
  int64_t NowMs() const { return options_.clock(); }
  Status GetMeta(const std::string& ns, const std::string& key, std::string* value) const;  // NotFound
  Status DeleteMeta(const std::string& ns, const std::string& key);
  Status ListMeta(const std::string& ns, std::vector<std::pair<std::string, std::string>>* out) const;
  // Several namespaces read from one consistent view (one RocksDB snapshot):
  // a reader never sees a metadata write without the writes that preceded
  // it. (*out)[i] holds namespaces[i]'s entries.
  Status ListMetaConsistent(const std::vector<std::string>& namespaces,
                            std::vector<std::vector<std::pair<std::string, std::string>>>* out) const;

  // Writes a consistent copy of the store (a RocksDB checkpoint) to `to_dir`,
  // which must not exist: every write acknowledged before the call and none
  // after it (storage/backup.h). Blocks writes meanwhile, not queries.
  Status Backup(const std::string& to_dir, BackupInfo* info);
  // Folds the delta parts of up to `max_segments` segments (those with the
  // most deltas first) into new bases (storage/segment_parts.h): what reads
  // see is unchanged, a load afterwards decodes one value. *folded (may be
  // null) gets how many were folded. For background merging and kpi compact.
  Status FoldDeltas(size_t max_segments, uint64_t* folded);
  // Segments holding delta parts now.
  uint64_t SegmentsWithDeltas() const;
  // Gives every zone map written without live counts (zone_map.h: stores of
  // formats 1-3) its counts, reading those segments once; *added (may be
  // null) gets how many. kpi compact runs it.
  Status AddLiveCounts(uint64_t* added);

  // Seals, folds every delta part, rewrites segment values of older versions in the current
  // one, flushes and fully compacts the segments, zones, staging and
  // tickets families, dropping the values seals replaced (storage/compact.h). Rewrites
  // those families' table files; meant for a store nothing else writes to.
  Status Compact(CompactStats* stats);

  const std::string& dir() const { return dir_; }
  // The caches' sizes and hit counts (cheap; GetInfo also reports them).
  CacheStats SegmentCacheStats() const;
  CacheStats MemoCacheStats() const;  // the derived values the segment cache keeps
  TicketIndexStats TicketIndexCacheStats() const;

 private:
  friend class Snapshot;
  friend class Sealer;
  friend struct StoreOpen;
  Store() = default;
  // Reopens a store opened read-only (read_only_until_write) writable; OK
  // at once when it is writable. Every write path calls it first.
  Status MakeWritable();
  struct Impl;
  std::string dir_;
  StoreOptions options_;
  Catalog catalog_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kpi::storage
