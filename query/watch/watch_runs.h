// The run history of watches (`select ... from watch NAME`), their state
// (`show watches`) and where both live in the store's metadata.
//
//   namespace "watch_run/<name>"  key = 16 hex digits of the run instant
//       value = {"groups":N,"tz":"UTC","columns":[{"name":..,"type":..}],
//                "rows":[[cell,...],...]}
//       cells: null, true/false, numbers (durations in seconds; NaN and
//       infinities as null), times as epoch milliseconds, strings.
//   namespace "watch_state"       key = name
//       value = {"last_run_ms","last_ok","error","runs","failures","skipped",
//                "last_duration_ms","last_success_ms"}
// A run's rows, its state and the alerts it changes are one atomic write
// (the scheduler's, server/watch_scheduler.h): a reader never sees a run
// without its state. Runs older than the watch's `keep` are deleted by the
// write that adds a newer run. Only successful runs have rows; a failed run
// changes the state (error, failures) only.
// Thread safety: functions over a MetaReader / MetaWriter (query/catalog/meta_store.h), which are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "query/result.h"
#include "storage/status.h"
#include "query/catalog/meta_store.h"

namespace kpi::query {

struct WatchRun {
  int64_t run_ms = 0;
  size_t group_columns = 0;  // the leading group columns of `result`
  Result result;             // columns and rows only
};

struct WatchState {
  int64_t last_run_ms = 0;       // 0: never ran
  bool last_ok = false;
  std::string error;             // the last run's error; empty when it succeeded
  uint64_t runs = 0, failures = 0, skipped = 0;
  double last_duration_ms = 0;
  int64_t last_success_ms = 0;
};

std::string WatchRunNamespace(const std::string& watch);
inline constexpr const char* kWatchStateNamespace = "watch_state";

std::string EncodeWatchRun(const WatchRun& run);
bool DecodeWatchRun(int64_t run_ms, const std::string& value, WatchRun* out);
std::string EncodeWatchState(const WatchState& state);
bool DecodeWatchState(const std::string& value, WatchState* out);

// The writes that store `run` (and delete the runs in `expired`, instants).
void AppendRunWrites(const std::string& watch, const WatchRun& run, const std::vector<int64_t>& expired,
                     std::vector<MetaWrite>* writes);
void StateWrite(const std::string& watch, const WatchState& state, std::vector<MetaWrite>* writes);

// The instants of every stored run of `watch`, oldest first.
Status ListWatchRunTimes(const MetaReader& store, const std::string& watch, std::vector<int64_t>* out);
// The runs of `watch` recorded at or before `until_ms` (all without it),
// oldest first. Entries that do not decode are skipped.
Status LoadWatchRuns(const MetaReader& store, const std::string& watch, std::optional<int64_t> until_ms,
                     std::vector<WatchRun>* out);
// The state of `watch` (a default state when it never ran).
Status LoadWatchState(const MetaReader& store, const std::string& watch, WatchState* out);
// The writes that remove a dropped watch's runs, state and alerts.
Status ForgetWatchWrites(const MetaReader& store, const std::string& watch,
                         std::vector<MetaWrite>* writes);

// The history as one table: `run_at` (time), then the columns of the
// newest run; older runs' cells are matched by column name (null where a
// run lacks the column or holds another type). Oldest run first.
Result WatchHistoryTable(const std::vector<WatchRun>& runs);

}  // namespace kpi::query
