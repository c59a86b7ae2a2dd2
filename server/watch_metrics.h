// The watch gauges of GET /metrics (Prometheus text format 0.0.4), from the
// latest run of every watch (docs/server-api.md, "Watch metrics"):
//
//   kpistore_watch_value{watch,kpi,<groups>}     the KPI's value (durations in seconds)
//   kpistore_watch_target{watch,kpi,<groups>}    its target (evaluate; null targets left out)
//   kpistore_watch_met{watch,kpi,<groups>}       1 met, 0 missed (null left out)
//   kpistore_watch_failed{watch}                 1 when the last run failed
//   kpistore_watch_runs_total{watch}             counter
//   kpistore_watch_failures_total{watch}         counter
//   kpistore_watch_skipped_total{watch}          counter: instants skipped, a run still going
//   kpistore_watch_last_run_timestamp_seconds{watch}
//   kpistore_watch_run_duration_seconds{watch}   the last run's
//
// Rows: an evaluate's rows give `kpi` from its kpi column and value /
// target / met from theirs. Any other result (a select, a scorecard) gives
// one value series per numeric or duration column that is not a group
// column, `kpi` = the column's name; its columns named `target` and `met`
// give the target and met series (kpi = the watch's name).
// <groups>: one label per group column (`by`), its name made a label name
// (characters other than letters, digits and '_' become '_'; a leading
// digit, or a name that is `watch`, `kpi` or starts with "__", gets the
// prefix "group_"); its value as text: strings as they are, times in RFC
// 3339 UTC, numbers in the JSON rendering, null as "".
// Thread safety: pure function.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "query/watch/watch_definition.h"
#include "query/watch/watch_runs.h"

namespace kpi::server {

struct WatchMetricsInput {
  query::WatchDefinition def;
  query::WatchState state;
  std::shared_ptr<const query::WatchRun> latest;  // null: no successful run yet
};

std::string RenderWatchMetrics(const std::vector<WatchMetricsInput>& watches);

// A group column's name as a Prometheus label name (the rule above).
std::string WatchLabelName(const std::string& column);

}  // namespace kpi::server
