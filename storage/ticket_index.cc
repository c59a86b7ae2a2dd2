// TicketIndex (storage/ticket_index.h): batched lookups, the seal's puts and
// the one-time build for stores sealed before the index existed.
#include "storage/ticket_index.h"

#include "storage/keys.h"
#include "storage/segment_codec.h"
#include "storage/segment_parts.h"
#include "storage/sorted_multi_get.h"
#include "storage/store_impl.h"

namespace kpi::storage {

namespace {

// Tickets per WriteBatch while building the index of an older store.
constexpr size_t kBuildChunk = 1 << 16;

bool DecodeLocation(std::string_view v, TicketLocation* loc) {
  if (v.size() != 8) return false;
  loc->partition = GetBigEndian32(v.data());
  loc->segment = GetBigEndian32(v.data() + 4);
  return true;
}

}  // namespace

std::string EncodeTicketLocation(TicketLocation loc) {
  std::string v;
  PutBigEndian32(&v, loc.partition);
  PutBigEndian32(&v, loc.segment);
  return v;
}

Status TicketIndex::Lookup(const std::vector<std::string>& ids,
                           const std::function<void(size_t index, TicketLocation loc)>& found) const {
  std::vector<std::string_view> keys(ids.begin(), ids.end());
  uint64_t hit = 0;
  Status s = SortedMultiGet(
      db_.get(), cf_, keys,
      [&](size_t i, std::string_view value) {
        TicketLocation loc;
        if (!DecodeLocation(value, &loc)) return Status::Corruption("ticket index entry of " + ids[i] + kDamageAdvice);
        ++hit;
        found(i, loc);
        return Status::OK();
      },
      &block_hits_, &block_reads_, "read ticket index");
  lookups_ += ids.size();
  found_ += hit;
  return s;
}

void TicketIndex::Put(rocksdb::WriteBatch* wb, std::string_view id, TicketLocation loc) const {
  wb->Put(cf_, rocksdb::Slice(id.data(), id.size()), EncodeTicketLocation(loc));
}

Status TicketIndex::BuildIfMissing(rocksdb::ColumnFamilyHandle* segments_cf, rocksdb::ColumnFamilyHandle* catalog_cf,
                                   const rocksdb::WriteOptions& write) {
  if (built_) return Status::OK();
  std::string marker;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), catalog_cf, kTicketIndexKey, &marker);
  if (!s.IsNotFound()) {
    KPI_RETURN_IF_ERROR(FromRocks(s, "read ticket index state"));
    built_ = true;
    return Status::OK();
  }
  // Puts are idempotent: a build cut short by a crash is redone whole.
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, segments_cf));
  rocksdb::WriteBatch wb;
  size_t in_batch = 0;
  std::vector<std::string> ids;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    TicketLocation loc;
    const std::string_view key(it->key().data(), it->key().size());
    uint32_t delta = 0;  // a delta part's tickets are its base segment's (storage/segment_parts.h)
    if (!ParseSegmentKey(key, &loc.partition, &loc.segment) &&
        !ParseDeltaKey(key, &loc.partition, &loc.segment, &delta))
      return Status::Corruption("segment key");
    KPI_RETURN_IF_ERROR(DecodeTicketIds(std::string_view(it->value().data(), it->value().size()), &ids));
    for (const std::string& id : ids) Put(&wb, id, loc);
    in_batch += ids.size();
    if (in_batch >= kBuildChunk) {
      KPI_RETURN_IF_ERROR(FromRocks(db_->Write(write, &wb), "write ticket index"));
      wb.Clear();
      in_batch = 0;
    }
  }
  KPI_RETURN_IF_ERROR(FromRocks(it->status(), "read ticket ids"));
  std::string version;
  PutBigEndian32(&version, 1);
  wb.Put(catalog_cf, kTicketIndexKey, version);
  KPI_RETURN_IF_ERROR(FromRocks(db_->Write(write, &wb), "write ticket index"));
  built_ = true;
  return Status::OK();
}

TicketIndexStats TicketIndex::Stats() const {
  TicketIndexStats out;
  out.lookups = lookups_;
  out.found = found_;
  out.blocks.bytes = cache_->GetUsage();
  const size_t entries = cache_->GetOccupancyCount();
  out.blocks.entries = entries == SIZE_MAX ? 0 : entries;
  out.blocks.capacity_bytes = cache_->GetCapacity();
  out.blocks.hits = block_hits_;
  out.blocks.misses = block_reads_;
  return out;
}

}  // namespace kpi::storage
