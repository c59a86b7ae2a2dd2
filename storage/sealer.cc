// Seal: staged rows -> columnar segments, in one atomic WriteBatch.
//
// Steps: read every staged batch; find the segments holding the tickets they
// touch (ticket index) and decode only those; merge the new events into their
// tickets, dropping duplicates by identity (storage/coded_event.h); place
// each ticket in the partition of its creation day (first `created`, else
// earliest event; a late earlier event can move a ticket); append new tickets
// to their partition's open segment, then to fresh segments; re-encode the
// touched segments and write them, their zone maps, the ticket index and the
// removal of the staged batches together. The ticket -> segment index is
// memory-only, rebuilt from the segments' ticket ids after a restart.
#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <thread>
#include <unordered_set>

#include "storage/coded_event.h"
#include "storage/keys.h"
#include "storage/segment_codec.h"
#include "storage/store_impl.h"

namespace kpi::storage {

namespace {

using SegmentKeyPair = std::pair<uint32_t, uint32_t>;  // (partition, segment)

struct WorkTicket {  // its id is Sealer::work_ids_.id(index in work_)
  std::vector<CodedEvent> events;
  bool from_segment = false;
  SegmentKeyPair origin{0, 0};
  bool changed = false;
  bool identities_built = false;
  // Tickets hold a handful of events: a flat list beats a hash set; the set
  // takes over only for very long tickets.
  std::vector<EventIdentity> identities;
  std::unordered_set<EventIdentity, EventIdentityHash> identity_set;
  bool AddIdentity(const EventIdentity& id) {
    if (identity_set.empty()) {
      for (const EventIdentity& seen : identities)
        if (seen == id) return false;
      identities.push_back(id);
      if (identities.size() > 32) identity_set.insert(identities.begin(), identities.end());
      return true;
    }
    if (!identity_set.insert(id).second) return false;
    identities.push_back(id);
    return true;
  }
  // Events with a source id: the index in `events` of each id's highest
  // revision (a retraction included), which a correction must outrank.
  std::vector<std::pair<uint64_t, uint32_t>> latest;
  std::unordered_map<uint64_t, uint32_t> latest_map;  // takes over past 32 ids
  uint32_t* FindLatest(uint64_t id) {
    if (latest_map.empty()) {
      for (auto& [seen, index] : latest)
        if (seen == id) return &index;
      return nullptr;
    }
    auto it = latest_map.find(id);
    return it == latest_map.end() ? nullptr : &it->second;
  }
  void AddLatest(uint64_t id, uint32_t index) {  // id not present yet
    if (latest_map.empty()) {
      latest.emplace_back(id, index);
      if (latest.size() > 32) latest_map.insert(latest.begin(), latest.end());
      return;
    }
    latest_map.emplace(id, index);
  }
  int64_t placement_ms = 0;
  uint32_t partition = 0;
};

// Deterministic order of a ticket's events, whatever order they arrived in.
struct EventLess {
  const EventAttrs& attrs;
  bool operator()(const CodedEvent& a, const CodedEvent& b) const {
    if (a.ts_ms != b.ts_ms) return a.ts_ms < b.ts_ms;
    if (a.event_code != b.event_code) return a.event_code < b.event_code;
    if (a.agent_code != b.agent_code) return a.agent_code < b.agent_code;
    if (a.id_hash != b.id_hash) return a.id_hash < b.id_hash;
    const auto da = DimsOf(a, attrs), db = DimsOf(b, attrs);
    if (!std::equal(da.begin(), da.end(), db.begin(), db.end()))
      return std::lexicographical_compare(da.begin(), da.end(), db.begin(), db.end());
    const auto ma = MeasuresOf(a, attrs), mb = MeasuresOf(b, attrs);
    if (!std::equal(ma.begin(), ma.end(), mb.begin(), mb.end()))
      return std::lexicographical_compare(ma.begin(), ma.end(), mb.begin(), mb.end());
    if (a.revision != b.revision) return a.revision < b.revision;
    return a.batch < b.batch;
  }
};

// One rewritten segment, built off the commit path; entries follow members_'
// order (the non-empty ones), which the commit loop walks again.
struct EncodedSegment {
  const std::vector<uint32_t>* members;
  std::string value;
  ZoneMap zone;
};

// Runs fn(0..n-1) on up to hardware_concurrency threads (the caller's one
// included); items are claimed one at a time, so uneven sizes balance out.
void ForEachParallel(size_t n, const std::function<void(size_t)>& fn) {
  const size_t threads = std::min<size_t>(n, std::max(1u, std::thread::hardware_concurrency()));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& h : helpers) h.join();
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

class Sealer {
 public:
  Sealer(Store* store, std::map<uint32_t, IngestStats>* per_batch)
      : store_(*store), im_(*store->impl_), per_batch_(per_batch) {}
  Status Run(IngestStats* stats);

 private:
  Status ReadStaged();
  Status LoadTicketIndex();
  // Appends the work indexes of the segment's tickets to *loaded when non-null.
  Status LoadSegment(SegmentKeyPair key, std::vector<uint32_t>* loaded = nullptr);
  WorkTicket& TicketFor(const std::string& id);
  void SetTicketLocation(std::string_view id, TicketLocation loc);
  void Place(WorkTicket* t) const;
  void Assign();
  void KeepUnchangedSegments();
  void BuildSegment(const std::vector<uint32_t>& members, Segment* out) const;

  Store& store_;
  Store::Impl& im_;
  std::map<uint32_t, IngestStats>* per_batch_;  // may be null
  std::vector<CodedEvent> incoming_;  // .ticket indexes work_ (tickets_ ids come first)
  EventAttrs attrs_;                  // dimensions and measures of every event this seal holds
  StringInterner tickets_;
  std::vector<std::string> staging_keys_;
  std::vector<WorkTicket> work_;
  StringInterner work_ids_;  // work ticket ids: index i is work_[i]
  std::map<SegmentKeyPair, std::vector<uint32_t>> members_;  // rewritten segments -> work tickets
  std::set<SegmentKeyPair> loaded_;
  uint32_t created_code_ = 0;
  uint64_t taken_events_ = 0;  // staged events this seal took
};

Status Store::Seal(IngestStats* stats, std::map<uint32_t, IngestStats>* per_batch) {
  // Only the taking of the staged events and the final commit hold write_mu:
  // Stage() may land more batches while this seal decodes and encodes.
  std::lock_guard seal_lock(impl_->seal_mu);
  Sealer sealer(this, per_batch);
  return sealer.Run(stats);
}

Status Sealer::ReadStaged() {
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
  std::unique_ptr<rocksdb::Iterator> it(im_.db->NewIterator(rocksdb::ReadOptions(), im_.staging_cf));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 4) return Status::Corruption("staging key");
    uint32_t batch = GetBigEndian32(it->key().data());
    KPI_RETURN_IF_ERROR(
        DecodeStagedBatch(std::string_view(it->value().data(), it->value().size()), batch, &tickets_, &attrs_,
                          &incoming_));
    staging_keys_.push_back(it->key().ToString());
  }
  // Every batch in memory is also among the staged keys just read (batches a
  // crash left staged were never counted in staged_events).
  taken_events_ = im_.pending.size();
  im_.pending.clear();
  im_.pending_attrs.Clear();
  im_.pending_batches.clear();
  im_.pending_tickets.Clear();
  im_.pending_complete = true;
  return FromRocks(it->status(), "read staging");
}

Status Sealer::LoadTicketIndex() {
  if (im_.ticket_index_loaded) return Status::OK();
  std::unique_ptr<rocksdb::Iterator> it(im_.db->NewIterator(rocksdb::ReadOptions(), im_.segments_cf));
  std::vector<std::string> ids;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    TicketLocation loc;
    if (!ParseSegmentKey(std::string_view(it->key().data(), it->key().size()), &loc.partition, &loc.segment))
      return Status::Corruption("segment key");
    KPI_RETURN_IF_ERROR(DecodeTicketIds(std::string_view(it->value().data(), it->value().size()), &ids));
    for (const std::string& id : ids) SetTicketLocation(id, loc);
  }
  KPI_RETURN_IF_ERROR(FromRocks(it->status(), "read ticket ids"));
  im_.ticket_index_loaded = true;
  return Status::OK();
}

WorkTicket& Sealer::TicketFor(const std::string& id) {
  const uint32_t index = work_ids_.Intern(id);
  if (index == work_.size()) work_.emplace_back();
  return work_[index];
}

void Sealer::SetTicketLocation(std::string_view id, TicketLocation loc) {
  const uint32_t index = im_.ticket_ids.Intern(id);
  if (index == im_.ticket_locations.size()) {
    im_.ticket_locations.push_back(loc);
  } else {
    im_.ticket_locations[index] = loc;
  }
}

// Decodes a sealed segment and turns its tickets into work tickets.
Status Sealer::LoadSegment(SegmentKeyPair key, std::vector<uint32_t>* loaded) {
  if (!loaded_.insert(key).second) return Status::OK();
  members_[key];  // rewritten even if every ticket leaves it
  std::string value;
  KPI_RETURN_IF_ERROR(FromRocks(
      im_.db->Get(rocksdb::ReadOptions(), im_.segments_cf, SegmentKey(key.first, key.second), &value),
      "read segment"));
  Segment s;
  KPI_RETURN_IF_ERROR(DecodeSegment(value, &s));
  // Carried values back into per-event lists (columns ascending keeps them sorted).
  std::vector<CodedEvent> events(s.num_events());
  for (uint32_t e = 0; e < s.num_events(); ++e) {
    events[e].ts_ms = s.time_ms[e];
    events[e].event_code = s.event_code[e];
    events[e].agent_code = s.agent_code[e];
    events[e].batch = s.batch[e];
  }
  for (size_t i = 0; i < s.id_rows.size(); ++i) events[s.id_rows[i]].id_hash = s.id_hashes[i];
  for (size_t i = 0; i < s.revision_rows.size(); ++i) events[s.revision_rows[i]].revision = s.revisions[i];
  for (size_t i = 0; i < s.dead_rows.size(); ++i) events[s.dead_rows[i]].dead_since = s.dead_since[i];
  // Sparse columns back into per-event slices of attrs_: count, place, fill
  // (columns ascend, so each event's slice comes out sorted by column).
  for (const SparseCodes& d : s.dims)
    for (uint32_t r : d.rows) events[r].num_dims++;
  for (const SparseNumbers& m : s.measures)
    for (uint32_t r : m.rows) events[r].num_measures++;
  size_t dim_at = attrs_.dims.size(), measure_at = attrs_.measures.size();
  for (CodedEvent& e : events) {
    e.dims_begin = static_cast<uint32_t>(dim_at);
    e.measures_begin = static_cast<uint32_t>(measure_at);
    dim_at += e.num_dims;
    measure_at += e.num_measures;
  }
  attrs_.dims.resize(dim_at);
  attrs_.measures.resize(measure_at);
  std::vector<uint32_t> filled(s.num_events(), 0);
  for (const SparseCodes& d : s.dims)
    for (size_t i = 0; i < d.rows.size(); ++i) {
      CodedEvent& e = events[d.rows[i]];
      attrs_.dims[e.dims_begin + filled[d.rows[i]]++] = {d.column, d.codes[i]};
    }
  std::fill(filled.begin(), filled.end(), 0);
  for (const SparseNumbers& m : s.measures)
    for (size_t i = 0; i < m.rows.size(); ++i) {
      CodedEvent& e = events[m.rows[i]];
      attrs_.measures[e.measures_begin + filled[m.rows[i]]++] = {m.column, m.values[i]};
    }
  for (uint32_t t = 0; t < s.num_tickets(); ++t) {
    WorkTicket& w = TicketFor(s.ticket_ids[t]);
    if (loaded != nullptr) loaded->push_back(static_cast<uint32_t>(&w - work_.data()));
    w.from_segment = true;
    w.origin = key;
    for (uint32_t e = s.event_begin[t]; e < s.event_begin[t + 1]; ++e) w.events.push_back(std::move(events[e]));
    // Segments are written sorted, so an untouched ticket needs no re-sort.
    Place(&w);
  }
  return Status::OK();
}

void Sealer::Place(WorkTicket* t) const {
  // Placement follows the live events (replaced and retracted copies do not
  // count), all of them when none is live.
  const bool any_live = std::any_of(t->events.begin(), t->events.end(),
                                    [](const CodedEvent& e) { return e.dead_since == 0; });
  t->placement_ms = t->events.front().ts_ms;
  for (const CodedEvent& e : t->events) {
    if (any_live && e.dead_since != 0) continue;
    t->placement_ms = e.ts_ms;
    break;
  }
  for (const CodedEvent& e : t->events) {
    if (any_live && e.dead_since != 0) continue;
    if (created_code_ != 0 && e.event_code == created_code_) {
      t->placement_ms = e.ts_ms;
      break;
    }
  }
  t->partition = static_cast<uint32_t>(FloorDiv(t->placement_ms, kMillisPerDay));
}

// Decides which segment each work ticket is written to.
void Sealer::Assign() {
  const uint32_t max_tickets = std::max<uint32_t>(1, store_.options_.max_tickets_per_segment);
  std::map<uint32_t, std::vector<uint32_t>> pending;  // partition -> new or moved tickets
  for (uint32_t i = 0; i < work_.size(); ++i) {
    const WorkTicket& t = work_[i];
    if (t.from_segment && t.origin.first == t.partition) {
      members_[t.origin].push_back(i);
    } else {
      pending[t.partition].push_back(i);
    }
  }
  for (auto& [partition, list] : pending) {
    std::sort(list.begin(), list.end(), [&](uint32_t a, uint32_t b) {
      if (work_[a].placement_ms != work_[b].placement_ms) return work_[a].placement_ms < work_[b].placement_ms;
      return work_ids_.id(a) < work_ids_.id(b);
    });
    // The partition's open segment is its highest-numbered one.
    uint32_t next_segment = 0;
    auto last = im_.refs.upper_bound({partition, UINT32_MAX});
    if (last != im_.refs.begin() && std::prev(last)->first.first == partition) {
      next_segment = std::prev(last)->first.second + 1;
    }
    for (auto it = members_.lower_bound({partition, 0}); it != members_.end() && it->first.first == partition; ++it)
      next_segment = std::max(next_segment, it->first.second + 1);
    size_t pos = 0;
    if (next_segment > 0) {
      SegmentKeyPair open{partition, next_segment - 1};
      if (loaded_.count(open) == 0) {
        auto ref = im_.refs.find(open);
        if (ref != im_.refs.end() && ref->second.zone.num_tickets < max_tickets) {
          // Its tickets stay where they are; a failed read just means a fresh segment.
          std::vector<uint32_t> loaded;
          if (LoadSegment(open, &loaded).ok()) {
            for (uint32_t i : loaded)
              if (work_[i].partition == partition) members_[open].push_back(i);
          }
        }
      }
      auto& open_members = members_[open];
      if (loaded_.count(open) != 0) {
        while (pos < list.size() && open_members.size() < max_tickets) open_members.push_back(list[pos++]);
      } else {
        members_.erase(open);
      }
    }
    while (pos < list.size()) {
      auto& fresh = members_[{partition, next_segment++}];
      while (pos < list.size() && fresh.size() < max_tickets) fresh.push_back(list[pos++]);
    }
  }
}

// A loaded segment none of whose tickets changed, left or arrived is not
// rewritten: a seal of only duplicates (a file ingested again, an upload
// re-sent) writes no segment and leaves every generation, so the caches and
// the table files stay as they were.
void Sealer::KeepUnchangedSegments() {
  std::set<SegmentKeyPair> dirty;
  for (const WorkTicket& t : work_)
    if (t.from_segment && t.changed) dirty.insert(t.origin);  // changed, or left for another partition
  for (auto it = members_.begin(); it != members_.end();) {
    bool keep = !it->second.empty() && dirty.count(it->first) == 0;  // empty: every ticket left, delete it
    for (uint32_t i : it->second) {
      const WorkTicket& t = work_[i];
      if (!keep) break;
      keep = t.from_segment && t.origin == it->first;  // else a ticket arrived
    }
    it = keep ? members_.erase(it) : std::next(it);
  }
}

void Sealer::BuildSegment(const std::vector<uint32_t>& members, Segment* s) const {
  std::vector<uint32_t> order = members;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (work_[a].placement_ms != work_[b].placement_ms) return work_[a].placement_ms < work_[b].placement_ms;
    return work_ids_.id(a) < work_ids_.id(b);
  });
  std::map<uint32_t, SparseCodes> dims;
  std::map<uint32_t, SparseNumbers> measures;
  uint32_t n = 0;
  for (uint32_t i : order) {
    const WorkTicket& t = work_[i];
    s->ticket_ids.push_back(work_ids_.id(i));
    s->event_begin.push_back(n);
    for (const CodedEvent& e : t.events) {
      s->time_ms.push_back(e.ts_ms);
      s->event_code.push_back(e.event_code);
      s->agent_code.push_back(e.agent_code);
      s->batch.push_back(e.batch);
      if (e.id_hash != 0) {
        s->id_rows.push_back(n);
        s->id_hashes.push_back(e.id_hash);
      }
      if (e.revision != 0) {
        s->revision_rows.push_back(n);
        s->revisions.push_back(e.revision);
      }
      if (e.dead_since != 0) {
        s->dead_rows.push_back(n);
        s->dead_since.push_back(e.dead_since);
      }
      for (const auto& [column, code] : DimsOf(e, attrs_)) {
        SparseCodes& d = dims[column];
        d.rows.push_back(n);
        d.codes.push_back(code);
      }
      for (const auto& [column, value] : MeasuresOf(e, attrs_)) {
        SparseNumbers& m = measures[column];
        m.rows.push_back(n);
        m.values.push_back(value);
      }
      ++n;
    }
  }
  s->event_begin.push_back(n);
  for (auto& [column, d] : dims) {
    d.column = column;
    s->dims.push_back(std::move(d));
  }
  for (auto& [column, m] : measures) {
    m.column = column;
    s->measures.push_back(std::move(m));
  }
}

Status Sealer::Run(IngestStats* stats) {
  KPI_RETURN_IF_ERROR(ReadStaged());
  if (staging_keys_.empty()) return Status::OK();
  KPI_RETURN_IF_ERROR(LoadTicketIndex());
  created_code_ = store_.catalog_.FindCode(kEventColumn, "created");
  // Work tickets [0, n) are the incoming tickets, in the order of tickets_.
  work_ids_ = std::move(tickets_);
  work_.resize(work_ids_.size());

  // Decode the segments holding tickets this seal touches.
  std::set<SegmentKeyPair> touched;
  for (uint32_t i = 0; i < work_.size(); ++i) {
    const uint32_t sealed = im_.ticket_ids.Find(work_ids_.id(i));
    if (sealed == StringInterner::kAbsent) continue;
    const TicketLocation& loc = im_.ticket_locations[sealed];
    touched.insert({loc.partition, loc.segment});
  }
  for (SegmentKeyPair key : touched) KPI_RETURN_IF_ERROR(LoadSegment(key));

  // Merge, first ingested wins: incoming_ is in batch order (staging keys
  // are big-endian batch numbers; pending events are appended per batch).
  IngestStats local;
  std::map<uint32_t, IngestStats> by_batch;
  for (CodedEvent& e : incoming_) {
    WorkTicket& t = work_[e.ticket];
    if (!t.identities_built) {
      for (uint32_t i = 0; i < t.events.size(); ++i) {
        const CodedEvent& old = t.events[i];
        if (old.id_hash == 0) {
          t.AddIdentity(IdentityOf(old, attrs_));
        } else if (uint32_t* at = t.FindLatest(old.id_hash); at == nullptr) {
          t.AddLatest(old.id_hash, i);
        } else if (old.revision > t.events[*at].revision) {
          *at = i;
        }
      }
      t.identities_built = true;
    }
    // Events with an id are identified by it: a higher revision replaces the
    // latest copy (kept, invisible from this batch on), a lower or equal one
    // is a duplicate. Others by content (coded_event.h).
    bool is_new;
    if (e.id_hash == 0) {
      is_new = t.AddIdentity(IdentityOf(e, attrs_));
    } else if (uint32_t* at = t.FindLatest(e.id_hash); at == nullptr) {
      t.AddLatest(e.id_hash, static_cast<uint32_t>(t.events.size()));
      is_new = true;
    } else if (e.revision > t.events[*at].revision) {
      CodedEvent& replaced = t.events[*at];
      if (replaced.dead_since == 0) replaced.dead_since = e.batch;
      *at = static_cast<uint32_t>(t.events.size());
      is_new = true;
      local.corrections++;
      if (per_batch_ != nullptr) by_batch[e.batch].corrections++;
    } else {
      is_new = false;
    }
    if (per_batch_ != nullptr) (is_new ? by_batch[e.batch].accepted : by_batch[e.batch].duplicates)++;
    if (!is_new) {
      local.duplicates++;
      continue;
    }
    local.accepted++;
    t.changed = true;
    t.events.push_back(std::move(e));
  }
  for (WorkTicket& t : work_) {
    if (!t.changed) continue;
    std::sort(t.events.begin(), t.events.end(), EventLess{attrs_});
    Place(&t);
  }
  Assign();
  KeepUnchangedSegments();

  // One atomic batch: segments, zone maps, staging removal.
  rocksdb::WriteBatch wb;
  std::map<SegmentKeyPair, SegmentRef> new_refs;
  std::vector<std::pair<uint32_t, TicketLocation>> index_updates;  // (work ticket, new home)
  uint64_t generation = im_.next_generation;
  // Build and encode the segments on every core (each is independent; at the
  // end of an ingest the last seal is all that runs), then write in key order.
  std::vector<EncodedSegment> encoded;
  for (const auto& [key, members] : members_)
    if (!members.empty()) encoded.push_back(EncodedSegment{&members, {}, {}});
  ForEachParallel(encoded.size(), [&](size_t j) {
    Segment segment;
    BuildSegment(*encoded[j].members, &segment);
    EncodeSegment(segment, &encoded[j].value);
    encoded[j].zone = ComputeZoneMap(segment, encoded[j].value.size());
  });
  size_t next_encoded = 0;
  for (const auto& [key, members] : members_) {
    std::string skey = SegmentKey(key.first, key.second);
    if (members.empty()) {
      wb.Delete(im_.segments_cf, skey);
      wb.Delete(im_.zones_cf, skey);
      continue;
    }
    EncodedSegment& done = encoded[next_encoded++];
    std::string value = std::move(done.value);
    SegmentRef ref;
    ref.partition = key.first;
    ref.segment = key.second;
    ref.generation = generation++;
    ref.zone = std::move(done.zone);
    std::string zone;
    PutBigEndian64(&zone, ref.generation);
    ref.zone.Encode(&zone);
    wb.Put(im_.segments_cf, skey, value);
    wb.Put(im_.zones_cf, skey, zone);
    new_refs[key] = std::move(ref);
    local.segments_written++;
    for (uint32_t i : members) {
      const WorkTicket& t = work_[i];
      if (t.from_segment) local.events_rewritten += t.events.size();
      if (t.from_segment && t.origin == key) continue;
      index_updates.emplace_back(i, TicketLocation{key.first, key.second});
    }
  }
  for (const std::string& k : staging_keys_) wb.Delete(im_.staging_cf, k);
  std::string gen;
  PutBigEndian64(&gen, generation);
  wb.Put(im_.catalog_cf, "Sgeneration", gen);
  std::lock_guard lock(im_.write_mu);
  if (im_.failed) return Status::IOError("store is read-only after an earlier write failure; reopen it");
  rocksdb::Status s = im_.db->Write(im_.WriteOpts(store_.options_.sync), &wb);
  if (!s.ok()) {
    im_.failed = true;
    return FromRocks(s, "seal");
  }

  im_.next_generation = generation;
  for (const auto& [key, members] : members_) {
    if (members.empty()) im_.refs.erase(key);
  }
  for (auto& [key, ref] : new_refs) im_.refs[key] = std::move(ref);
  for (const auto& [i, loc] : index_updates) SetTicketLocation(work_ids_.id(i), loc);
  im_.staged_events -= taken_events_;
  im_.Publish();
  if (stats != nullptr) stats->Add(local);
  if (per_batch_ != nullptr)
    for (const auto& [batch, counts] : by_batch) (*per_batch_)[batch].Add(counts);
  return Status::OK();
}

}  // namespace kpi::storage
