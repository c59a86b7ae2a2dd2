// Seal steps 2 and 4 (storage/sealer.h): decode the segments a seal needs,
// decide which segment each ticket goes to, leave unchanged segments alone,
// and build the segments to write.
#include <algorithm>

#include "storage/keys.h"
#include "storage/segment_codec.h"
#include "storage/segment_events.h"
#include "storage/segment_parts.h"
#include "storage/sealer.h"

namespace kpi::storage {

// Decodes a sealed segment (its base and delta parts merged): its events
// into the sealed_ arena (already in segment order), its tickets into work
// tickets.
Status Sealer::LoadSegment(SegmentKeyPair key, std::vector<uint32_t>* loaded) {
  if (!loaded_.insert(key).second) return Status::OK();
  members_[key];  // rewritten even if every ticket leaves it
  auto ref = im_.refs.find(key);
  std::shared_ptr<const Segment> cached;
  if (ref != im_.refs.end())
    cached = im_.cache->Find(key.first, key.second, ref->second.generation, SegmentColumns::All());
  Segment read;
  if (cached == nullptr) {
    const uint32_t deltas = ref != im_.refs.end() ? ref->second.deltas : 0;
    // Read once per seal (loaded_): RocksDB's block cache for the segments
    // family (8 MiB, outside the memory limit's shares) would only hold it
    // through the seal's peak.
    rocksdb::ReadOptions once;
    once.fill_cache = false;
    KPI_RETURN_IF_ERROR(ReadMergedSegment(im_.db.get(), once, im_.segments_cf, key.first, key.second, deltas,
                                          created_code_, &read));
  }
  const Segment& s = cached != nullptr ? *cached : read;
  const size_t base = sealed_.size();
  if (base + s.num_events() > UINT32_MAX) return Status::IOError("seal holds more than 2^32 sealed events");
  // ReadGroupIncoming sized the arena (not the carried tickets' last group).
  if (from_disk_ && !fresh_only_ && base + s.num_events() > sealed_.capacity())
    arena_regrowths_.fetch_add(1, std::memory_order_relaxed);
  AppendSegmentEvents(s, &sealed_, &attrs_);
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
    if (t.carried) continue;  // written by the last group (sealer_groups.cc)
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
    // The carried tickets' group: a partition another group wrote gets fresh
    // segments after every number used (its open one may be rewritten).
    const auto written = written_next_.find(partition);
    const bool fresh = fresh_only_ && written != written_next_.end();
    if (fresh) next_segment = std::max(next_segment, written->second);
    if (next_segment > 0 && !fresh) {
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

void Sealer::BuildSegment(const std::vector<uint32_t>& members, bool only_incoming, Segment* s) const {
  std::vector<uint32_t> order;
  for (uint32_t i : members)
    if (!only_incoming || work_[i].incoming_begin != work_[i].incoming_end) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (work_[a].placement_ms != work_[b].placement_ms) return work_[a].placement_ms < work_[b].placement_ms;
    return work_ids_.id(a) < work_ids_.id(b);
  });
  SegmentBuilder builder(s);
  for (uint32_t i : order) {
    const WorkTicket& t = work_[i];
    builder.AddTicket(work_ids_.id(i));
    if (only_incoming) {
      for (uint32_t k = t.incoming_begin; k < t.incoming_end; ++k) builder.AddEvent(incoming_[order_[k]], attrs_);
    } else {
      ForEachEvent(t, [&](const CodedEvent& e) { builder.AddEvent(e, attrs_); });
    }
  }
  builder.Finish();
}

}  // namespace kpi::storage
