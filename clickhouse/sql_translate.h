// Translation of a bound select (query/binder/bound_expr.h) to one
// ClickHouse 18.16 SQL statement (docs/scale-out.md, "Queries").
//
// Shape: an inner per-ticket query over the events table, GROUP BY ticket,
// which ClickHouse runs on every shard (the statement is sent with
// distributed_group_by_no_merge=1; a ticket's events all live on one shard):
//   - keeps the rows ingested by `as of` (batch_ms), then per identity the
//     copy in force (highest revision, then earliest batch and line: first
//     copy wins), drops retracted ones, sorts the rest by time (then event,
//     agent, identity);
//   - computes placement (created, `at A`, `at last(A)`), sticky and latest
//     dimensions, measures, the per-ticket functions, `where` and `during`
//     (in HAVING), and the group keys and aggregate arguments;
//   - for `from events`, one row per event (arrayJoin after the GROUP BY).
// The outer query (on the initiator) groups those per-ticket or per-event
// rows by the group keys and computes the aggregates: exact percentiles
// interpolated from arraySort(groupArray(x)) as the local engine does, rate,
// ratio and distinct with the local null rules, sums (sum, avg, ratio) of
// the values sorted and compensated so that they do not depend on the order
// rows arrive from the shards; then having, order, limit.
// Times are epoch ms (Int64), durations seconds (Float64), booleans UInt8,
// null is NULL; buckets are cut in the query's zone (toStartOfDay,
// toMonday, toStartOfMonth/Quarter/Year with the zone; steps from the local
// midnight; hour_of_day and weekday as numbers).
//
// A nested select (`from (select ...)`, BoundQuery::nested) reads the inner
// statement's SQL (TranslateOptions::inner_sql) instead of the events: its
// columns are the inner result's, in order.
// `rolling` (TranslateOptions::rolling): each per-ticket row counts in the
// n windows ending at its bucket (arrayJoin over the window's bucket starts,
// which the caller lists with the local bucketer), so every aggregate, exact
// percentiles included, runs over each window's rows.
//
// A token's scope (TranslateOptions::scope, query/execution/scope.h): a
// condition on the per-ticket query over each named dimension's latest
// value among the ticket's copies in force (in the `as of` view), with the
// scope's three-valued logic; so out-of-scope tickets are never rows, in
// every select shape, and never enter repeat_within's pre-pass.
//
// `cycles(A -> B)` inside an aggregate: each ticket's cycle durations as an
// array, folded by the aggregate's -Array form.
//
// `repeat_within(d, dims...)`: the answers per ticket are computed across
// shards (the tickets of one combination of dimensions meet on the
// initiator) and sent to the shards (GLOBAL ANY LEFT JOIN on ticket), so the
// per-ticket query stays on the shards.
//
// Definitions in the SQL: lookup-table joins with the table inlined as
// array literals (clickhouse/sql_lookup.h); business-hours durations with
// the calendar's open intervals over the events' time range inlined
// (clickhouse/sql_calendar.h; TranslateOptions::event_times); evaluate's
// exclusions as conditions on the rows' placement.
// A construct not translated fails Translate with a reason naming it.
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "clickhouse/config.h"
#include "clickhouse/names.h"
#include "query/binder/bound_expr.h"

namespace kpi::query {
class Scope;
}

namespace kpi::clickhouse {

struct TranslateOptions {
  enum class Output : uint8_t {
    kItems,       // the answer: group keys then items; having, order by, limit
    kAggregates,  // group keys then every aggregate (compare's scans): no having, order or limit
    kBucketRange, // min and max of group key `rolling->group` over the rows (rolling without during)
  };
  Output output = Output::kItems;
  bool rows_only = false;  // kAggregates without groups: no row when no row is read
  bool order = true;       // kItems: ORDER BY and LIMIT (false: the caller sorts)
  struct Rolling {
    size_t group = 0;             // the time bucket's group key
    std::vector<int64_t> starts;  // every bucket start from n - 1 before the first shown to the last, ascending
    size_t width = 1;             // n
    int64_t first = 0;            // the first bucket shown
  };
  std::optional<Rolling> rolling;
  std::string inner_sql;                   // BoundQuery::nested: the inner statement (kItems) ...
  std::vector<std::string> inner_columns;  // ... and its columns (AnswerColumns of the inner)
  // The earliest and latest event time stored: needed (and read by the
  // caller) only when the statement has business-hours durations (q.clocks).
  std::optional<std::pair<int64_t, int64_t>> event_times;
  // A token's scope: only its tickets are rows (null: every ticket).
  const query::Scope* scope = nullptr;
  // Only these tickets are read (a WHERE on the table's order key; a scoped
  // upload's lookup of its tickets). Null: every ticket.
  const std::set<std::string>* tickets = nullptr;
};

// The names of a kItems statement's columns: its group keys, then its items.
std::vector<std::string> AnswerColumns(const query::BoundQuery& q);

bool TranslateSelect(const query::BoundQuery& q, const Names& names, const Config& config,
                     const TranslateOptions& options, std::string* sql, std::string* unsupported);

}  // namespace kpi::clickhouse
