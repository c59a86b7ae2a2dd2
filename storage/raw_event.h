// RawEvent: one ticket lifecycle event as read from an input file, before the
// store assigns dictionary codes. This is the hand-off between the ingest
// readers (storage/ingest) and the Store.
//
// Invariants a reader guarantees for every RawEvent it emits:
//   * ts_ms is epoch milliseconds UTC, in [1970-01-01, 2201-01-01);
//   * ticket and event are non-empty, valid UTF-8;
//   * agent / id are empty when absent;
//   * revision > 0 or retract only with a non-empty id (corrections,
//     docs/event-format.md);
//   * dims and measures never contain the reserved keys
//     (ts, ticket, event, agent, id, revision, op) and have no duplicate keys;
//   * measure values are finite (booleans become 0 / 1).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kpi {

struct RawEvent {
  int64_t ts_ms = 0;
  std::string ticket;
  std::string event;
  std::string agent;  // empty: a customer or system event
  std::string id;     // the source's own event id; empty when absent
  // Corrections (events with an id only): a copy with a higher revision
  // replaces the stored one; `"op": "retract"` removes it. 0 when absent.
  uint32_t revision = 0;
  bool retract = false;
  std::vector<std::pair<std::string, std::string>> dims;
  std::vector<std::pair<std::string, double>> measures;
  uint64_t line = 0;  // 1-based line in its source, for error messages; 0 if unknown
};

// Keys of an event line that are not dimensions or measures.
bool IsReservedKey(std::string_view key);

}  // namespace kpi
