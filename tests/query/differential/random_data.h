// Random ticket event logs for the differential test: seeded, so a failing
// seed reproduces exactly.
//
// Tickets get random lifecycles (created or not, replies, customer replies,
// escalations, team transfers, resolutions, reopen + resolve again, closure,
// ratings, QA reviews), dimensions from small value sets (so groups and
// repeat contacts happen; some values absent), measures (some absent), and
// agents. Event times inside one ticket are distinct, so "the order of events
// of a ticket" never depends on tie-breaking. Some tickets are created exactly
// 7 days (or 7 days + 1 ms, or the same instant) after another one of the same
// customer and category. The events are cut into batches with increasing
// ingest times; later batches carry late events, exact duplicates of earlier
// lines, and re-sent events with the same `id` and different content.
// Thread safety: pure function of the seed.
#pragma once

#include <cstdint>
#include <vector>

#include "storage/raw_event.h"

namespace kpi::differential {

struct Batch {
  int64_t ingest_ms = 0;
  std::vector<RawEvent> events;
};

struct RandomLog {
  std::vector<Batch> batches;  // ingest_ms strictly increasing
  int64_t min_time_ms = 0, max_time_ms = 0;  // of the event times
};

// dst_share: the share of tickets created within 36 h of the 2025 spring
// daylight-saving changes of New York and Berlin (0: none; the log is then
// the same as before the parameter existed).
RandomLog GenerateLog(uint64_t seed, int tickets, double dst_share = 0);

// The log's extent: tickets created over `span_days` days from
// 2024-12-20, cut into min_batches..max_batches ingest batches. The
// defaults are GenerateLog's above (the same log for the same seed); a
// short span puts many tickets in one partition (a UTC day), so that a
// partition holds several segments (memo_differential_test.cc).
// `correction_share`: of the events with an `id`, those corrected (a new
// revision, a retraction, a stale revision); a segment holding one is read
// filtered and keeps no states (query/execution/kept_states.h).
struct LogShape {
  int span_days = 110;
  int min_batches = 2, max_batches = 4;
  double correction_share = 0.15;
};
RandomLog GenerateLog(uint64_t seed, int tickets, double dst_share, const LogShape& shape);

}  // namespace kpi::differential
