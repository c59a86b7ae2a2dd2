// Store::AddLiveCounts (see storage/store.h and storage/zone_map.h): gives
// the zone maps of segments written before live counts existed (zone map
// version 1, stores of formats 1-3) their live tickets and events, read from
// each segment's ticket structure, batches and corrections, so that
// `count()` answers from metadata for them too. The segments themselves and
// their generations are unchanged; zone maps are written in batches of
// kPerWrite, each one atomic write (the writable open stamped the store 4).
#include <algorithm>

#include "storage/keys.h"
#include "storage/segment_codec.h"
#include "storage/segment_parts.h"
#include "storage/store_impl.h"

namespace kpi::storage {

namespace {

constexpr size_t kPerWrite = 256;

// Reads the columns SetLiveCounts needs (every column when the segment has
// delta parts: the merge orders events by all of them), bypassing the
// decoded-segment cache.
Status ReadForLiveCounts(rocksdb::DB* db, const rocksdb::ReadOptions& ro, rocksdb::ColumnFamilyHandle* segments,
                         const SegmentRef& ref, uint32_t created_code, Segment* out) {
  if (ref.deltas > 0)
    return ReadMergedSegment(db, ro, segments, ref.partition, ref.segment, ref.deltas, created_code, out);
  rocksdb::PinnableSlice value;
  KPI_RETURN_IF_ERROR(FromRocks(db->Get(ro, segments, SegmentKey(ref.partition, ref.segment), &value),
                                "read segment " + std::to_string(ref.partition) + "/" + std::to_string(ref.segment)));
  SegmentColumns columns;
  columns.batches = true;
  return DecodeSegment(std::string_view(value.data(), value.size()), columns, out);
}

}  // namespace

Status Store::AddLiveCounts(uint64_t* added) {
  if (added != nullptr) *added = 0;
  Impl& im = *impl_;
  {
    // The view, not the sealer's refs: a read-only instance has only the view.
    std::lock_guard view_lock(im.view_mu);
    const auto& view = *im.view_segments;
    if (std::none_of(view.begin(), view.end(), [](const SegmentRef& ref) { return !ref.zone.live_known; }))
      return Status::OK();
  }
  KPI_RETURN_IF_ERROR(MakeWritable());
  std::lock_guard seal_lock(im.seal_mu);  // refs are the sealer's
  std::vector<SegmentRef> todo;
  for (const auto& [key, ref] : im.refs)
    if (!ref.zone.live_known) todo.push_back(ref);
  const uint32_t created_code = catalog_.FindCode(kEventColumn, "created");
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  for (size_t begin = 0; begin < todo.size(); begin += kPerWrite) {
    const size_t end = std::min(todo.size(), begin + kPerWrite);
    rocksdb::WriteBatch wb;
    for (size_t i = begin; i < end; ++i) {
      Segment segment;
      KPI_RETURN_IF_ERROR(ReadForLiveCounts(im.db.get(), ro, im.segments_cf, todo[i], created_code, &segment));
      SetLiveCounts(segment, &todo[i].zone);
      std::string zone;
      EncodeZoneValue(todo[i], &zone);
      wb.Put(im.zones_cf, SegmentKey(todo[i].partition, todo[i].segment), zone);
    }
    std::lock_guard lock(im.write_mu);
    KPI_RETURN_IF_ERROR(im.Commit(&wb, options_.sync, "write zone maps"));
    for (size_t i = begin; i < end; ++i) im.refs[{todo[i].partition, todo[i].segment}] = todo[i];
    im.Publish();
    if (added != nullptr) *added += end - begin;
  }
  return Status::OK();
}

}  // namespace kpi::storage
