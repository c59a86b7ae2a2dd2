// Crash safety of `kpi compact` (issue 9): a child process compacting a store
// full of replaced segment values is killed with SIGKILL at varied points;
// after every kill the store opens cleanly and holds exactly the same events.
// Only a store's first compaction has work beyond RocksDB's own (folding
// delta parts, live counts, memo files), so two rounds in three start from a
// fresh copy of the uncompacted store and kill once the child reports that
// its first compaction begins, after a delay spread over how long one takes
// here; the third goes on with what the last kill left, killed a few ms
// after the start (its reopen, or a compaction of a half-compacted store).
// Kill points come from the child's reports (tests/kill_points.h), so a
// loaded machine cannot move a kill before the store is open.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "storage/compact.h"
#include "storage/store.h"
#include "kill_points.h"
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
[[noreturn]] void CompactForever(const std::vector<std::string>& args, int report_fd) {
  std::unique_ptr<Store> store;
  if (!Store::Open(args.at(0), Options(), &store).ok()) _exit(3);
  for (int runs = 0;; ++runs) {
    if (write(report_fd, &runs, sizeof runs) != sizeof runs) _exit(5);
    CompactStats stats;
    if (!store->Compact(&stats).ok()) _exit(4);
  }
}
KPI_CRASH_CHILD("compact_forever", CompactForever);

TEST(CompactCrashTest, KilledCompactionsLoseAndChangeNothing) {
  namespace fs = std::filesystem;
  ScratchDir dir;
  const std::string dirty = dir / "dirty", live = dir / "live";
  std::string expected;
  {
    std::vector<RawEvent> events = RandomEvents(31, 600);
    std::shuffle(events.begin(), events.end(), std::mt19937_64(8));
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(dirty, Options(), &store).ok());
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
  const auto fresh_copy = [&] {
    fs::remove_all(live);
    fs::copy(dirty, live, fs::copy_options::recursive);
  };
  // How long a first compaction takes on this machine now: the kills' delays
  // are spread over it. Only where kills land depends on it, never whether
  // the test passes.
  unsigned first_us = 0;
  {
    fresh_copy();
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(live, Options(), &store).ok());
    const auto t0 = std::chrono::steady_clock::now();
    CompactStats stats;
    ASSERT_TRUE(store->Compact(&stats).ok());
    first_us = static_cast<unsigned>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
    ASSERT_GT(stats.segments_folded, 0u) << "the first compaction has no delta parts to fold";
  }
  std::mt19937_64 rng(77);
  int planned = 0, after_open = 0, in_first = 0;
  for (int round = 0; round < 12; ++round) {
    const bool fresh = round % 3 != 2;
    if (fresh) fresh_copy();
    planned += fresh;
    const unsigned delay_us = static_cast<unsigned>(fresh ? rng() % (first_us + 1) : rng() % 30000);
    const kpi::testing::KillOutcome killed =
        kpi::testing::RunAndKill("compact_forever", {live},
                                 fresh ? [](int runs) { return runs >= 0; } : std::function<bool(int)>(), delay_us);
    ASSERT_TRUE(killed.reached) << "round " << round << ": " << killed.failure;
    if (fresh) {
      after_open += killed.Last(-1) >= 0;
      in_first += killed.Last(-1) == 0;
    }
    std::unique_ptr<Store> store;
    Status s = Store::Open(live, Options(), &store);
    ASSERT_TRUE(s.ok()) << "round " << round << ": " << s.ToString();
    ASSERT_EQ(DumpStore(*store), expected) << "round " << round;
  }
  // The planned kills landed in a compaction, not before the store opened.
  EXPECT_EQ(after_open, planned);
  std::printf("first compaction %u us; %d of %d fresh rounds killed inside it\n", first_us, in_first, planned);
}

}  // namespace
}  // namespace kpi::storage
