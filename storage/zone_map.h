// ZoneMap: what a sealed segment may contain, kept apart from its data so a
// scan can skip segments without reading or decoding them.
// All sets are sorted ascending. A set of dimension codes is only kept for a
// dimension with at most kMaxZoneCodes distinct codes in the segment; a
// dimension absent from `dims()` may hold anything.
//
// Live counts (zone map version 2, store format 4): the tickets and events a
// reader sees at the segment's latest batch, i.e. without the rows
// corrections replaced or retracted (a ticket counts when one of its rows
// is visible). They let `count()` answer from metadata without reading the
// segment. `live_known` is false for zone maps written before them
// (version 1) and when a delta part made them unknowable cheaply; readers
// then read the segment.
//
// The code lists (ZoneLists) are held as their encoded bytes and decoded
// the first time a reader asks for them: a process opening a store reads
// every zone map, but most statements test none of their lists (count(),
// a time range, a batch bound), and decoding them all was 60 % of a cold
// `kpi query`'s store open (docs/performance.md, "Zone maps decoded when
// tested"). Copies of a ZoneMap share its lists (one decoding for all).
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/status.h"

namespace kpi::storage {

inline constexpr size_t kMaxZoneCodes = 64;

// The code lists of a zone map: the event codes, the agent codes (0
// included when some event has no agent) and, per dimension kept, its
// codes. An immutable value: copying one shares the lists. Thread-safe: any
// number of threads may read one (the first to ask decodes).
class ZoneLists {
 public:
  using Codes = std::vector<uint32_t>;
  using Dims = std::vector<std::pair<uint32_t, Codes>>;  // (column, codes), columns as written

  ZoneLists() = default;  // every list empty
  // Lists given decoded (each sorted ascending). They are kept encoded (a
  // sealing process holds every segment's zone map for its life: ~1 byte a
  // code instead of 4) and decoded again when read.
  ZoneLists(const Codes& events, const Codes& agents, const Dims& dims);
  // Splits encoded lists (as Encoded() gives them) off the front of *in,
  // advancing it past them, and keeps their bytes without decoding them.
  // Only their framing is checked (every count and varint lies within *in):
  // false when it is unsound. Decoding them may still fail (a code past 32
  // bits): then ok() is false.
  static bool Take(std::string_view* in, ZoneLists* out);

  const Codes& events() const { return Get().events; }
  const Codes& agents() const { return Get().agents; }
  const Dims& dims() const { return Get().dims; }
  // False when the lists did not decode (a corrupt value whose framing was
  // sound): the lists read empty, and a reader must not trust them
  // (Snapshot::Plan scans the segment; a seal rewrites it whole).
  bool ok() const { return Get().ok; }

  // The encoded lists: equal lists, equal bytes (codes stored as gaps).
  std::string_view Encoded() const;
  // Whether they were decoded in this process (for tests).
  bool decoded() const;
  // Heap bytes held (the encoded lists, and the decoded ones once read).
  size_t MemoryBytes() const;
  // Zone lists decoded by this process so far (for tests: a statement that
  // tests no list decodes none).
  static uint64_t Decodings();

 private:
  struct Decoded {
    Codes events, agents;
    Dims dims;
    bool ok = true;
  };
  struct Shared;
  const Decoded& Get() const;
  std::shared_ptr<const Shared> shared_;  // null: every list empty
};

struct ZoneMap {
  int64_t min_time_ms = std::numeric_limits<int64_t>::max();  // over all events
  int64_t max_time_ms = std::numeric_limits<int64_t>::min();
  uint32_t num_tickets = 0;
  uint32_t num_events = 0;
  uint32_t min_batch = std::numeric_limits<uint32_t>::max();
  uint32_t max_batch = 0;
  uint64_t data_bytes = 0;  // encoded size of the segment value
  ZoneLists lists;          // event, agent and dimension codes
  bool live_known = false;
  uint32_t live_tickets = 0;  // when live_known: tickets with a row visible at max_batch
  uint32_t live_events = 0;   // when live_known: rows visible at max_batch

  // Version 2 (with the live counts); `version` 1 writes the layout of
  // stores of formats 1-3 (no live counts), for tests that build such stores.
  void Encode(std::string* out, uint8_t version = 2) const;
  // Decodes every field but the lists, which stay encoded until read.
  static Status Decode(std::string_view in, ZoneMap* out);
};

}  // namespace kpi::storage
