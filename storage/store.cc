// Store: open (column families, catalog restore), Stage, metadata, info.
// Seal lives in sealer.cc, the read view in snapshot.cc.
#include "storage/store.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <xxhash.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "storage/codec/codec.h"
#include "storage/coded_event.h"
#include "storage/keys.h"
#include "storage/segment_codec.h"
#include "storage/store_dir.h"
#include "storage/store_impl.h"

namespace kpi::storage {

namespace {

constexpr const char* kCatalogFamily = "catalog";
constexpr const char* kStagingFamily = "staging";
constexpr const char* kSegmentsFamily = "segments";
constexpr const char* kZonesFamily = "zones";
// Appended to every corruption RocksDB reports: what the operator does.
constexpr const char* kDamageAdvice =
    ". The store was not changed; keep the directory as it is and follow \"Damaged store files\" in "
    "docs/operations.md";

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

rocksdb::ColumnFamilyOptions FamilyOptions(const std::string& name) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  if (name == kStagingFamily) {
    // Landing zone: rows live here between Stage and Seal; big memtable so a
    // sealed batch is usually deleted before it is ever flushed.
    o.write_buffer_size = 256 << 20;
    o.compression = rocksdb::kNoCompression;
  } else if (name == kSegmentsFamily) {
    // Sealed columnar values are already encoded; zstd squeezes what is left.
    o.compression = rocksdb::kZSTD;
    o.bottommost_compression = rocksdb::kZSTD;
    o.write_buffer_size = 128 << 20;
    t.block_size = 64 << 10;
  } else {
    o.compression = rocksdb::kZSTD;  // catalog: dictionaries compress well
  }
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return o;
}

}  // namespace

namespace {

// Refuses the store when the acknowledged-writes marker is ahead of what
// RocksDB recovered: the log's last records were acknowledged, then damaged.
Status CheckAcknowledged(const std::string& dir, uint64_t recovered) {
  int fd = ::open((std::filesystem::path(dir) / kAcknowledgedFile).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::OK();  // older store, or never written with sync
  char buf[8];
  const bool read_all = ::pread(fd, buf, sizeof buf, 0) == static_cast<ssize_t>(sizeof buf);
  ::close(fd);
  if (!read_all) return Status::OK();
  const uint64_t acknowledged = GetBigEndian64(buf);
  if (acknowledged <= recovered) return Status::OK();
  return Status::Corruption(
      "open " + dir + ": writes up to sequence number " + std::to_string(acknowledged) +
      " were acknowledged, but the write-ahead log ends at " + std::to_string(recovered) + ": its last " +
      std::to_string(acknowledged - recovered) +
      " key updates (at least one acknowledged batch) are damaged, which RocksDB takes for an interrupted "
      "write. The logs were kept as they are (see \"A damaged write-ahead log\"; " + kAcknowledgedFile +
      " holds the acknowledged sequence number)" + kDamageAdvice);
}

}  // namespace

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::OK();
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString() + kDamageAdvice);
  if (s.IsNotFound()) return Status::NotFound(what + ": " + s.ToString());
  return Status::IOError(what + ": " + s.ToString());
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

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.keep_log_file_num = 3;
  db_options.max_manifest_file_size = 64 << 20;
  // A damaged write-ahead log refuses the open instead of replaying up to
  // the damage (kPointInTimeRecovery, the default, would drop every batch
  // after it, acknowledged or not, and open as if nothing happened). Only an
  // incomplete last record is tolerated: the write a crash interrupted, never
  // acknowledged. See "Damaged store files" in docs/operations.md.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  db_options.paranoid_checks = true;
  // Keep the recovered logs until the next flush: if the acknowledged-writes
  // check below refuses the store, the damaged log is still there.
  db_options.avoid_flush_during_recovery = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name :
       {rocksdb::kDefaultColumnFamilyName.c_str(), kCatalogFamily, kStagingFamily, kSegmentsFamily, kZonesFamily}) {
    families.emplace_back(name, FamilyOptions(name));
  }
  std::error_code ec;
  if (options.create_if_missing) std::filesystem::create_directories(dir, ec);
  rocksdb::DB* db = nullptr;
  rocksdb::Status opened = rocksdb::DB::Open(db_options, dir, families, &im.handles, &db);
  if (opened.IsCorruption()) {
    // RocksDB may name the MANIFEST that lists a bad table file rather than
    // the file, and a damaged log not at all: say which files are damaged.
    std::string damaged = DescribeDamagedFiles(dir);
    return Status::Corruption("open " + dir + ": " +
                              (damaged.empty() ? opened.ToString() : damaged + " (RocksDB: " + opened.ToString() + ")") +
                              kDamageAdvice);
  }
  KPI_RETURN_IF_ERROR(FromRocks(opened, "open " + dir));
  im.db.reset(db);
  KPI_RETURN_IF_ERROR(CheckAcknowledged(dir, im.db->GetLatestSequenceNumber()));
  if (options.sync) {
    im.acknowledged_fd = ::open((std::filesystem::path(dir) / kAcknowledgedFile).c_str(),
                                O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  }
  im.catalog_cf = im.handles[1];
  im.staging_cf = im.handles[2];
  im.segments_cf = im.handles[3];
  im.zones_cf = im.handles[4];

  // Restore the catalog: columns, dictionaries, batches, counters.
  std::unique_ptr<rocksdb::Iterator> it(im.db->NewIterator(rocksdb::ReadOptions(), im.catalog_cf));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key(), v = it->value();
    switch (k.size() > 0 ? k[0] : 0) {
      case kColumnPrefix:
        if (v.size() != 5) return Status::Corruption("catalog column entry");
        store->catalog_.RestoreColumn(ColumnInfo{GetBigEndian32(v.data()), std::string(k.data() + 1, k.size() - 1),
                                                 static_cast<ColumnKind>(v[4])});
        break;
      case kDictionaryPrefix: {
        if (k.size() != 9) return Status::Corruption("catalog dictionary page key");
        uint32_t column = GetBigEndian32(k.data() + 1);
        uint64_t code = uint64_t{GetBigEndian32(k.data() + 5)} * kDictionaryPageCodes + 1;
        std::string_view page(v.data(), v.size());
        uint64_t n = 0, len = 0;
        if (!codec::GetVarint64(&page, &n) || n > kDictionaryPageCodes) return Status::Corruption("dictionary page");
        for (uint64_t i = 0; i < n; ++i, ++code) {
          if (!codec::GetVarint64(&page, &len) || len > page.size()) return Status::Corruption("dictionary page");
          if (!store->catalog_.RestoreCode(column, static_cast<uint32_t>(code), page.substr(0, len)))
            return Status::Corruption("dictionary of column " + std::to_string(column) + ": code " +
                                      std::to_string(code) + " out of order or repeated");
          page.remove_prefix(len);
        }
        break;
      }
      case kBatchPrefix: {
        if (k.size() != 5 || v.size() != 12) return Status::Corruption("catalog batch entry");
        uint32_t batch = GetBigEndian32(k.data() + 1);
        int64_t ms = static_cast<int64_t>(GetBigEndian64(v.data()));
        if (batch != im.batch_times.size() + 1) return Status::Corruption("batch numbers are not dense");
        im.batch_times.push_back(ms);
        im.last_batch = batch;
        im.last_batch_ms = ms;
        break;
      }
      case kStatePrefix:
        if (k.ToString() == "Sgeneration" && v.size() == 8) im.next_generation = GetBigEndian64(v.data());
        if (k.ToString() == "Sformat" && v.size() == 4 && GetBigEndian32(v.data()) != kStoreFormatVersion)
          return Status::Corruption("store format version " + std::to_string(GetBigEndian32(v.data())) +
                                    " is not supported by this build");
        break;
      default:
        break;
    }
  }
  KPI_RETURN_IF_ERROR(FromRocks(it->status(), "read catalog"));
  {
    std::string fmt;
    PutBigEndian32(&fmt, kStoreFormatVersion);
    KPI_RETURN_IF_ERROR(FromRocks(im.db->Put(im.WriteOpts(true), im.catalog_cf, "Sformat", fmt), "write format"));
    std::lock_guard lock(im.write_mu);
    im.NoteAcknowledged();
  }

  // Restore the segment refs from the zone maps.
  it.reset(im.db->NewIterator(rocksdb::ReadOptions(), im.zones_cf));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    SegmentRef ref;
    rocksdb::Slice v = it->value();
    if (!ParseSegmentKey(std::string_view(it->key().data(), it->key().size()), &ref.partition, &ref.segment) ||
        v.size() < 8)
      return Status::Corruption("zone map key");
    ref.generation = GetBigEndian64(v.data());
    KPI_RETURN_IF_ERROR(ZoneMap::Decode(std::string_view(v.data() + 8, v.size() - 8), &ref.zone));
    im.refs[{ref.partition, ref.segment}] = std::move(ref);
  }
  KPI_RETURN_IF_ERROR(FromRocks(it->status(), "read zone maps"));

  // Count what a crash left staged, then seal it.
  it.reset(im.db->NewIterator(rocksdb::ReadOptions(), im.staging_cf));
  bool staged = false;
  for (it->SeekToFirst(); it->Valid(); it->Next()) staged = true;
  KPI_RETURN_IF_ERROR(FromRocks(it->status(), "read staging"));
  it.reset();
  {
    std::scoped_lock lock(im.seal_mu, im.write_mu);
    im.Publish();
  }
  if (staged) {
    im.pending_complete = false;
    IngestStats ignored;
    KPI_RETURN_IF_ERROR(store->Seal(&ignored));
  }
  *out = std::move(store);
  return Status::OK();
}

Store::~Store() {
  if (impl_ && impl_->acknowledged_fd >= 0) ::close(impl_->acknowledged_fd);
  if (impl_ && impl_->db) {
    for (auto* h : impl_->handles) impl_->db->DestroyColumnFamilyHandle(h);
    impl_->handles.clear();
    impl_->db->Close();
  }
}

void Store::Impl::NoteAcknowledged() {
  if (acknowledged_fd < 0) return;
  std::string v;
  PutBigEndian64(&v, db->GetLatestSequenceNumber());
  // No fsync: written after the log's fsync, the marker is never ahead of
  // what is durable; a lost update only makes the check weaker. On failure
  // stop keeping it (the value on disk stays behind, never ahead).
  if (::pwrite(acknowledged_fd, v.data(), v.size(), 0) != static_cast<ssize_t>(v.size())) {
    ::close(acknowledged_fd);
    acknowledged_fd = -1;
  }
}

void Store::Impl::Publish() {
  auto segments = std::make_shared<std::vector<SegmentRef>>();
  segments->reserve(refs.size());
  for (const auto& [key, ref] : refs) segments->push_back(ref);
  auto times = std::make_shared<const std::vector<int64_t>>(batch_times);
  std::lock_guard lock(view_mu);
  view_segments = std::move(segments);
  view_batch_times = std::move(times);
}

namespace {

// Appends the catalog entries for a column or a code added while staging.
void PutColumnEntry(rocksdb::WriteBatch* wb, rocksdb::ColumnFamilyHandle* cf, const std::string& name, uint32_t id,
                    ColumnKind kind) {
  std::string v;
  PutBigEndian32(&v, id);
  v.push_back(static_cast<char>(kind));
  wb->Put(cf, std::string(1, kColumnPrefix) + name, v);
}

// Rewrites every dictionary page holding a code in [first, last].
void PutDictionaryPages(rocksdb::WriteBatch* wb, rocksdb::ColumnFamilyHandle* cf, const Catalog& catalog,
                        uint32_t column, uint32_t first, uint32_t last) {
  for (uint32_t page = (first - 1) / kDictionaryPageCodes; page <= (last - 1) / kDictionaryPageCodes; ++page) {
    std::vector<std::string> values =
        catalog.DictionaryRange(column, page * kDictionaryPageCodes + 1, kDictionaryPageCodes);
    std::string v;
    codec::PutVarint64(&v, values.size());
    for (const std::string& s : values) {
      codec::PutVarint64(&v, s.size());
      v += s;
    }
    wb->Put(cf, DictionaryPageKey(column, page), v);
  }
}

}  // namespace

Status Store::Stage(std::span<const RawEvent> events, std::vector<EventReject>* rejects, IngestStats* stats,
                    std::span<const MetaWrite> extra) {
  Impl& im = *impl_;
  std::lock_guard lock(im.write_mu);
  if (im.failed) return Status::IOError("store is read-only after an earlier write failure; reopen it");
  rocksdb::WriteBatch wb;
  for (const MetaWrite& w : extra) {
    if (w.value) wb.Put(im.catalog_cf, MetaKey(w.ns, w.key), *w.value);
    else wb.Delete(im.catalog_cf, MetaKey(w.ns, w.key));
  }
  std::vector<CodedEvent> coded;
  coded.reserve(events.size());
  const uint32_t batch = im.last_batch + 1;

  // Batch-local caches keyed by views into `events` (alive for this call):
  // values repeat heavily, and the catalog's lock and string keys cost more.
  std::unordered_map<uint32_t, std::unordered_map<std::string_view, uint32_t>> code_cache;  // column -> value -> code
  std::unordered_map<std::string_view, std::pair<uint32_t, ColumnKind>> column_cache;
  std::map<uint32_t, std::pair<uint32_t, uint32_t>> new_codes;  // column -> [first, last] code added
  auto code_of = [&](uint32_t column, std::string_view value) {
    auto& cache = code_cache[column];
    auto hit = cache.find(value);
    if (hit != cache.end()) return hit->second;
    bool added = false;
    uint32_t code = catalog_.GetOrAddCode(column, value, &added);
    if (added) {
      auto [range, fresh] = new_codes.try_emplace(column, code, code);
      range->second.first = std::min(range->second.first, code);
      range->second.second = std::max(range->second.second, code);
    }
    cache.emplace(value, code);
    return code;
  };
  auto column_of = [&](const std::string& name, ColumnKind kind, uint32_t* id) {
    auto hit = column_cache.find(name);
    if (hit != column_cache.end()) {
      *id = hit->second.first;
      return hit->second.second == kind;
    }
    ColumnKind existing;
    bool added = false;
    bool ok = catalog_.GetOrAddColumn(name, kind, id, &existing, &added);
    if (added) PutColumnEntry(&wb, im.catalog_cf, name, *id, kind);
    column_cache.emplace(name, std::make_pair(*id, existing));
    return ok;
  };

  std::vector<std::string_view> ticket_keys;  // of the events in `coded`
  std::vector<uint32_t> ticket_refs;
  ticket_keys.reserve(events.size());
  // Dimensions and measures go straight into the pending events' arena; on
  // any failure below it is cut back to these marks.
  EventAttrs& attrs = im.pending_attrs;
  const size_t dims_mark = attrs.dims.size(), measures_mark = attrs.measures.size();
  auto undo_attrs = [&] {
    attrs.dims.resize(dims_mark);
    attrs.measures.resize(measures_mark);
  };
  for (size_t i = 0; i < events.size(); ++i) {
    const RawEvent& raw = events[i];
    if (raw.id.empty() && (raw.revision != 0 || raw.retract)) {
      if (rejects != nullptr) rejects->push_back({i, "a revision or retract needs an \"id\""});
      continue;
    }
    CodedEvent e;
    e.dims_begin = static_cast<uint32_t>(attrs.dims.size());
    e.measures_begin = static_cast<uint32_t>(attrs.measures.size());
    std::string conflict;
    for (const auto& [name, value] : raw.dims) {
      uint32_t id = 0;
      if (!column_of(name, ColumnKind::kDimension, &id)) {
        conflict = "\"" + name + "\" is a measure in this store; got a string";
        break;
      }
      attrs.dims.emplace_back(id, code_of(id, value));
    }
    for (const auto& [name, value] : raw.measures) {
      if (!conflict.empty()) break;
      uint32_t id = 0;
      if (!column_of(name, ColumnKind::kMeasure, &id)) {
        conflict = "\"" + name + "\" is a dimension in this store; got a number";
        break;
      }
      attrs.measures.emplace_back(id, value);
    }
    if (!conflict.empty()) {
      attrs.dims.resize(e.dims_begin);
      attrs.measures.resize(e.measures_begin);
      if (rejects != nullptr) rejects->push_back({i, conflict});
      continue;
    }
    e.num_dims = static_cast<uint32_t>(attrs.dims.size() - e.dims_begin);
    e.num_measures = static_cast<uint32_t>(attrs.measures.size() - e.measures_begin);
    std::sort(attrs.dims.begin() + e.dims_begin, attrs.dims.end());
    std::sort(attrs.measures.begin() + e.measures_begin, attrs.measures.end());
    e.ts_ms = raw.ts_ms;
    ticket_keys.push_back(raw.ticket);  // interned below, all at once
    e.event_code = code_of(kEventColumn, raw.event);
    e.agent_code = raw.agent.empty() ? 0 : code_of(kAgentColumn, raw.agent);
    e.id_hash = raw.id.empty() ? 0 : HashSourceId(raw.id);
    e.batch = batch;
    e.revision = raw.revision;
    e.dead_since = raw.retract ? batch : 0;  // a retraction is never visible itself
    coded.push_back(std::move(e));
  }
  ticket_refs.resize(ticket_keys.size());
  im.pending_tickets.InternMany(ticket_keys, ticket_refs.data());
  for (size_t j = 0; j < coded.size(); ++j) coded[j].ticket = ticket_refs[j];
  for (const auto& [column, range] : new_codes)
    PutDictionaryPages(&wb, im.catalog_cf, catalog_, column, range.first, range.second);
  if (coded.empty()) {
    // Nothing to land; still persist catalog additions and `extra`, if any.
    if (wb.Count() > 0) {
      rocksdb::Status s = im.db->Write(im.WriteOpts(options_.sync), &wb);
      if (!s.ok()) {
        im.failed = true;
        undo_attrs();
      } else if (options_.sync) {
        im.NoteAcknowledged();
      }
      return FromRocks(s, "write catalog");
    }
    return Status::OK();
  }
  std::string value;
  EncodeStagedBatch(coded, im.pending_tickets, attrs, &value);
  wb.Put(im.staging_cf, StagingKey(batch), value);
  // Batch times never go backwards, so `as of` maps an instant to a batch prefix.
  int64_t now = std::max(options_.clock(), im.last_batch_ms);
  std::string bv;
  PutBigEndian64(&bv, static_cast<uint64_t>(now));
  PutBigEndian32(&bv, static_cast<uint32_t>(coded.size()));
  wb.Put(im.catalog_cf, BatchKey(batch), bv);
  rocksdb::Status s = im.db->Write(im.WriteOpts(options_.sync), &wb);
  if (!s.ok()) {
    im.failed = true;
    undo_attrs();
    return FromRocks(s, "stage batch");
  }
  if (options_.sync) im.NoteAcknowledged();
  im.last_batch = batch;
  im.last_batch_ms = now;
  im.batch_times.push_back(now);
  im.staged_events += coded.size();
  if (stats != nullptr) {
    stats->staged += coded.size();
    stats->last_batch = batch;
  }
  im.pending_batches.push_back(batch);
  if (im.pending.empty()) {
    im.pending = std::move(coded);
  } else {
    im.pending.insert(im.pending.end(), std::make_move_iterator(coded.begin()), std::make_move_iterator(coded.end()));
  }
  return Status::OK();
}

Status Store::Ingest(std::span<const RawEvent> events, std::vector<EventReject>* rejects, IngestStats* stats) {
  KPI_RETURN_IF_ERROR(Stage(events, rejects, stats));
  return Seal(stats);
}

Status Store::Flush() {
  IngestStats ignored;
  KPI_RETURN_IF_ERROR(Seal(&ignored));
  std::lock_guard lock(impl_->write_mu);
  rocksdb::FlushOptions fo;
  fo.wait = true;
  KPI_RETURN_IF_ERROR(FromRocks(impl_->db->Flush(fo, impl_->handles), "flush"));
  rocksdb::CompactRangeOptions co;
  KPI_RETURN_IF_ERROR(FromRocks(impl_->db->CompactRange(co, impl_->staging_cf, nullptr, nullptr), "compact staging"));
  return FromRocks(impl_->db->FlushWAL(true), "sync log");
}

uint64_t Store::staged_events() const { return impl_->staged_events.load(); }

Status Store::PutMeta(const std::string& ns, const std::string& key, const std::string& value) {
  std::lock_guard lock(impl_->write_mu);
  rocksdb::Status s = impl_->db->Put(impl_->WriteOpts(true), impl_->catalog_cf, MetaKey(ns, key), value);
  if (s.ok()) impl_->NoteAcknowledged();
  return FromRocks(s, "put meta");
}

Status Store::WriteMeta(const std::vector<MetaWrite>& writes) {
  rocksdb::WriteBatch wb;
  for (const MetaWrite& w : writes) {
    if (w.value) wb.Put(impl_->catalog_cf, MetaKey(w.ns, w.key), *w.value);
    else wb.Delete(impl_->catalog_cf, MetaKey(w.ns, w.key));
  }
  std::lock_guard lock(impl_->write_mu);
  rocksdb::Status s = impl_->db->Write(impl_->WriteOpts(true), &wb);
  if (s.ok()) impl_->NoteAcknowledged();
  return FromRocks(s, "write meta");
}

Status Store::GetMeta(const std::string& ns, const std::string& key, std::string* value) const {
  rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->catalog_cf, MetaKey(ns, key), value);
  if (s.IsNotFound()) return Status::NotFound(ns + " '" + key + "' not found");
  return FromRocks(s, "get meta");
}

Status Store::DeleteMeta(const std::string& ns, const std::string& key) {
  std::lock_guard lock(impl_->write_mu);
  std::string ignored;
  if (impl_->db->Get(rocksdb::ReadOptions(), impl_->catalog_cf, MetaKey(ns, key), &ignored).IsNotFound())
    return Status::NotFound(ns + " '" + key + "' not found");
  rocksdb::Status s = impl_->db->Delete(impl_->WriteOpts(true), impl_->catalog_cf, MetaKey(ns, key));
  if (s.ok()) impl_->NoteAcknowledged();
  return FromRocks(s, "delete meta");
}

Status Store::ListMeta(const std::string& ns, std::vector<std::pair<std::string, std::string>>* out) const {
  out->clear();
  std::string prefix = MetaKey(ns, "");
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->catalog_cf));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    out->emplace_back(std::string(it->key().data() + prefix.size(), it->key().size() - prefix.size()),
                      it->value().ToString());
  }
  return FromRocks(it->status(), "list meta");
}

Status Store::ListMetaConsistent(const std::vector<std::string>& namespaces,
                                 std::vector<std::vector<std::pair<std::string, std::string>>>* out) const {
  out->assign(namespaces.size(), {});
  const rocksdb::Snapshot* snapshot = impl_->db->GetSnapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  Status status;
  for (size_t i = 0; i < namespaces.size() && status.ok(); ++i) {
    const std::string prefix = MetaKey(namespaces[i], "");
    std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->catalog_cf));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
      (*out)[i].emplace_back(std::string(it->key().data() + prefix.size(), it->key().size() - prefix.size()),
                             it->value().ToString());
    status = FromRocks(it->status(), "list meta");
  }
  impl_->db->ReleaseSnapshot(snapshot);
  return status;
}

}  // namespace kpi::storage
