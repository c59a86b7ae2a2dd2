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
// ratio and distinct with the local null rules; then having, order, limit.
// Times are epoch ms (Int64), durations seconds (Float64), booleans UInt8,
// null is NULL; buckets are cut in the query's zone (toStartOfDay,
// toMonday, toStartOfMonth/Quarter/Year with the zone).
//
// Not translated yet (Translate fails with a reason naming the construct):
// joins, exemptions, repeat_within, `in CAL` durations, cycles, nested
// selects, step and cyclic buckets, per-ticket functions on `events`.
// Thread safety: pure function.
#pragma once

#include <string>

#include "clickhouse/config.h"
#include "clickhouse/names.h"
#include "query/binder/bound_expr.h"

namespace kpi::clickhouse {

bool TranslateSelect(const query::BoundQuery& q, const Names& names, const Config& config, std::string* sql,
                     std::string* unsupported);

}  // namespace kpi::clickhouse
