// Seal step 1 (storage/sealer.h): take the staged events.
//
// In memory: everything staged since the last seal is still decoded
// (Store::Impl::pending), taken whole.
//
// On disk (after Store::SpillStaged, or batches a crash left): the staging
// family is read under a RocksDB snapshot taken with the staged-event count,
// so batches staged while the seal runs wait for the next one. A first pass
// decodes each batch once to intern its tickets, count their events and
// place them, noting where each event starts in its batch (the groups are
// planned from that); then each group reads the family again and decodes
// just its own tickets' events, at their offsets (a batch holding none of
// them is not read). What the seal holds is one group's events, not every
// staged one: besides them, 8 bytes per staged event and a few words per
// incoming ticket, under StoreOptions::spilled_seal_bytes.
#include <rocksdb/db.h>

#include "storage/keys.h"
#include "storage/sealer.h"
#include "storage/segment_events.h"
#include "storage/staged_batch.h"

namespace kpi::storage {

namespace {

rocksdb::ReadOptions StagingReads(const rocksdb::Snapshot* snapshot) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.fill_cache = false;  // read once per pass, in order
  ro.readahead_size = size_t{2} << 20;
  return ro;
}

}  // namespace

Sealer::~Sealer() {
  if (staged_snapshot_ != nullptr) im_.db->ReleaseSnapshot(staged_snapshot_);
}

Status Sealer::TakeStaged() {
  std::lock_guard lock(im_.write_mu);
  if (im_.failed) return Status::IOError("store is read-only after an earlier write failure; reopen it");
  if (im_.pending_complete) {
    // Everything staged since the last seal is still in memory: no re-decode.
    taken_events_ = im_.pending.size();
    incoming_ = std::move(im_.pending);
    im_.pending.clear();
    attrs_ = std::move(im_.pending_attrs);
    im_.pending_attrs.Clear();
    tickets_ = std::move(im_.pending_tickets);
    im_.pending_tickets.Clear();
    for (uint32_t b : im_.pending_batches) staging_keys_.push_back(StagingKey(b));
    im_.pending_batches.clear();
    return Status::OK();
  }
  // Every batch this process staged is in the snapshot (batches a crash left
  // staged were never counted in staged_events); those staged from now on
  // are kept in memory for the next seal.
  from_disk_ = true;
  staged_snapshot_ = im_.db->GetSnapshot();
  im_.pending.clear();
  im_.pending_attrs.Clear();
  im_.pending_batches.clear();
  im_.pending_tickets.Clear();
  im_.pending_complete = true;
  return Status::OK();
}

Status Sealer::ScanStaged() {
  std::unique_ptr<rocksdb::Iterator> it(im_.db->NewIterator(StagingReads(staged_snapshot_), im_.staging_cf));
  std::vector<CodedEvent> events;
  EventAttrs attrs;
  std::vector<std::string_view> ids;
  std::vector<PlacementScan> scans;
  // What the seal keeps per incoming ticket (its id in tickets_, counts,
  // placement, the placement scan, its ticket index entry in the write) and
  // per event (offset and ticket here, its encoded share of the write).
  constexpr uint64_t kTicketBytes = 160, kEventBytes = 16;
  const uint64_t bound = store_.options_.spilled_seal_bytes;
  uint64_t events_taken = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 4) return Status::Corruption("staging key");
    if (bound != 0 && !staged_.empty() && kTicketBytes * tickets_.size() + kEventBytes * events_taken > bound) {
      // The rest waits for the next run (Store::Seal starts it), read back from disk too.
      left_staged_ = true;
      std::lock_guard lock(im_.write_mu);
      im_.pending.clear();
      im_.pending_attrs.Clear();
      im_.pending_batches.clear();
      im_.pending_tickets.Clear();
      im_.pending_complete = false;
      break;
    }
    StagedBatch& staged = staged_.emplace_back();
    staged.batch = GetBigEndian32(it->key().data());
    events.clear();
    attrs.Clear();
    ids.clear();
    KPI_RETURN_IF_ERROR(ScanStagedBatch(std::string_view(it->value().data(), it->value().size()), staged.batch,
                                        &ids, &staged.offsets, &attrs, &events));
    staged.tickets.resize(ids.size());
    tickets_.InternMany(ids, staged.tickets.data());  // the views die with the iterator's position
    staging_keys_.push_back(it->key().ToString());
    events_taken += events.size();
    if (staged.batch > im_.last_batch_at_open) taken_events_ += events.size();  // staged_events counts these
    incoming_counts_.resize(tickets_.size(), 0);
    scans.resize(tickets_.size(), PlacementScan(created_code_));
    for (size_t i = 0; i < events.size(); ++i) {
      const uint32_t t = staged.tickets[i];
      incoming_counts_[t]++;
      scans[t].Visit(events[i]);
    }
  }
  KPI_RETURN_IF_ERROR(FromRocks(it->status(), "read staging"));
  incoming_placement_.resize(scans.size());
  for (size_t t = 0; t < scans.size(); ++t) incoming_placement_[t] = scans[t].placement_ms();
  return Status::OK();
}

void Sealer::NoteGroups(const std::vector<Group>& groups) {
  std::vector<uint32_t> group_of(tickets_.size(), 0);
  for (uint32_t g = 0; g < groups.size(); ++g)
    for (uint32_t t : groups[g].tickets) group_of[t] = g;
  std::vector<uint32_t> offsets, tickets, fill;
  for (StagedBatch& staged : staged_) {
    // A stable counting sort by group: within a group, arrival order.
    staged.starts.assign(groups.size() + 1, 0);
    for (uint32_t t : staged.tickets) staged.starts[group_of[t] + 1]++;
    for (size_t g = 0; g < groups.size(); ++g) staged.starts[g + 1] += staged.starts[g];
    fill.assign(staged.starts.begin(), staged.starts.end() - 1);
    offsets.resize(staged.offsets.size());
    tickets.resize(staged.tickets.size());
    for (size_t i = 0; i < staged.tickets.size(); ++i) {
      const uint32_t at = fill[group_of[staged.tickets[i]]]++;
      offsets[at] = staged.offsets[i];
      tickets[at] = staged.tickets[i];
    }
    staged.offsets.swap(offsets);
    staged.tickets.swap(tickets);
  }
}

Status Sealer::ReadGroupIncoming(size_t index) {
  incoming_.clear();
  attrs_.Clear();
  std::unique_ptr<rocksdb::Iterator> it(im_.db->NewIterator(StagingReads(staged_snapshot_), im_.staging_cf));
  for (const StagedBatch& staged : staged_) {
    const uint32_t begin = staged.starts[index], end = staged.starts[index + 1];
    if (begin == end) continue;
    const std::string key = StagingKey(staged.batch);
    it->Seek(key);
    if (!it->Valid() || it->key() != key) {
      KPI_RETURN_IF_ERROR(FromRocks(it->status(), "read staging"));
      return Status::Corruption("staged batch " + std::to_string(staged.batch) + " went missing while sealed");
    }
    KPI_RETURN_IF_ERROR(DecodeStagedEvents(
        std::string_view(it->value().data(), it->value().size()), staged.batch,
        std::span(staged.offsets).subspan(begin, end - begin), std::span(staged.tickets).subspan(begin, end - begin),
        &attrs_, &incoming_));
  }
  incoming_dims_ = attrs_.dims.size();
  incoming_measures_ = attrs_.measures.size();
  BucketIncoming();
  return Status::OK();
}

uint64_t Sealer::IncomingEvents(uint32_t ticket) const {
  return from_disk_ ? incoming_counts_[ticket] : starts_[ticket + 1] - starts_[ticket];
}

int64_t Sealer::IncomingPlacement(uint32_t ticket) const {
  if (from_disk_) return incoming_placement_[ticket];
  PlacementScan scan(created_code_);
  for (uint32_t k = starts_[ticket]; k < starts_[ticket + 1]; ++k) scan.Visit(incoming_[order_[k]]);
  return scan.placement_ms();
}

}  // namespace kpi::storage
