// Sealer: one run of Store::Seal: every staged event -> columnar segments,
// in ONE atomic WriteBatch (segments, zone maps, the removal of the staged
// batches), so a crash leaves either the old segments and the staged batches
// or the new segments and no staged batch.
//
// Steps (sealer.cc drives them):
//   1. take the staged events (decoded in memory since Stage, else re-read);
//   2. load the segments holding the tickets they touch (ticket index);
//   3. bucket the incoming events by ticket, keeping arrival order, and merge
//      each ticket: duplicates dropped by identity, first ingested wins, a
//      higher revision replaces (storage/coded_event.h) (sealer_merge.cc);
//   4. place each ticket in the partition of its creation day, decide which
//      segment each ticket goes to, leave unchanged segments alone, build and
//      encode the rest on every core (sealer_layout.cc);
//   5. commit (the ticket index's changes go in the same WriteBatch), then
//      publish the new read view.
// A segment that only gains events and tickets, by a small share of its
// size, gets them as a delta part instead of being re-encoded whole
// (storage/segment_parts.h); past StoreOptions::max_deltas_per_segment or kMaxDeltaShare of its base,
// the seal that would add more folds the parts into a new base.
//
// Memory: events are never copied per ticket. Incoming events stay in the one
// array staging produced (tickets address them through an index array), and
// loaded segments decode into one arena; a ticket is two slices. Sealed
// events of a ticket are already in segment order and its accepted incoming
// events are sorted once, so building a segment merges two sorted runs.
//
// Thread safety: runs under Store::Impl::seal_mu; takes write_mu only to take
// the staged events and to commit (storage/store_impl.h).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "storage/coded_event.h"
#include "storage/segment.h"
#include "storage/store.h"
#include "storage/store_impl.h"
#include "storage/string_interner.h"

namespace kpi::storage {

class Sealer {
 public:
  // Deltas hold at most base_events / kMaxDeltaShare events, but at least
  // kMinDeltaEvents (folding a small base costs little either way).
  static constexpr uint32_t kMaxDeltaShare = 2;
  static constexpr uint32_t kMinDeltaEvents = 1024;
  // Seals of at most this many staged events put the segments they build in
  // the segment cache.
  static constexpr uint64_t kCacheBuiltUpTo = 65536;
  Sealer(Store* store, std::map<uint32_t, IngestStats>* per_batch)
      : store_(*store), im_(*store->impl_), per_batch_(per_batch) {}
  Status Run(IngestStats* stats);
  // Store::EstimateSeal; requires seal_mu.
  Status Estimate(Store::SealEstimate* out);

 private:
  using SegmentKeyPair = std::pair<uint32_t, uint32_t>;  // (partition, segment)

  // A ticket this seal holds; its id is work_ids_.id(index in work_).
  struct WorkTicket {
    uint32_t sealed_begin = 0, sealed_end = 0;      // sealed_[...]: its events from its segment, in order
    uint32_t incoming_begin = 0, incoming_end = 0;  // order_[...]: indexes of its new events in incoming_
    SegmentKeyPair origin{0, 0};                    // its segment, when from_segment
    bool from_segment = false;
    bool changed = false;  // an event arrived (or was replaced): its segment is written
    bool sealed_changed = false;  // a sealed row of it changed (a correction): no delta for its segment
    int64_t placement_ms = 0;
    uint32_t partition = 0;
    size_t num_events() const { return (sealed_end - sealed_begin) + (incoming_end - incoming_begin); }
  };

  Status ReadStaged();
  // Builds the on-disk ticket index when the store predates it (ticket_index.h).
  Status LoadTicketIndex();
  // Adds the sealed segments holding any of `tickets` to *out (ticket index).
  Status SegmentsHolding(const std::vector<std::string>& tickets, std::set<SegmentKeyPair>* out) const;
  // Decodes a sealed segment into sealed_ and its tickets into work_; appends
  // their work indexes to *loaded when non-null. (sealer_layout.cc)
  Status LoadSegment(SegmentKeyPair key, std::vector<uint32_t>* loaded = nullptr);
  uint32_t WorkIndexFor(const std::string& id);
  // Buckets incoming_ by ticket, then merges each touched ticket on every
  // core; counts into *local and by_batch. (sealer_merge.cc)
  void MergeIncoming(IngestStats* local, std::map<uint32_t, IngestStats>* by_batch);
  void Place(WorkTicket* t) const;
  void Assign();                  // (sealer_layout.cc)
  void KeepUnchangedSegments();   // (sealer_layout.cc)
  // The segment of `members`, or with only_incoming the delta part holding
  // just their accepted incoming events. (sealer_layout.cc)
  void BuildSegment(const std::vector<uint32_t>& members, bool only_incoming, Segment* out) const;
  // Whether the segment `key` (with these members) takes this seal's events
  // as a delta part instead of being rewritten (storage/segment_parts.h).
  bool TakesDelta(SegmentKeyPair key, const std::vector<uint32_t>& members) const;
  // Whether `added` more events fit in ref's deltas (count and share limits).
  bool DeltaFits(const SegmentRef& ref, uint64_t added) const;
  // Calls fn on each of ticket i's events in segment order (sealed and
  // accepted incoming merged).
  template <typename Fn>
  void ForEachEvent(const WorkTicket& t, Fn&& fn) const;

  Store& store_;
  Store::Impl& im_;
  std::map<uint32_t, IngestStats>* per_batch_;  // may be null
  std::vector<CodedEvent> incoming_;  // staged events; .ticket indexes work_ (incoming tickets come first)
  std::vector<uint32_t> order_;       // incoming_ indexes grouped by ticket (WorkTicket::incoming_*)
  std::vector<CodedEvent> sealed_;    // events of the loaded segments, ticket after ticket
  EventAttrs attrs_;                  // dimensions and measures of incoming_ and sealed_
  StringInterner tickets_;
  std::vector<std::string> staging_keys_;
  std::vector<WorkTicket> work_;
  StringInterner work_ids_;  // work ticket ids: index i is work_[i]
  std::map<SegmentKeyPair, std::vector<uint32_t>> members_;  // rewritten segments -> work tickets
  std::set<SegmentKeyPair> loaded_;
  uint32_t created_code_ = 0;
  uint64_t taken_events_ = 0;  // staged events this seal took
};

}  // namespace kpi::storage
