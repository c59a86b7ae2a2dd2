// Sealer: one run of Store::Seal: every staged event -> columnar segments,
// in ONE atomic WriteBatch (segments, zone maps, the removal of the staged
// batches), so a crash leaves either the old segments and the staged batches
// or the new segments and no staged batch.
//
// Steps (sealer.cc drives them):
//   1. take the staged events: decoded in memory since Stage, or, when they
//      were spilled (Store::SpillStaged) or a crash left them, on disk in the
//      staging family: then a first pass over it (under a RocksDB snapshot)
//      only counts and places each incoming ticket, and each group reads its
//      own events back in a pass of its own (sealer_staged.cc); a run that
//      leaves batches for the next also seals the events of its tickets it
//      finds looking ahead in them (sealer_staged.cc); look up where
//      the tickets live (ticket index; nothing is looked up while the store
//      has no segment), bucket the events by ticket keeping arrival order
//      (read back from disk, a group's tickets in order of placement, the
//      order their segments are built in, and the events' dimensions and
//      measures laid out in that order too: scattered arrival then reads
//      them in sequence);
//   2. cut the seal into partition groups (sealer_groups.cc): each incoming
//      ticket has a home partition (its segment's, or for a new ticket the
//      day its incoming events place it on), and consecutive home partitions
//      form a group while the group's events (incoming, plus the sealed
//      events of the segments it decodes) stay under
//      StoreOptions::seal_group_events (0: one group). Then per group:
//   3. load the segments holding the group's tickets, merge each ticket:
//      duplicates dropped by identity, first ingested wins, a higher revision
//      replaces (storage/coded_event.h) (sealer_merge.cc);
//   4. place each ticket in the partition of its creation day, decide which
//      segment each ticket goes to, leave unchanged segments alone, build and
//      encode the rest on every core, add them to the seal's WriteBatch, and
//      drop the group's decoded segments (sealer_layout.cc). Groups run from
//      the latest partitions to the earliest. A ticket whose merged events
//      place it outside its group's partitions (an earlier `created` arrived,
//      a correction moved it) is carried, its events copied, to the group of
//      its new partition when that group is still to run, else to a last
//      group that writes it into a fresh segment of a partition another
//      group wrote (sealer_groups.cc);
//   5. commit the one WriteBatch of every group (the ticket index's changes
//      go in it too), then publish the new read view.
// Groups can change where a moved ticket lands (a fresh segment instead of
// its partition's open one), never what the store holds: any grouping seals the
// same tickets with the same events as one group.
// A segment that only gains events and tickets, by a small share of its
// size, gets them as a delta part instead of being re-encoded whole
// (storage/segment_parts.h); past StoreOptions::max_deltas_per_segment or kMaxDeltaShare of its base,
// the seal that would add more folds the parts into a new base.
//
// Memory: events are never copied per ticket. Incoming events stay in the one
// array staging produced (or, read back from disk, the group's events only;
// tickets address them through an index array), and
// a group's loaded segments decode into one arena, emptied for the next
// group; a ticket is two slices. Sealed events of a ticket are already in
// segment order and its accepted incoming events are sorted once, so
// building a segment merges two sorted runs. What a seal holds at once: its
// incoming events, one group's decoded segments and built segments, and the
// encoded values of the groups before (in the WriteBatch). Read back from
// disk, the incoming events held are the group's; what the seal keeps for
// all of them is a ticket id and a few words per incoming ticket, and 8 bytes
// per staged event (its offset and ticket).
//
// Thread safety: runs under Store::Impl::seal_mu; takes write_mu only to take
// the staged events and to commit (storage/store_impl.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <rocksdb/write_batch.h>

#include "storage/coded_event.h"
#include "storage/event_marks.h"
#include "storage/segment.h"
#include "storage/store.h"
#include "storage/store_impl.h"
#include "storage/string_interner.h"
#include "storage/ticket_index.h"

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
  // A run reading staging back from disk takes batches up to
  // spilled_seal_bytes less 1/kAheadShare of it, which is left for the
  // events of its tickets it finds looking ahead in later batches; it stops
  // looking after kAheadIdleBatches batches in a row without one
  // (sealer_staged.cc).
  static constexpr uint64_t kAheadShare = 5;
  static constexpr size_t kAheadIdleBatches = 8;
  // A spilled run reserves its write up front, this much per event and per
  // incoming ticket (WriteReserve): measured, a run's write (its segments,
  // zone maps and ticket index entries) was 42 MB for 5.95M events and 0.87M
  // tickets (1M generated tickets), 50 MB for 11.6M and 1.0M (20M), so this
  // is about 1.5-2x. Reserved address space costs nothing until written;
  // growing instead, the write's buffer doubled from 32 to 64 MB halfway
  // through a run, and for that copy the old buffer and the new were both
  // resident: the high-water mark of a 1M load (docs/performance.md).
  static constexpr uint64_t kWriteReserveEventBytes = 8;
  static constexpr uint64_t kWriteReserveTicketBytes = 24;
  Sealer(Store* store, std::map<uint32_t, IngestStats>* per_batch)
      : store_(*store), im_(*store->impl_), per_batch_(per_batch) {}
  ~Sealer();
  Sealer(const Sealer&) = delete;
  Sealer& operator=(const Sealer&) = delete;
  Status Run(IngestStats* stats);
  // After Run: staged batches are left for another run (read back from
  // disk, past StoreOptions::spilled_seal_bytes).
  bool left_staged() const { return left_staged_; }
  // After Run: the staged events were read back from disk (a spilled seal).
  bool read_back() const { return from_disk_; }
  // Store::EstimateSeal; requires seal_mu.
  Status Estimate(Store::SealEstimate* out);
  // Process-wide, for tests: times a spilled seal's partition group loaded
  // more sealed events than ReadGroupIncoming sized its arena for (each a
  // copy of every sealed event so far, at the group's peak).
  static uint64_t ArenaRegrowths() { return arena_regrowths_.load(std::memory_order_relaxed); }

 private:
  using SegmentKeyPair = std::pair<uint32_t, uint32_t>;  // (partition, segment)

  // A ticket this seal holds in the current group; its id is
  // work_ids_.id(index in work_).
  struct WorkTicket {
    uint32_t sealed_begin = 0, sealed_end = 0;      // sealed_[...]: its events from its segment, in order
    uint32_t incoming_begin = 0, incoming_end = 0;  // order_[...]: indexes of its new events in incoming_
    SegmentKeyPair origin{0, 0};                    // its segment, when from_segment
    bool from_segment = false;
    bool changed = false;  // an event arrived (or was replaced): its segment is written
    bool sealed_changed = false;  // a sealed row of it changed (a correction): no delta for its segment
    bool carried = false;  // placed outside its group's partitions: written by another group
    bool merged = false;   // carried in from another group, merged there
    int64_t placement_ms = 0;
    uint32_t partition = 0;
    size_t num_events() const { return (sealed_end - sealed_begin) + (incoming_end - incoming_begin); }
  };
  // A ticket carried to another group, with copies of its merged events
  // (sealed and accepted incoming, in segment order).
  struct CarriedTicket {
    std::string id;
    uint32_t events_begin = 0, events_end = 0;  // CarryBox::events[...]
    int64_t placement_ms = 0;
    uint32_t partition = 0;
  };
  // The tickets carried to one group; events' dimensions and measures in attrs.
  struct CarryBox {
    std::vector<CarriedTicket> tickets;
    std::vector<CodedEvent> events;
    EventAttrs attrs;
  };
  // One group: its incoming tickets (indexes into tickets_) and the segments
  // it decodes.
  struct Group {
    std::vector<uint32_t> tickets;
    std::set<SegmentKeyPair> segments;
    std::set<uint32_t> partitions;
  };
  // What the groups leave for the commit.
  struct SealOutput {
    rocksdb::WriteBatch wb;
    std::map<SegmentKeyPair, SegmentRef> new_refs;
    std::vector<SegmentKeyPair> deleted;
    std::vector<std::tuple<SegmentKeyPair, uint64_t, std::shared_ptr<const Segment>>> cached;
    uint64_t generation = 0;
    bool wrote_delta = false;
  };

  // A staged batch of a seal that reads staging back from disk.
  // Its events (byte offset in the value, ticket) in arrival order, then,
  // once the groups are planned (NoteGroups), grouped: group g's events are
  // [starts[g], starts[g + 1]), their offsets packed from packed_starts[g].
  struct StagedBatch {
    uint32_t batch = 0;
    std::vector<uint32_t> offsets;  // until NoteGroups
    std::vector<uint32_t> tickets;  // tickets_ indexes, until NoteGroups (then each group reads the ids)
    std::vector<uint32_t> starts;
    // After NoteGroups: each group's offsets, ascending (arrival order), as
    // varints of the step from the one before (the group's first from 0):
    // ~2 bytes an event instead of 4, and a full run holds ~11M of them at
    // 20M generated tickets (docs/performance.md).
    std::vector<uint32_t> packed_starts;
    std::string packed;
  };
  // Takes the staged events: those in memory, or else a snapshot of the
  // staging family to read them back from (sealer_staged.cc).
  Status TakeStaged();
  // Disk: the first pass, counting and placing each incoming ticket.
  Status ScanStaged();
  // Disk, after the commit: the batches taken need no note; the events
  // sealed ahead are noted in Store::Impl::sealed_ahead.
  void NoteSealedAhead();
  // Disk: sorts each staged batch's events by group (stable).
  void NoteGroups(const std::vector<Group>& groups);
  // Disk: the bytes a run reserves for its write (kWriteReserveEventBytes).
  size_t WriteReserve() const;
  // Disk: reads group `index`'s incoming events into incoming_ and attrs_,
  // the group's arenas sized to it first.
  Status ReadGroupIncoming(const std::vector<Group>& groups, size_t index);
  // Disk: the events of the partitions' open segments that the group's
  // Assign will load besides the group's own segments (new tickets join a
  // partition's open segment). ReadGroupIncoming sizes the group's arenas
  // for them too: loaded into full arenas they grew them by doubling, a
  // copy of every sealed event and its dimensions at the group's peak
  // (20M tickets: +15-19 MB in the groups that load one, docs/performance.md).
  uint64_t OpenSegmentEvents(const Group& group) const;
  // A ticket's incoming events, and the placement they give it.
  uint64_t IncomingEvents(uint32_t ticket) const;
  int64_t IncomingPlacement(uint32_t ticket) const;
  // Builds the on-disk ticket index when the store predates it (ticket_index.h).
  Status LoadTicketIndex();
  // Adds the sealed segments holding any of `tickets` to *out (ticket index).
  Status SegmentsHolding(const std::vector<std::string>& tickets, std::set<SegmentKeyPair>* out) const;
  // Calls found(i, location) for each of `tickets` that is sealed (ticket
  // index); looks nothing up while the store has no segment.
  Status SegmentsHolding(const std::vector<std::string>& tickets,
                         const std::function<void(size_t index, TicketLocation loc)>& found) const;
  // Cuts the incoming tickets into groups (sealer_groups.cc).
  Status PlanGroups(std::vector<Group>* groups);
  // Loads group `index`'s segments, takes the tickets carried to it and
  // merges its tickets (sealer.cc).
  Status SealGroup(const std::vector<Group>& groups, size_t index, IngestStats* local,
                   std::map<uint32_t, IngestStats>* by_batch);
  // Copies the tickets group `index` placed outside its partitions out of the
  // group's arenas, into the box of the group that writes them
  // (sealer_groups.cc).
  void CarryMovedTickets(const std::vector<Group>& groups, size_t index);
  // Adds the tickets of `box` to the current group's work (sealer_groups.cc).
  void TakeCarriedTickets(CarryBox* box);
  // Empties the group's state; attrs_ back to the incoming events' part.
  void ResetGroup();
  // After the commit: starts flushing (in the background) every family
  // whose memtable the seal's write filled past its size. RocksDB would
  // only do so at the next write, and in a spilled seal's runs that is the
  // next run's commit: the full memtables (about as large as a run's
  // write) would still be held at that run's peak (sealer.cc). When another
  // run follows, half full is full enough: a run's write fills about half
  // of the segments family's memtable at 1 GiB, which would otherwise stay
  // in memory through the next run.
  void FlushFullMemtables() const;
  // After the last group: frees what the groups needed and the commit does
  // not (the incoming events and tickets, the spilled batches' offsets, the
  // group arenas' capacity), so that the commit's memtable insert does not
  // come on top of them (sealer.cc).
  void ReleaseGroupsState();
  // Lays out the group's work tickets, builds and encodes the segments to
  // write and adds them to *out (sealer.cc).
  void WriteGroup(IngestStats* local, SealOutput* out);
  // Decodes a sealed segment into sealed_ and its tickets into work_; appends
  // their work indexes to *loaded when non-null. (sealer_layout.cc)
  Status LoadSegment(SegmentKeyPair key, std::vector<uint32_t>* loaded = nullptr);
  uint32_t WorkIndexFor(const std::string& id);
  // Buckets incoming_ by incoming ticket, in tickets_ order, or with
  // group_tickets (read back from disk) in that list's order, starts_
  // indexed by the place in it; lays out attrs_ (which must hold only
  // incoming_'s dimensions and measures) in the events' new order; sets
  // incoming_dims_ and incoming_measures_ (sealer_merge.cc).
  void BucketIncoming(const std::vector<uint32_t>* group_tickets);
  void LayOutIncomingAttrs();
  // Merges each work ticket's incoming events on every core; counts into
  // *local and by_batch. (sealer_merge.cc)
  void MergeTickets(IngestStats* local, std::map<uint32_t, IngestStats>* by_batch);
  void Place(WorkTicket* t) const;
  // The partition (UTC day) of a placement time (sealer_merge.cc).
  static uint32_t PartitionOf(int64_t placement_ms);
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
  // One memory-trace line (storage/memory_trace.h) labelled `what`: what
  // the seal holds, its write `wb` (may be null) and RocksDB's memory
  // (sealer_trace.cc). Nothing unless the trace is on.
  void TraceMemory(const char* what, const rocksdb::WriteBatch* wb) const;
  // Calls fn on each of ticket i's events in segment order (sealed and
  // accepted incoming merged).
  template <typename Fn>
  void ForEachEvent(const WorkTicket& t, Fn&& fn) const;

  static inline std::atomic<uint64_t> arena_regrowths_{0};
  Store& store_;
  Store::Impl& im_;
  std::map<uint32_t, IngestStats>* per_batch_;  // may be null
  // The seal's incoming events and their tickets (all groups).
  std::vector<CodedEvent> incoming_;  // staged events; .ticket indexes tickets_
  std::vector<uint32_t> order_;       // incoming_ indexes grouped by ticket (WorkTicket::incoming_*)
  std::vector<uint32_t> starts_;      // bucket b (BucketIncoming): its events are order_[starts_[b], starts_[b + 1])
  std::vector<uint32_t> bucket_of_;   // read back from disk: tickets_ index -> place in its group's list
  StringInterner tickets_;
  std::vector<std::string> staging_keys_;
  // Read back from disk (from_disk_): the staging family as the seal took
  // it, its batches, and per incoming ticket its events and placement.
  bool from_disk_ = false;
  const rocksdb::Snapshot* staged_snapshot_ = nullptr;
  std::vector<StagedBatch> staged_;
  std::vector<uint32_t> incoming_counts_;
  std::vector<int64_t> incoming_placement_;
  bool left_staged_ = false;
  // Events of later batches sealed ahead: (batch, its events marked).
  std::vector<std::pair<uint32_t, EventMarks>> ahead_taken_;
  size_t incoming_dims_ = 0, incoming_measures_ = 0;  // attrs_ sizes holding incoming_'s
  // The current group.
  std::vector<CodedEvent> sealed_;    // events of the loaded segments, ticket after ticket
  EventAttrs attrs_;                  // dimensions and measures of incoming_, then of sealed_
  std::vector<WorkTicket> work_;
  StringInterner work_ids_;  // work ticket ids: index i is work_[i]
  std::map<SegmentKeyPair, std::vector<uint32_t>> members_;  // rewritten segments -> work tickets
  std::set<SegmentKeyPair> loaded_;
  // Across groups.
  std::map<uint32_t, uint32_t> written_next_;  // partition a group wrote -> first segment number no group used
  bool fresh_only_ = false;  // the last group: partitions in written_next_ get fresh segments
  std::map<size_t, CarryBox> carried_;  // group index (groups.size(): the last group) -> tickets carried to it
  uint32_t created_code_ = 0;
  uint64_t taken_events_ = 0;  // staged events this seal took
  // The groups so far: events, and dimensions and measures they held
  // (ReadGroupIncoming sizes the next group's arenas at that rate).
  uint64_t arena_events_seen_ = 0, arena_dims_seen_ = 0, arena_measures_seen_ = 0;
};

template <typename Fn>
inline void Sealer::ForEachEvent(const WorkTicket& t, Fn&& fn) const {
  // Two sorted runs: the sealed events (segment order) and the accepted
  // incoming ones (sorted by MergeTickets). Ties go to the sealed copy.
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

}  // namespace kpi::storage
