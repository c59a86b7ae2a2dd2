// CompactEvent: the generator's internal 24-byte form of one event, and the
// vocabulary (event names, dimension values) its small integers index.
//
// The generator builds, orders and (for `shuffle`) stores events in this
// form; only the final hand-off turns them into RawEvents. All tables are
// immutable; everything here is thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace kpi::gen {

enum class EventKind : uint8_t {
  kCreated,
  kAssigned,
  kAgentReply,
  kCustomerReply,
  kEscalated,
  kTransferred,
  kResolved,
  kReopened,
  kClosed,
  kRated,
  kQaReviewed,
};
inline constexpr int kEventKinds = 11;

struct CompactEvent {
  int64_t ts_ms;
  uint32_t ticket;  // 0-based ticket index (T000001 is 0)
  // created: 0-based customer; agent_reply: handle_seconds; rated: csat;
  // qa_reviewed: accurate (0/1).
  uint32_t value;
  // created: PackedDims; agent_reply: cost in cents; transferred: new team.
  uint16_t extra;
  uint16_t agent;  // 1-based agent number; 0 = no agent
  EventKind kind;
  uint8_t seq;  // position within its ticket, 0 = created
};
static_assert(sizeof(CompactEvent) == 24, "CompactEvent should stay compact");

// Orders by (ts, ticket, seq): the default output order.
inline bool EarlierThan(const CompactEvent& a, const CompactEvent& b) {
  if (a.ts_ms != b.ts_ms) return a.ts_ms < b.ts_ms;
  if (a.ticket != b.ticket) return a.ticket < b.ticket;
  return a.seq < b.seq;
}

// Dimension value tables; the index is what CompactEvent stores.
inline constexpr std::string_view kChannels[] = {"chat", "email", "phone", "social"};
inline constexpr std::string_view kTeams[] = {"billing", "logistics", "tech", "sales", "returns"};
inline constexpr std::string_view kCategories[] = {"refund",    "delivery", "order",
                                                   "complaint", "account",  "technical"};
inline constexpr std::string_view kPriorities[] = {"P1", "P2", "P3", "P4"};
inline constexpr std::string_view kRegions[] = {"north", "south", "east", "west"};
inline constexpr std::string_view kBusinessTypes[] = {"ecommerce", "logistics", "finance", "hotel",
                                                      "b2b"};
inline constexpr std::string_view kEventNames[kEventKinds] = {
    "created",  "assigned", "agent_reply", "customer_reply", "escalated",  "transferred",
    "resolved", "reopened", "closed",      "rated",          "qa_reviewed"};

enum Channel : uint8_t { kChat, kEmail, kPhone, kSocial };
inline constexpr int kNumTeams = 5;
inline constexpr int kNumCategories = 6;

// The dims of a `created` event, packed into CompactEvent::extra.
struct Dims {
  uint8_t channel, team, category, priority, region, business_type;
};
inline uint16_t PackDims(const Dims& d) {
  return static_cast<uint16_t>(d.channel | d.team << 2 | d.category << 5 | d.priority << 8 |
                               d.region << 10 | d.business_type << 12);
}
inline Dims UnpackDims(uint16_t p) {
  return Dims{static_cast<uint8_t>(p & 3),       static_cast<uint8_t>(p >> 2 & 7),
              static_cast<uint8_t>(p >> 5 & 7),  static_cast<uint8_t>(p >> 8 & 3),
              static_cast<uint8_t>(p >> 10 & 3), static_cast<uint8_t>(p >> 12 & 7)};
}

}  // namespace kpi::gen
