// GroupCommit: concurrent uploads share seals, yet each gets its own exact
// accepted / duplicate counts and every event is stored once.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "server/group_commit.h"
#include "server_test_util.h"

namespace kpi::server {
namespace {

RawEvent Event(const std::string& ticket, int minute, const std::string& event = "agent_reply") {
  RawEvent e;
  e.ts_ms = 1735689600000 + int64_t{minute} * 60000;
  e.ticket = ticket;
  e.event = event;
  return e;
}

uint64_t SealedEvents(storage::Store* store) {
  storage::StoreInfo info;
  EXPECT_TRUE(store->GetInfo(&info).ok());
  return info.events;
}

TEST(GroupCommit, ConcurrentUploadsGetTheirOwnCounts) {
  testing::ScratchStore s;
  GroupCommit commit(s.store.get());
  constexpr int kThreads = 6, kRounds = 25, kPerBatch = 40;
  std::atomic<int> failures{0};
  std::atomic<uint64_t> accepted{0}, duplicates{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        // Round r: kPerBatch events, of which the first half repeat round
        // r - 1's second half (same ticket, time, name: same identity).
        std::vector<RawEvent> batch;
        for (int i = 0; i < kPerBatch; ++i) {
          const int k = r * kPerBatch / 2 + i;
          batch.push_back(Event("T" + std::to_string(t) + "-" + std::to_string(k / 4), k));
        }
        std::vector<storage::EventReject> rejects;
        storage::IngestStats stats;
        if (!commit.Ingest(batch, &rejects, &stats).ok() || !rejects.empty()) {
          failures++;
          continue;
        }
        const uint64_t want_dup = r == 0 ? 0 : kPerBatch / 2;
        if (stats.staged != kPerBatch || stats.duplicates != want_dup || stats.accepted != kPerBatch - want_dup)
          failures++;
        accepted += stats.accepted;
        duplicates += stats.duplicates;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  const uint64_t unique = uint64_t{kThreads} * (kRounds * kPerBatch / 2 + kPerBatch / 2);
  EXPECT_EQ(accepted.load(), unique);
  EXPECT_EQ(duplicates.load(), uint64_t{kThreads} * (kRounds - 1) * kPerBatch / 2);
  EXPECT_EQ(SealedEvents(s.store.get()), unique);
  EXPECT_EQ(s.store->staged_events(), 0u);
}

TEST(GroupCommit, FullyRejectedUploadDoesNotWait) {
  testing::ScratchStore s;
  GroupCommit commit(s.store.get());
  // `channel` as a dimension, then as a measure: the store refuses the clash.
  std::vector<RawEvent> first = {Event("A", 0, "created")};
  first[0].dims.emplace_back("channel", "chat");
  std::vector<storage::EventReject> rejects;
  storage::IngestStats stats;
  ASSERT_TRUE(commit.Ingest(first, &rejects, &stats).ok());
  EXPECT_EQ(stats.accepted, 1u);
  std::vector<RawEvent> clash = {Event("B", 1, "created")};
  clash[0].measures.emplace_back("channel", 1.0);
  storage::IngestStats stats2;
  ASSERT_TRUE(commit.Ingest(clash, &rejects, &stats2).ok());
  EXPECT_EQ(rejects.size(), 1u);
  EXPECT_EQ(stats2.staged, 0u);
  EXPECT_EQ(stats2.accepted, 0u);
  EXPECT_EQ(SealedEvents(s.store.get()), 1u);
}

TEST(GroupCommit, SealAllSealsWhatWasStagedDirectly) {
  testing::ScratchStore s;
  GroupCommit commit(s.store.get());
  std::vector<RawEvent> batch = {Event("A", 0), Event("A", 1)};
  std::vector<storage::EventReject> rejects;
  storage::IngestStats stats;
  ASSERT_TRUE(s.store->Stage(batch, &rejects, &stats).ok());
  EXPECT_EQ(SealedEvents(s.store.get()), 0u);
  ASSERT_TRUE(commit.SealAll().ok());
  EXPECT_EQ(SealedEvents(s.store.get()), 2u);
}

}  // namespace
}  // namespace kpi::server
