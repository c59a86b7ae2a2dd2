// Ingest through a query::Backend (see cli/backend_ingest.h).
#include "cli/backend_ingest.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/ingest_common.h"
#include "cli/input_pipeline.h"
#include "cli/progress.h"
#include "storage/store.h"

namespace kpi::cli {

int RunBackendIngest(query::Backend* backend, const IngestFlags& flags, std::FILE* out, std::FILE* err) {
  ingest::ReaderOptions options;
  RejectsFile rejects_file(nullptr, &std::fclose);
  if (!PrepareIngest(flags, &options, &rejects_file, err)) return kExitUsage;
  Progress progress(err, ChooseProgressMode(err, flags.quiet), "ingest", "events");
  RejectLog rejects(rejects_file.get(), &progress);
  InputPipeline pipeline(flags.files, options, flags.batch_events);
  pipeline.Start();
  progress.Start();
  bool io_error = false, backend_error = false, aborted = false;
  uint64_t lines = 0, sent = 0;
  std::vector<bool> opened(flags.files.size(), false);
  auto over = [&] { return flags.max_errors >= 0 && static_cast<int64_t>(rejects.total()) > flags.max_errors; };
  InputBatch batch;
  while (!aborted && !backend_error && pipeline.Pop(&batch)) {
    const std::string& input = pipeline.inputs()[batch.input];
    if (batch.error.ok() || batch.lines > 0) opened[batch.input] = true;
    for (const ingest::Reject& r : batch.rejects) {
      if (aborted) break;
      rejects.Add(input, r.line, r.reason);
      if (over()) {
        aborted = true;
        const uint64_t cut = r.line;
        std::erase_if(batch.events, [cut](const RawEvent& e) { return e.line > cut; });
      }
    }
    if (!batch.events.empty()) {
      std::vector<storage::EventReject> refused;
      storage::IngestStats stats;
      Status s = backend->Ingest(batch.events, &refused, &stats);
      if (!s.ok()) {
        progress.Print("kpi ingest: " + std::string(backend->Name()) + " failure while sending " + input + ": " + s.ToString());
        backend_error = true;
        break;
      }
      sent += stats.accepted;
      progress.SetCommitted(sent);
      for (const storage::EventReject& r : refused) {
        rejects.Add(input, r.index < batch.events.size() ? batch.events[r.index].line : 0, r.reason);
        if (over()) aborted = true;
      }
    }
    if (!batch.error.ok()) {
      io_error = true;
      progress.Print("kpi ingest: " + NameInput(input, batch.error));
    }
    lines += batch.lines;
    progress.SetItems(pipeline.events_read());
    progress.SetBytes(pipeline.bytes_read());
  }
  pipeline.Stop();
  progress.Finish();
  if (lines < pipeline.lines_read()) lines = pipeline.lines_read();
  if (rejects.total() > kRejectsShown)
    std::fprintf(err, "... and %s more (%s)\n", FormatCount(rejects.total() - kRejectsShown).c_str(),
                 flags.rejects_path.empty() ? "use --rejects FILE to see them all" : ("all in " + flags.rejects_path).c_str());
  if (aborted)
    std::fprintf(err, "kpi ingest: aborted after %s rejected lines (--max-errors %lld); the lines before were stored\n",
                 FormatCount(rejects.total()).c_str(), static_cast<long long>(flags.max_errors));
  std::fprintf(out, "files %s, lines %s, sent %s, rejected %s, elapsed %.1f s (%s backend)\n",
               FormatCount(static_cast<uint64_t>(std::count(opened.begin(), opened.end(), true))).c_str(),
               FormatCount(lines).c_str(), FormatCount(sent).c_str(), FormatCount(rejects.total()).c_str(),
               progress.ElapsedSeconds(), backend->Name());
  if (rejects_file && std::fflush(rejects_file.get()) != 0) io_error = true;
  if (aborted) return kExitAborted;
  if (io_error || backend_error) return kExitUsage;
  if (rejects.total() > 0) return kExitRejects;
  return kExitOk;
}

}  // namespace kpi::cli
