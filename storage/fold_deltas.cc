// Store::FoldDeltas (see storage/store.h and storage/segment_parts.h): a
// segment's base and delta parts, read as one through the snapshot, written
// back as a new base in one atomic write with its zone map, the deletion of
// its deltas and the next generation. Nothing a query sees changes.
#include <algorithm>

#include "storage/keys.h"
#include "storage/segment_codec.h"
#include "storage/segment_parts.h"
#include "storage/store_impl.h"

namespace kpi::storage {

uint64_t Store::SegmentsWithDeltas() const {
  uint64_t n = 0;
  for (const SegmentRef& ref : *GetSnapshot()->segments_) n += ref.deltas > 0;
  return n;
}

Status Store::FoldDeltas(size_t max_segments, uint64_t* folded) {
  if (folded != nullptr) *folded = 0;
  KPI_RETURN_IF_ERROR(MakeWritable());
  Impl& im = *impl_;
  std::lock_guard seal_lock(im.seal_mu);  // refs and generations are the sealer's
  std::vector<SegmentRef> todo;
  for (const auto& [key, ref] : im.refs)
    if (ref.deltas > 0) todo.push_back(ref);
  std::sort(todo.begin(), todo.end(), [](const SegmentRef& a, const SegmentRef& b) { return a.deltas > b.deltas; });
  if (todo.size() > max_segments) todo.resize(max_segments);
  if (todo.empty()) return Status::OK();

  auto snap = GetSnapshot();
  rocksdb::WriteBatch wb;
  std::vector<std::pair<SegmentRef, std::shared_ptr<const Segment>>> done;
  uint64_t generation = im.next_generation;
  for (const SegmentRef& old : todo) {
    std::shared_ptr<const Segment> merged;
    KPI_RETURN_IF_ERROR(snap->Load(old, &merged));
    std::string value;
    EncodeSegment(*merged, &value);
    SegmentRef ref;
    ref.partition = old.partition;
    ref.segment = old.segment;
    ref.generation = generation++;
    ref.zone = ComputeZoneMap(*merged, value.size());
    wb.Put(im.segments_cf, SegmentKey(ref.partition, ref.segment), value);
    for (uint32_t d = 1; d <= old.deltas; ++d) wb.Delete(im.segments_cf, DeltaKey(ref.partition, ref.segment, d));
    std::string zone;
    EncodeZoneValue(ref, &zone);
    wb.Put(im.zones_cf, SegmentKey(ref.partition, ref.segment), zone);
    done.emplace_back(std::move(ref), std::move(merged));
  }
  std::string gen;
  PutBigEndian64(&gen, generation);
  wb.Put(im.catalog_cf, kGenerationKey, gen);

  std::lock_guard lock(im.write_mu);
  KPI_RETURN_IF_ERROR(im.Commit(&wb, options_.sync, "fold deltas"));
  im.next_generation = generation;
  for (auto& [ref, segment] : done) {
    im.cache->Insert(ref.partition, ref.segment, ref.generation, std::move(segment));
    im.refs[{ref.partition, ref.segment}] = std::move(ref);
  }
  im.Publish();
  if (folded != nullptr) *folded = done.size();
  return Status::OK();
}

}  // namespace kpi::storage
