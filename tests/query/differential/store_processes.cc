#include "query/differential/store_processes.h"

#include <vector>

#include "query/execution/disk_memo.h"

namespace kpi::differential {

StoreDirectory::StoreDirectory(const std::string& tag, uint32_t tickets_per_segment)
    : dir_(tag), tickets_per_segment_(tickets_per_segment) {}

Status StoreDirectory::Open(size_t cache_bytes, bool read_only, std::unique_ptr<storage::Store>* out) {
  storage::StoreOptions options;
  options.sync = false;
  options.read_only_until_write = read_only;
  options.create_if_missing = !read_only;
  options.cache_bytes = cache_bytes;
  options.max_tickets_per_segment = tickets_per_segment_;
  int64_t* clock = &now_ms_;
  options.clock = [clock] { return *clock; };
  return storage::Store::Open(dir_.path(), options, out);
}

Status StoreDirectory::Ingest(storage::Store& store, const Batch& b) {
  now_ms_ = b.ingest_ms;
  std::vector<storage::EventReject> rejects;
  storage::IngestStats stats;
  Status st = store.Ingest(b.events, &rejects, &stats);
  if (!st.ok()) return st;
  if (!rejects.empty()) return Status::InvalidArgument("ingest rejects an event: " + rejects[0].reason);
  for (const RawEvent& e : b.events) log_.emplace_back(e, b.ingest_ms);
  return Status::OK();
}

StoreProcess::StoreProcess(StoreDirectory& dir, size_t cache_bytes, bool files) {
  status_ = dir.Open(cache_bytes, /*read_only=*/files, &store_);
  if (!status_.ok()) return;
  if (files) {
    files_ = query::UseMemoFiles(*store_);
    if (files_ == nullptr) status_ = Status::IOError("the derived-value files do not open");
  }
  engine_ = std::make_unique<query::Engine>(store_.get());
}

StoreProcess::~StoreProcess() {
  engine_.reset();
  if (files_) query::UnregisterMemoFiles(*store_);
  files_.reset();
  store_.reset();
}

}  // namespace kpi::differential
