#include "query/differential/random_data.h"

#include <algorithm>
#include <climits>
#include <random>
#include <string>

namespace kpi::differential {

namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kHour = 3600 * kSecond;
constexpr int64_t kDay = 24 * kHour;
// 2024-12-20T00:00:00Z: the data spans a year end and both 2025 spring
// daylight-saving changes (America/New_York 03-09, Europe/Berlin 03-30).
constexpr int64_t kStartMs = 1734652800000;
// 2025-05-01T00:00:00Z: the first ingest batch.
constexpr int64_t kFirstIngestMs = 1746057600000;

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  int64_t Int64(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Int(0, static_cast<int>(v.size()) - 1))];
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

const std::vector<std::string> kChannels = {"chat", "email", "phone"};
const std::vector<std::string> kTeams = {"billing", "tech", "sales"};
const std::vector<std::string> kCategories = {"refund", "bug", "order"};
const std::vector<std::string> kCustomers = {"C1", "C2", "C3", "C4", "C5", "C6"};
const std::vector<std::string> kPriorities = {"P1", "P2", "P3"};
const std::vector<std::string> kAgents = {"a1", "a2", "a3", "a4", "a5"};

struct CreatedInfo {
  int64_t time;
  std::string customer, category;
};

// Corrections of `e` (stored in batch `b`), in the same or later batches:
// a higher revision with other measures or dimensions (times unchanged, so
// the times of a ticket stay distinct), a retraction, a re-add after it, or
// a stale lower revision that must be ignored.
void AddCorrections(Gen& c, const RawEvent& e, size_t b, RandomLog* log) {
  const int last = static_cast<int>(log->batches.size()) - 1;
  auto later = [&](size_t from) { return static_cast<size_t>(c.Int(static_cast<int>(from), last)); };
  uint32_t revision = static_cast<uint32_t>(c.Int(1, 3));
  size_t at = later(b);
  auto revise = [&](size_t where, uint32_t rev) {
    RawEvent changed = e;
    changed.revision = rev;
    changed.measures.clear();
    if (c.Chance(0.7)) changed.measures.emplace_back(e.event == "rated" ? "csat" : "handle_seconds", c.Int(1, 5) * 60);
    if (c.Chance(0.4)) changed.measures.emplace_back("cost", c.Int(0, 8));
    if (!changed.dims.empty() && c.Chance(0.6)) changed.dims[0].second = c.Pick(kChannels);
    log->batches[where].events.push_back(std::move(changed));
  };
  if (c.Chance(0.35)) {
    RawEvent gone = e;
    gone.revision = revision;
    gone.retract = true;
    gone.measures.clear();
    log->batches[at].events.push_back(std::move(gone));
    if (c.Chance(0.4) && at < log->batches.size() - 1) revise(later(at + 1), revision + 1);  // re-added
  } else {
    revise(at, revision);
  }
  if (c.Chance(0.2) && at < log->batches.size() - 1) {
    RawEvent stale = e;  // an older revision arriving last: ignored
    stale.revision = revision - 1;
    stale.measures.clear();
    stale.measures.emplace_back("cost", 77);
    log->batches[later(at + 1)].events.push_back(std::move(stale));
  }
}

}  // namespace

RandomLog GenerateLog(uint64_t seed, int tickets, double dst_share) {
  return GenerateLog(seed, tickets, dst_share, LogShape{});
}

RandomLog GenerateLog(uint64_t seed, int tickets, double dst_share, const LogShape& shape) {
  const int64_t span_ms = shape.span_days * kDay;
  Gen g(seed);
  std::vector<RawEvent> events;
  std::vector<CreatedInfo> created;
  for (int i = 0; i < tickets; ++i) {
    const std::string id = "T" + std::to_string(i);
    std::string customer = g.Chance(0.95) ? g.Pick(kCustomers) : "";
    std::string category = g.Chance(0.9) ? g.Pick(kCategories) : "";
    int64_t t = kStartMs + g.Int64(0, span_ms / kSecond) * kSecond + (g.Chance(0.5) ? g.Int(0, 999) : 0);
    if (dst_share > 0 && g.Chance(dst_share)) {
      // Within 36 h of a spring change: 2025-03-09T07:00Z (New York), 2025-03-30T01:00Z (Berlin).
      t = (g.Chance(0.5) ? 1741503600000 : 1743296400000) + g.Int64(-36 * 3600, 36 * 3600) * kSecond;
    }
    if (!created.empty() && g.Chance(0.15)) {
      // Repeat-contact boundaries: exactly 7 d, 7 d + 1 ms, 7 d - 1 ms, the same instant, 3 d.
      const CreatedInfo& prev = g.Pick(created);
      const std::vector<int64_t> offsets = {7 * kDay, 7 * kDay + 1, 7 * kDay - 1, 0, 3 * kDay};
      t = prev.time + g.Pick(offsets);
      customer = prev.customer;
      category = prev.category;
    }
    const bool has_created = g.Chance(0.9);
    if (has_created) created.push_back({t, customer, category});
    int seq = 0;
    auto add = [&](const std::string& name, const std::string& agent) -> RawEvent& {
      RawEvent e;
      e.ts_ms = t;
      e.ticket = id;
      e.event = name;
      e.agent = agent;
      if (g.Chance(0.3)) e.id = id + "-" + std::to_string(seq);
      ++seq;
      events.push_back(std::move(e));
      return events.back();
    };
    auto advance = [&](int64_t max_ms) { t += 1 + g.Int64(0, max_ms); };
    auto agent = [&] { return g.Chance(0.9) ? g.Pick(kAgents) : std::string(); };
    {
      RawEvent& e = add(has_created ? "created" : "assigned", has_created ? "" : agent());
      if (g.Chance(0.92)) e.dims.emplace_back("channel", g.Pick(kChannels));
      e.dims.emplace_back("team", g.Pick(kTeams));
      if (!category.empty()) e.dims.emplace_back("category", category);
      if (!customer.empty()) e.dims.emplace_back("customer", customer);
      if (g.Chance(0.5)) e.dims.emplace_back("priority", g.Pick(kPriorities));
    }
    auto reply = [&] {
      advance(g.Chance(0.5) ? 30 * 60 * kSecond : 12 * kHour);
      RawEvent& e = add("agent_reply", agent());
      if (g.Chance(0.85)) e.measures.emplace_back("handle_seconds", g.Int(10, 900) + (g.Chance(0.2) ? 0.5 : 0.0));
      if (g.Chance(0.7)) e.measures.emplace_back("cost", g.Int(0, 8));
    };
    const int replies = g.Int(0, 3);
    for (int r = 0; r < replies; ++r) {
      reply();
      if (g.Chance(0.25)) {
        advance(2 * kHour);
        add("customer_reply", "");
      }
      if (g.Chance(0.08)) {
        advance(kHour);
        add("escalated", agent());
      }
      if (g.Chance(0.1)) {
        advance(kHour);
        RawEvent& e = add("transferred", agent());
        e.dims.emplace_back("team", g.Pick(kTeams));
        if (g.Chance(0.3)) e.dims.emplace_back("priority", g.Pick(kPriorities));
      }
    }
    if (g.Chance(0.7)) {
      advance(2 * kDay);
      add("resolved", agent());
      if (g.Chance(0.15)) {
        advance(3 * kDay);
        add("reopened", "");
        reply();
        advance(kDay);
        add("resolved", agent());
      }
      if (g.Chance(0.3)) {
        advance(2 * kDay);
        add("closed", "");
      }
      if (g.Chance(0.45)) {
        advance(5 * kDay);  // ratings arrive days later
        RawEvent& e = add("rated", "");
        if (g.Chance(0.9)) e.measures.emplace_back("csat", g.Int(1, 5));
      }
    }
    if (g.Chance(0.2)) {
      advance(3 * kDay);
      RawEvent& e = add("qa_reviewed", "");
      e.measures.emplace_back("accurate", g.Int(0, 1));
    }
  }

  RandomLog log;
  log.min_time_ms = INT64_MAX;
  log.max_time_ms = INT64_MIN;
  for (const RawEvent& e : events) {
    log.min_time_ms = std::min(log.min_time_ms, e.ts_ms);
    log.max_time_ms = std::max(log.max_time_ms, e.ts_ms);
  }
  const int nbatches = g.Int(shape.min_batches, shape.max_batches);
  int64_t ingest = kFirstIngestMs + g.Int64(0, kDay);
  for (int b = 0; b < nbatches; ++b) {
    log.batches.push_back(Batch{ingest, {}});
    ingest += g.Int64(kHour, 5 * kDay);
  }
  // Corrections draw from their own stream, so the rest of a seed's log is
  // what it was before they were added.
  Gen c(seed ^ 0x9e3779b97f4a7c15ULL);
  for (const RawEvent& e : events) {
    const size_t b = g.Chance(0.6) ? 0 : static_cast<size_t>(g.Int(0, nbatches - 1));
    if (!e.id.empty() && c.Chance(shape.correction_share)) AddCorrections(c, e, b, &log);
    log.batches[b].events.push_back(e);
    if (g.Chance(0.05)) {  // an exact duplicate, same or later batch
      log.batches[static_cast<size_t>(g.Int(static_cast<int>(b), nbatches - 1))].events.push_back(e);
    }
    if (!e.id.empty() && b + 1 < log.batches.size() && g.Chance(0.1)) {
      // Re-sent with the same id and different content: the first copy wins.
      RawEvent changed = e;
      changed.ts_ms += 1000;
      changed.measures.clear();
      changed.measures.emplace_back("cost", 99);
      log.batches[static_cast<size_t>(g.Int(static_cast<int>(b) + 1, nbatches - 1))].events.push_back(changed);
    }
  }
  for (Batch& b : log.batches) std::shuffle(b.events.begin(), b.events.end(), g.rng());
  return log;
}

}  // namespace kpi::differential
