// Recording one run of a watch: what the server's scheduler
// (server/watch_scheduler.h) does after each run, and RunWatchOnce, which
// runs a watch once at a given instant through any backend and records it
// the same way (the case-file runner replays watch runs with it).
//
//   WatchBook        what is known of a watch between runs: its state, the
//                    instants of its stored runs, its alert records
//   LoadWatchBook    the book as stored (and the latest stored run); a part
//                    that does not read stays empty and its error is returned
//   RunWatchStatement  the one way a watch's statement runs (the server's
//                    scheduler and RunWatchOnce): under the watch owner's
//                    scope (a scope that does not parse fails the run),
//                    through `run` with `options` as the caller set them
//                    (now_ms: the run's instant), timed from the call
//   RecordRun        advances the book by one finished run and returns the
//                    writes that record it, to be written as ONE atomic
//                    WriteMeta (query/watch/watch_runs.h): a successful run's
//                    rows (runs older than `keep` deleted), the state, and
//                    with `notify` the alert changes and deliveries
//                    (query/watch/alerts.h); a failed run the state only
//                    (its error). Apply the book's alert changes
//                    (ApplyAlerts) only once the write succeeded.
//   RunWatchOnce     the watch `name` (as defined now) run at `run_ms`
//                    through `backend` (relative windows read against
//                    run_ms, under the watch owner's scope) and recorded in
//                    the backend's metadata; *run_status says how the run
//                    itself went (a failed run is recorded, not returned)
// Thread safety: pure functions, and functions over a MetaReader/Backend.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "query/backend/backend.h"
#include "query/catalog/meta_store.h"
#include "query/result.h"
#include "query/watch/alerts.h"
#include "query/watch/watch_definition.h"
#include "query/watch/watch_runs.h"
#include "storage/status.h"

namespace kpi::query {

struct WatchBook {
  WatchState state;
  std::deque<int64_t> run_times;                 // stored runs, oldest first
  std::map<std::string, AlertRecord> alerts;     // by row key
};

// How one run of a watch's statement went.
struct WatchRunOutcome {
  Status status;  // of the run itself
  QueryError error;
  Result result;
  double duration_ms = 0;
};

// Backend::Execute's shape: the statement, the options, the answer, the error.
using WatchStatementRunner =
    std::function<Status(std::string_view text, const ExecOptions& options, Result* out, QueryError* error)>;

struct RecordedRun {
  std::vector<MetaWrite> writes;
  std::shared_ptr<const WatchRun> run;  // null when the run failed
  AlertUpdate update;                   // the alert changes it makes
};

Status LoadWatchBook(const MetaReader& meta, const std::string& name, WatchBook* book,
                     std::shared_ptr<const WatchRun>* latest = nullptr);

WatchRunOutcome RunWatchStatement(const WatchDefinition& def, ExecOptions options, const WatchStatementRunner& run);

// `book`'s state and run instants advance; its alerts do not (ApplyAlerts).
RecordedRun RecordRun(const WatchDefinition& def, int64_t run_ms, WatchRunOutcome outcome, WatchBook* book);
void ApplyAlerts(const AlertUpdate& update, std::map<std::string, AlertRecord>* alerts);

Status RunWatchOnce(const Backend& backend, const std::string& name, int64_t run_ms, Status* run_status);

}  // namespace kpi::query
