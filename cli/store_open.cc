// OpenExistingStore (see cli/store_open.h).
#include "cli/store_open.h"

#include <sys/prctl.h>

#include <filesystem>

#include "storage/store_dir.h"

namespace kpi::cli {

Status OpenExistingStore(const std::string& dir, std::unique_ptr<storage::Store>* store, bool sync,
                         bool read_only_until_write, const storage::MemoryBudget* budget, bool keep_segments) {
  std::error_code ec;
  if (dir.empty()) return Status::InvalidArgument("--db DIR is required");
  KPI_RETURN_IF_ERROR(storage::CheckStoreDirectory(dir));  // files but no CURRENT: refuse, touch nothing
  if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec)) {
    if (std::string why = storage::DescribeNotAStore(dir); !why.empty())
      return Status::InvalidArgument(why + "; --db names a store's directory");
    return Status::NotFound("no store at " + dir + " (create one with `kpi ingest --db " + dir + " FILE`)");
  }
  if (read_only_until_write) {
    // These commands are short and read little: transparent huge pages
    // (cli/malloc_config.cc turns them on for ingest) would zero 2 MB per
    // fault and raise the peak RSS by whole huge pages.
    ::prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
  }
  storage::StoreOptions options;
  options.create_if_missing = false;
  options.sync = sync;
  options.read_only_until_write = read_only_until_write;
  if (budget != nullptr) storage::ApplyBudget(*budget, &options);
  if (!keep_segments) options.cache_bytes = 0;
  return storage::Store::Open(dir, options, store);
}

bool ReadBudgetFromFlag(const std::string& flag, std::optional<storage::MemoryBudget>* budget, std::string* error) {
  budget->reset();
  if (flag == "none") return true;
  size_t limit = storage::DefaultMemoryLimit();
  Status parsed = flag == "auto" ? Status::OK() : storage::ParseMemorySize(flag, &limit);
  if (!parsed.ok() || limit < storage::kMinMemoryLimit) {
    *error = parsed.ok() ? "at least " + storage::FormatMemorySize(storage::kMinMemoryLimit) : parsed.message();
    return false;
  }
  *budget = storage::ServeBudget(limit);
  return true;
}

}  // namespace kpi::cli
