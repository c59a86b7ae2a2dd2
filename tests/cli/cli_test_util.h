// Running the real `kpi` binary from tests: arguments, optional stdin text,
// captured stdout / stderr and the exit status.
#pragma once

#include <chrono>
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

// Writes `content` gzip-compressed to `path`.
void WriteGzip(const std::string& path, const std::string& content);

// The integer after `key ` in an ingest summary line ("accepted 1,234" -> 1234), or -1.
long long SummaryField(const std::string& summary, const std::string& key);

// The events count of `kpi info --format json`, or -1 on failure.
long long StoredEvents(const std::string& db, const std::string& cwd);

}  // namespace kpi::testing
