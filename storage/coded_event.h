// CodedEvent: an event after the catalog gave its strings dictionary codes;
// the form in which events are staged and merged into segments.
//
// Identity (idempotent ingest): an event that carried a source `id` is
// identified by XXH3-128 of that id (low 64 bits kept; ids are compared only
// among the events of one ticket), any other event by XXH3-128 of its
// canonical content (time, event, agent, carried dimensions and measures,
// all as stable codes). Two events of one ticket with equal identity are the
// same event: the first one ingested is kept, unless (id identities only) the
// later copy has a higher revision: it replaces the stored copy, which stays
// stored, invisible from the replacing batch on (dead_since), for `as of`.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/status.h"
#include "storage/string_interner.h"

namespace kpi::storage {

// Dimensions and measures of a set of CodedEvents, kept out of line so an
// event is a fixed 56-byte record: sorting and moving events copies no heap
// blocks, and staging or sealing allocates per batch instead of per event.
struct EventAttrs {
  std::vector<std::pair<uint32_t, uint32_t>> dims;    // (column, code)
  std::vector<std::pair<uint32_t, double>> measures;  // (column, value)
  void Clear() {
    dims.clear();
    measures.clear();
  }
};

struct CodedEvent {
  int64_t ts_ms = 0;
  uint64_t id_hash = 0;     // 0 = no source id
  uint32_t ticket = 0;      // index into the ticket-id table of its batch list (StringInterner)
  uint32_t event_code = 0;
  uint32_t agent_code = 0;  // 0 = none
  uint32_t batch = 0;
  uint32_t revision = 0;    // corrections: the source's revision (id events only)
  // 0: live. Else the batch from which the event is invisible: the batch of
  // the copy that replaced it, or its own batch for a retraction.
  uint32_t dead_since = 0;
  // Its slices of an EventAttrs (which one is the holder's business), each
  // sorted by column.
  uint32_t dims_begin = 0, num_dims = 0;
  uint32_t measures_begin = 0, num_measures = 0;
};

inline std::span<const std::pair<uint32_t, uint32_t>> DimsOf(const CodedEvent& e, const EventAttrs& attrs) {
  return {attrs.dims.data() + e.dims_begin, e.num_dims};
}
inline std::span<const std::pair<uint32_t, double>> MeasuresOf(const CodedEvent& e, const EventAttrs& attrs) {
  return {attrs.measures.data() + e.measures_begin, e.num_measures};
}

struct EventIdentity {
  uint64_t lo = 0, hi = 0;  // hi == 0 && lo == id hash for id identities (tagged by by_id)
  bool by_id = false;
  bool operator==(const EventIdentity& o) const { return lo == o.lo && hi == o.hi && by_id == o.by_id; }
};

struct EventIdentityHash {
  size_t operator()(const EventIdentity& k) const { return static_cast<size_t>(k.lo ^ (k.hi * 0x9E3779B97F4A7C15ull)); }
};

// The order of a ticket's events in a segment (FORMAT: docs/storage-format.md):
// deterministic whatever order they arrived in. Ties beyond every key are
// copies equal in all stored columns.
struct EventOrderLess {
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

// Low 64 bits of XXH3-128 of a source id; never 0.
uint64_t HashSourceId(std::string_view id);
EventIdentity IdentityOf(const CodedEvent& e, const EventAttrs& attrs);

}  // namespace kpi::storage
