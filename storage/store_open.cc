// Store::Open, the switch from read-only to writable (MakeWritable) and the
// Store's destruction: RocksDB options per column family, the
// acknowledged-writes check, and what an open reads (columns, dictionary
// sizes, batches, zone maps; dictionaries themselves are read when needed,
// storage/catalog.h).
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>

#include "storage/backup.h"
#include "storage/dictionary_page.h"
#include "storage/keys.h"
#include "storage/segment_parts.h"
#include "storage/store.h"
#include "storage/store_dir.h"
#include "storage/store_impl.h"
#include "storage/store_read_only.h"
#include "storage/tolerant_log_env.h"

namespace kpi::storage {

namespace {

constexpr const char* kCatalogFamily = "catalog";
constexpr const char* kStagingFamily = "staging";
constexpr const char* kSegmentsFamily = "segments";
constexpr const char* kZonesFamily = "zones";
constexpr const char* kTicketsFamily = "tickets";
constexpr const char* kValuesFamily = "values";
// Live write-ahead logs past which a writable open flushes the memtables:
// writes too small to fill a memtable (definitions, small uploads) would
// otherwise keep every log alive, and every open would replay them all.
constexpr size_t kMaxLiveLogs = 4;

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What the families' options depend on besides their name.
struct FamilyTuning {
  std::shared_ptr<rocksdb::Cache> ticket_cache;
  std::shared_ptr<rocksdb::Cache> value_cache;
  size_t write_buffer_bytes = 0;  // StoreOptions::write_buffer_bytes
};

// A family's memtable size: its built-in size, or its share of `total` in
// the built-in sizes' proportions (segments 128, catalog 64, staging 32,
// tickets 16, values 16 of 256 MiB).
size_t WriteBufferSize(size_t builtin, size_t total) {
  if (total == 0) return builtin;
  return std::max<size_t>(builtin * total / (256 << 20), 1 << 20);
}

rocksdb::ColumnFamilyOptions FamilyOptions(const std::string& name, const FamilyTuning& tuning) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  if (name == kStagingFamily) {
    // Landing zone: rows live here between Stage and Seal. The memtable is
    // kept small: staged events are already held decoded in memory for the
    // next seal (Store::Impl::pending), and when seals are deferred
    // (scattered arrival) a large memtable held a second copy of millions of
    // them (256 MiB: 1.27 GB peak for 1M shuffled tickets, 32 MiB: 1.15 GB).
    // A batch flushed before its seal costs a table-file write, no more.
    o.write_buffer_size = WriteBufferSize(32 << 20, tuning.write_buffer_bytes);
    o.compression = rocksdb::kNoCompression;
  } else if (name == kSegmentsFamily) {
    // Sealed columnar values are already encoded; zstd squeezes what is left.
    o.compression = rocksdb::kZSTD;
    o.bottommost_compression = rocksdb::kZSTD;
    o.write_buffer_size = WriteBufferSize(128 << 20, tuning.write_buffer_bytes);
    // Small blocks: a block closes once past this size, so a segment value
    // (tens of KB) gets a block of its own, and reading it reads nothing
    // else. With 64 KiB blocks a block held ~1.8 values and each Get read
    // and checksummed the whole block: a cold scan of the 1M store read
    // 52.6 MB for a 28.8 MB table file (28.8 MB now; table file +0.03 %).
    // Applies to table files written from now on (`kpi compact` rewrites).
    t.block_size = 4 << 10;
  } else if (name == kTicketsFamily || name == kValuesFamily) {
    // The ticket index (storage/ticket_index.h) and the dictionaries' value
    // index (storage/value_index.h): point lookups of short keys.
    // Everything it keeps in memory is bounded: blocks, their indexes and
    // bloom filters live in its own block cache, and the memtable (with a
    // bloom filter of its own, for tickets not yet sealed) is small.
    o.write_buffer_size = WriteBufferSize(16 << 20, tuning.write_buffer_bytes);
    o.memtable_prefix_bloom_size_ratio = 0.05;
    o.memtable_whole_key_filtering = true;
    // zstd: 6.1 MB for 1M tickets against 9.9 MB with LZ4, CPU within noise.
    // 16 KiB blocks (zstd sees more of the repetitive locations at once)
    // and a Ribbon filter (the false-positive rate of a 10-bit Bloom filter
    // in ~30 % less space): 1M live entries take 1.9 MB in one table file
    // instead of 3.0 MB (docs/performance.md, "Bytes on disk").
    o.compression = rocksdb::kZSTD;
    t.block_size = 16 << 10;
    t.block_cache = name == kTicketsFamily ? tuning.ticket_cache : tuning.value_cache;
    t.cache_index_and_filter_blocks = true;
    t.pin_l0_filter_and_index_blocks_in_cache = true;
    t.filter_policy.reset(rocksdb::NewRibbonFilterPolicy(10));
    // Partitioned index and filters (4 KiB pieces, a small top level pinned):
    // a whole-file filter is ~0.9-1.2 MB per million tickets, more than one shard
    // of the block cache holds, so it was never kept and every MultiGet of a
    // seal's lookups read it again (1M shuffled at the default limit: 17 GB
    // of filter reads in one seal's lookups, a third of the ingest's CPU).
    t.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
    t.partition_filters = true;
    t.metadata_block_size = 4096;
    t.cache_index_and_filter_blocks_with_high_priority = true;
  } else {
    o.compression = rocksdb::kZSTD;  // catalog: dictionaries compress well
    o.write_buffer_size = WriteBufferSize(64 << 20, tuning.write_buffer_bytes);  // 64 MiB: RocksDB's default
  }
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return o;
}

// The families to open, in Store::Impl's handle order. A read-only
// instance leaves out the ticket and value indexes (RocksDB opens a subset
// read-only): only seals and Stage read them, and they run on a writable
// instance, so a query does not open their table files (nor need them to
// exist, in an older store).
std::vector<rocksdb::ColumnFamilyDescriptor> Families(const FamilyTuning& tuning, bool read_only) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : {rocksdb::kDefaultColumnFamilyName.c_str(), kCatalogFamily, kStagingFamily,
                           kSegmentsFamily, kZonesFamily, kTicketsFamily, kValuesFamily}) {
    if (read_only && (name == std::string_view(kTicketsFamily) || name == std::string_view(kValuesFamily))) continue;
    families.emplace_back(name, FamilyOptions(name, tuning));
  }
  return families;
}

// Env::Default() without the background threads an open starts: a
// read-only instance never flushes or compacts, yet RocksDB sizes the
// default environment's thread pools for max_background_jobs at every open
// (two threads started, named and joined again in a `kpi query` process).
// Should RocksDB schedule a job all the same, the pool gets its thread then.
class NoIdleThreadsEnv : public rocksdb::EnvWrapper {
 public:
  NoIdleThreadsEnv() : rocksdb::EnvWrapper(rocksdb::Env::Default()) {}
  static const char* kClassName() { return "KpiNoIdleThreadsEnv"; }
  const char* Name() const override { return kClassName(); }
  void IncBackgroundThreadsIfNeeded(int /*number*/, Priority /*pri*/) override {}
  void Schedule(void (*function)(void* arg), void* arg, Priority pri, void* tag,
                void (*unschedule)(void* arg)) override {
    target()->IncBackgroundThreadsIfNeeded(1, pri);
    target()->Schedule(function, arg, pri, tag, unschedule);
  }
};

rocksdb::DBOptions DatabaseOptions(bool create_if_missing, bool read_only) {
  rocksdb::DBOptions o;
  if (read_only) {
    // A read-only instance only answers queries: it gathers no compaction
    // statistics at open (RocksDB reads table properties of up to 20 files
    // for them) and does not check every table file's size.
    o.skip_stats_update_on_db_open = true;
    o.skip_checking_sst_file_sizes_on_db_open = true;
    static NoIdleThreadsEnv env;
    o.env = &env;
  } else {
    // Its LOG: a full disk fails the write that met it, rather than aborting
    // the process at the next log line (storage/tolerant_log_env.h).
    static TolerantLogEnv env(rocksdb::Env::Default());
    o.env = &env;
  }
  o.create_if_missing = create_if_missing;
  o.create_missing_column_families = true;
  o.max_background_jobs = 2;
  // Table files are opened at open, each family's by up to this many threads
  // (RocksDB starts 16 per family by default: 80 threads for a few files).
  // Read-only: by the opening thread alone (a store has a few table files
  // per family; each extra thread was started and joined per family).
  o.max_file_opening_threads = read_only ? 1 : 2;
  o.bytes_per_sync = 1 << 20;
  o.keep_log_file_num = 3;
  o.max_manifest_file_size = 64 << 20;
  // A damaged write-ahead log refuses the open instead of replaying up to
  // the damage (kPointInTimeRecovery, the default, would drop every batch
  // after it, acknowledged or not, and open as if nothing happened). Only an
  // incomplete last record is tolerated: the write a crash interrupted, never
  // acknowledged. See "Damaged store files" in docs/operations.md.
  o.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  o.paranoid_checks = true;
  // Keep the recovered logs until the next flush: if the acknowledged-writes
  // check below refuses the store, the damaged log is still there.
  o.avoid_flush_during_recovery = true;
  return o;
}

// RocksDB says "While lock file: DIR/LOCK: Resource temporarily unavailable".
Status InUse(const std::string& dir) {
  return Status::IOError("open " + dir + ": the store is open in another process (its LOCK is held: a running " +
                         "`kpi serve` or `kpi ingest`?); nothing was changed. Send statements and uploads to the " +
                         "server, or retry when the other command has finished (docs/operations.md, \"The store " +
                         "directory\")");
}

// Opens the store's database, writable or read-only.
Status OpenDatabase(const std::string& dir, bool create_if_missing, bool read_only, const FamilyTuning& tuning,
                    Database* out) {
  rocksdb::DB* db = nullptr;
  const rocksdb::DBOptions o = DatabaseOptions(create_if_missing, read_only);
  const auto families = Families(tuning, read_only);
  rocksdb::Status opened = read_only ? rocksdb::DB::OpenForReadOnly(o, dir, families, &out->handles, &db)
                                     : rocksdb::DB::Open(o, dir, families, &out->handles, &db);
  if (opened.IsCorruption()) {
    // RocksDB may name the MANIFEST that lists a bad table file rather than
    // the file, and a damaged log not at all: say which files are damaged.
    std::string damaged = DescribeDamagedFiles(dir);
    return Status::Corruption("open " + dir + ": " +
                              (damaged.empty() ? opened.ToString() : damaged + " (RocksDB: " + opened.ToString() + ")") +
                              kDamageAdvice);
  }
  // A family this build adds is missing (a store older than it): a
  // read-only open cannot add it; Store::Open then opens writable.
  if (read_only && opened.IsInvalidArgument()) return Status::InvalidArgument("open " + dir + ": " + opened.ToString());
  if (!opened.ok() && StoreInUse(dir)) return InUse(dir);
  KPI_RETURN_IF_ERROR(FromRocks(opened, "open " + dir));
  out->db.reset(db);
  return Status::OK();
}

// RocksDB's own lock file: a read-only open does not take it, so a store
// opened read-only holds it here (one process at a time, as when writable).
Status LockForReading(const std::string& dir, rocksdb::FileLock** lock) {
  const rocksdb::Status locked = rocksdb::Env::Default()->LockFile(dir + "/LOCK", lock);
  if (!locked.ok() && StoreInUse(dir)) return InUse(dir);
  return FromRocks(locked, "open " + dir);
}

void Unlock(rocksdb::FileLock** lock) {
  if (*lock == nullptr) return;
  rocksdb::Env::Default()->UnlockFile(*lock).PermitUncheckedError();
  *lock = nullptr;
}

// The acknowledged-writes marker; nullopt when absent or short (no check).
// Read before RocksDB recovers the log, so that it is never newer than what
// the recovery saw.
std::optional<uint64_t> ReadAcknowledged(const std::string& dir) {
  int fd = ::open((std::filesystem::path(dir) / kAcknowledgedFile).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;  // older store, or never written with sync
  char buf[8];
  const bool read_all = ::pread(fd, buf, sizeof buf, 0) == static_cast<ssize_t>(sizeof buf);
  ::close(fd);
  if (!read_all) return std::nullopt;
  return GetBigEndian64(buf);
}

// Refuses the store when the acknowledged-writes marker is ahead of what
// RocksDB recovered: the log's last records were acknowledged, then damaged.
Status CheckAcknowledged(const std::string& dir, std::optional<uint64_t> acknowledged, uint64_t recovered) {
  if (!acknowledged || *acknowledged <= recovered) return Status::OK();
  return Status::Corruption(
      "open " + dir + ": writes up to sequence number " + std::to_string(*acknowledged) +
      " were acknowledged, but the write-ahead log ends at " + std::to_string(recovered) + ": its last " +
      std::to_string(*acknowledged - recovered) +
      " key updates (at least one acknowledged batch) are damaged, which RocksDB takes for an interrupted "
      "write. The logs were kept as they are (see \"A damaged write-ahead log\"; " + kAcknowledgedFile +
      " holds the acknowledged sequence number)" + kDamageAdvice);
}

}  // namespace

// Open's steps over Store::Impl (a friend of Store).
struct StoreOpen {
  using Impl = Store::Impl;

  static bool ReadOnly(const Store& store) { return store.impl_ != nullptr && store.impl_->read_only; }

  static void Install(Impl& im, Database d) {
    im.db = std::move(d.db);
    im.handles = std::move(d.handles);
    im.catalog_cf = im.handles[1];
    im.staging_cf = im.handles[2];
    im.segments_cf = im.handles[3];
    im.zones_cf = im.handles[4];
    im.tickets_cf = im.handles.size() > 5 ? im.handles[5] : nullptr;  // none when read-only
    im.values_cf = im.handles.size() > 6 ? im.handles[6] : nullptr;
  }

  static Database TakeCurrent(Impl& im) {
    Database d{std::move(im.db), std::move(im.handles)};
    im.handles.clear();
    im.catalog_cf = im.staging_cf = im.segments_cf = im.zones_cf = im.tickets_cf = im.values_cf = nullptr;
    return d;
  }

  // Columns, batch times, dictionary sizes and the state counters. Dictionary
  // values and metadata (definitions, checkpoints) are not read here.
  static Status RestoreCatalog(Impl& im, Catalog* catalog) {
    rocksdb::ReadOptions ro;
    std::unique_ptr<rocksdb::Iterator> it(im.db->NewIterator(ro, im.catalog_cf));
    // Batches ('B') and columns ('C') are adjacent in key order.
    for (it->Seek(std::string(1, kBatchPrefix)); it->Valid(); it->Next()) {
      rocksdb::Slice k = it->key(), v = it->value();
      if (k.empty()) break;
      if (k[0] == kColumnPrefix) {
        if (v.size() != 5) return Status::Corruption("catalog column entry");
        catalog->RestoreColumn(ColumnInfo{GetBigEndian32(v.data()), std::string(k.data() + 1, k.size() - 1),
                                          static_cast<ColumnKind>(v[4])});
      } else if (k[0] == kBatchPrefix) {
        if (k.size() != 5 || v.size() != 12) return Status::Corruption("catalog batch entry");
        uint32_t batch = GetBigEndian32(k.data() + 1);
        int64_t ms = static_cast<int64_t>(GetBigEndian64(v.data()));
        if (batch != im.batch_times.size() + 1) return Status::Corruption("batch numbers are not dense");
        im.batch_times.push_back(ms);
        im.last_batch = batch;
        im.last_batch_ms = ms;
      } else {
        break;
      }
    }
    KPI_RETURN_IF_ERROR(FromRocks(it->status(), "read catalog"));
    im.last_batch_at_open = im.last_batch;

    // A dictionary's size: its last page's number and count.
    std::vector<uint32_t> dictionaries = {kEventColumn, kAgentColumn};
    for (const ColumnInfo& c : catalog->Columns())
      if (c.kind == ColumnKind::kDimension) dictionaries.push_back(c.id);
    for (uint32_t column : dictionaries) {
      it->SeekForPrev(DictionaryPageKey(column, UINT32_MAX));
      uint32_t size = 0;
      if (it->Valid() && it->key().size() == 9 && it->key()[0] == kDictionaryPrefix &&
          GetBigEndian32(it->key().data() + 1) == column) {
        const uint32_t page = GetBigEndian32(it->key().data() + 5);
        uint32_t count = 0;
        KPI_RETURN_IF_ERROR(DictionaryPageCount(std::string_view(it->value().data(), it->value().size()), column,
                                                page, &count));
        const uint64_t codes = uint64_t{page} * kDictionaryPageCodes + count;
        if (codes > UINT32_MAX)
          return Status::Corruption("dictionary of column " + std::to_string(column) + ": too many pages");
        size = static_cast<uint32_t>(codes);
      }
      KPI_RETURN_IF_ERROR(FromRocks(it->status(), "read catalog"));
      catalog->RestoreDictionarySize(column, size);
    }

    std::string v;
    rocksdb::Status s = im.db->Get(ro, im.catalog_cf, kFormatKey, &v);
    if (!s.IsNotFound()) KPI_RETURN_IF_ERROR(FromRocks(s, "read catalog"));
    if (s.ok() && v.size() == 4) {
      const uint32_t version = GetBigEndian32(v.data());
      if (version < kOldestStoreFormatVersion || version > kStoreFormatVersion)
        return Status::Corruption("store format version " + std::to_string(version) +
                                  " is not supported by this build (it reads " +
                                  std::to_string(kOldestStoreFormatVersion) + " to " +
                                  std::to_string(kStoreFormatVersion) + ")");
      im.format_version = version;
      im.format_stamped = true;
    }
    s = im.db->Get(ro, im.catalog_cf, kGenerationKey, &v);
    if (!s.IsNotFound()) KPI_RETURN_IF_ERROR(FromRocks(s, "read catalog"));
    if (s.ok() && v.size() == 8) im.next_generation = GetBigEndian64(v.data());
    return Status::OK();
  }

  // Every segment's ref, from the zone maps.
  // Every segment's ref, published as the view. A read-only instance keeps
  // them only there (one copy, none for the sealer: a cold query's open was
  // a third copying and freeing zone maps at 20M tickets); FillSealerRefs
  // gives the sealer its own when the instance becomes writable.
  static Status RestoreSegments(Impl& im) {
    auto segments = std::make_shared<std::vector<SegmentRef>>();
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;  // read once: its blocks need not stay in the block cache
    std::unique_ptr<rocksdb::Iterator> it(im.db->NewIterator(ro, im.zones_cf));
    // Sized once from the family's key estimate (its table files' counts):
    // growing it moved every decoded zone map at each doubling.
    uint64_t estimate = 0;
    if (im.db->GetIntProperty(im.zones_cf, "rocksdb.estimate-num-keys", &estimate))
      segments->reserve(static_cast<size_t>(std::min<uint64_t>(estimate, uint64_t{1} << 24)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      SegmentRef& ref = segments->emplace_back();
      rocksdb::Slice v = it->value();
      if (!ParseSegmentKey(std::string_view(it->key().data(), it->key().size()), &ref.partition, &ref.segment))
        return Status::Corruption("zone map key");
      KPI_RETURN_IF_ERROR(DecodeZoneValue(std::string_view(v.data(), v.size()), &ref));
    }
    KPI_RETURN_IF_ERROR(FromRocks(it->status(), "read zone maps"));
    // Key order is (partition, segment) order (storage/keys.h), the view's.
    if (!im.read_only) {
      for (SegmentRef& ref : *segments) im.refs[{ref.partition, ref.segment}] = std::move(ref);
      im.Publish();
      return Status::OK();
    }
    im.Publish();  // the rest of the view (refs are empty), then its segments
    std::lock_guard lock(im.view_mu);
    im.view_segments = std::move(segments);
    return Status::OK();
  }

  // The sealer's refs of a read-only instance becoming writable: a copy of
  // the view, which RestoreSegments published alone. Requires seal_mu.
  static void FillSealerRefs(Impl& im) {
    std::shared_ptr<const std::vector<SegmentRef>> view;
    {
      std::lock_guard lock(im.view_mu);
      view = im.view_segments;
    }
    if (!im.refs.empty() || !view) return;
    for (const SegmentRef& ref : *view) im.refs[{ref.partition, ref.segment}] = ref;
  }

  // Batches a crash left staged are not sealed: they keep their provisional
  // instants on disk only (storage/batch_instants.cc). Sets *staged.
  static Status KeepSealedBatchTimes(Impl& im, bool* staged) {
    std::unique_ptr<rocksdb::Iterator> it(im.db->NewIterator(rocksdb::ReadOptions(), im.staging_cf));
    it->SeekToFirst();
    *staged = it->Valid();
    if (*staged) {
      if (it->key().size() != 4) return Status::Corruption("staging key");
      const uint32_t first = GetBigEndian32(it->key().data());
      if (first == 0 || first > im.batch_times.size())
        return Status::Corruption("staged batch " + std::to_string(first) + " has no batch entry");
      im.batch_times.resize(first - 1);
    }
    return FromRocks(it->status(), "read staging");
  }

  // What a writable instance needs before its first write: the marker file,
  // the value index (built from the dictionary pages if missing) and, for a
  // new store or one of an older format, the format stamp (before
  // this build writes a segment of its format into it). Requires write_mu (or
  // no other user).
  static Status StartWriting(const std::string& dir, bool sync, Impl& im) {
    if (sync && im.acknowledged_fd < 0) {
      im.acknowledged_fd =
          ::open((std::filesystem::path(dir) / kAcknowledgedFile).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    }
    // A store of an older format gets its value index before any code is added.
    KPI_RETURN_IF_ERROR(im.values->BuildIfMissing(im.catalog_cf, im.WriteOpts(sync)));
    if (im.format_stamped && im.format_version >= kStoreFormatVersion) return Status::OK();
    std::string fmt;
    PutBigEndian32(&fmt, kStoreFormatVersion);
    KPI_RETURN_IF_ERROR(FromRocks(im.db->Put(im.WriteOpts(true), im.catalog_cf, kFormatKey, fmt), "write format"));
    im.NoteAcknowledged();
    im.format_stamped = true;
    im.format_version = kStoreFormatVersion;
    return Status::OK();
  }

  // Flushes when too many logs hold writes (kMaxLiveLogs), so they get
  // deleted. (Empty logs stay until a flush that has data: RocksDB only
  // drops logs older than the last flush.)
  static Status TrimLogs(Impl& im) {
    rocksdb::VectorLogPtr logs;
    KPI_RETURN_IF_ERROR(FromRocks(im.db->GetSortedWalFiles(logs), "list logs"));
    size_t alive = 0;
    for (const auto& log : logs) alive += log->Type() == rocksdb::kAliveLogFile && log->SizeFileBytes() > 0;
    if (alive <= kMaxLiveLogs) return Status::OK();
    rocksdb::FlushOptions fo;
    fo.wait = true;
    return FromRocks(im.db->Flush(fo, im.handles), "flush");
  }
};

void Database::Close() {
  if (!db) return;
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  handles.clear();
  db->Close().PermitUncheckedError();
  db.reset();
}

Status Store::Open(const std::string& dir, const StoreOptions& options, std::unique_ptr<Store>* out) {
  // Before RocksDB: without CURRENT it would create a new database over the
  // old files and delete them.
  KPI_RETURN_IF_ERROR(CheckStoreDirectory(dir));
  std::unique_ptr<Store> store(new Store());
  store->dir_ = dir;
  store->options_ = options;
  if (!store->options_.clock) store->options_.clock = WallClockMs;
  store->impl_ = std::make_unique<Impl>();
  Impl& im = *store->impl_;
  im.cache = std::make_unique<SegmentCache>(options.cache_bytes);
  im.ticket_cache = rocksdb::NewLRUCache(options.ticket_cache_bytes);
  im.tickets = std::make_unique<TicketIndex>(im.db, im.tickets_cf, im.ticket_cache);
  im.value_cache = rocksdb::NewLRUCache(options.dictionaries.value_cache_bytes);
  im.values = std::make_unique<ValueIndex>(im.db, im.values_cf, im.value_cache);
  im.dictionary_pages = std::make_unique<CatalogPageReader>(im.db, im.catalog_cf, im.values.get());
  store->catalog_.AttachPages(im.dictionary_pages.get(), options.dictionaries);

  const std::optional<uint64_t> acknowledged = ReadAcknowledged(dir);
  bool read_only = options.read_only_until_write && !options.create_if_missing;
  std::error_code ec;
  if (options.create_if_missing) {
    // A new store appears whole or not at all (storage/store_dir.h).
    KPI_RETURN_IF_ERROR(CreateStoreAtomically(dir, [&](const std::string& temp) {
      Database fresh;
      KPI_RETURN_IF_ERROR(OpenDatabase(temp, true, false, FamilyTuning{im.ticket_cache, im.value_cache, options.write_buffer_bytes},
                                       &fresh));
      fresh.Close();
      return Status::OK();
    }));
    std::filesystem::create_directories(dir, ec);
  }
  Database database;
  if (read_only) KPI_RETURN_IF_ERROR(LockForReading(dir, &im.read_lock));
  const FamilyTuning tuning{im.ticket_cache, im.value_cache, options.write_buffer_bytes};
  Status opened = OpenDatabase(dir, options.create_if_missing, read_only, tuning, &database);
  if (read_only && opened.code() == Status::Code::kInvalidArgument) {
    // A family missing (a store older than it): only a writable open adds it.
    Unlock(&im.read_lock);
    read_only = false;
    database = Database();
    opened = OpenDatabase(dir, options.create_if_missing, false, tuning, &database);
  }
  KPI_RETURN_IF_ERROR(opened);
  StoreOpen::Install(im, std::move(database));
  im.read_only = read_only;
  KPI_RETURN_IF_ERROR(CheckAcknowledged(dir, acknowledged, im.db->GetLatestSequenceNumber()));
  KPI_RETURN_IF_ERROR(StoreOpen::RestoreCatalog(im, &store->catalog_));
  bool staged = false;
  KPI_RETURN_IF_ERROR(StoreOpen::KeepSealedBatchTimes(im, &staged));
  {
    std::scoped_lock lock(im.seal_mu, im.write_mu);
    KPI_RETURN_IF_ERROR(StoreOpen::RestoreSegments(im));
    if (!read_only) KPI_RETURN_IF_ERROR(StoreOpen::StartWriting(dir, options.sync, im));
  }
  // Seal what a crash left staged.
  if (staged) {
    KPI_RETURN_IF_ERROR(store->MakeWritable());
    im.pending_complete = false;
    IngestStats ignored;
    KPI_RETURN_IF_ERROR(store->Seal(&ignored));
  }
  if (!im.read_only) KPI_RETURN_IF_ERROR(StoreOpen::TrimLogs(im));
  *out = std::move(store);
  return Status::OK();
}

Status Store::MakeWritable() {
  Impl& im = *impl_;
  std::scoped_lock lock(im.seal_mu, im.write_mu);
  if (!im.read_only) return Status::OK();
  Unlock(&im.read_lock);
  Database writable;
  Status s = OpenDatabase(dir_, false, false, FamilyTuning{im.ticket_cache, im.value_cache, options_.write_buffer_bytes}, &writable);
  if (!s.ok()) {
    // Stay read-only, holding the lock again if no one took it meanwhile.
    LockForReading(dir_, &im.read_lock).ok();
    return s;
  }
  // Snapshots taken so far keep reading the read-only instance.
  im.retired.push_back(StoreOpen::TakeCurrent(im));
  StoreOpen::Install(im, std::move(writable));
  im.read_only = false;
  StoreOpen::FillSealerRefs(im);
  return StoreOpen::StartWriting(dir_, options_.sync, im);
}

bool StillReadOnly(const Store& store) { return StoreOpen::ReadOnly(store); }

Store::~Store() {
  if (!impl_) return;
  if (impl_->acknowledged_fd >= 0) ::close(impl_->acknowledged_fd);
  StoreOpen::TakeCurrent(*impl_).Close();
  for (Database& d : impl_->retired) d.Close();
  Unlock(&impl_->read_lock);
}

Status CatalogPageReader::ReadPages(uint32_t column, uint32_t first, uint32_t last,
                                    const std::function<bool(uint32_t page, std::string_view encoded)>& visit) const {
  auto missing = [&](uint32_t page) {
    return Status::Corruption("dictionary of column " + std::to_string(column) + ": page " + std::to_string(page) +
                              " is missing" + kDamageAdvice);
  };
  rocksdb::ReadOptions ro;
  if (first == last) {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(ro, catalog_cf_, DictionaryPageKey(column, first), &value);
    if (s.IsNotFound()) return missing(first);
    KPI_RETURN_IF_ERROR(FromRocks(s, "read dictionary"));
    visit(first, std::string_view(value.data(), value.size()));
    return Status::OK();
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, catalog_cf_));
  it->Seek(DictionaryPageKey(column, first));
  for (uint32_t page = first; page <= last; ++page, it->Next()) {
    if (!it->Valid()) {
      KPI_RETURN_IF_ERROR(FromRocks(it->status(), "read dictionary"));
      return missing(page);
    }
    if (it->key() != rocksdb::Slice(DictionaryPageKey(column, page))) return missing(page);
    if (!visit(page, std::string_view(it->value().data(), it->value().size()))) break;
  }
  return FromRocks(it->status(), "read dictionary");
}

void CatalogPageReader::AddValueIndexStats(DictionaryStats* stats) const {
  stats->value_index = values_->available();
  stats->value_blocks = values_->BlockStats();
  stats->value_lookups = values_->lookups();
  stats->value_found = values_->found();
}

}  // namespace kpi::storage
