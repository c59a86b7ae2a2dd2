#include "cli/gen/ticket_source.h"

#include <algorithm>

namespace kpi::gen {

namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kRepeatWindowMs = 7 * kDay;
constexpr size_t kRecentWindow = 8192;  // tickets remembered for repeat contacts

constexpr uint64_t kTicketStream = 21;
constexpr uint64_t kCustomerStream = 22;

// Per-ticket rates. FCR among resolved = (1 - reopen) * (1 - multi-contact).
constexpr double kUnresolved = 0.05;
constexpr double kReopenedGivenResolved = 0.08 / (1 - kUnresolved);
constexpr double kMultiContact = 1.0 - 0.85 / (1.0 - kReopenedGivenResolved);
constexpr double kUnansweredGivenUnresolved = 0.3;
constexpr double kMultiContactGivenUnresolved = 0.4;
// Escalations come from answered tickets that are not first-contact
// resolutions, so they do not disturb the FCR rate.
constexpr double kEscalationPool =
    kUnresolved * (1 - kUnansweredGivenUnresolved) + (1 - kUnresolved) * 0.15;
constexpr double kEscalatedGivenPool = 0.03 / kEscalationPool;
constexpr double kAssigned = 0.95;
constexpr double kTransferred = 0.04;
constexpr double kChaseBeforeAnswer = 0.5;  // email/social customers asking "any news?"
constexpr double kThanksBeforeResolve = 0.75;
constexpr double kFollowUpAfterReopen = 0.3;
constexpr double kAgentSwitch = 0.25;
constexpr double kClosedGivenResolved = 0.93;
constexpr double kRatedGivenResolved = 0.40 / (1 - kUnresolved);
constexpr double kQaGivenAnswered = 0.10 / (1 - kUnresolved * kUnansweredGivenUnresolved);
constexpr double kAccurate = 0.97;
// Explicit repeats; the random customer pool adds ~0.5 % by chance.
constexpr double kRepeatContact = 0.04;

constexpr double kChannelWeights[4] = {0.35, 0.30, 0.25, 0.10};  // chat email phone social
constexpr double kCategoryWeights[6] = {0.15, 0.25, 0.20, 0.10, 0.12, 0.18};
constexpr double kPriorityWeights[4] = {0.05, 0.20, 0.50, 0.25};
constexpr double kPriorityResponseFactor[4] = {0.5, 0.8, 1.0, 1.3};
constexpr double kRegionWeights[4] = {0.30, 0.25, 0.25, 0.20};
constexpr double kBusinessTypeWeights[5] = {0.40, 0.20, 0.15, 0.10, 0.15};
constexpr double kCsatWhenFcr[5] = {0.05, 0.03, 0.07, 0.25, 0.60};  // csat 1..5
constexpr double kCsatOtherwise[5] = {0.12, 0.08, 0.15, 0.30, 0.35};

// A lognormal delay: median, log-space sigma and clamps, in milliseconds.
struct Delay {
  double median, sigma, lo, hi;
};
// Indexed by Channel: chat, email, phone, social.
constexpr Delay kAgentResponse[4] = {{25.0 * kSecond, 0.6, 2.0 * kSecond, 20.0 * kMinute},
                                     {2.5 * kHour, 1.0, 1.0 * kMinute, 3.0 * kDay},
                                     {15.0 * kSecond, 0.5, 1.0 * kSecond, 10.0 * kMinute},
                                     {20.0 * kMinute, 0.9, 30.0 * kSecond, 2.0 * kDay}};
constexpr Delay kCustomerResponse[4] = {{45.0 * kSecond, 0.7, 3.0 * kSecond, 30.0 * kMinute},
                                        {3.0 * kHour, 1.0, 1.0 * kMinute, 3.0 * kDay},
                                        {30.0 * kMinute, 1.0, 1.0 * kMinute, 2.0 * kDay},
                                        {25.0 * kMinute, 1.0, 30.0 * kSecond, 2.0 * kDay}};
constexpr Delay kResolveAfterContact[4] = {{90.0 * kSecond, 0.7, 5.0 * kSecond, 2.0 * kHour},
                                           {20.0 * kMinute, 1.0, 1.0 * kMinute, 1.0 * kDay},
                                           {40.0 * kSecond, 0.6, 5.0 * kSecond, 1.0 * kHour},
                                           {10.0 * kMinute, 0.9, 30.0 * kSecond, 12.0 * kHour}};
// Handle time in seconds (talk + hold + wrap-up), ~5 min on average.
constexpr Delay kHandleSeconds[4] = {
    {240, 0.5, 15, 3600}, {200, 0.5, 15, 3600}, {330, 0.5, 15, 3600}, {180, 0.5, 15, 3600}};
constexpr Delay kEscalationDelay = {10.0 * kMinute, 1.0, 30.0 * kSecond, 12.0 * kHour};
constexpr Delay kReopenDelay = {20.0 * kHour, 0.9, 30.0 * kMinute, 10.0 * kDay};
constexpr Delay kRatingDelay = {6.0 * kHour, 1.3, 2.0 * kMinute, 21.0 * kDay};
constexpr Delay kQaDelay = {1.5 * kDay, 0.7, 1.0 * kHour, 14.0 * kDay};
constexpr int64_t kCloseAfterResolve = 48 * kHour;  // plus up to 24 h of batch jitter

// Which team a category is routed to: primary, secondary, else any team.
struct Routing {
  uint8_t primary;
  double p_primary;
  uint8_t secondary;
  double p_secondary;
};
// Teams: billing 0, logistics 1, tech 2, sales 3, returns 4.
constexpr Routing kRouting[kNumCategories] = {
    {4, 0.5, 0, 0.3},  // refund -> returns, billing
    {1, 0.6, 4, 0.2},  // delivery -> logistics, returns
    {3, 0.5, 1, 0.3},  // order -> sales, logistics
    {4, 0.4, 1, 0.3},  // complaint -> returns, logistics
    {0, 0.5, 2, 0.3},  // account -> billing, tech
    {2, 0.7, 3, 0.1},  // technical -> tech, sales
};

template <size_t N>
uint8_t PickIndex(const double (&weights)[N], Rng& rng) {
  return static_cast<uint8_t>(rng.Pick(weights, N));
}

int64_t Sample(const Delay& d, Rng& rng, double scale = 1.0) {
  const double ms = rng.LogNormal(d.median * scale, d.sigma, d.lo, d.hi);
  return std::max<int64_t>(1, static_cast<int64_t>(ms));
}

uint8_t RouteTeam(uint8_t category, Rng& rng) {
  const Routing& r = kRouting[category];
  const double u = rng.Uniform();
  if (u < r.p_primary) return r.primary;
  if (u < r.p_primary + r.p_secondary) return r.secondary;
  return static_cast<uint8_t>(rng.Below(kNumTeams));
}

// One ticket's events before ordering; times are absolute milliseconds.
class Draft {
 public:
  void Add(EventKind kind, int64_t ts, uint16_t agent, uint32_t value = 0, uint16_t extra = 0) {
    if (n_ == kMaxEventsPerTicket) return;  // the model stays far below; never overflow
    events_[n_++] = CompactEvent{ts, 0, value, extra, agent, kind, 0};
  }
  // Sorts by time (stable: equal times keep generation order), numbers the
  // events and appends them.
  void Flush(uint32_t ticket, std::vector<CompactEvent>* out) {
    for (int i = 1; i < n_; ++i) {
      const CompactEvent e = events_[i];
      int j = i;
      while (j > 0 && events_[j - 1].ts_ms > e.ts_ms) {
        events_[j] = events_[j - 1];
        --j;
      }
      events_[j] = e;
    }
    for (int i = 0; i < n_; ++i) {
      events_[i].ticket = ticket;
      events_[i].seq = static_cast<uint8_t>(i);
      out->push_back(events_[i]);
    }
  }

 private:
  CompactEvent events_[kMaxEventsPerTicket];
  int n_ = 0;
};

}  // namespace

TicketSource::TicketSource(const GenOptions& options)
    : options_(options),
      customer_pool_(static_cast<uint32_t>(std::max<uint64_t>(1, options.tickets / 3))),
      arrivals_(options),
      recent_(std::min<uint64_t>(kRecentWindow, options.tickets)) {
  if (!done()) next_created_ms_ = arrivals_.CreatedMs(0);
}

bool TicketSource::PickRecent(int64_t created_ms, uint64_t random, RecentTicket* out) const {
  const uint64_t end = next_index_;
  const uint64_t begin = end > recent_.size() ? end - recent_.size() : 0;
  // First remembered ticket inside the window (creation times are sorted).
  uint64_t lo = begin, hi = end;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (recent_[mid % recent_.size()].created_ms >= created_ms - kRepeatWindowMs) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  if (lo == end) return false;
  *out = recent_[(lo + random % (end - lo)) % recent_.size()];
  return true;
}

uint16_t TicketSource::PickAgent(uint8_t team, Rng& rng) const {
  // Agent k (1-based) belongs to team (k - 1) % kNumTeams.
  const uint32_t agents = options_.agents;
  if (agents <= team) return static_cast<uint16_t>(1 + rng.Below(agents));
  const uint32_t in_team = (agents - 1 - team) / kNumTeams + 1;
  return static_cast<uint16_t>(1 + team + kNumTeams * rng.Below(in_team));
}

void TicketSource::Emit(std::vector<CompactEvent>* out) {
  const uint64_t index = next_index_;
  const int64_t created = next_created_ms_;
  Rng rng(HashKey(options_.seed, kTicketStream, index));

  // Who and what: a repeat contact reuses a recent ticket's customer and category.
  uint32_t customer;
  uint8_t category;
  RecentTicket prior;
  if (rng.Chance(kRepeatContact) && PickRecent(created, rng.Next(), &prior)) {
    customer = prior.customer;
    category = prior.category;
  } else {
    customer = static_cast<uint32_t>(rng.Below(customer_pool_));
    category = PickIndex(kCategoryWeights, rng);
  }
  Rng customer_rng(HashKey(options_.seed, kCustomerStream, customer));
  Dims dims;
  dims.region = PickIndex(kRegionWeights, customer_rng);
  dims.business_type = PickIndex(kBusinessTypeWeights, customer_rng);
  dims.category = category;
  dims.channel = PickIndex(kChannelWeights, rng);
  dims.priority = PickIndex(kPriorityWeights, rng);
  dims.team = RouteTeam(category, rng);
  const int channel = dims.channel;

  Draft draft;
  draft.Add(EventKind::kCreated, created, 0, customer, PackDims(dims));

  // Outcome, decided up front so the rates are exact by construction.
  const bool unresolved = rng.Chance(kUnresolved);
  const bool answered = !unresolved || !rng.Chance(kUnansweredGivenUnresolved);
  const bool reopened = !unresolved && rng.Chance(kReopenedGivenResolved);
  const bool multi = rng.Chance(unresolved ? kMultiContactGivenUnresolved : kMultiContact);
  const bool escalated =
      answered && (unresolved || multi || reopened) && rng.Chance(kEscalatedGivenPool);
  int contacts = 1;
  if (multi) {
    contacts = 2;
    while (contacts < 6 && rng.Chance(0.5)) ++contacts;
  }

  // Routing and the wait for the first answer.
  const int64_t first_response =
      Sample(kAgentResponse[channel], rng, kPriorityResponseFactor[dims.priority]);
  uint8_t team = dims.team;
  uint16_t agent = PickAgent(team, rng);
  auto before_answer = [&](double lo, double hi) {
    return created + 1 +
           static_cast<int64_t>(static_cast<double>(first_response - 1) * rng.Uniform(lo, hi));
  };
  if (rng.Chance(kAssigned)) draft.Add(EventKind::kAssigned, before_answer(0.05, 0.4), agent);
  if (rng.Chance(kTransferred)) {
    const uint8_t new_team =
        static_cast<uint8_t>((team + 1 + rng.Below(kNumTeams - 1)) % kNumTeams);
    draft.Add(EventKind::kTransferred, before_answer(0.45, 0.9), agent, 0, new_team);
    team = new_team;
    agent = PickAgent(team, rng);
  }
  if ((channel == kEmail || channel == kSocial) && first_response > 30 * kMinute &&
      rng.Chance(kChaseBeforeAnswer)) {
    draft.Add(EventKind::kCustomerReply, before_answer(0.3, 0.95), 0);
  }
  // Handling: replies, escalation, resolution, reopen, closure, survey, QA.
  [&] {
    if (!answered) return;
    auto agent_reply = [&](int64_t ts) {
      const uint32_t handle = static_cast<uint32_t>(Sample(kHandleSeconds[channel], rng));
      // Cost grows with handle time: 2.00 base, up to +3.00 by 15 min, +0..1 noise.
      const double by_handle = 300.0 * std::min(1.0, handle / 900.0);
      const uint16_t cents = static_cast<uint16_t>(200 + static_cast<int>(by_handle) +
                                                   static_cast<int>(rng.Below(101)));
      draft.Add(EventKind::kAgentReply, ts, agent, handle, std::min<uint16_t>(cents, 600));
    };

    // Another agent of the team takes the ticket over at `ts`.
    auto reassign = [&](int64_t ts) {
      agent = PickAgent(team, rng);
      draft.Add(EventKind::kAssigned, ts, agent);
    };

    int64_t t = created + first_response;
    const uint16_t first_agent = agent;
    for (int k = 0; k < contacts; ++k) {
      agent_reply(t);
      if (k == 0 && escalated) {
        t += Sample(kEscalationDelay, rng);
        draft.Add(EventKind::kEscalated, t, agent);
        reassign(t + 1);  // the next tier takes over
      }
      if (k + 1 < contacts) {
        t += Sample(kCustomerResponse[channel], rng);
        draft.Add(EventKind::kCustomerReply, t, 0);
        t += Sample(kAgentResponse[channel], rng);
        if (rng.Chance(kAgentSwitch)) reassign(t - 1);
      }
    }

    if (unresolved) {
      if (rng.Chance(0.5)) {
        draft.Add(EventKind::kCustomerReply, t + Sample(kCustomerResponse[channel], rng), 0);
      }
    } else {
      if (contacts == 1 && rng.Chance(kThanksBeforeResolve)) {
        t += Sample(kCustomerResponse[channel], rng);
        draft.Add(EventKind::kCustomerReply, t, 0);
      }
      t += Sample(kResolveAfterContact[channel], rng);
      draft.Add(EventKind::kResolved, t, agent);
      if (reopened) {
        t += Sample(kReopenDelay, rng);
        draft.Add(EventKind::kReopened, t, 0);
        t += Sample(kAgentResponse[channel], rng);
        if (rng.Chance(kAgentSwitch)) reassign(t - 1);
        agent_reply(t);
        if (rng.Chance(kFollowUpAfterReopen)) {
          t += Sample(kCustomerResponse[channel], rng);
          draft.Add(EventKind::kCustomerReply, t, 0);
          t += Sample(kAgentResponse[channel], rng);
          agent_reply(t);
        }
        t += Sample(kResolveAfterContact[channel], rng);
        draft.Add(EventKind::kResolved, t, agent);
      }
      if (rng.Chance(kClosedGivenResolved)) {
        draft.Add(EventKind::kClosed,
                  t + kCloseAfterResolve + static_cast<int64_t>(rng.Below(24 * kHour)), 0);
      }
      if (rng.Chance(kRatedGivenResolved)) {
        const bool fcr = contacts == 1 && !reopened;
        const uint32_t csat =
            1 + static_cast<uint32_t>(rng.Pick(fcr ? kCsatWhenFcr : kCsatOtherwise, 5));
        draft.Add(EventKind::kRated, t + Sample(kRatingDelay, rng), 0, csat);
      }
    }
    if (rng.Chance(kQaGivenAnswered)) {
      const uint32_t accurate = rng.Chance(kAccurate) ? 1 : 0;
      draft.Add(EventKind::kQaReviewed, created + first_response + Sample(kQaDelay, rng),
                first_agent, accurate);
    }
  }();

  draft.Flush(static_cast<uint32_t>(index), out);
  if (!recent_.empty()) recent_[index % recent_.size()] = RecentTicket{created, customer, category};
  ++next_index_;
  if (!done()) next_created_ms_ = arrivals_.CreatedMs(next_index_);
}

}  // namespace kpi::gen
