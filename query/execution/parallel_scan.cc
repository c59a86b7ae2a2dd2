#include "query/execution/parallel_scan.h"

#include <mutex>
#include <thread>
#include <vector>

namespace kpi::query {

Status CheckStop(const StopConditions& stop) {
  if (stop.cancel != nullptr && stop.cancel->load(std::memory_order_relaxed))
    return Status::Aborted("query cancelled");
  if (stop.deadline != std::chrono::steady_clock::time_point::max() &&
      std::chrono::steady_clock::now() > stop.deadline)
    return Status::TimedOut("query exceeded its time limit");
  return Status::OK();
}

Status RunParallel(int threads, size_t items, const StopConditions& stop,
                   const std::function<Status(int worker, size_t item)>& fn) {
  KPI_RETURN_IF_ERROR(CheckStop(stop));
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first_error;
  auto work = [&](int worker) {
    while (!failed.load(std::memory_order_relaxed)) {
      Status st = CheckStop(stop);
      if (st.ok()) {
        const size_t item = next.fetch_add(1, std::memory_order_relaxed);
        if (item >= items) return;
        st = fn(worker, item);
      }
      if (!st.ok()) {
        std::lock_guard lock(mu);
        if (!failed.exchange(true)) first_error = st;
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < threads; ++w) {
    try {
      pool.emplace_back(work, w);
    } catch (...) {  // no thread to spare: the others do the work
      break;
    }
  }
  work(0);
  for (std::thread& t : pool) t.join();
  return first_error;
}

}  // namespace kpi::query
