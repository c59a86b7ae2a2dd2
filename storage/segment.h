// Segment: a decoded, immutable chunk of the store: a few thousand whole
// tickets of one time partition with all their events, column by column.
//
// This is the unit the scan hands to the query layer (never a RocksDB
// iterator). The same data serves both query sources:
//   * tickets: ticket t owns events [event_begin[t], event_begin[t+1]);
//   * events:  every event row, in ticket order.
// Within a ticket, events are sorted by (time, ingest order). Dimensions and
// measures are stored as the values each event CARRIED (sparse); sticky
// (inherited) values are derived by the reader with a forward fill inside the
// ticket, so a late event never forces a rewrite of its neighbours.
//
// Codes: event_code / agent_code / dimension codes index the catalog's
// dictionaries (storage/catalog.h); code 0 means "none". Codes are stable
// forever, so segments never need re-coding.
// Thread safety: a Segment is immutable once published and shared through
// shared_ptr<const Segment>; any number of threads may read it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/segment_memo.h"

namespace kpi::storage {

// A sparse column of dictionary codes: rows[i] (ascending event index) carried codes[i].
struct SparseCodes {
  uint32_t column = 0;  // catalog column id
  std::vector<uint32_t> rows;
  std::vector<uint32_t> codes;
};

// A sparse column of numbers: rows[i] (ascending event index) carried values[i].
struct SparseNumbers {
  uint32_t column = 0;
  std::vector<uint32_t> rows;
  std::vector<double> values;
};

// Which columns of a segment a reader needs: Snapshot::Load decodes only
// these (the rest stay empty), a query asking for what it reads. The ticket
// structure (event_begin) and the corrections are always decoded, and the
// batches whenever the segment holds corrections (visibility needs them).
struct SegmentColumns {
  bool ticket_ids = false;
  bool times = false;
  bool events = false;
  bool agents = false;
  bool batches = false;
  bool ids = false;  // id_rows and id_hashes (ingest's identities)
  bool all_dims = false;
  std::vector<uint32_t> dims;  // column ids, sorted and unique; all_dims: every one
  bool all_measures = false;
  std::vector<uint32_t> measures;  // the same for measures

  static SegmentColumns All();
  bool HasDim(uint32_t column) const;
  bool HasMeasure(uint32_t column) const;
  bool Covers(const SegmentColumns& other) const;  // holds every column `other` does
  void Add(const SegmentColumns& other);           // the union
  void AddDim(uint32_t column);
  void AddMeasure(uint32_t column);
  bool operator==(const SegmentColumns&) const = default;
};

struct Segment {
  // What was decoded (Snapshot::Load with a column set); a segment built in
  // memory (the sealer) holds everything.
  SegmentColumns columns = SegmentColumns::All();

  // --- tickets (size num_tickets()) ---
  std::vector<std::string> ticket_ids;
  std::vector<uint32_t> event_begin;  // size num_tickets() + 1; event_begin[0] == 0

  // --- events (size num_events()) ---
  std::vector<int64_t> time_ms;      // epoch milliseconds UTC
  std::vector<uint32_t> event_code;  // catalog kEventColumn code, never 0
  std::vector<uint32_t> agent_code;  // catalog kAgentColumn code, 0 = no agent
  std::vector<uint32_t> batch;       // ingest batch number (see Snapshot::BatchAtOrBefore)
  std::vector<SparseCodes> dims;       // sorted by column id
  std::vector<SparseNumbers> measures;  // sorted by column id
  // Identity of events that carried a source `id`: low 64 bits of XXH3-128 of
  // the id (rows ascending). Used by ingest to drop duplicates; queries ignore it.
  std::vector<uint32_t> id_rows;
  std::vector<uint64_t> id_hashes;
  // Corrections (docs/event-format.md), empty in a segment without any:
  // revisions of the events that carried one (> 0), and the rows that are
  // invisible from batch dead_since on (replaced by a higher revision, or
  // retractions, whose dead_since is their own batch). A row is visible
  // `as of` batch B when batch <= B and not (dead_since <= B).
  std::vector<uint32_t> revision_rows;
  std::vector<uint32_t> revisions;
  std::vector<uint32_t> dead_rows;
  std::vector<uint32_t> dead_since;
  bool has_corrections() const { return !revision_rows.empty() || !dead_rows.empty(); }

  // From event_begin, which every decoded segment has.
  uint32_t num_tickets() const { return event_begin.empty() ? 0 : static_cast<uint32_t>(event_begin.size() - 1); }
  uint32_t num_events() const { return event_begin.empty() ? 0 : event_begin.back(); }
  // Finds a sparse column, or nullptr when no event of this segment carried
  // it. Asking for a column that was not decoded is a bug: it aborts, since
  // answering "no value" would give a wrong result.
  const SparseCodes* FindDim(uint32_t column) const;
  const SparseNumbers* FindMeasure(uint32_t column) const;
  // Approximate heap bytes, for cache accounting (without the memo).
  size_t MemoryBytes() const;
  // Takes every column of `from` (what it decoded, and its ticket
  // structure), leaving this segment's memo: a hollow segment being filled in.
  void TakeColumns(Segment&& from);

  // What readers derived from this segment's version and kept, shared with
  // the cache (storage/segment_memo.h); empty for a segment not loaded
  // through the cache, or a copy.
  mutable SegmentMemo memo;
};

}  // namespace kpi::storage
