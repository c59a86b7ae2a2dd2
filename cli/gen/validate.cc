// Validate: rejects options the generator cannot honour, with messages that
// name the option, its value and what is accepted.
#include <cmath>
#include <string>

#include "cli/gen/generator.h"

namespace kpi::gen {

namespace {

// 2201-01-01T00:00:00Z: the store's exclusive upper bound for timestamps.
constexpr int64_t kEndOfTimeMs = 7289654400000LL;
constexpr int64_t kDayMs = 86400000;

std::string Num(uint64_t v) { return std::to_string(v); }

}  // namespace

Status Validate(const GenOptions& o) {
  if (o.tickets < 1 || o.tickets > kMaxTickets) {
    return Status::InvalidArgument("tickets must be between 1 and " + Num(kMaxTickets) + " (got " +
                                   Num(o.tickets) + ")");
  }
  if (o.agents < 1 || o.agents > kMaxAgents) {
    return Status::InvalidArgument("agents must be between 1 and " + Num(kMaxAgents) + " (got " +
                                   Num(o.agents) + ")");
  }
  if (o.days < 1 || o.days > kMaxDays) {
    return Status::InvalidArgument("days must be between 1 and " + Num(kMaxDays) + " (got " +
                                   Num(o.days) + ")");
  }
  const int64_t latest_start = kEndOfTimeMs - int64_t{o.days} * kDayMs - kMaxTicketSpanMs;
  if (o.start_ms < 0 || o.start_ms > latest_start) {
    return Status::InvalidArgument("start_ms must be between 0 (1970-01-01) and " +
                                   std::to_string(latest_start) + " so that every event of " +
                                   Num(o.days) + " days falls before 2201-01-01 (got " +
                                   std::to_string(o.start_ms) + ")");
  }
  if (!(o.late_fraction >= 0.0 && o.late_fraction <= 1.0)) {  // also rejects NaN
    return Status::InvalidArgument("late_fraction must be a number between 0 and 1 (got " +
                                   std::to_string(o.late_fraction) + ")");
  }
  if (o.tickets > kMaxTicketsPerDay * o.days) {
    return Status::InvalidArgument("at most " + Num(kMaxTicketsPerDay) +
                                   " tickets per day can be generated (got " + Num(o.tickets) +
                                   " tickets over " + Num(o.days) + " days); raise days");
  }
  if (o.shuffle && o.tickets > kMaxShuffleTickets) {
    return Status::InvalidArgument("shuffle keeps every event in memory: at most " +
                                   Num(kMaxShuffleTickets) + " tickets (got " + Num(o.tickets) +
                                   "); use late_fraction for disorder at any size");
  }
  return Status::OK();
}

}  // namespace kpi::gen
