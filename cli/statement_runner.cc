// RunScript (see cli/statement_runner.h).
#include "cli/statement_runner.h"

#include <sys/resource.h>

#include <chrono>

#include "cli/statement_splitter.h"

namespace kpi::cli {

namespace {

// CPU time of the whole process (every thread), in ms.
double ProcessCpuMs() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

void PrintTimer(const query::Result& result, double wall_ms, double cpu_ms, std::FILE* err) {
  const query::ExecStats& s = result.stats;
  std::fprintf(err, "time: %.1f ms (engine %.1f ms, cpu %.1f ms); rows read %s; segments %s scanned, %s skipped; "
                    "partitions %s scanned, %s skipped\n",
               wall_ms, s.elapsed_ms, cpu_ms, FormatCount(s.rows_read).c_str(), FormatCount(s.segments_scanned).c_str(),
               FormatCount(s.segments_skipped).c_str(), FormatCount(s.partitions_scanned).c_str(),
               FormatCount(s.partitions_skipped).c_str());
}

}  // namespace

bool RunScript(const query::Backend& engine, std::string_view script, const RunSettings& settings, std::FILE* out,
               std::FILE* err) {
  const std::string prefix = settings.source_name.empty() ? "error: " : settings.source_name + ": error: ";
  bool all_ok = true;
  bool printed = false;
  for (const ScriptStatement& st : SplitStatements(script)) {
    if (settings.cancel != nullptr && settings.cancel->load()) return false;
    query::ExecOptions options;
    options.cancel = settings.cancel;
    options.now_ms = settings.now_ms;
    query::Result result;
    query::QueryError error;
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = settings.timer ? ProcessCpuMs() : 0;
    Status s = engine.Execute(st.text, options, &result, &error);
    const double wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const double cpu_ms = settings.timer ? ProcessCpuMs() - cpu_start : 0;
    if (!s.ok()) {
      all_ok = false;
      // The message may quote the statement: its control characters shown as '?'.
      const std::string message = PrintableLines(!error.message.empty() ? error.ToString() : s.ToString());
      std::fprintf(err, "%s%s\n", prefix.c_str(), message.c_str());
      std::fflush(err);
      if (settings.stop_on_error) return false;
      continue;
    }
    if (printed && settings.format != OutputFormat::kJson && !result.columns.empty()) std::fputc('\n', out);
    std::string text = FormatResult(result, settings.format);
    std::fwrite(text.data(), 1, text.size(), out);
    std::fflush(out);
    printed = printed || !text.empty();
    if (settings.format != OutputFormat::kJson) {
      for (const std::string& w : result.warnings) std::fprintf(err, "warning: %s\n", w.c_str());
    }
    if (settings.provenance && settings.format != OutputFormat::kJson) {
      std::string block = FormatProvenance(result.provenance);
      std::fwrite(block.data(), 1, block.size(), err);
    }
    if (settings.timer) PrintTimer(result, wall_ms, cpu_ms, err);
    std::fflush(err);
  }
  return all_ok;
}

}  // namespace kpi::cli
