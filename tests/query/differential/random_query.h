// Random `select` statements for the differential test, drawn from the whole
// grammar of query-language.md: both sources; where with and / or / not / in /
// comparisons / null; during with dates or timestamps; at; by dimensions,
// buckets and agent_of; tz (DST zones and a half-hour zone); as of (at, just
// before and between batch times); having; order by; limit; every aggregate
// and every per-ticket function, with literal durations, percentages and
// timestamps; bare `count()`s (the live-count shortcut); relative windows (during last 1d, this week, previous month)
// with the `now` they are read against. Rendered as text, so the parser is part of what is tested.
// Thread safety: one generator per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace kpi::differential {

// Constructs the generator may use; a construct the engine does not support
// can be switched off (and reported) without losing the rest.
struct QueryFeatures {
  bool aggregate_arithmetic = true;  // select sum(x) / count()
  bool time_arithmetic = true;       // first(resolved) - created
  bool group_by_ticket_column = true;  // by agent / event on events
  bool null_literal = true;
};

struct GeneratedQuery {
  std::string text;
  bool ordered = false;  // has `order by`
  bool limited = false;  // has `limit`
  std::optional<int64_t> now_ms;  // a relative `during` (last 1d, this week) is read against it
};

class QueryGenerator {
 public:
  // Instants used for literals: the data's time range and the batch times.
  QueryGenerator(uint64_t seed, int64_t min_time_ms, int64_t max_time_ms, std::vector<int64_t> batch_times,
                 QueryFeatures features);
  virtual ~QueryGenerator() = default;
  virtual GeneratedQuery Next();

 protected:  // the trend generator (random_trends.h) draws from the same pieces
  int Int(int lo, int hi);
  bool Chance(double p);
  const std::string& Pick(const std::vector<std::string>& v);

  std::string TimestampLiteral();
  std::string DateLiteral(int64_t ms);
  std::string EventName(bool allow_created);
  std::string TicketNumber(int depth);
  std::string TicketPredicate(int depth);
  std::string MeasureComparison();
  std::string EventNumber(int depth);
  std::string EventPredicate(int depth);
  std::string Aggregate(bool tickets);
  std::string DimValue(const std::string& dim);
  std::string AsOfClause();  // " as of T" around a batch time ("" when there are none)
  // " during ..": dates, instants or a relative window (then *now_ms, the
  // instant it is read against, is set).
  std::string DuringClause(std::optional<int64_t>* now_ms);

  std::mt19937_64 rng_;
  int64_t min_ms_, max_ms_;
  std::vector<int64_t> batch_times_;
  QueryFeatures features_;
};

}  // namespace kpi::differential
