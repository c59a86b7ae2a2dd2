#include "server/delta_folder.h"

#include <cstdio>

namespace kpi::server {

void DeltaFolder::Start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void DeltaFolder::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DeltaFolder::Loop() {
  using Clock = std::chrono::steady_clock;
  uint32_t seen_batch = store_->GetSnapshot()->last_batch();
  Clock::time_point changed = Clock::now();
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, options_.tick, [this] { return stop_; })) {
    lock.unlock();
    const uint32_t batch = store_->GetSnapshot()->last_batch();
    if (batch != seen_batch) {
      seen_batch = batch;
      changed = Clock::now();
    } else if (Clock::now() - changed >= options_.quiet && store_->SegmentsWithDeltas() > 0) {
      // A failure is not fatal here: the next seal touching the segment
      // folds it anyway, and a failed write turns the store read-only,
      // which the next upload reports.
      if (Status s = store_->FoldDeltas(options_.segments_per_tick, nullptr); !s.ok())
        std::fprintf(stderr, "kpi serve: folding delta parts: %s\n", s.ToString().c_str());
    }
    lock.lock();
  }
}

}  // namespace kpi::server
