// Segment codec: a decoded Segment <-> the bytes of one sealed segment value,
// and the zone map summarising a segment.
//
// Layout (FORMAT, version 4, written; versions 1 to 3 read; see
// docs/storage-format.md): a version byte, flags, the ticket and event
// counts, then codec blocks per column (storage/codec): ticket ids, events
// per ticket, event codes, times (delta-transformed, one block per event
// code, see .cc), agents (one block per event code: none, the ticket's
// previous agent, or a code), ingest batches, id identities, then each
// dimension (its rows: a presence block, an event-code set, a presence over
// a code set's rows, or a reference to an earlier column's; + codes) and
// each measure (the same + values).
// DecodeSegment validates every count and index; corrupt bytes give
// Status::Corruption, never a crash. Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/segment.h"
#include "storage/status.h"
#include "storage/zone_map.h"

namespace kpi::storage {

// Encoded size and encoding of one column block, for `kpi info`.
struct ColumnBlockStat {
  std::string column;  // "ticket", "time", "event", "agent", "batch", "id", "dim:<id>", "measure:<id>"
  std::string encoding;
  uint64_t bytes = 0;
};

// Requires a well-formed segment (event_begin consistent, sparse rows ascending).
void EncodeSegment(const Segment& segment, std::string* out);
// When `stats` is non-null it receives one entry per block read.
Status DecodeSegment(std::string_view in, Segment* out, std::vector<ColumnBlockStat>* stats = nullptr);
// Decodes the columns of `want` (SegmentColumns) and steps over the others,
// which stay empty; out->columns says what was decoded.
Status DecodeSegment(std::string_view in, const SegmentColumns& want, Segment* out,
                     std::vector<ColumnBlockStat>* stats = nullptr);

// Whether a segment value is in the version EncodeSegment writes (false for
// stores' older versions, which `kpi compact` rewrites: Store::Compact).
bool IsCurrentSegmentVersion(std::string_view in);

// Decodes only the ticket ids of a segment value (cheap: the first block).
Status DecodeTicketIds(std::string_view in, std::vector<std::string>* ids);

ZoneMap ComputeZoneMap(const Segment& segment, uint64_t encoded_bytes);
// Sets z's live counts (zone_map.h) from the segment, which must hold its
// ticket structure, batches and corrections; z->max_batch must be set.
void SetLiveCounts(const Segment& segment, ZoneMap* z);
// The zone map of a segment after `delta` (a delta part, storage/
// segment_parts.h, of delta_bytes, bringing new_tickets tickets the segment
// did not hold) is appended to a segment whose zone map was `old`. Never
// narrower than ComputeZoneMap of the merged segment; a dimension whose code
// set `old` lacks stays unknown.
ZoneMap ExtendZoneMap(const ZoneMap& old, const Segment& delta, uint64_t delta_bytes, uint32_t new_tickets);

}  // namespace kpi::storage
