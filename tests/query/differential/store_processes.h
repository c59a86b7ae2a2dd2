// A store directory that outlives the Store objects opened on it, each
// opened as a new process opens it: fresh caches of a chosen size and, for
// a `kpi query` process (cli/query_command.cc), the derived-value files
// registered (query/execution/disk_memo.h). For memo_differential_test.cc:
// what one process writes to DIR/memo/ another reads, and batches are
// ingested between them, while the reference's copy of the events grows
// batch by batch with the store.
// Thread safety: one StoreDirectory and its processes per thread; at most
// one process open on a directory at a time (RocksDB's lock).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "query/differential/random_data.h"
#include "query/engine.h"
#include "query/reference/reference_tickets.h"
#include "storage/memo_files.h"
#include "storage/status.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::differential {

class StoreDirectory {
 public:
  // Segments of at most `tickets_per_segment` tickets, so that a partition
  // (a day) holds several.
  StoreDirectory(const std::string& tag, uint32_t tickets_per_segment);

  // The store, opened as a new process opens it: a segment cache of
  // `cache_bytes` (0: none kept, as a one-statement `kpi query`);
  // `read_only`: opened read-only until a write, as `kpi query` opens it
  // (no file written at the open: cheaper by far).
  Status Open(size_t cache_bytes, bool read_only, std::unique_ptr<storage::Store>* out);
  // `b` ingested through `store` (opened by Open) at the batch's instant;
  // its events join log(). An event rejected is an error.
  Status Ingest(storage::Store& store, const Batch& b);

  const std::string& path() const { return dir_.path(); }
  const reference::EventLog& log() const { return log_; }

 private:
  kpi::testing::ScratchDir dir_;
  uint32_t tickets_per_segment_;
  int64_t now_ms_ = 0;  // the stores' clock
  reference::EventLog log_;
};

// One process on a StoreDirectory: the store opened fresh, its derived-value
// files registered for the process's life when `files` (unregistered and
// the store closed on destruction). With files the store is opened
// read-only until a write, as `kpi query` opens it.
class StoreProcess {
 public:
  StoreProcess(StoreDirectory& dir, size_t cache_bytes, bool files);
  ~StoreProcess();
  StoreProcess(const StoreProcess&) = delete;
  StoreProcess& operator=(const StoreProcess&) = delete;

  const Status& status() const { return status_; }  // of the open
  storage::Store& store() { return *store_; }
  const query::Engine& engine() const { return *engine_; }
  // Null without files (or when they could not be opened).
  storage::MemoFiles* files() const { return files_.get(); }

 private:
  Status status_;
  std::unique_ptr<storage::Store> store_;
  std::shared_ptr<storage::MemoFiles> files_;
  std::unique_ptr<query::Engine> engine_;
};

}  // namespace kpi::differential
