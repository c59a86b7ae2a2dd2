// Store: metadata, flush, the acknowledged marker and the published view.
// Open lives in store_open.cc, Stage in staging.cc, Seal in sealer.cc, the
// read view in snapshot.cc, GetInfo in store_info.cc.
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
#include "storage/dictionary_page.h"
#include "storage/keys.h"
#include "storage/segment_codec.h"
#include "storage/store_dir.h"
#include "storage/store_impl.h"

namespace kpi::storage {

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::OK();
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString() + kDamageAdvice);
  if (s.IsNotFound()) return Status::NotFound(what + ": " + s.ToString());
  return Status::IOError(what + ": " + s.ToString());
}

void Store::Impl::NoteAcknowledged() { NoteAcknowledgedUpTo(db->GetLatestSequenceNumber()); }

void Store::Impl::NoteAcknowledgedUpTo(uint64_t seq) {
  if (acknowledged_fd < 0) return;
  std::string v;
  PutBigEndian64(&v, seq);
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
  sealing_ms.reset();
}

Status Store::Ingest(std::span<const RawEvent> events, std::vector<EventReject>* rejects, IngestStats* stats) {
  KPI_RETURN_IF_ERROR(Stage(events, rejects, stats));
  return Seal(stats);
}

Status Store::Flush() {
  KPI_RETURN_IF_ERROR(MakeWritable());
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
  KPI_RETURN_IF_ERROR(MakeWritable());
  std::lock_guard lock(impl_->write_mu);
  impl_->NoteMetaWrite(options_.clock());
  rocksdb::Status s = impl_->db->Put(impl_->WriteOpts(true), impl_->catalog_cf, MetaKey(ns, key), value);
  if (s.ok()) impl_->NoteAcknowledged();
  return FromRocks(s, "put meta");
}

Status Store::WriteMeta(const std::vector<MetaWrite>& writes) {
  KPI_RETURN_IF_ERROR(MakeWritable());
  rocksdb::WriteBatch wb;
  for (const MetaWrite& w : writes) {
    if (w.value) wb.Put(impl_->catalog_cf, MetaKey(w.ns, w.key), *w.value);
    else wb.Delete(impl_->catalog_cf, MetaKey(w.ns, w.key));
  }
  std::lock_guard lock(impl_->write_mu);
  impl_->NoteMetaWrite(options_.clock());
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
  KPI_RETURN_IF_ERROR(MakeWritable());
  std::lock_guard lock(impl_->write_mu);
  impl_->NoteMetaWrite(options_.clock());
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
