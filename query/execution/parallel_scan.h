// RunParallel: `threads` workers pull item indices 0..items-1 from a shared
// atomic counter and call fn(worker, item). Between items each worker checks
// the cancel flag (Aborted) and the deadline (TimedOut). The first failing
// status stops every worker and is returned.
// Thread safety: fn is called concurrently for different workers; worker w
// only ever runs on one thread, so per-worker state needs no lock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>

#include "storage/status.h"

namespace kpi::query {

struct StopConditions {
  const std::atomic<bool>* cancel = nullptr;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// Checks cancel / deadline now.
Status CheckStop(const StopConditions& stop);

Status RunParallel(int threads, size_t items, const StopConditions& stop,
                   const std::function<Status(int worker, size_t item)>& fn);

}  // namespace kpi::query
