// TicketIndex (storage/ticket_index.h): batched lookups, the seal's puts and
// the one-time build for stores sealed before the index existed.
#include "storage/ticket_index.h"

#include <rocksdb/perf_context.h>
#include <rocksdb/perf_level.h>

#include <algorithm>
#include <numeric>

#include "storage/keys.h"
#include "storage/segment_codec.h"
#include "storage/segment_parts.h"
#include "storage/store_impl.h"

namespace kpi::storage {

namespace {

// Keys per MultiGet: big enough to amortise the call, small enough that its
// per-key arrays stay in cache.
constexpr size_t kLookupChunk = 4096;
// Tickets per WriteBatch while building the index of an older store.
constexpr size_t kBuildChunk = 1 << 16;

bool DecodeLocation(const rocksdb::PinnableSlice& v, TicketLocation* loc) {
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
  if (ids.empty()) return Status::OK();
  // Sorted keys let RocksDB walk each table file once per chunk.
  std::vector<uint32_t> order(ids.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return ids[a] < ids[b]; });
  std::vector<rocksdb::Slice> keys(std::min(ids.size(), kLookupChunk));
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  rocksdb::ReadOptions ro;
  // Count this thread's block cache hits and block reads (the family's cache
  // serves nothing else, and segment reads do not fill it).
  const rocksdb::PerfLevel level = rocksdb::GetPerfLevel();
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableCount);
  rocksdb::PerfContext* perf = rocksdb::get_perf_context();
  const uint64_t hits_before = perf->block_cache_hit_count, reads_before = perf->block_read_count;
  uint64_t hit = 0;
  Status error;
  for (size_t begin = 0; begin < ids.size() && error.ok(); begin += kLookupChunk) {
    const size_t n = std::min(kLookupChunk, ids.size() - begin);
    for (size_t j = 0; j < n; ++j) {
      const std::string& id = ids[order[begin + j]];
      keys[j] = rocksdb::Slice(id.data(), id.size());
      values[j].Reset();
    }
    db_->MultiGet(ro, cf_, n, keys.data(), values.data(), statuses.data(), /*sorted_input=*/true);
    for (size_t j = 0; j < n; ++j) {
      if (statuses[j].IsNotFound()) continue;
      TicketLocation loc;
      if (!statuses[j].ok()) {
        error = FromRocks(statuses[j], "read ticket index");
        break;
      }
      if (!DecodeLocation(values[j], &loc)) {
        error = Status::Corruption("ticket index entry of " + ids[order[begin + j]] + kDamageAdvice);
        break;
      }
      ++hit;
      found(order[begin + j], loc);
    }
  }
  block_hits_ += perf->block_cache_hit_count - hits_before;
  block_reads_ += perf->block_read_count - reads_before;
  rocksdb::SetPerfLevel(level);
  lookups_ += ids.size();
  found_ += hit;
  return error;
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
