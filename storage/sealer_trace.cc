// Sealer::TraceMemory (storage/sealer.h): one memory-trace line
// (storage/memory_trace.h) with what the seal holds and what RocksDB holds,
// in MB: the incoming tickets' interner, the spilled batches' offsets and
// tickets (staged_) with the look-ahead's marks, the incoming and the decoded sealed events with their
// dimensions and measures, the seal's WriteBatch so far (size/capacity), the memtables of
// every family (flushed ones still pinned included), the table readers' index and filter blocks, the block
// caches (the ticket and value indexes' + the other families'), the
// decoded-segment cache, and every segment's ref with its zone map.
#include <rocksdb/cache.h>

#include <cstdio>

#include "storage/memory_trace.h"
#include "storage/sealer.h"

namespace kpi::storage {

namespace {

template <typename T>
uint64_t Capacity(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

}  // namespace

void Sealer::TraceMemory(const char* what, const rocksdb::WriteBatch* wb) const {
  if (!MemoryTraceEnabled()) return;
  uint64_t staged = 0, staged_events = 0;
  for (const StagedBatch& b : staged_) staged_events += b.starts.empty() ? b.offsets.size() : b.starts.back();
  for (const StagedBatch& b : staged_)
    staged += Capacity(b.offsets) + Capacity(b.tickets) + Capacity(b.starts) + Capacity(b.packed_starts) + b.packed.capacity();
  staged += Capacity(staged_) + Capacity(incoming_counts_) + Capacity(incoming_placement_);
  // The look-ahead's marks: this run's, and those earlier runs left for it.
  for (const auto& [batch, marks] : ahead_taken_) staged += marks.MemoryBytes();
  for (const auto& [batch, marks] : im_.sealed_ahead) staged += marks.MemoryBytes();
  const uint64_t events = Capacity(incoming_) + Capacity(order_) + Capacity(starts_) + Capacity(sealed_) +
                          Capacity(attrs_.dims) + Capacity(attrs_.measures);
  uint64_t memtables = 0, readers = 0, pinned = 0;
  im_.db->GetAggregatedIntProperty(rocksdb::DB::Properties::kSizeAllMemTables, &memtables);
  im_.db->GetAggregatedIntProperty(rocksdb::DB::Properties::kEstimateTableReadersMem, &readers);
  im_.db->GetAggregatedIntProperty(rocksdb::DB::Properties::kBlockCachePinnedUsage, &pinned);
  const uint64_t caches = (im_.ticket_cache ? im_.ticket_cache->GetUsage() : 0) +
                          (im_.value_cache ? im_.value_cache->GetUsage() : 0);
  // The other families' block caches (RocksDB's built-in one each).
  uint64_t family_caches = 0;
  for (rocksdb::ColumnFamilyHandle* cf : {im_.catalog_cf, im_.staging_cf, im_.segments_cf, im_.zones_cf}) {
    uint64_t usage = 0;
    if (cf != nullptr && im_.db->GetIntProperty(cf, rocksdb::DB::Properties::kBlockCacheUsage, &usage))
      family_caches += usage;
  }
  // Every segment's ref and zone map (Store::Impl::refs; the published view holds a copy).
  uint64_t refs = im_.refs.size() * (sizeof(SegmentRef) + 64);
  for (const auto& [key, ref] : im_.refs) refs += ref.zone.lists.MemoryBytes();
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "tickets %zu (%.0f) staged %zu batches %llu events (%.1f) events %zu+%zu (%.0f) work %zu (%.0f) wb %.0f/%.0f | "
                "memtables %.0f readers %.0f blockcaches %.0f+%.0f pinned %.0f segcache %.0f | segments %zu (%.0f)",
                tickets_.size(), Mb(tickets_.MemoryBytes()), staged_.size(),
                static_cast<unsigned long long>(staged_events), Mb(staged), incoming_.size(),
                sealed_.size(), Mb(events), work_.size(), Mb(work_ids_.MemoryBytes() + Capacity(work_)),
                Mb(wb != nullptr ? wb->GetDataSize() : 0), Mb(wb != nullptr ? wb->Data().capacity() : 0), Mb(memtables), Mb(readers), Mb(caches), Mb(family_caches),
                Mb(pinned), Mb(im_.cache->bytes()), im_.refs.size(), Mb(refs));
  kpi::storage::TraceMemory(what, buf);
}

}  // namespace kpi::storage
