// Store::Compact and DirectoryBytes (see storage/compact.h).
#include "storage/compact.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "storage/keys.h"
#include "storage/memo_files.h"
#include "storage/segment_codec.h"
#include "storage/segment_parts.h"
#include "storage/store_impl.h"

namespace kpi::storage {

namespace {

constexpr size_t kRewritesPerWrite = 64;

// Rewrites every base segment value of an older version (a store written by
// an earlier build; storage-format.md, "Segment value") in the version
// EncodeSegment writes, with its zone map recomputed, a new generation, one
// atomic write per kRewritesPerWrite segments. The rows are unchanged; the
// current version reads faster (one zstd pass over the whole old value was a
// fifth of a cold query's CPU: docs/performance.md, "Cold queries") and is
// smaller. Segments with delta parts were folded (and so rewritten) before.
// A template only to name Store's private Impl through deduction.
template <typename StoreImpl>
Status RewriteOldSegments(StoreImpl& im, bool sync) {
  std::lock_guard seal_lock(im.seal_mu);  // refs and generations are the sealer's
  std::vector<SegmentRef> refs;
  for (const auto& [key, ref] : im.refs)
    if (ref.deltas == 0) refs.push_back(ref);
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  for (size_t begin = 0; begin < refs.size(); begin += kRewritesPerWrite) {
    const size_t end = std::min(refs.size(), begin + kRewritesPerWrite);
    rocksdb::WriteBatch wb;
    std::vector<std::pair<SegmentRef, std::shared_ptr<const Segment>>> done;
    uint64_t generation = im.next_generation;
    for (size_t i = begin; i < end; ++i) {
      const SegmentRef& old = refs[i];
      const std::string key = SegmentKey(old.partition, old.segment);
      rocksdb::PinnableSlice value;
      KPI_RETURN_IF_ERROR(FromRocks(im.db->Get(ro, im.segments_cf, key, &value),
                                    "read segment " + std::to_string(old.partition) + "/" +
                                        std::to_string(old.segment)));
      const std::string_view bytes(value.data(), value.size());
      if (IsCurrentSegmentVersion(bytes)) continue;
      Segment segment;
      KPI_RETURN_IF_ERROR(DecodeSegment(bytes, &segment));
      done.emplace_back(im.PutRewrite(old, segment, &generation, &wb), nullptr);
    }
    if (done.empty()) continue;
    KPI_RETURN_IF_ERROR(im.CommitRewrites(&wb, generation, std::move(done), sync, "rewrite old segments"));
  }
  return Status::OK();
}

}  // namespace

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t bytes = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) bytes += entry.file_size(ec);
  }
  return bytes;
}

Status Store::Compact(CompactStats* stats) {
  CompactStats local;
  if (stats == nullptr) stats = &local;
  const auto start = std::chrono::steady_clock::now();
  stats->disk_bytes_before = DirectoryBytes(dir_);
  // Seals what is staged and turns memtables into table files, so the
  // compaction below sees every replaced value.
  KPI_RETURN_IF_ERROR(Flush());
  KPI_RETURN_IF_ERROR(FoldDeltas(SIZE_MAX, &stats->segments_folded));
  KPI_RETURN_IF_ERROR(MakeWritable());
  KPI_RETURN_IF_ERROR(RewriteOldSegments(*impl_, options_.sync));
  KPI_RETURN_IF_ERROR(AddLiveCounts(&stats->live_counts_added));
  // Folds, rewrites and live counts made new versions of segments: the
  // derived values of the old ones would only take room (storage/memo_files.h).
  KPI_RETURN_IF_ERROR(MemoFiles::Clear(dir_));
  // Flushes again: the rewrites above put the next generation in the
  // catalog, whose memtable would otherwise keep their whole log on disk.
  KPI_RETURN_IF_ERROR(Flush());
  rocksdb::CompactRangeOptions co;
  // Rewrite the bottommost level too: after a scattered load the replaced
  // segment values often sit there beside their replacements' level.
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  co.exclusive_manual_compaction = true;
  // The ticket index too: seals re-put the tickets that moved, and its
  // memtable flushes leave level-0 files that overlap, each with its own
  // filter and index (1M sorted tickets: 5.2 MB in 7 files, 3.0 MB after).
  for (const auto& [cf, name] : {std::pair{impl_->segments_cf, "segments"}, std::pair{impl_->zones_cf, "zones"},
                                 std::pair{impl_->staging_cf, "staging"}, std::pair{impl_->tickets_cf, "tickets"},
                                 std::pair{impl_->values_cf, "values"}}) {
    if (cf == nullptr) continue;  // tickets, values: not opened read-only
    KPI_RETURN_IF_ERROR(FromRocks(impl_->db->CompactRange(co, cf, nullptr, nullptr), std::string("compact ") + name));
  }
  for (const SegmentRef& ref : *GetSnapshot()->segments_) stats->events += ref.zone.num_events;
  stats->disk_bytes_after = DirectoryBytes(dir_);
  stats->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Status::OK();
}

}  // namespace kpi::storage
