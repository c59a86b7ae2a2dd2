// Seal step 2 (storage/sealer.h): cut a seal into partition groups, and carry
// the tickets a group's merge placed outside its partitions to the last
// group.
//
// A group is a run of consecutive home partitions: an incoming ticket's home
// is the partition of the segment holding it (ticket index), or for a ticket
// never sealed the partition its incoming events place it in. A group's
// weight is its incoming events plus the sealed events of the segments it
// decodes; groups are cut at StoreOptions::seal_group_events (a partition
// heavier than that is a group of its own). Each segment belongs to one
// partition, hence to one group, so no two groups write the same segment;
// the only tickets that cross groups are those whose merged events place them
// elsewhere: groups run from the latest partitions to the earliest, a ticket
// moving to a partition of a group still to run joins that group (most moves:
// a ticket sealed before its `created` arrived moves to an earlier day), and
// the rest go to a last group that writes them into fresh segments of the
// partitions groups wrote (into the open segment of partitions no group
// touched).
#include <algorithm>
#include <numeric>

#include "storage/sealer.h"
#include "storage/segment_events.h"

namespace kpi::storage {

Status Sealer::PlanGroups(std::vector<Group>* groups) {
  groups->clear();
  const size_t n = tickets_.size();
  std::vector<TicketLocation> where(n);
  std::vector<char> sealed(n, 0);
  KPI_RETURN_IF_ERROR(SegmentsHolding(tickets_.ids(), [&](size_t i, TicketLocation loc) {
    where[i] = loc;
    sealed[i] = 1;
  }));
  const uint64_t limit = store_.options_.seal_group_events;
  if (limit == 0 || n == 0) {
    Group& all = groups->emplace_back();
    all.tickets.resize(n);
    for (uint32_t t = 0; t < n; ++t) {
      all.tickets[t] = t;
      if (sealed[t]) all.segments.insert({where[t].partition, where[t].segment});
    }
    return Status::OK();
  }
  struct Home {
    std::vector<uint32_t> tickets;
    std::set<SegmentKeyPair> segments;
    uint64_t events = 0;
  };
  std::map<uint32_t, Home> homes;
  // Read back from disk, the tickets go in order of their incoming events'
  // placement: a group's events are laid out in its ticket list's order
  // (BucketIncoming), so merging and building its segments (placement
  // order, sealer_layout.cc) read them in sequence whatever order they
  // arrived in. (In memory, tickets_ is in arrival order.)
  std::vector<uint32_t> visit(n);
  std::iota(visit.begin(), visit.end(), 0u);
  if (from_disk_)
    std::sort(visit.begin(), visit.end(), [&](uint32_t a, uint32_t b) {
      return incoming_placement_[a] != incoming_placement_[b] ? incoming_placement_[a] < incoming_placement_[b] : a < b;
    });
  for (const uint32_t t : visit) {
    const uint32_t partition = sealed[t] ? where[t].partition : PartitionOf(IncomingPlacement(t));
    Home& home = homes[partition];
    home.tickets.push_back(t);
    home.events += IncomingEvents(t);
    if (sealed[t] && home.segments.insert({where[t].partition, where[t].segment}).second) {
      if (auto ref = im_.refs.find({where[t].partition, where[t].segment}); ref != im_.refs.end())
        home.events += ref->second.zone.num_events;
    }
  }
  uint64_t weight = 0;
  for (auto& [partition, home] : homes) {
    if (groups->empty() || (weight > 0 && weight + home.events > limit)) {
      groups->emplace_back();
      weight = 0;
    }
    Group& group = groups->back();
    weight += home.events;
    group.partitions.insert(partition);
    group.tickets.insert(group.tickets.end(), home.tickets.begin(), home.tickets.end());
    group.segments.insert(home.segments.begin(), home.segments.end());
  }
  return Status::OK();
}

void Sealer::CarryMovedTickets(const std::vector<Group>& groups, size_t index) {
  const Group& group = groups[index];
  for (uint32_t i = 0; i < work_.size(); ++i) {
    WorkTicket& t = work_[i];
    if (group.partitions.count(t.partition) != 0) continue;
    // Groups run from the last to the first: a group before this one has yet
    // to write its partitions, the rest go to the last group.
    size_t target = groups.size();
    for (size_t g = 0; g < index; ++g)
      if (groups[g].partitions.count(t.partition) != 0) target = g;
    CarryBox& box = carried_[target];
    CarriedTicket c;
    c.id = work_ids_.id(i);
    c.events_begin = static_cast<uint32_t>(box.events.size());
    // Its merged events, sealed and accepted incoming, in segment order: the
    // group that takes it reads them all as sealed (the incoming events of
    // a seal that reads staging back per group are gone by then).
    ForEachEvent(t, [&](const CodedEvent& event) {
      CodedEvent e = event;
      const auto dims = DimsOf(e, attrs_);
      const auto measures = MeasuresOf(e, attrs_);
      e.dims_begin = static_cast<uint32_t>(box.attrs.dims.size());
      e.measures_begin = static_cast<uint32_t>(box.attrs.measures.size());
      box.attrs.dims.insert(box.attrs.dims.end(), dims.begin(), dims.end());
      box.attrs.measures.insert(box.attrs.measures.end(), measures.begin(), measures.end());
      box.events.push_back(e);
    });
    c.events_end = static_cast<uint32_t>(box.events.size());
    c.placement_ms = t.placement_ms;
    c.partition = t.partition;
    box.tickets.push_back(std::move(c));
    t.carried = true;
    t.changed = true;  // the segment it leaves is written without it
  }
}

void Sealer::TakeCarriedTickets(CarryBox* box) {
  const uint32_t dims_base = static_cast<uint32_t>(attrs_.dims.size());
  const uint32_t measures_base = static_cast<uint32_t>(attrs_.measures.size());
  const uint32_t events_base = static_cast<uint32_t>(sealed_.size());
  attrs_.dims.insert(attrs_.dims.end(), box->attrs.dims.begin(), box->attrs.dims.end());
  attrs_.measures.insert(attrs_.measures.end(), box->attrs.measures.begin(), box->attrs.measures.end());
  for (CodedEvent e : box->events) {
    e.dims_begin += dims_base;
    e.measures_begin += measures_base;
    sealed_.push_back(e);
  }
  for (const CarriedTicket& c : box->tickets) {
    // Not a ticket of this group's segments (each ticket has one home).
    WorkTicket& w = work_[WorkIndexFor(c.id)];
    w.sealed_begin = events_base + c.events_begin;
    w.sealed_end = events_base + c.events_end;
    w.incoming_begin = w.incoming_end = 0;  // all in the sealed slice
    w.placement_ms = c.placement_ms;
    w.partition = c.partition;
    w.changed = true;  // a new ticket of its partition (its old segment was written without it)
    w.merged = true;
  }
  *box = {};
}

}  // namespace kpi::storage
