// Synthetic ticket events: a deterministic generator of realistic
// customer-service lifecycles, used by `kpi gen`, the tests and the benches.
//
// Contract:
//   * Output is a pure function of GenOptions: the same options give the same
//     events in the same order, byte for byte, on every platform (own PRNG,
//     no <random> distributions). Different seeds give different data.
//   * Tickets T000001..T<tickets> are created over [start_ms, start_ms + days)
//     with a business-hours daily profile and a weekend dip; their later
//     events may spill past that range by up to kMaxTicketSpanMs. Every event
//     of a ticket is later than its `created`. Agents are a001..a<agents>,
//     each in one team; customers C0001.. come from a pool of ~tickets/3.
//   * Rates (all per ticket): ~85 % first-contact resolution among resolved
//     tickets, ~3 % escalated, ~8 % reopened, ~5 % never resolved, ~40 %
//     rated (csat skewed to 4-5), ~10 % QA-reviewed (~97 % accurate), a few %
//     transferred, ~5 % repeat contacts (same customer and category within 7
//     days); ~7 events per ticket.
//   * Order: by default non-decreasing ts (ties by ticket, then by position
//     in the ticket). `shuffle` emits a random permutation (holding every
//     event in memory, 24 bytes each); `late_fraction` f holds back a
//     pseudo-random fraction f of the events and emits them, in time order,
//     after all the others (the generator runs twice; memory stays bounded).
//     Both together: the on-time part shuffled, then the late part shuffled.
//   * Memory in the default order is proportional to the tickets still
//     "open" (created but with events pending), not to the total.
//   * No `id` field is emitted (consumers use content-hash identity).
// Thread safety: a Generator is used by one thread at a time; the free
// functions are thread-safe. Nothing here throws across the API (allocation
// failure aside).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storage/raw_event.h"
#include "storage/status.h"

namespace kpi::gen {

// 2025-01-01T00:00:00Z in epoch milliseconds.
inline constexpr int64_t kDefaultStartMs = 1735689600000LL;
// Upper bound of (any event's ts - its ticket's created ts).
inline constexpr int64_t kMaxTicketSpanMs = 120LL * 86400000LL;

struct GenOptions {
  uint64_t seed = 42;
  uint64_t tickets = 10000;
  uint32_t agents = 50;
  int64_t start_ms = kDefaultStartMs;
  uint32_t days = 365;
  bool shuffle = false;
  double late_fraction = 0.0;  // in [0, 1]
};

// Limits enforced by Validate.
inline constexpr uint64_t kMaxTickets = 1000000000ULL;
inline constexpr uint64_t kMaxShuffleTickets = 10000000ULL;
inline constexpr uint64_t kMaxTicketsPerDay = 5000000ULL;
inline constexpr uint32_t kMaxAgents = 10000;
inline constexpr uint32_t kMaxDays = 36500;

// OK, or InvalidArgument naming the offending option, its value and the
// accepted range (zero tickets, a NaN late_fraction, a start in year 2300...).
Status Validate(const GenOptions& options);

class Generator {
 public:
  // Options that fail Validate give an empty stream (see status()).
  explicit Generator(const GenOptions& options);
  ~Generator();
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  // Replaces *out's contents with the next up to `max_events` events (out
  // is cleared first; its elements' buffers are reused, so steady-state
  // calls do not allocate). RawEvent::line is the event's 1-based position
  // in the stream (its line number in WriteNdjson's output). Returns false
  // when the stream is exhausted (then *out is empty); with max_events == 0
  // it returns whether events remain.
  bool Next(size_t max_events, std::vector<RawEvent>* out);

  // Validate(options) as given to the constructor.
  const Status& status() const;

 private:
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

// Appends one NDJSON line (with trailing '\n') in the format of
// event-format.md: ts (RFC 3339, milliseconds, Z; epoch milliseconds if the
// year is outside 0000..9999), ticket, event, agent and id when non-empty,
// then dims as strings and measures as numbers (integers without a
// fraction, others in shortest round-trip form, non-finite as null).
// Strings are JSON-escaped; any RawEvent is accepted.
void AppendNdjson(const RawEvent& event, std::string* out);

// Writes every event of `options` as NDJSON to `out_path` ("-" = stdout),
// calling progress(events_written_so_far) now and then and once at the end
// (progress may be empty). InvalidArgument for bad options, IOError naming
// the path when it cannot be opened or written.
Status WriteNdjson(const GenOptions& options, const std::string& out_path,
                   const std::function<void(uint64_t)>& progress);

}  // namespace kpi::gen
