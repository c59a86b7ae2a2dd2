// Store internals shared by store.cc (open, stage, metadata, info),
// sealer.cc (seal) and snapshot.cc (plan, load). Not part of the API.
//
// Locking: seal_mu admits one sealer at a time and guards the sealer's state
// (refs, ticket index, generations). write_mu serialises the short write
// sections (Stage, the sealer taking the staged events and committing its
// batch, metadata), so staging goes on while a seal encodes. Lock order:
// seal_mu before write_mu. view_mu guards the published read view (segments
// and batch times), replaced wholesale after each seal so snapshots copy two
// shared_ptrs and never block behind a seal.
#pragma once

#include <rocksdb/db.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/coded_event.h"
#include "storage/event_marks.h"
#include "storage/segment_cache.h"
#include "storage/store.h"
#include "storage/ticket_index.h"
#include "storage/value_index.h"

namespace kpi::storage {

inline constexpr int64_t kMillisPerDay = 86'400'000;
// The format this build writes (new stores are stamped with it) and the
// oldest it reads. 2: segments may have delta parts (storage/segment_parts.h);
// a format-1 store is stamped 2 by the seal that writes its first delta.
// 3: segment values may be of version 3 (storage/segment_codec.cc), which
// every seal and fold of this build writes; an older store is stamped 3 by
// its first writable open, so a build that reads only 1-2 refuses it.
// 4: zone maps may be of version 2 (live counts, storage/zone_map.h), which
// every seal and fold of this build writes; an older store is stamped 4 by
// its first writable open, as for 3.
// 5: segment values may be of version 4 (agents and sparse rows by event
// code, entropy-coded int blocks, storage/segment_codec.cc), which every seal
// and fold of this build writes; an older store is stamped 5 by its first
// writable open, as for 3.
// 6: the "values" family holds every dictionary value's code
// (storage/value_index.h), complete once kValueIndexKey is written (the
// first writable open builds it from the pages); stamped by the first
// writable open, as for 3, so a build without the index (which would add
// codes without their entries) refuses the store.
inline constexpr uint32_t kStoreFormatVersion = 6;
inline constexpr uint32_t kOldestStoreFormatVersion = 1;
inline constexpr const char* kAcknowledgedFile = "ACKNOWLEDGED";

// Appended to every corruption RocksDB reports: what the operator does.
inline constexpr const char* kDamageAdvice =
    ". The store was not changed; keep the directory as it is and follow \"Damaged store files\" in "
    "docs/operations.md";

// An open RocksDB instance of the store and its column family handles.
struct Database {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // owned; destroyed before db
  void Close();
};

struct Store::Impl {
  // The current instance (see StoreOptions::read_only_until_write): its
  // database and handles, as the sealer and the write path use them.
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // owned; destroyed before db
  rocksdb::ColumnFamilyHandle* catalog_cf = nullptr;
  rocksdb::ColumnFamilyHandle* staging_cf = nullptr;
  rocksdb::ColumnFamilyHandle* segments_cf = nullptr;
  rocksdb::ColumnFamilyHandle* zones_cf = nullptr;
  rocksdb::ColumnFamilyHandle* tickets_cf = nullptr;  // null while read-only (not opened)
  rocksdb::ColumnFamilyHandle* values_cf = nullptr;   // null while read-only (not opened)
  // Opened read-only: RocksDB's LOCK is held through read_lock until the
  // first write reopens the database writable (Store::MakeWritable).
  bool read_only = false;
  rocksdb::FileLock* read_lock = nullptr;
  // Read-only instances replaced by a writable one; snapshots taken before
  // may still read them, so they close with the Store.
  std::vector<Database> retired;
  uint32_t format_version = kStoreFormatVersion;  // as stamped (when format_stamped)
  bool format_stamped = false;  // Sformat is stored (a new store's is written on its first writable open)
  std::unique_ptr<DictionaryPageSource> dictionary_pages;  // the catalog reads dictionary pages here

  std::mutex seal_mu;
  std::mutex write_mu;
  bool failed = false;                 // GUARDED_BY(write_mu): a write failed; refuse more
  uint32_t last_batch = 0;             // GUARDED_BY(write_mu)
  uint32_t last_batch_at_open = 0;     // batches after it were staged by this process
  int64_t last_batch_ms = 0;           // GUARDED_BY(write_mu)
  uint64_t next_generation = 1;        // GUARDED_BY(seal_mu)
  std::atomic<uint64_t> staged_events{0};
  // Sealer state: every segment's ref (none while read-only: the view has them), ticket ->
  // segment on disk (storage/ticket_index.h); read and written by the sealer under seal_mu.
  std::map<std::pair<uint32_t, uint32_t>, SegmentRef> refs;  // GUARDED_BY(seal_mu)
  std::shared_ptr<rocksdb::Cache> ticket_cache;  // the tickets family's block cache
  std::unique_ptr<TicketIndex> tickets;
  std::shared_ptr<rocksdb::Cache> value_cache;  // the values family's block cache
  std::unique_ptr<ValueIndex> values;           // dictionary value -> code (Stage reads and writes it)
  // The instant of each SEALED batch ([b - 1] for batch b; sealed batches
  // are always a prefix, seals take them oldest first): when the seal that
  // took it made it visible (storage/batch_instants.cc). Batches staged and
  // not yet sealed have a provisional instant on disk only.
  std::vector<int64_t> batch_times;    // written under seal_mu and write_mu
  // What Stage() landed since the last seal, kept decoded so Seal() need not
  // read it back. Incomplete (and then empty: Stage keeps nothing until the
  // next seal, which reads every staged batch back) after Open() finds
  // batches a crash left staged, and after Store::SpillStaged.
  std::vector<CodedEvent> pending;         // GUARDED_BY(write_mu)
  std::vector<uint32_t> pending_batches;   // GUARDED_BY(write_mu)
  StringInterner pending_tickets;             // GUARDED_BY(write_mu): ids of `pending` events
  EventAttrs pending_attrs;                // GUARDED_BY(write_mu): dimensions and measures of `pending` events
  bool pending_complete = true;            // GUARDED_BY(write_mu)
  // Spilled seals (storage/sealer_staged.cc): per staged batch, the events
  // (marked by their index in the batch) that an earlier run of the seal already
  // sealed, looking ahead for its own tickets; the batch stays staged until
  // the run that takes it, which skips them. In memory only: after a crash
  // the batch is sealed whole, and those events are duplicates of their
  // sealed copies (dropped by identity; why that is exact, and why the
  // marks are not persisted: storage/sealer_staged.cc).
  std::map<uint32_t, EventMarks> sealed_ahead;  // GUARDED_BY(seal_mu)

  mutable std::mutex view_mu;
  std::shared_ptr<const std::vector<SegmentRef>> view_segments;  // GUARDED_BY(view_mu)
  std::shared_ptr<const std::vector<int64_t>> view_batch_times;  // GUARDED_BY(view_mu)
  // Batch instants (storage/batch_instants.cc): the latest instant a
  // snapshot has answered for (every later seal is stamped after it), and
  // the instant of the seal being committed, which snapshots stay before
  // until it is published.
  mutable std::optional<int64_t> closed_ms;  // GUARDED_BY(view_mu)
  std::optional<int64_t> sealing_ms;         // GUARDED_BY(view_mu)

  std::unique_ptr<SegmentCache> cache;

  // The acknowledged-writes marker (file kAcknowledgedFile in the store
  // directory): RocksDB's last sequence number after each synced write, so
  // that Open can tell a damaged last log record (dropped by RocksDB like a
  // torn write) from a write that never completed. -1: not kept (sync off).
  int acknowledged_fd = -1;
  // Records the current sequence number as acknowledged. Call after a
  // successful synced write, under write_mu.
  void NoteAcknowledged();
  // Records `seq` (a sequence number the log holds synced) as acknowledged,
  // under write_mu.
  void NoteAcknowledgedUpTo(uint64_t seq);
  // The sequence number after the last batch staged unsynced
  // (Store::Durable::kOnSeal), 0 when none since the last seal: the seal's
  // synced write makes it durable and notes it acknowledged. Not the seal's
  // own records: a seal lost to a damaged log record leaves its batches
  // staged, nothing acknowledged is lost. GUARDED_BY(write_mu).
  uint64_t unsynced_stage_seq = 0;

  // Replaces the published view with the sealer's current state (and ends
  // the seal being committed, if any). Requires seal_mu and write_mu.
  void Publish();
  // storage/batch_instants.cc. The seal's instant, past the previous seal,
  // every instant a snapshot has answered for and every metadata write (a
  // definition's instant); until Publish or AbandonSeal, snapshots answer
  // for instants before it. Puts the batch entries of the batches taken
  // (their staging keys) with that instant into `wb`. Requires seal_mu and
  // write_mu.
  Status StampSeal(int64_t now_ms, const std::vector<std::string>& staging_keys, rocksdb::WriteBatch* wb,
                   int64_t* seal_ms);
  // After the seal's write: the batches taken have the seal's instant. Then
  // Publish. Requires seal_mu and write_mu.
  Status NoteSealed(const std::vector<std::string>& staging_keys, int64_t seal_ms);
  // The seal's write failed: snapshots answer for the present again.
  void AbandonSeal();
  // A metadata write at `now_ms`: later seals are stamped after it.
  // Requires write_mu.
  void NoteMetaWrite(int64_t now_ms);
  // The instant a snapshot of the published view answers for (Snapshot::
  // instant_ms), noted as answered for. Requires view_mu.
  int64_t ViewInstant(const std::vector<int64_t>& sealed_times, int64_t now_ms) const;
  // Writes a seal's (or fold's) batch, under write_mu: refused after an
  // earlier failed write, and a failure here refuses every later one (the
  // in-memory state may no longer match the disk). `what` names the write.
  Status Commit(rocksdb::WriteBatch* wb, bool sync, const char* what);
  // Whole segments written anew, each as one base value (Store::FoldDeltas,
  // Store::Compact's rewrite of old segment values; storage/
  // segment_rewrite.cc). PutRewrite puts `segment` (every row of `old`: its
  // base and delta parts as one) into `wb` as old's new base value, with its
  // zone map, under generation (*generation)++, and deletes old's delta
  // parts; it returns the new ref. CommitRewrites writes `wb` with the
  // generation counter `generation` in one atomic write (`what` names it),
  // then the refs take `done` (the segment cache each one's segment, where
  // not null) and the view is published. Both require seal_mu;
  // CommitRewrites takes write_mu.
  SegmentRef PutRewrite(const SegmentRef& old, const Segment& segment, uint64_t* generation,
                        rocksdb::WriteBatch* wb) const;
  Status CommitRewrites(rocksdb::WriteBatch* wb, uint64_t generation,
                        std::vector<std::pair<SegmentRef, std::shared_ptr<const Segment>>> done, bool sync,
                        const char* what);
  rocksdb::WriteOptions WriteOpts(bool sync) const {
    rocksdb::WriteOptions w;
    w.sync = sync;
    return w;
  }
};

Status FromRocks(const rocksdb::Status& s, const std::string& what);

inline Status Store::Impl::Commit(rocksdb::WriteBatch* wb, bool sync, const char* what) {
  if (failed) return Status::IOError("store is read-only after an earlier write failure; reopen it");
  rocksdb::Status s = db->Write(WriteOpts(sync), wb);
  if (s.ok()) return Status::OK();
  failed = true;
  return FromRocks(s, what);
}

// The catalog's dictionary pages and value index, read from the store's
// current instance: it holds references to Store::Impl's `db` and
// `catalog_cf`, which change when a read-only store becomes writable.
class CatalogPageReader : public DictionaryPageSource {
 public:
  CatalogPageReader(const std::unique_ptr<rocksdb::DB>& db, rocksdb::ColumnFamilyHandle* const& catalog_cf,
                    const ValueIndex* values)
      : db_(db), catalog_cf_(catalog_cf), values_(values) {}
  Status ReadPages(uint32_t column, uint32_t first, uint32_t last,
                   const std::function<bool(uint32_t page, std::string_view encoded)>& visit) const override;
  bool HasValueIndex() const override { return values_->available(); }
  Status LookupCodes(uint32_t column, std::span<const std::string_view> values,
                     const std::function<void(size_t index, uint32_t code)>& found) const override {
    return values_->Lookup(column, values, found);
  }
  void AddValueIndexStats(DictionaryStats* stats) const override;

 private:
  const std::unique_ptr<rocksdb::DB>& db_;
  rocksdb::ColumnFamilyHandle* const& catalog_cf_;
  const ValueIndex* values_;
};

}  // namespace kpi::storage
