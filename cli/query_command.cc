// `kpi query` (see cli/query_command.h).
#include "cli/query_command.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/info_format.h"
#include "cli/statement_runner.h"
#include "cli/statement_splitter.h"
#include "cli/store_open.h"
#include "query/engine.h"
#include "query/execution/disk_memo.h"
#include "storage/store_read_only.h"
#include "storage/timestamp.h"

namespace kpi::cli {

bool ReadWholeFile(const std::string& path, size_t max_bytes, std::string* content, std::string* error) {
  content->clear();
  std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    *error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) {
    if (content->size() + n > max_bytes) {
      if (f != stdin) std::fclose(f);
      content->clear();
      *error = (path == "-" ? std::string("stdin") : path) + " holds more than " + FormatBytes(max_bytes) +
               ", the most this command reads: is it the right file?";
      return false;
    }
    content->append(buf, n);
  }
  bool failed = std::ferror(f) != 0;
  int saved = errno;
  if (f != stdin) std::fclose(f);
  if (failed) {
    *error = "reading " + path + ": " + std::strerror(saved);
    return false;
  }
  return true;
}

int RunQuery(const QueryFlags& flags, std::FILE* out, std::FILE* err) {
  RunSettings settings;
  if (!ParseOutputFormat(flags.format, &settings.format)) {
    std::fprintf(err, "kpi query: --format must be table, csv or json (got '%s')\n", flags.format.c_str());
    return kExitUsage;
  }
  if (flags.text.empty() == flags.file.empty()) {
    std::fprintf(err, "kpi query: give either a query text or -f FILE\n");
    return kExitUsage;
  }
  if (!flags.now.empty()) {
    int64_t now_ms = 0;
    std::string why;
    if (!ParseRfc3339(flags.now, &now_ms, &why)) {
      std::fprintf(err, "kpi query: --now must be an RFC 3339 instant such as 2025-06-01T09:00:00Z: %s\n", why.c_str());
      return kExitUsage;
    }
    settings.now_ms = now_ms;
  }
  std::string script = flags.text;
  if (!flags.file.empty()) {
    std::string error;
    if (!ReadWholeFile(flags.file, kMaxScriptBytes, &script, &error)) {
      std::fprintf(err, "kpi query: %s\n", error.c_str());
      return kExitUsage;
    }
    settings.source_name = flags.file == "-" ? "<stdin>" : flags.file;
  }
  settings.timer = flags.timer;
  settings.provenance = flags.provenance;
  std::unique_ptr<query::Backend> backend;
  if (Status s = OpenBackend(flags.backend, !flags.db.empty(), &backend); !s.ok()) {
    std::fprintf(err, "kpi query: %s\n", s.message().c_str());
    return kExitUsage;
  }
  if (backend) return RunScript(*backend, script, settings, out, err) ? kExitOk : kExitRejects;
  std::optional<storage::MemoryBudget> budget;
  if (std::string error; !ReadBudgetFromFlag(flags.memory_limit, &budget, &error)) {
    std::fprintf(err, "kpi query: --memory-limit: %s\n", error.c_str());
    return kExitUsage;
  }
  // One statement reads each segment it needs once (repeat_within twice):
  // caching the decoded segments would only cost page faults and memory
  // (docs/performance.md, "Cold queries").
  const bool one_statement = SplitStatements(script).size() <= 1;
  std::unique_ptr<storage::Store> store;
  Status s = OpenExistingStore(flags.db, &store, /*sync=*/true, /*read_only_until_write=*/true,
                               budget ? &*budget : nullptr, /*keep_segments=*/!one_statement);
  if (!s.ok()) {
    std::fprintf(err, "kpi query: %s\n", s.ToString().c_str());
    return kExitUsage;
  }
  // A one-statement process reads what earlier ones derived from the
  // segments it reads, and writes what it derives (query/execution/
  // disk_memo.h): its cache keeps nothing for a second statement.
  if (one_statement) query::UseMemoFiles(*store);
  auto engine = std::make_unique<query::Engine>(store.get());
  const bool ok = RunScript(*engine, script, settings, out, err);
  if (one_statement) query::UnregisterMemoFiles(*store);
  if (flags.timer) {
    std::fprintf(err, "segment cache: %s\n", CacheLine(store->SegmentCacheStats(), "segments").c_str());
    std::fprintf(err, "derived values: %s\n", CacheLine(store->MemoCacheStats(), "segments").c_str());
  }
  // Statements have returned: their output is in stdio's buffers (main
  // flushes it) and what they derived is in the files (each scan flushes
  // them). A store that wrote nothing has nothing to close.
  if (flags.process_ends_after && storage::StillReadOnly(*store)) {
    (void)engine.release();
    (void)store.release();
  }
  return ok ? kExitOk : kExitRejects;
}

}  // namespace kpi::cli
