// The orders in which the generator emits events.
//
// LateSelector decides, per event, whether it is a late arrival: a pure hash
// of (seed, ticket, seq), so two passes over the same options agree.
// TimeOrderedStream merges the per-ticket event lists of a TicketSource into
// one stream in (ts, ticket, seq) order, keeping only the events of one
// lateness class; it holds just the pending events of tickets still open
// (a binary heap), never the whole data set. ShuffledEvents materialises
// every event and applies a seeded Fisher-Yates permutation.
// Requires options that pass Validate. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cli/gen/compact_event.h"
#include "cli/gen/generator.h"
#include "cli/gen/ticket_source.h"

namespace kpi::gen {

enum class Lateness { kAll, kOnTimeOnly, kLateOnly };

class LateSelector {
 public:
  explicit LateSelector(const GenOptions& options);
  bool IsLate(const CompactEvent& e) const;
  // Whether an event belongs to the given class.
  bool Keeps(Lateness lateness, const CompactEvent& e) const {
    return lateness == Lateness::kAll || IsLate(e) == (lateness == Lateness::kLateOnly);
  }

 private:
  uint64_t seed_;
  bool all_late_;
  uint64_t threshold_;  // late iff hash < threshold_
};

class TimeOrderedStream {
 public:
  TimeOrderedStream(const GenOptions& options, Lateness lateness);

  // Sets *out to the next event; false when the stream is exhausted.
  bool Next(CompactEvent* out);

  // Largest number of events held at once so far (for benches and tests).
  size_t peak_pending() const { return peak_pending_; }

 private:
  TicketSource source_;
  LateSelector late_;
  Lateness lateness_;
  std::vector<CompactEvent> heap_;     // min-heap on (ts, ticket, seq)
  std::vector<CompactEvent> scratch_;  // one ticket's events
  size_t peak_pending_ = 0;
};

// Every event of `options`: the on-time ones in a seeded random order, then
// the late ones (if late_fraction > 0) in a seeded random order.
void ShuffledEvents(const GenOptions& options, std::vector<CompactEvent>* out);

}  // namespace kpi::gen
