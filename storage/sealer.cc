// Seal driver: takes the staged events, loads the touched segments, merges,
// lays out, encodes and commits (the steps are in storage/sealer.h). The
// ticket -> segment index is on disk (storage/ticket_index.h): read once per
// seal for the incoming tickets, updated in the seal's own WriteBatch.
#include "storage/sealer.h"

#include <memory>
#include <tuple>
#include <type_traits>

#include "storage/keys.h"
#include "storage/memory_release.h"
#include "storage/parallel.h"
#include "storage/staged_batch.h"
#include "storage/segment_codec.h"
#include "storage/segment_parts.h"

namespace kpi::storage {

namespace {

// One rewritten segment, built off the commit path; entries follow members_'
// order (the non-empty ones), which the commit loop walks again.
struct EncodedSegment {
  std::pair<uint32_t, uint32_t> key;
  const std::vector<uint32_t>* members;
  bool delta;  // value is a delta part of the segment, not its new base
  std::shared_ptr<const Segment> built;  // the whole segment, for the cache (small seals)
  std::string value;
  ZoneMap zone;
};

}  // namespace

Status Store::Seal(IngestStats* stats, std::map<uint32_t, IngestStats>* per_batch) {
  // Only the taking of the staged events and the final commit hold write_mu:
  // Stage() may land more batches while this seal decodes and encodes.
  std::lock_guard seal_lock(impl_->seal_mu);
  for (;;) {  // more than one run only when a run left staged batches (StoreOptions::spilled_seal_bytes)
    bool more = false, spilled = false;
    {
      Sealer sealer(this, per_batch);
      KPI_RETURN_IF_ERROR(sealer.Run(stats));
      more = sealer.left_staged();
      spilled = sealer.read_back();
    }
    // The run's write (as large as its segments) and its tickets and
    // offsets are freed now: back to the system before the next run's scan
    // (storage/memory_release.h).
    if (spilled) ReleaseFreedMemory();
    if (!more) return Status::OK();
  }
}

Status Sealer::LoadTicketIndex() {
  return im_.tickets->BuildIfMissing(im_.segments_cf, im_.catalog_cf, im_.WriteOpts(store_.options_.sync));
}

Status Store::EstimateSeal(SealEstimate* out) {
  std::lock_guard seal_lock(impl_->seal_mu);
  Sealer sealer(this, nullptr);
  return sealer.Estimate(out);
}

Status Sealer::Estimate(Store::SealEstimate* out) {
  *out = {};
  if (im_.read_only) return Status::OK();  // nothing staged in this process
  KPI_RETURN_IF_ERROR(LoadTicketIndex());
  std::vector<std::string> pending;  // copied, so that staging goes on during the lookups
  {
    std::lock_guard lock(im_.write_mu);  // pending_tickets
    out->staged = im_.pending.size();
    if (!im_.refs.empty()) pending = im_.pending_tickets.ids();  // else no ticket is sealed
    // The split: pending is in batch order; a ticket's earlier-half events
    // count once, when the later half first meets it.
    if (im_.pending_batches.size() >= 2) {
      const uint32_t later = im_.pending_batches[im_.pending_batches.size() / 2];  // its first batch
      std::vector<uint32_t> earlier(im_.pending_tickets.size(), 0);
      for (const CodedEvent& e : im_.pending) {
        if (e.batch < later) {
          earlier[e.ticket]++;
        } else {
          out->split_later++;
          out->split_rewrite += earlier[e.ticket];
          earlier[e.ticket] = 0;
        }
      }
    }
  }
  std::set<SegmentKeyPair> touched;
  KPI_RETURN_IF_ERROR(SegmentsHolding(pending, &touched));
  // Delta parts save the re-encoding, not the decoding of the segment (the
  // merge needs its identities), so they count in full here.
  for (const SegmentKeyPair& key : touched)
    if (auto ref = im_.refs.find(key); ref != im_.refs.end()) out->rewrite += ref->second.zone.num_events;
  return Status::OK();
}

Status Sealer::SegmentsHolding(const std::vector<std::string>& tickets, std::set<SegmentKeyPair>* out) const {
  return SegmentsHolding(tickets, [&](size_t, TicketLocation loc) { out->insert({loc.partition, loc.segment}); });
}

Status Sealer::SegmentsHolding(const std::vector<std::string>& tickets,
                               const std::function<void(size_t index, TicketLocation loc)>& found) const {
  // Every ticket index entry names a segment, written in the same batch (and
  // a segment left by all its tickets is deleted with their new entries): a
  // store without segments holds no sealed ticket, and a first seal of
  // millions of tickets need not sort and look them all up.
  if (im_.refs.empty()) return Status::OK();
  return im_.tickets->Lookup(tickets, found);
}

bool Sealer::TakesDelta(SegmentKeyPair key, const std::vector<uint32_t>& members) const {
  if (loaded_.count(key) == 0) return false;
  const auto ref = im_.refs.find(key);
  if (ref == im_.refs.end()) return false;
  uint64_t stayed = 0, added = 0;
  for (uint32_t i : members) {
    const WorkTicket& t = work_[i];
    if (t.from_segment) {
      if (t.origin != key || t.sealed_changed) return false;  // moved in, or a sealed row changed
      ++stayed;
    } else if (t.sealed_end != t.sealed_begin) {
      return false;  // a carried ticket (sealer_groups.cc): its sealed events are not in this segment
    }
    added += t.incoming_end - t.incoming_begin;
  }
  if (stayed != ref->second.zone.num_tickets || added == 0) return false;  // a ticket left
  // A zone map whose code lists do not decode cannot be extended: the
  // segment is rewritten whole, with a zone map computed anew.
  if (!ref->second.zone.lists.ok()) return false;
  return DeltaFits(ref->second, added);
}

bool Sealer::DeltaFits(const SegmentRef& ref, uint64_t added) const {
  if (ref.deltas >= store_.options_.max_deltas_per_segment) return false;
  const uint64_t base_events = ref.zone.num_events - ref.delta_events;
  const uint64_t cap = std::max<uint64_t>(base_events / kMaxDeltaShare, kMinDeltaEvents);
  return ref.delta_events + added <= cap;
}

uint32_t Sealer::WorkIndexFor(const std::string& id) {
  const uint32_t index = work_ids_.Intern(id);
  if (index == work_.size()) work_.emplace_back();
  return index;
}

Status Sealer::Run(IngestStats* stats) {
  KPI_RETURN_IF_ERROR(TakeStaged());
  TraceMemory("seal-taken", nullptr);
  // After the take: every code of the events taken is in the catalog.
  created_code_ = store_.catalog_.FindCode(kEventColumn, "created");
  if (from_disk_) KPI_RETURN_IF_ERROR(ScanStaged());
  if (staging_keys_.empty()) return Status::OK();
  KPI_RETURN_IF_ERROR(LoadTicketIndex());
  if (!from_disk_) {
    BucketIncoming(nullptr);
  }
  std::vector<Group> groups;
  KPI_RETURN_IF_ERROR(PlanGroups(&groups));
  if (from_disk_) {
    NoteGroups(groups);
    // A run's one ticket lookup (PlanGroups: a sorted pass that reads each
    // block once) is over, and the next run looks up other tickets: the
    // ticket index's cached blocks would only sit through this run's peak
    // (at 20M tickets the cache is full, 32 MiB at 1 GiB). Pinned blocks
    // (the level-0 files' index and filter) stay.
    if (im_.ticket_cache != nullptr) im_.ticket_cache->EraseUnRefEntries();
  }
  TraceMemory(from_disk_ ? "seal-planned-spilled" : "seal-planned", nullptr);

  IngestStats local;
  std::map<uint32_t, IngestStats> by_batch;
  SealOutput out;
  if (from_disk_) out.wb = rocksdb::WriteBatch(WriteReserve());
  out.generation = im_.next_generation;
  // Latest partitions first: a ticket sealed before its `created` arrived
  // moves to an earlier day, so it usually joins a group still to come.
  for (size_t g = groups.size(); g-- > 0;) {
    if (from_disk_) {
      KPI_RETURN_IF_ERROR(ReadGroupIncoming(groups, g));
      TraceMemory("seal-group-read", &out.wb);
    }
    KPI_RETURN_IF_ERROR(SealGroup(groups, g, &local, per_batch_ != nullptr ? &by_batch : nullptr));
    TraceMemory("seal-group-merged", &out.wb);
    if (groups.size() > 1) CarryMovedTickets(groups, g);
    WriteGroup(&local, &out);
    TraceMemory("seal-group", &out.wb);
    ResetGroup();
    // The group's built segments and work tickets are freed: the next
    // group's peak should not sit on them too (storage/memory_release.h).
    if (from_disk_) ReleaseFreedMemory();
  }
  if (auto last = carried_.find(groups.size()); last != carried_.end()) {
    fresh_only_ = true;
    if (from_disk_) {  // no incoming event of its own
      incoming_.clear();
      attrs_.Clear();
      incoming_dims_ = incoming_measures_ = 0;
    }
    TakeCarriedTickets(&last->second);
    WriteGroup(&local, &out);
    ResetGroup();
  }

  ReleaseGroupsState();
  rocksdb::WriteBatch& wb = out.wb;
  if (out.wrote_delta && im_.format_version < 2) {
    std::string fmt;
    PutBigEndian32(&fmt, 2);
    wb.Put(im_.catalog_cf, kFormatKey, fmt);
  }
  for (const std::string& k : staging_keys_) wb.Delete(im_.staging_cf, k);
  std::string gen;
  PutBigEndian64(&gen, out.generation);
  wb.Put(im_.catalog_cf, kGenerationKey, gen);
  std::lock_guard lock(im_.write_mu);
  // The batches taken become visible at the seal's instant (storage/batch_instants.cc).
  int64_t seal_ms = 0;
  KPI_RETURN_IF_ERROR(im_.StampSeal(store_.options_.clock(), staging_keys_, &wb, &seal_ms));
  if (Status committed = im_.Commit(&wb, store_.options_.sync, "seal"); !committed.ok()) {
    im_.AbandonSeal();
    return committed;
  }

  // Synced, this write also made the batches staged unsynced before it
  // durable (Store::Durable::kOnSeal).
  if (im_.unsynced_stage_seq != 0) {
    im_.NoteAcknowledgedUpTo(im_.unsynced_stage_seq);
    im_.unsynced_stage_seq = 0;
  }
  im_.next_generation = out.generation;
  if (out.wrote_delta) im_.format_version = std::max<uint32_t>(im_.format_version, 2);
  for (const SegmentKeyPair& key : out.deleted) im_.refs.erase(key);
  for (auto& [key, ref] : out.new_refs) im_.refs[key] = std::move(ref);
  for (auto& [key, generation, segment] : out.cached)
    im_.cache->Insert(key.first, key.second, generation, std::move(segment));
  im_.staged_events -= taken_events_;
  NoteSealedAhead();
  KPI_RETURN_IF_ERROR(im_.NoteSealed(staging_keys_, seal_ms));
  FlushFullMemtables();
  TraceMemory(left_staged_ ? "seal-run-committed" : "seal-committed", nullptr);  // a run, another follows
  if (stats != nullptr) stats->Add(local);
  if (per_batch_ != nullptr)
    for (const auto& [batch, counts] : by_batch) (*per_batch_)[batch].Add(counts);
  return Status::OK();
}

size_t Sealer::WriteReserve() const {
  uint64_t events = 0;
  for (const StagedBatch& b : staged_) events += b.starts.empty() ? b.offsets.size() : b.starts.back();
  return static_cast<size_t>(kWriteReserveEventBytes * events + kWriteReserveTicketBytes * tickets_.size());
}

void Sealer::FlushFullMemtables() const {
  std::vector<rocksdb::ColumnFamilyHandle*> full;
  for (rocksdb::ColumnFamilyHandle* cf : {im_.segments_cf, im_.zones_cf, im_.tickets_cf, im_.catalog_cf}) {
    uint64_t active = 0;
    if (cf != nullptr && im_.db->GetIntProperty(cf, rocksdb::DB::Properties::kCurSizeActiveMemTable, &active) &&
        active >= im_.db->GetOptions(cf).write_buffer_size / (left_staged_ ? 2 : 1))
      full.push_back(cf);
  }
  if (full.empty()) return;
  rocksdb::FlushOptions background;
  background.wait = false;
  background.allow_write_stall = true;
  // On failure RocksDB flushes them at the next write, as it would have.
  im_.db->Flush(background, full).PermitUncheckedError();
}

Status Sealer::SealGroup(const std::vector<Group>& groups, size_t index, IngestStats* local,
                         std::map<uint32_t, IngestStats>* by_batch) {
  const Group& group = groups[index];
  // Work tickets [0, n) are the group's incoming tickets. Their incoming
  // events join them after the loads: a loaded ticket is placed by its
  // sealed events, and again only if an incoming one is accepted.
  for (uint32_t t : group.tickets) WorkIndexFor(tickets_.id(t));
  for (SegmentKeyPair key : group.segments) KPI_RETURN_IF_ERROR(LoadSegment(key));
  for (uint32_t i = 0; i < group.tickets.size(); ++i) {
    const uint32_t bucket = from_disk_ ? i : group.tickets[i];  // BucketIncoming
    work_[i].incoming_begin = starts_[bucket];
    work_[i].incoming_end = starts_[bucket + 1];
  }
  if (auto box = carried_.find(index); box != carried_.end()) {
    TakeCarriedTickets(&box->second);
    carried_.erase(box);
  }
  MergeTickets(local, by_batch);
  return Status::OK();
}

void Sealer::ResetGroup() {
  arena_events_seen_ += incoming_.size() + sealed_.size();
  arena_dims_seen_ += attrs_.dims.size();
  arena_measures_seen_ += attrs_.measures.size();
  sealed_.clear();
  attrs_.dims.resize(incoming_dims_);
  attrs_.measures.resize(incoming_measures_);
  work_.clear();
  work_ids_.Clear();
  members_.clear();
  loaded_.clear();
}

void Sealer::ReleaseGroupsState() {
  // Move-assigning a new container frees the capacity (clear() keeps it).
  const auto release = [](auto& x) { x = std::remove_reference_t<decltype(x)>(); };
  release(incoming_);
  release(order_);
  release(starts_);
  release(bucket_of_);
  release(tickets_);
  release(staged_);
  release(incoming_counts_);
  release(incoming_placement_);
  release(sealed_);
  release(attrs_.dims);
  release(attrs_.measures);
  release(work_);
  release(work_ids_);
  carried_.clear();
}

void Sealer::WriteGroup(IngestStats* local, SealOutput* out) {
  Assign();
  KeepUnchangedSegments();
  // Build and encode the segments (or their delta parts) on every core
  // (each is independent; at the end of an ingest the last seal is all that
  // runs), then add them in key order.
  std::vector<EncodedSegment> encoded;
  for (const auto& [key, members] : members_)
    if (!members.empty()) encoded.push_back(EncodedSegment{key, &members, TakesDelta(key, members), {}, {}, {}});
  // A small seal (an upload) leaves what it built in the segment cache: the
  // next seal touching the segment, and queries, find it decoded. A bulk
  // seal would only churn the cache.
  const bool cache_built = taken_events_ <= kCacheBuiltUpTo;
  ForEachParallel(encoded.size(), [&](size_t j) {
    EncodedSegment& done = encoded[j];
    auto segment = std::make_shared<Segment>();
    if (done.delta) {
      Segment delta;
      BuildSegment(*done.members, true, &delta);
      EncodeSegment(delta, &done.value);
      uint32_t new_tickets = 0;
      for (uint32_t i : *done.members) new_tickets += work_[i].from_segment ? 0 : 1;
      done.zone = ExtendZoneMap(im_.refs.at(done.key).zone, delta, done.value.size(), new_tickets);
      if (cache_built) BuildSegment(*done.members, false, segment.get());
    } else {
      BuildSegment(*done.members, false, segment.get());
      EncodeSegment(*segment, &done.value);
      done.zone = ComputeZoneMap(*segment, done.value.size());
    }
    if (cache_built) done.built = std::move(segment);
  });
  TraceMemory("seal-group-encoded", &out->wb);
  rocksdb::WriteBatch& wb = out->wb;
  size_t next_encoded = 0;
  for (const auto& [key, members] : members_) {
    uint32_t& next = written_next_[key.first];
    next = std::max(next, key.second + 1);
    std::string skey = SegmentKey(key.first, key.second);
    const auto old = im_.refs.find(key);
    const uint32_t old_deltas = old != im_.refs.end() ? old->second.deltas : 0;
    if (members.empty()) {
      wb.Delete(im_.segments_cf, skey);
      wb.Delete(im_.zones_cf, skey);
      for (uint32_t d = 1; d <= old_deltas; ++d) wb.Delete(im_.segments_cf, DeltaKey(key.first, key.second, d));
      out->deleted.push_back(key);
      continue;
    }
    EncodedSegment& done = encoded[next_encoded++];
    SegmentRef ref;
    ref.partition = key.first;
    ref.segment = key.second;
    ref.generation = out->generation++;
    ref.zone = std::move(done.zone);
    if (done.delta) {
      ref.deltas = old_deltas + 1;
      ref.delta_events = old->second.delta_events + (ref.zone.num_events - old->second.zone.num_events);
      wb.Put(im_.segments_cf, DeltaKey(key.first, key.second, ref.deltas), done.value);
      out->wrote_delta = true;
    } else {
      wb.Put(im_.segments_cf, skey, done.value);
      for (uint32_t d = 1; d <= old_deltas; ++d) wb.Delete(im_.segments_cf, DeltaKey(key.first, key.second, d));
    }
    if (done.built) out->cached.emplace_back(key, ref.generation, std::move(done.built));
    std::string zone;
    EncodeZoneValue(ref, &zone);
    wb.Put(im_.zones_cf, skey, zone);
    out->new_refs[key] = std::move(ref);
    local->segments_written++;
    for (uint32_t i : members) {
      const WorkTicket& t = work_[i];
      if (t.from_segment && !done.delta) local->events_rewritten += t.num_events();
      if (t.from_segment && t.origin == key) continue;
      im_.tickets->Put(&wb, work_ids_.id(i), TicketLocation{key.first, key.second});
    }
  }
}

}  // namespace kpi::storage
