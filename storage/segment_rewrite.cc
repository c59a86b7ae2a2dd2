// Store::Impl::PutRewrite and CommitRewrites (see storage/store_impl.h): the
// one way a whole segment is written anew as a single base value, shared by
// Store::FoldDeltas (storage/fold_deltas.cc) and Store::Compact's rewrite of
// old segment values (storage/compact.cc).
#include "storage/keys.h"
#include "storage/segment_codec.h"
#include "storage/segment_parts.h"
#include "storage/store_impl.h"

namespace kpi::storage {

SegmentRef Store::Impl::PutRewrite(const SegmentRef& old, const Segment& segment, uint64_t* generation,
                                   rocksdb::WriteBatch* wb) const {
  std::string value;
  EncodeSegment(segment, &value);
  SegmentRef ref;
  ref.partition = old.partition;
  ref.segment = old.segment;
  ref.generation = (*generation)++;
  ref.zone = ComputeZoneMap(segment, value.size());
  const std::string key = SegmentKey(ref.partition, ref.segment);
  wb->Put(segments_cf, key, value);
  for (uint32_t d = 1; d <= old.deltas; ++d) wb->Delete(segments_cf, DeltaKey(ref.partition, ref.segment, d));
  std::string zone;
  EncodeZoneValue(ref, &zone);
  wb->Put(zones_cf, key, zone);
  return ref;
}

Status Store::Impl::CommitRewrites(rocksdb::WriteBatch* wb, uint64_t generation,
                                   std::vector<std::pair<SegmentRef, std::shared_ptr<const Segment>>> done,
                                   bool sync, const char* what) {
  std::string gen;
  PutBigEndian64(&gen, generation);
  wb->Put(catalog_cf, kGenerationKey, gen);
  std::lock_guard lock(write_mu);
  KPI_RETURN_IF_ERROR(Commit(wb, sync, what));
  next_generation = generation;
  for (auto& [ref, segment] : done) {
    if (segment != nullptr) cache->Insert(ref.partition, ref.segment, ref.generation, std::move(segment));
    refs[{ref.partition, ref.segment}] = std::move(ref);
  }
  Publish();
  return Status::OK();
}

}  // namespace kpi::storage
