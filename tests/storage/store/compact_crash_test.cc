// Crash safety of `kpi compact` (issue 9): a child process compacting a store
// full of replaced segment values is killed with SIGKILL at random moments;
// after every kill the store opens cleanly and holds exactly the same events.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <random>

#include "storage/compact.h"
#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

using kpi::testing::DumpStore;
using kpi::testing::RandomEvents;
using kpi::testing::ScratchDir;

StoreOptions Options() {
  StoreOptions o;
  o.max_tickets_per_segment = 16;  // many segments, each rewritten by many seals
  return o;
}

// The child: reports 0 once the store is open, then compacts it again and
// again, reporting the number of finished runs.
[[noreturn]] void CompactForever(const std::string& dir, int report_fd) {
  std::unique_ptr<Store> store;
  if (!Store::Open(dir, Options(), &store).ok()) _exit(3);
  for (int runs = 0;; ++runs) {
    if (write(report_fd, &runs, sizeof runs) != sizeof runs) _exit(5);
    CompactStats stats;
    if (!store->Compact(&stats).ok()) _exit(4);
  }
}

TEST(CompactCrashTest, KilledCompactionsLoseAndChangeNothing) {
  ScratchDir dir;
  std::string expected;
  {
    std::vector<RawEvent> events = RandomEvents(31, 600);
    std::shuffle(events.begin(), events.end(), std::mt19937_64(8));
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(dir.path(), Options(), &store).ok());
    // Small seals, each flushed to table files, so replaced values pile up
    // on disk for the compactions to drop.
    for (size_t i = 0; i < events.size(); i += 150) {
      std::vector<EventReject> rejects;
      IngestStats stats;
      const size_t n = std::min<size_t>(150, events.size() - i);
      ASSERT_TRUE(store->Ingest(std::span<const RawEvent>(events.data() + i, n), &rejects, &stats).ok());
      ASSERT_TRUE(store->Flush().ok());
    }
    expected = DumpStore(*store);
  }
  ASSERT_GT(expected.size(), 1000u);
  std::mt19937_64 rng(77);
  int compacting = 0;  // rounds killed after the open, i.e. during a compaction
  for (int round = 0; round < 12; ++round) {
    bool killed = false;
    const int reported = kpi::testing::RunAndKill([&](int fd) { CompactForever(dir.path(), fd); },
                                                  static_cast<unsigned>(20000 + rng() % 400000), -1, &killed);
    ASSERT_TRUE(killed) << "the child exited early (round " << round << ")";
    compacting += reported >= 0;
    std::unique_ptr<Store> store;
    Status s = Store::Open(dir.path(), Options(), &store);
    ASSERT_TRUE(s.ok()) << "round " << round << ": " << s.ToString();
    ASSERT_EQ(DumpStore(*store), expected) << "round " << round;
  }
  // Most kills must land in a compaction, not before the store opened.
  EXPECT_GE(compacting, 6);
}

}  // namespace
}  // namespace kpi::storage
