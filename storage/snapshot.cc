// Snapshot: a pinned RocksDB snapshot plus the segment list of that instant;
// Plan() prunes with zone maps, Load() decodes through the shared cache.
#include <algorithm>
#include <optional>

#include "storage/empty_columns.h"
#include "storage/keys.h"
#include "storage/segment_codec.h"
#include "storage/segment_parts.h"
#include "storage/store_impl.h"
#include "storage/zone_list_match.h"

namespace kpi::storage {

namespace {

bool Intersects(const std::vector<uint32_t>& sorted_a, const std::vector<uint32_t>& wanted) {
  for (uint32_t w : wanted)
    if (std::binary_search(sorted_a.begin(), sorted_a.end(), w)) return true;
  return false;
}

bool MayMatch(uint32_t partition, const ZoneMap& z, const ScanSpec& spec) {
  if (z.num_events == 0) return false;
  const int64_t day_start = int64_t{partition} * kMillisPerDay;
  if (day_start + kMillisPerDay <= spec.min_placement_ms || day_start >= spec.max_placement_ms) return false;
  if (z.max_time_ms < spec.min_time_ms || z.min_time_ms >= spec.max_time_ms) return false;
  if (z.min_batch > spec.max_batch) return false;
  if (spec.event_codes.empty() && spec.agent_codes.empty() && spec.dim_codes.empty()) return true;
  // The code lists, tested where they are: decoded lists (a sealing process
  // decodes those it extends), else their encoded bytes, read only as far
  // as the test needs (storage/zone_list_match.h). A zone map whose lists
  // do not decode proves nothing: its segment is read.
  const ZoneLists& lists = z.lists;
  if (!lists.decoded()) return EncodedListsMayMatch(lists.Encoded(), spec.event_codes, spec.agent_codes, spec.dim_codes);
  if (!lists.ok()) return true;
  if (!spec.event_codes.empty() && !Intersects(lists.events(), spec.event_codes)) return false;
  if (!spec.agent_codes.empty() && !Intersects(lists.agents(), spec.agent_codes)) return false;
  for (const auto& [column, wanted] : spec.dim_codes) {
    for (const auto& [zcolumn, codes] : lists.dims()) {
      if (zcolumn == column && !Intersects(codes, wanted)) return false;
    }
  }
  return true;
}

}  // namespace

std::shared_ptr<const Snapshot> Store::GetSnapshot() const {
  auto snap = std::shared_ptr<Snapshot>(new Snapshot());
  snap->store_ = this;
  {
    // Pin the RocksDB snapshot and the view together, so the segment list and
    // the bytes it points at belong to the same instant.
    std::lock_guard lock(impl_->view_mu);
    snap->db_ = impl_->db.get();
    snap->segments_cf_ = impl_->segments_cf;
    snap->db_snapshot_ = snap->db_->GetSnapshot();
    snap->segments_ = impl_->view_segments;
    snap->batch_times_ = impl_->view_batch_times;
    snap->instant_ms_ = impl_->ViewInstant(*snap->batch_times_, options_.clock());
  }
  snap->scan_ = impl_->cache->NewScan();
  snap->last_batch_ = static_cast<uint32_t>(snap->batch_times_->size());
  return snap;
}

Snapshot::~Snapshot() {
  if (store_ != nullptr && scan_ != 0) store_->impl_->cache->EndScan(scan_);
  if (db_snapshot_ != nullptr) db_->ReleaseSnapshot(db_snapshot_);
}

const Catalog& Snapshot::catalog() const { return store_->catalog(); }

uint32_t Snapshot::BatchAtOrBefore(int64_t epoch_ms) const {
  const auto& t = *batch_times_;
  return static_cast<uint32_t>(std::upper_bound(t.begin(), t.end(), epoch_ms) - t.begin());
}

std::vector<SegmentRef> Snapshot::Plan(const ScanSpec& spec, PlanStats* stats) const {
  std::vector<SegmentRef> out;
  // Room for every segment up front: growing it copied each ref (and its
  // zone map's lists) again at every doubling, and faulted in fresh pages
  // each time (a cold one-statement process plans once or twice).
  out.reserve(segments_->size());
  // The codes wanted, sorted (the in-place tests walk them with the lists).
  ScanSpec sorted;
  const bool codes = !spec.event_codes.empty() || !spec.agent_codes.empty() || !spec.dim_codes.empty();
  if (codes) {
    sorted = spec;
    std::sort(sorted.event_codes.begin(), sorted.event_codes.end());
    std::sort(sorted.agent_codes.begin(), sorted.agent_codes.end());
    for (auto& [column, wanted] : sorted.dim_codes) std::sort(wanted.begin(), wanted.end());
  }
  const ScanSpec& test = codes ? sorted : spec;
  PlanStats local;
  // The view is in (partition, segment) order: a partition is counted when
  // its first segment (scanned: its first scanned segment) is met.
  std::optional<uint32_t> last_partition, last_scanned_partition;
  std::vector<SegmentCache::Version> claims;
  out.reserve(segments_->size());
  claims.reserve(segments_->size());
  for (const SegmentRef& ref : *segments_) {
    local.partitions_total += last_partition != ref.partition;
    last_partition = ref.partition;
    local.segments_total++;
    local.events_total += ref.zone.num_events;
    if (!MayMatch(ref.partition, ref.zone, test)) continue;
    local.partitions_scanned += last_scanned_partition != ref.partition;
    last_scanned_partition = ref.partition;
    local.segments_scanned++;
    local.events_in_scanned_segments += ref.zone.num_events;
    claims.push_back(SegmentCache::Version{ref.partition, ref.segment, ref.generation});
    out.push_back(ref);
  }
  // What this snapshot will read (columns and derived values) stays cached
  // while it reads the rest: claimed when it first has to make room.
  store_->impl_->cache->ClaimLater(std::move(claims), scan_);
  if (stats != nullptr) *stats = local;
  return out;
}

Status Snapshot::Load(const SegmentRef& ref, std::shared_ptr<const Segment>* out) const {
  return Load(ref, SegmentColumns::All(), out);
}

Status Snapshot::Load(const SegmentRef& ref, const SegmentColumns& want, std::shared_ptr<const Segment>* out) const {
  return Load(ref, want, false, out);
}

Status Snapshot::Load(const SegmentRef& ref, const SegmentColumns& want, bool hollow_ok,
                      std::shared_ptr<const Segment>* out) const {
  Store::Impl& im = *store_->impl_;
  if (auto hit = im.cache->Find(ref.partition, ref.segment, ref.generation, want, scan_)) {
    *out = std::move(hit);
    return Status::OK();
  }
  if (hollow_ok) {
    std::shared_ptr<MemoValues> memo = im.cache->FindMemo(ref.partition, ref.segment, ref.generation, scan_);
    if (memo != nullptr && !memo->event_begin().empty()) {
      auto segment = std::make_shared<Segment>();
      segment->columns = SegmentColumns();  // none yet
      segment->event_begin = memo->event_begin();
      segment->memo.Attach(std::move(memo));
      // Private to this reader until it drops it; decoded through this
      // snapshot, a share of which it holds until then (the decoder is
      // dropped once run: SegmentMemo::Materialize).
      Segment* hollow = segment.get();
      segment->memo.SetHollow([self = shared_from_this(), ref, want, hollow] {
        self->store_->impl_->cache->HollowDecoded();
        Segment full;
        Status s = self->Decode(ref, want, &full);
        if (!s.ok()) {
          full = EmptyValuedColumns(hollow->event_begin, want);
        }
        hollow->TakeColumns(std::move(full));
        return s;
      });
      *out = std::move(segment);
      return Status::OK();
    }
  }
  // Decode what is wanted and what the cache holds already, so that queries
  // needing different columns do not evict each other's.
  SegmentColumns columns = im.cache->CachedColumns(ref.partition, ref.segment, ref.generation);
  columns.Add(want);
  auto segment = std::make_shared<Segment>();
  KPI_RETURN_IF_ERROR(Decode(ref, columns, segment.get()));
  im.cache->Insert(ref.partition, ref.segment, ref.generation, segment, scan_, /*values_first=*/hollow_ok);
  *out = std::move(segment);
  return Status::OK();
}

Status Snapshot::Decode(const SegmentRef& ref, const SegmentColumns& columns, Segment* out) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = db_snapshot_;
  ro.fill_cache = false;  // decoded segments are cached above; RocksDB's block cache would hold a second copy
  const std::string name = std::to_string(ref.partition) + "/" + std::to_string(ref.segment);
  if (ref.deltas == 0) {
    rocksdb::PinnableSlice value;
    KPI_RETURN_IF_ERROR(
        FromRocks(db_->Get(ro, segments_cf_, SegmentKey(ref.partition, ref.segment), &value), "read segment " + name));
    return DecodeSegment(std::string_view(value.data(), value.size()), columns, out);
  }
  // Base and deltas merge on every column (the merge orders events by all
  // of them); the merged segment is cached whole and serves any load.
  return ReadMergedSegment(db_, ro, segments_cf_, ref.partition, ref.segment, ref.deltas,
                           store_->catalog().FindCode(kEventColumn, "created"), out);
}

}  // namespace kpi::storage
