// Shared parts of `kpi ingest` (see cli/ingest_common.h).
#include "cli/ingest_common.h"

#include <cerrno>
#include <cstring>

#include "cli/format.h"

namespace kpi::cli {

void RejectLog::Add(const std::string& input, uint64_t line, const std::string& reason) {
  std::string text = (input == "-" ? std::string("<stdin>") : input) + ":" + std::to_string(line) + ": " + reason;
  if (file_ != nullptr) {
    std::fputs(text.c_str(), file_);
    std::fputc('\n', file_);
  }
  // On the terminal, a file name or a CSV cell holding control characters
  // (an escape sequence) is shown with '?' (cli/format.h Printable); the
  // rejects file keeps the text as it was.
  if (total_ < kRejectsShown) progress_->Print(Printable(text));
  ++total_;
}

bool ParseInputFormat(const std::string& name, ingest::InputFormat* out) {
  if (name == "auto") {
    *out = ingest::InputFormat::kAuto;
  } else if (name == "ndjson" || name == "json") {
    *out = ingest::InputFormat::kNdjson;
  } else if (name == "csv") {
    *out = ingest::InputFormat::kCsv;
  } else {
    return false;
  }
  return true;
}

bool PrepareIngest(const IngestFlags& flags, ingest::ReaderOptions* options, RejectsFile* rejects_file, std::FILE* err) {
  if (!ParseInputFormat(flags.format, &options->format)) {
    std::fprintf(err, "kpi ingest: --format must be auto, ndjson or csv (got '%s')\n", flags.format.c_str());
    return false;
  }
  for (const std::string& m : flags.measures)
    if (!m.empty()) options->csv_measures.insert(m);
  if (flags.files.empty()) {
    std::fprintf(err, "kpi ingest: no input files (use - for stdin)\n");
    return false;
  }
  if (flags.batch_events == 0 || flags.batch_events > kMaxBatchEvents) {
    std::fprintf(err, "kpi ingest: --batch must be between 1 and %zu\n", kMaxBatchEvents);
    return false;
  }
  if (!flags.rejects_path.empty()) {
    rejects_file->reset(std::fopen(flags.rejects_path.c_str(), "w"));
    if (!*rejects_file) {
      std::fprintf(err, "kpi ingest: cannot write rejects file %s: %s\n", flags.rejects_path.c_str(),
                   std::strerror(errno));
      return false;
    }
  }
  return true;
}

std::string NameInput(const std::string& input, const Status& s) {
  const std::string& msg = s.message();
  if (msg.find(input) != std::string::npos) return msg;
  return (input == "-" ? std::string("<stdin>") : input) + ": " + msg;
}

}  // namespace kpi::cli
