// Segment <-> CodedEvent: the one conversion between a decoded columnar
// segment and the row form the sealer merges in, used by the sealer (load a
// segment, build the segments to write) and by the merge of a segment with
// its delta parts (storage/segment_parts.h).
//
// Ticket placement lives here too, since both need the same rule: a ticket
// is placed at its first live `created` event, else its earliest live event;
// when no event is live, the same over all its events.
#pragma once

#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

#include "storage/coded_event.h"
#include "storage/segment.h"

namespace kpi::storage {

// Appends every event of `s` (all columns decoded) to *events, in segment
// order, with its dimensions and measures appended to *attrs. `ticket` of the
// appended events is the ticket's index within `s`.
void AppendSegmentEvents(const Segment& s, std::vector<CodedEvent>* events, EventAttrs* attrs);

// Builds a Segment ticket by ticket: AddTicket, then that ticket's events in
// segment order, then the next ticket; Finish once.
class SegmentBuilder {
 public:
  explicit SegmentBuilder(Segment* out) : s_(out) {}
  void AddTicket(std::string_view id);
  void AddEvent(const CodedEvent& e, const EventAttrs& attrs);
  void Finish();

 private:
  Segment* s_;
  uint32_t n_ = 0;
  std::map<uint32_t, SparseCodes> dims_;
  std::map<uint32_t, SparseNumbers> measures_;
};

// Placement of one ticket: Visit each of its events (any order), then read.
class PlacementScan {
 public:
  explicit PlacementScan(uint32_t created_code) : created_code_(created_code) {}
  void Visit(const CodedEvent& e) {
    const bool created = created_code_ != 0 && e.event_code == created_code_;
    any_ = std::min(any_, e.ts_ms);
    if (created) any_created_ = std::min(any_created_, e.ts_ms);
    if (e.dead_since != 0) return;
    live_ = std::min(live_, e.ts_ms);
    if (created) live_created_ = std::min(live_created_, e.ts_ms);
  }
  int64_t placement_ms() const {
    if (live_ != kNone) return live_created_ != kNone ? live_created_ : live_;
    return any_created_ != kNone ? any_created_ : any_;
  }

 private:
  static constexpr int64_t kNone = INT64_MAX;
  uint32_t created_code_;
  int64_t live_ = kNone, live_created_ = kNone, any_ = kNone, any_created_ = kNone;
};

}  // namespace kpi::storage
