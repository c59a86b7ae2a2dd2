// RunParallel (query/execution/parallel_scan.h): every item runs once, a
// failure stops the rest and is returned, and helpers start late: work that
// costs the calling thread less than kAloneFor (2 ms) of CPU runs on it
// alone, with no thread started (measured in the caller's CPU time, so a
// busy machine descheduling the test does not change the outcome).
#include "query/execution/parallel_scan.h"

#include <gtest/gtest.h>
#include <time.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace kpi::query {
namespace {

int64_t ThreadCpuNs() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Spins until this thread has used `us` microseconds of CPU.
void Burn(int64_t us) {
  const int64_t until = ThreadCpuNs() + us * 1000;
  volatile uint64_t x = 0;
  while (ThreadCpuNs() < until) x = x + 1;
}

struct Seen {
  std::mutex mu;
  std::vector<int> runs;  // per item
  std::set<std::thread::id> threads;
  std::set<int> workers;
};

Status Record(Seen* seen, int worker, size_t item, int64_t burn_us) {
  Burn(burn_us);
  std::lock_guard lock(seen->mu);
  seen->runs[item]++;
  seen->threads.insert(std::this_thread::get_id());
  seen->workers.insert(worker);
  return Status::OK();
}

TEST(RunParallel, SmallWorkRunsOnTheCallingThreadAlone) {
  Seen seen;
  seen.runs.assign(60, 0);
  // 60 items of 25 us: 1.5 ms of the caller's CPU, under the 2 ms alone
  // (and long enough for helpers started at once to take some).
  ASSERT_TRUE(RunParallel(4, 60, StopConditions{}, [&](int w, size_t i) { return Record(&seen, w, i, 25); }).ok());
  for (int n : seen.runs) EXPECT_EQ(n, 1);
  EXPECT_EQ(seen.threads, std::set<std::thread::id>{std::this_thread::get_id()});
  EXPECT_EQ(seen.workers, std::set<int>{0});
}

TEST(RunParallel, LargeWorkRunsEveryItemOnceOnDistinctWorkers) {
  Seen seen;
  seen.runs.assign(60, 0);
  // 60 items of 100 us: 6 ms of CPU, past the 2 ms alone.
  ASSERT_TRUE(RunParallel(3, 60, StopConditions{}, [&](int w, size_t i) { return Record(&seen, w, i, 100); }).ok());
  for (int n : seen.runs) EXPECT_EQ(n, 1);
  // Worker w always on one thread: no more threads than workers seen.
  EXPECT_LE(seen.threads.size(), seen.workers.size());
  for (int w : seen.workers) EXPECT_TRUE(w >= 0 && w < 3) << w;
}

TEST(RunParallel, AFailureStopsTheRestAndIsReturned) {
  for (int64_t burn : {0, 100}) {  // alone, and with helpers
    std::atomic<int> ran{0};
    Status st = RunParallel(2, 1000, StopConditions{}, [&](int, size_t i) {
      Burn(burn);
      ran++;
      return i == 30 ? Status::Corruption("item 30") : Status::OK();
    });
    EXPECT_EQ(st.code(), Status::Code::kCorruption) << burn;
    EXPECT_LT(ran.load(), 1000) << burn;
  }
}

TEST(RunParallel, OneThreadAndNoItems) {
  Seen seen;
  seen.runs.assign(5, 0);
  ASSERT_TRUE(RunParallel(1, 5, StopConditions{}, [&](int w, size_t i) { return Record(&seen, w, i, 0); }).ok());
  for (int n : seen.runs) EXPECT_EQ(n, 1);
  EXPECT_TRUE(RunParallel(4, 0, StopConditions{}, [](int, size_t) { return Status::Corruption("never"); }).ok());
}

}  // namespace
}  // namespace kpi::query
