// The reference evaluator's data model: the ingested event log turned into
// tickets, the plain way (std::map, std::string, no dictionary codes).
//
// BuildTickets() mirrors what the store promises about its contents:
//   * an event whose dimension / measure name was first used with the other
//     kind is refused (as Store::Stage does);
//   * duplicates count once, the first ingested copy wins; the identity is
//     (ticket, `id`) when the event has an id, else (ticket, full content);
//   * corrections: of the copies of one (ticket, `id`), the one with the
//     highest revision ingested so far counts (a later copy must have a
//     strictly higher revision to replace it); if that copy is a retract,
//     the event is gone;
//   * `as of T` keeps only events whose ingest time is <= T.
// A ticket's events are ordered by time, ties by ingest order.
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "storage/raw_event.h"

namespace kpi::reference {

// Every ingested event with the wall-clock time of its ingest batch (ms).
using EventLog = std::vector<std::pair<RawEvent, int64_t>>;

struct RefEvent {
  int64_t time = 0;
  std::string event;
  std::string agent;  // empty: none
  std::map<std::string, std::string> dims;  // carried by this event only
  std::map<std::string, double> measures;
};

struct RefTicket {
  std::string id;
  std::vector<RefEvent> events;  // time order
  int64_t created = 0;           // first `created` event, else the earliest event
  std::map<std::string, std::string> dims;  // latest carried value of each dimension

  // Per-ticket functions (query-language.md). In them the event name
  // `created` means the creation time.
  std::optional<int64_t> First(const std::string& event) const;
  std::optional<int64_t> Last(const std::string& event) const;
  int64_t Count(const std::string& event) const;
  int64_t CountBefore(const std::string& a, const std::string& b) const;
  bool Has(const std::string& event) const;
  std::optional<double> DurationSeconds(const std::string& a, const std::string& b) const;
  std::optional<std::string> AgentOf(const std::string& event) const;
  std::optional<double> LastMeasure(const std::string& measure) const;
  std::optional<double> Total(const std::string& measure) const;
  // Dimensions in effect at events[index]: the last value carried at or
  // before it in time order.
  std::map<std::string, std::string> StickyDims(size_t index) const;
};

struct RefStore {
  std::map<std::string, RefTicket> tickets;  // by id
  // The catalog: names ever ingested (whatever `as of` says).
  std::set<std::string> dims, measures, event_names;
};

// as_of_ms: keep events ingested at or before it; nullopt keeps all.
RefStore BuildTickets(const EventLog& log, std::optional<int64_t> as_of_ms);

}  // namespace kpi::reference
