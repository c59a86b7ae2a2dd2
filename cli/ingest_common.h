// What every `kpi ingest` shares, whatever the backend (the local store in
// cli/ingest_command.cc, others in cli/backend_ingest.cc): the reject log,
// the shared flag checks, the --format names, and naming an input in a
// message.
// Thread safety: RejectLog is used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/ingest_command.h"
#include "cli/progress.h"
#include "storage/ingest/event_reader.h"
#include "storage/status.h"

namespace kpi::cli {

inline constexpr size_t kRejectsShown = 20;
// A batch is held in memory (a few of them are queued): keep it bounded.
inline constexpr size_t kMaxBatchEvents = size_t{1} << 24;

// Every rejected line: all to the rejects file, the first few to stderr.
class RejectLog {
 public:
  RejectLog(std::FILE* file, Progress* progress) : file_(file), progress_(progress) {}

  void Add(const std::string& input, uint64_t line, const std::string& reason);
  uint64_t total() const { return total_; }

 private:
  std::FILE* file_;
  Progress* progress_;
  uint64_t total_ = 0;
};

// "auto", "ndjson" (or "json"), "csv"; false for anything else.
bool ParseInputFormat(const std::string& name, ingest::InputFormat* out);

using RejectsFile = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

// Checks the flags every ingest shares (--format, --measures, the inputs,
// --batch) into *options and opens --rejects; false after printing
// "kpi ingest: ..." on `err` (exit kExitUsage).
bool PrepareIngest(const IngestFlags& flags, ingest::ReaderOptions* options, RejectsFile* rejects_file, std::FILE* err);

// The status message, prefixed with the input's name unless it already names it.
std::string NameInput(const std::string& input, const Status& s);

}  // namespace kpi::cli
