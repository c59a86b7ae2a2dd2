// `kpi gen` (see cli/gen_command.h).
#include "cli/gen_command.h"

#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/progress.h"
#include "storage/timestamp.h"

namespace kpi::cli {

namespace {

bool ParseStart(const std::string& text, int64_t* epoch_ms, std::string* error) {
  int64_t days = 0;
  std::string date_error;
  if (text.size() == 10 && ParseDate(text, &days, &date_error)) {
    *epoch_ms = days * 86400000LL;
    return true;
  }
  return ParseRfc3339(text, epoch_ms, error, /*assume_utc_if_no_zone=*/true);
}

}  // namespace

int RunGen(const GenFlags& flags, std::FILE* err) {
  gen::GenOptions options = flags.options;
  if (!flags.start.empty()) {
    std::string error;
    if (!ParseStart(flags.start, &options.start_ms, &error)) {
      std::fprintf(err, "kpi gen: --start '%s': %s (want YYYY-MM-DD or an RFC 3339 timestamp)\n",
                   flags.start.c_str(), error.c_str());
      return kExitUsage;
    }
  }
  Status s = gen::Validate(options);
  if (!s.ok()) {
    std::fprintf(err, "kpi gen: %s\n", s.message().c_str());
    return kExitUsage;
  }
  Progress progress(err, ChooseProgressMode(err, flags.quiet), "gen", "events");
  progress.Start();
  uint64_t written = 0;
  s = gen::WriteNdjson(options, flags.out, [&](uint64_t n) {
    written = n;
    progress.SetItems(n);
  });
  progress.Finish();
  if (!s.ok()) {
    std::fprintf(err, "kpi gen: %s\n", s.message().c_str());
    return kExitUsage;
  }
  if (!flags.quiet) {
    double elapsed = progress.ElapsedSeconds();
    std::fprintf(err, "wrote %s events of %s tickets to %s in %.2fs (%s events/s)\n", FormatCount(written).c_str(),
                 FormatCount(options.tickets).c_str(), flags.out == "-" ? "stdout" : flags.out.c_str(), elapsed,
                 FormatCount(elapsed > 0 ? static_cast<uint64_t>(static_cast<double>(written) / elapsed) : 0).c_str());
  }
  return kExitOk;
}

}  // namespace kpi::cli
