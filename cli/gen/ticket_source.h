// TicketSource: produces the generated tickets one at a time, in creation
// order, each as its complete list of CompactEvents sorted by time.
//
// Each ticket's lifecycle is drawn from its own random stream (seeded from
// the options' seed and the ticket index), so it does not depend on how the
// caller orders or filters events. The only state carried between tickets is
// the arrival cursor and a window of recent tickets used to create repeat
// contacts (same customer and category within 7 days). Two sources built
// from the same options produce identical tickets.
// Requires options that pass Validate. Not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "cli/gen/arrival_schedule.h"
#include "cli/gen/compact_event.h"
#include "cli/gen/generator.h"
#include "cli/gen/random.h"

namespace kpi::gen {

// Most events one ticket can have (the lifecycle model stays below this).
inline constexpr int kMaxEventsPerTicket = 40;

class TicketSource {
 public:
  explicit TicketSource(const GenOptions& options);

  bool done() const { return next_index_ >= options_.tickets; }
  // Creation time of the next ticket; requires !done(). Never decreases.
  int64_t next_created_ms() const { return next_created_ms_; }

  // Appends the next ticket's events (created first, then by time, seq set)
  // to *out. Requires !done().
  void Emit(std::vector<CompactEvent>* out);

 private:
  struct RecentTicket {
    int64_t created_ms;
    uint32_t customer;
    uint8_t category;
  };

  // Picks a ticket created within the last 7 days before `created_ms`;
  // false if there is none.
  bool PickRecent(int64_t created_ms, uint64_t random, RecentTicket* out) const;
  uint16_t PickAgent(uint8_t team, Rng& rng) const;

  GenOptions options_;
  uint32_t customer_pool_;
  ArrivalSchedule arrivals_;
  uint64_t next_index_ = 0;
  int64_t next_created_ms_ = 0;
  std::vector<RecentTicket> recent_;  // ring buffer indexed by ticket index
};

}  // namespace kpi::gen
