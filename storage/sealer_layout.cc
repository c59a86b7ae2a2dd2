// Seal steps 2 and 4 (storage/sealer.h): decode the segments a seal needs,
// decide which segment each ticket goes to, leave unchanged segments alone,
// and build the segments to write.
#include <algorithm>

#include "storage/keys.h"
#include "storage/segment_codec.h"
#include "storage/sealer.h"

namespace kpi::storage {

// Decodes a sealed segment: its events into the sealed_ arena (already in
// segment order), its tickets into work tickets.
Status Sealer::LoadSegment(SegmentKeyPair key, std::vector<uint32_t>* loaded) {
  if (!loaded_.insert(key).second) return Status::OK();
  members_[key];  // rewritten even if every ticket leaves it
  std::string value;
  KPI_RETURN_IF_ERROR(FromRocks(
      im_.db->Get(rocksdb::ReadOptions(), im_.segments_cf, SegmentKey(key.first, key.second), &value),
      "read segment"));
  Segment s;
  KPI_RETURN_IF_ERROR(DecodeSegment(value, &s));
  const size_t base = sealed_.size();
  if (base + s.num_events() > UINT32_MAX) return Status::IOError("seal holds more than 2^32 sealed events");
  sealed_.resize(base + s.num_events());
  CodedEvent* events = sealed_.data() + base;
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
  for (uint32_t e = 0; e < s.num_events(); ++e) {
    events[e].dims_begin = static_cast<uint32_t>(dim_at);
    events[e].measures_begin = static_cast<uint32_t>(measure_at);
    dim_at += events[e].num_dims;
    measure_at += events[e].num_measures;
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
    const uint32_t index = WorkIndexFor(s.ticket_ids[t]);
    WorkTicket& w = work_[index];
    if (loaded != nullptr) loaded->push_back(index);
    w.from_segment = true;
    w.origin = key;
    w.sealed_begin = static_cast<uint32_t>(base + s.event_begin[t]);
    w.sealed_end = static_cast<uint32_t>(base + s.event_begin[t + 1]);
    Place(&w);
  }
  return Status::OK();
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

template <typename Fn>
void Sealer::ForEachEvent(const WorkTicket& t, Fn&& fn) const {
  // Two sorted runs: the sealed events (segment order) and the accepted
  // incoming ones (sorted by MergeIncoming). Ties go to the sealed copy.
  const EventOrderLess less{attrs_};
  uint32_t i = t.sealed_begin, k = t.incoming_begin;
  while (i < t.sealed_end && k < t.incoming_end) {
    const CodedEvent& in = incoming_[order_[k]];
    if (less(in, sealed_[i])) {
      fn(in);
      ++k;
    } else {
      fn(sealed_[i++]);
    }
  }
  for (; i < t.sealed_end; ++i) fn(sealed_[i]);
  for (; k < t.incoming_end; ++k) fn(incoming_[order_[k]]);
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
    ForEachEvent(t, [&](const CodedEvent& e) {
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
    });
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

}  // namespace kpi::storage
