// Running the real `kpi` binary from tests: arguments, optional stdin text,
// captured stdout / stderr and the exit status.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace kpi::testing {

struct KpiRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs KPI_BINARY with `args` (each passed verbatim, no shell expansion) in
// `cwd`, feeding `stdin_text` (or /dev/null when `has_stdin` is false).
KpiRun RunKpi(const std::vector<std::string>& args, const std::string& cwd, const std::string& stdin_text = "",
              bool has_stdin = false);

// Runs KPI_BINARY with `args` in `cwd` while a `kpi serve --db <db>` started
// there listens (ephemeral port; its stderr in cwd/serve.log), then stops the
// server. exit_code -1 when the server never came up (err: its log).
KpiRun RunKpiWhileServing(const std::string& db, const std::vector<std::string>& args, const std::string& cwd);

// Runs KPI_BINARY with `args` in `cwd` (standard streams on /dev/null) and
// kills it with SIGKILL once `after` has passed, unless it ended before.
// Returns when the process is gone (reaped: its file locks released, so the
// store it had open can be opened at once); *killed: the kill ended it.
// Returns its exit code, or -1 when killed or when it could not be started.
int RunKpiKilledAfter(const std::vector<std::string>& args, const std::string& cwd, std::chrono::milliseconds after,
                      bool* killed);

// Runs KPI_BINARY with `args` in `cwd`, stdout and stderr to cwd/run.out and
// cwd/run.err (stdin /dev/null), and kills it with SIGKILL `delay` after
// `ready()` first answers true (asked every 2 ms while it runs: e.g. a line
// in run.err, the store's log grown by a batch), so the kill follows what
// the process has done, not a fixed time (tests/kill_points.h says why).
// `timeout` only guards against a hung process: then it is killed and
// *timed_out set. Returns as RunKpiKilledAfter does.
int RunKpiKilledWhen(const std::vector<std::string>& args, const std::string& cwd, const std::function<bool()>& ready,
                     std::chrono::microseconds delay, std::chrono::milliseconds timeout, bool* killed, bool* timed_out);

// Writes `content` gzip-compressed to `path`.
void WriteGzip(const std::string& path, const std::string& content);

// The integer after `key ` in an ingest summary line ("accepted 1,234" -> 1234), or -1.
long long SummaryField(const std::string& summary, const std::string& key);

// The events count of `kpi info --format json`, or -1 on failure.
long long StoredEvents(const std::string& db, const std::string& cwd);

}  // namespace kpi::testing
