#include "query/execution/parallel_scan.h"

#include <time.h>

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

// Helpers start late: the calling thread (worker 0) works alone until it
// has spent kAloneFor of its own CPU time on items with some left, and only
// then starts the other threads-1 workers. Small work (a statement adding
// kept states, a cold process reading them from the derived-value files)
// then never pays for threads: each one's start, stack and first
// allocations (a fresh jemalloc arena) cost more CPU than the work it would
// take over (docs/performance.md, "Cold queries"); large work loses at most
// about half of kAloneFor of wall time. CPU time, not wall time: a caller
// descheduled on a busy machine has done no work meanwhile (the wall clock
// is read per item, the thread's CPU clock only once it has passed).
// (Explained here rather than in parallel_scan.h, whose contract is
// unchanged: fn(worker, item) for every item, worker w on one thread.)
constexpr std::chrono::microseconds kAloneFor{2000};

namespace {

std::chrono::microseconds ThreadCpu() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::microseconds(int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000);
}

}  // namespace

Status RunParallel(int threads, size_t items, const StopConditions& stop,
                   const std::function<Status(int worker, size_t item)>& fn) {
  KPI_RETURN_IF_ERROR(CheckStop(stop));
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first_error;
  using Clock = std::chrono::steady_clock;
  // Runs items on `worker` until none is left or one failed; with `alone`,
  // true when it stopped after kAloneFor of its CPU time with items left.
  auto work = [&](int worker, bool alone) {
    const std::chrono::microseconds cpu_start = alone ? ThreadCpu() : std::chrono::microseconds(0);
    Clock::time_point until = alone ? Clock::now() + kAloneFor : Clock::time_point::max();
    while (!failed.load(std::memory_order_relaxed)) {
      if (alone && Clock::now() >= until) {
        const auto used = ThreadCpu() - cpu_start;
        if (used >= kAloneFor) return next.load() < items;
        until = Clock::now() + (kAloneFor - used);  // descheduled meanwhile: not yet
      }
      Status st = CheckStop(stop);
      if (st.ok()) {
        const size_t item = next.fetch_add(1, std::memory_order_relaxed);
        if (item >= items) return false;
        st = fn(worker, item);
      }
      if (!st.ok()) {
        std::lock_guard lock(mu);
        if (!failed.exchange(true)) first_error = st;
        return false;
      }
    }
    return false;
  };
  // Worker 0 alone for kAloneFor (see above), then the helpers.
  if (!work(0, threads > 1) || threads <= 1) return first_error;
  std::vector<std::thread> pool;
  for (int w = 1; w < threads; ++w) {
    try {
      pool.emplace_back(work, w, false);
    } catch (...) {  // no thread to spare: the others do the work
      break;
    }
  }
  work(0, false);
  for (std::thread& t : pool) t.join();
  return first_error;
}

}  // namespace kpi::query
