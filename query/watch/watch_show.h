// `show watches` and `show alerts`: the tables the REPL, `kpi query` and
// the server (GET /v1/alerts) print.
//
// show watches: name, every, keep, statement, notify, defined_at, status
//   ("ok", "failed", "not run yet"), last_run, error, runs, failures,
//   skipped (runs not started because the previous one was still going).
// show alerts: watch, kpi, groups ("channel=chat, team=billing"), state
//   ("firing", "resolved"), since, resolved_at, value, op, target (numbers,
//   durations in seconds), delivery ("pending", "delivered", "failed: ..."); firing first, then
//   the most recently resolved.
// `viewer`: a scoped token's scope text (nullptr: unscoped) sees only the
// watches it may see (VisibleTo) and their alerts.
// Thread safety: functions over a Store.
#pragma once

#include <string>

#include "query/result.h"
#include "storage/status.h"
#include "query/catalog/meta_store.h"

namespace kpi::query {

Status ShowWatches(const MetaReader& store, const std::string* viewer, Result* out);
Status ShowAlerts(const MetaReader& store, const std::string* viewer, Result* out);

}  // namespace kpi::query
