// DeltaFolder: `kpi serve`'s background merge of segments' delta parts
// (storage/segment_parts.h). Small uploads append deltas instead of
// rewriting segments; once uploads pause (no new batch for `quiet`), this
// thread folds a few segments at a time (Store::FoldDeltas) until none has
// deltas, so queries stop paying the merge on a cache miss. While uploads
// keep coming it does nothing: the seals fold what outgrows its share.
//
// Thread safety: Start and Stop from one thread; the folding thread only
// calls the Store's thread-safe methods. The Store must outlive it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "storage/store.h"

namespace kpi::server {

struct DeltaFolderOptions {
  std::chrono::milliseconds tick{500};     // how often it looks
  std::chrono::milliseconds quiet{1000};   // no new batch for this long: fold
  size_t segments_per_tick = 4;            // bounds how long one fold holds the sealer
};

class DeltaFolder {
 public:
  DeltaFolder(storage::Store* store, DeltaFolderOptions options) : store_(store), options_(options) {}
  ~DeltaFolder() { Stop(); }
  void Start();
  void Stop();  // waits for a running fold

 private:
  void Loop();

  storage::Store* store_;
  DeltaFolderOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace kpi::server
