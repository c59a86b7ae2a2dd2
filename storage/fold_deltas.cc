// Store::FoldDeltas (see storage/store.h and storage/segment_parts.h): a
// segment's base and delta parts, read as one through the snapshot, written
// back as a new base in one atomic write with its zone map, the deletion of
// its deltas and the next generation. Nothing a query sees changes.
#include <algorithm>

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
    SegmentRef ref = im.PutRewrite(old, *merged, &generation, &wb);
    done.emplace_back(std::move(ref), std::move(merged));
  }
  const size_t n = done.size();
  KPI_RETURN_IF_ERROR(im.CommitRewrites(&wb, generation, std::move(done), options_.sync, "fold deltas"));
  if (folded != nullptr) *folded = n;
  return Status::OK();
}

}  // namespace kpi::storage
