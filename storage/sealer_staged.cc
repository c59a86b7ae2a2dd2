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
// them is not read; each event's ticket is found again by its id). What the
// seal holds is one group's events, not every staged one: besides them, 8
// bytes per staged event while the groups are planned and 4 while they are
// sealed, and a few words per incoming ticket, under
// StoreOptions::spilled_seal_bytes.
//
// Past that bound a run takes no more batches (the next run takes them) but
// looks ahead: the events of its own tickets in the later batches are sealed
// by it too, and noted in Store::Impl::sealed_ahead, so that the run taking
// their batch skips them. Arrival in time order then seals each ticket whole
// in one run, and each segment is written once per load instead of being
// decoded and rewritten by every run its open tickets reach. A batch is thus
// partly in segments between two runs of one seal, with no instant yet.
// The rule that keeps answers exact then: a query reads only the batches
// its snapshot has an instant for (`as of`'s, else the snapshot's last:
// query/planner/plan.cc), so the events sealed ahead are in no answer
// before their batch's seal, and an answer given between two runs is the
// same as of its instant forever (storage/batch_instants.cc). Only a
// snapshot of this process can see that state: another process cannot open
// the store meanwhile (a read-only open takes RocksDB's LOCK too:
// store_open.cc).
//
// A crash between two runs loses sealed_ahead (memory only) and leaves the
// batches after the last run's staged, which Store::Open seals whole before
// it returns. That is exact, for three reasons:
//  1. Per ticket, what the committed runs sealed is a prefix of its staged
//     events in ingest order. A run takes whole batches (every event not
//     sealed ahead), then looks ahead over whole consecutive batches after
//     them (it stops only between batches), taking every event of its own
//     tickets in each (it interns no ticket while looking ahead). For
//     ticket T, after runs 1..k: every event of T in batches up to A_k (the
//     last batch run k took), and for each run j holding T its events in
//     (A_j, L_j] (L_j: the last batch j looked at). A_j <= A_k, so each
//     range starts inside what is taken whole: the union is every event of
//     T in the batches up to the largest of A_k and those L_j.
//  2. A replayed event is a duplicate (sealer_merge.cc rules), whatever
//     else the ticket holds: one with a source id finds a sealed copy of
//     that id whose revision is at least its own (its own copy, or the one
//     that beat it; an id's latest revision only rises), one without finds
//     its own content among the sealed events. It is dropped and changes
//     nothing, so the events after it (by 1, every event of T not yet
//     sealed comes after all the sealed ones) merge against exactly the
//     state an uncrashed seal reaches, each kept event with its own batch;
//     a replayed ticket keeps the partition it is sealed in (sealer_groups.cc).
//  3. Tickets merge independently, so the other tickets' events in those
//     batches seal as in any seal.
// The only difference is the open's own IngestStats (replays counted as
// duplicates), which Open ignores. Tested: tests/storage/store/
// seal_groups_test.cc ASpilledSealKilledBetweenRunsLosesAndDoublesNothing
// (with corrections and retractions: the store is what one in-memory seal
// makes), and the killed spilled seals of CrashTest.
//
// Persisting the marks in each run's write batch was weighed and not done:
// it would change no answer (above), only spare the open the re-decoding
// of the replayed events, and it adds on-disk state (a key kind written
// with each run, deleted with its batch, read at open, to be known by every
// build that opens the store) whose mistakes skip events never sealed,
// silently. Marks in memory fail safe: losing them costs a re-decode.
#include <rocksdb/db.h>

#include <algorithm>

#include "storage/codec/codec.h"
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
  // The share of memory the value index's cache had while the events were
  // spilled (Store::SpillStaged) is this seal's again, for all its runs. The
  // seal itself looks no value up (the events it reads back are coded), so
  // the cache is emptied too: staging beside the seal fills it again as it
  // needs, and a final seal (the input is over) holds none of it at its peak.
  if (im_.value_cache != nullptr) {
    im_.value_cache->SetCapacity(store_.options_.dictionaries.value_cache_bytes);
    im_.value_cache->EraseUnRefEntries();
  }
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
  std::vector<uint32_t> offsets, kept;
  std::vector<PlacementScan> scans;
  // What the seal keeps per incoming ticket (its id in tickets_, counts,
  // placement, the placement scan, its ticket index entry in the write) and
  // per event (offset and ticket here, its encoded share of the write).
  constexpr uint64_t kTicketBytes = 160, kEventBytes = 16;
  const uint64_t bound = store_.options_.spilled_seal_bytes;
  // Batches are taken while what the run holds is under take_bound; the rest
  // of the bound is for looking ahead (below).
  const uint64_t take_bound = bound - bound / kAheadShare;
  uint64_t events_taken = 0;
  const auto held = [&] { return kTicketBytes * tickets_.size() + kEventBytes * events_taken; };
  bool ahead = false;
  size_t ahead_batches = 0, idle_batches = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 4) return Status::Corruption("staging key");
    if (!ahead && bound != 0 && !staging_keys_.empty() && held() > take_bound) {
      // The rest waits for the next run (Store::Seal starts it), read back from disk too.
      left_staged_ = true;
      ahead = true;
      idle_batches = 0;
      std::lock_guard lock(im_.write_mu);
      im_.pending.clear();
      im_.pending_attrs.Clear();
      im_.pending_batches.clear();
      im_.pending_tickets.Clear();
      im_.pending_complete = false;
    }
    // Looking ahead: the later batches' events of this run's tickets are
    // sealed with them, so that the next runs need not decode and rewrite
    // the segments this run writes. It stops at the bound, after
    // kAheadIdleBatches batches in a row holding none of them (arrival in
    // time order: the run's tickets are closed), or after as many batches
    // again as the run took (scattered arrival: they never close).
    if (ahead && (held() > bound || idle_batches >= kAheadIdleBatches ||
                  ahead_batches >= std::max<size_t>(staging_keys_.size(), kAheadIdleBatches)))
      break;
    const uint32_t batch = GetBigEndian32(it->key().data());
    events.clear();
    attrs.Clear();
    ids.clear();
    offsets.clear();
    KPI_RETURN_IF_ERROR(
        ScanStagedBatch(std::string_view(it->value().data(), it->value().size()), batch, &ids, &offsets, &attrs, &events));
    if (!ahead) {
      staging_keys_.push_back(it->key().ToString());
      if (batch > im_.last_batch_at_open) taken_events_ += events.size();  // staged_events counts these
    } else {
      ++ahead_batches;
    }
    // The events to seal: not those an earlier run sealed ahead, and when
    // looking ahead only the run's tickets'.
    const auto done = im_.sealed_ahead.find(batch);
    const EventMarks* sealed = done != im_.sealed_ahead.end() ? &done->second : nullptr;
    kept.clear();
    std::vector<uint32_t> ahead_tickets;
    for (uint32_t i = 0; i < events.size(); ++i) {
      if (sealed != nullptr && sealed->Marked(i)) continue;
      if (ahead) {
        const uint32_t t = tickets_.Find(ids[i]);
        if (t == StringInterner::kAbsent) continue;
        ahead_tickets.push_back(t);
      }
      kept.push_back(i);
    }
    if (kept.empty()) {
      idle_batches += ahead ? 1 : 0;
      continue;
    }
    idle_batches = 0;
    StagedBatch& staged = staged_.emplace_back();
    staged.batch = batch;
    staged.offsets.resize(kept.size());
    for (size_t k = 0; k < kept.size(); ++k) staged.offsets[k] = offsets[kept[k]];
    if (ahead) {
      staged.tickets = std::move(ahead_tickets);
      ahead_taken_.emplace_back(batch, EventMarks(kept));
    } else {
      if (kept.size() != ids.size())
        for (size_t k = 0; k < kept.size(); ++k) ids[k] = ids[kept[k]];
      ids.resize(kept.size());
      staged.tickets.resize(kept.size());
      tickets_.InternMany(ids, staged.tickets.data());  // the views die with the iterator's position
    }
    events_taken += kept.size();
    incoming_counts_.resize(tickets_.size(), 0);
    scans.resize(tickets_.size(), PlacementScan(created_code_));
    for (size_t k = 0; k < kept.size(); ++k) {
      const uint32_t t = staged.tickets[k];
      incoming_counts_[t]++;
      scans[t].Visit(events[kept[k]]);
    }
  }
  KPI_RETURN_IF_ERROR(FromRocks(it->status(), "read staging"));
  incoming_placement_.resize(scans.size());
  for (size_t t = 0; t < scans.size(); ++t) incoming_placement_[t] = scans[t].placement_ms();
  return Status::OK();
}

void Sealer::NoteSealedAhead() {
  if (!from_disk_) return;
  for (const std::string& key : staging_keys_) im_.sealed_ahead.erase(GetBigEndian32(key.data()));
  for (auto& [batch, marks] : ahead_taken_) im_.sealed_ahead[batch].Add(marks);
  ahead_taken_.clear();
}

void Sealer::NoteGroups(const std::vector<Group>& groups) {
  std::vector<uint32_t> group_of(tickets_.size(), 0);
  for (uint32_t g = 0; g < groups.size(); ++g)
    for (uint32_t t : groups[g].tickets) group_of[t] = g;
  std::vector<uint32_t> offsets, fill;
  for (StagedBatch& staged : staged_) {
    // A stable counting sort by group: within a group, arrival order.
    staged.starts.assign(groups.size() + 1, 0);
    for (uint32_t t : staged.tickets) staged.starts[group_of[t] + 1]++;
    for (size_t g = 0; g < groups.size(); ++g) staged.starts[g + 1] += staged.starts[g];
    fill.assign(staged.starts.begin(), staged.starts.end() - 1);
    offsets.resize(staged.offsets.size());
    for (size_t i = 0; i < staged.tickets.size(); ++i) offsets[fill[group_of[staged.tickets[i]]]++] = staged.offsets[i];
    // Packed (StagedBatch::packed): offsets ascend within each group, as
    // they came in the batch.
    staged.packed.clear();
    staged.packed_starts.assign(groups.size() + 1, 0);
    for (size_t g = 0; g < groups.size(); ++g) {
      staged.packed_starts[g] = static_cast<uint32_t>(staged.packed.size());
      uint32_t previous = 0;
      for (uint32_t i = staged.starts[g]; i < staged.starts[g + 1]; ++i) {
        codec::PutVarint64(&staged.packed, offsets[i] - previous);
        previous = offsets[i];
      }
    }
    staged.packed_starts[groups.size()] = static_cast<uint32_t>(staged.packed.size());
    staged.packed.shrink_to_fit();
    staged.offsets = std::vector<uint32_t>();
    // A group's pass finds each event's ticket by the id it reads
    // (ReadGroupIncoming): 4 bytes per event of the run less at its peak
    // (~46 MB of a full run at 1 GiB), for a hash lookup per event.
    staged.tickets = std::vector<uint32_t>();
  }
}

namespace {

// Empties *v and gives it room for n elements, releasing the capacity an
// earlier, larger group left beyond that.
template <typename T>
void FitArena(std::vector<T>* v, uint64_t n) {
  v->clear();
  if (v->capacity() > n + n / 4 + 4096) *v = std::vector<T>();
  v->reserve(n);
}

}  // namespace

Status Sealer::ReadGroupIncoming(const std::vector<Group>& groups, size_t index) {
  // The group's arenas sized to it: the incoming events, the sealed events
  // of its segments, and their dimensions and measures at the rate the
  // groups before had. Each would otherwise keep the largest size any group
  // needed (clear() keeps capacity), and a group of sealed events would sit
  // on the capacity of an earlier group of incoming ones.
  uint64_t in = 0, sealed = OpenSegmentEvents(groups[index]);
  for (const StagedBatch& staged : staged_) in += staged.starts[index + 1] - staged.starts[index];
  for (const SegmentKeyPair& key : groups[index].segments)
    if (auto ref = im_.refs.find(key); ref != im_.refs.end()) sealed += ref->second.zone.num_events;
  FitArena(&incoming_, in);
  FitArena(&sealed_, sealed);
  const double rate = 1.1 * static_cast<double>(in + sealed) / std::max<uint64_t>(arena_events_seen_, 1);
  FitArena(&attrs_.dims, static_cast<uint64_t>(rate * static_cast<double>(arena_dims_seen_)));
  FitArena(&attrs_.measures, static_cast<uint64_t>(rate * static_cast<double>(arena_measures_seen_)));
  std::unique_ptr<rocksdb::Iterator> it(im_.db->NewIterator(StagingReads(staged_snapshot_), im_.staging_cf));
  std::vector<uint32_t> offsets;
  for (const StagedBatch& staged : staged_) {
    const uint32_t begin = staged.starts[index], end = staged.starts[index + 1];
    if (begin == end) continue;
    offsets.resize(end - begin);
    std::string_view packed(staged.packed);
    packed = packed.substr(staged.packed_starts[index], staged.packed_starts[index + 1] - staged.packed_starts[index]);
    uint32_t at = 0;
    for (uint32_t& offset : offsets) {
      uint64_t step = 0;
      if (!codec::GetVarint64(&packed, &step)) return Status::Corruption("packed staged offsets");
      at += static_cast<uint32_t>(step);
      offset = at;
    }
    const std::string key = StagingKey(staged.batch);
    it->Seek(key);
    if (!it->Valid() || it->key() != key) {
      KPI_RETURN_IF_ERROR(FromRocks(it->status(), "read staging"));
      return Status::Corruption("staged batch " + std::to_string(staged.batch) + " went missing while sealed");
    }
    KPI_RETURN_IF_ERROR(DecodeStagedEvents(
        std::string_view(it->value().data(), it->value().size()), staged.batch,
        offsets, tickets_, &attrs_, &incoming_));
  }
  BucketIncoming(&groups[index].tickets);
  return Status::OK();
}

uint64_t Sealer::OpenSegmentEvents(const Group& group) const {
  // As Assign (sealer_layout.cc) picks them: a partition's open segment is
  // its highest-numbered one, loaded when it has room for more tickets.
  const uint32_t max_tickets = std::max<uint32_t>(1, store_.options_.max_tickets_per_segment);
  uint64_t events = 0;
  for (const uint32_t partition : group.partitions) {
    auto last = im_.refs.upper_bound({partition, UINT32_MAX});
    if (last == im_.refs.begin() || std::prev(last)->first.first != partition) continue;
    const auto& [key, ref] = *std::prev(last);
    if (group.segments.count(key) == 0 && ref.zone.num_tickets < max_tickets) events += ref.zone.num_events;
  }
  return events;
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
