// DeltaFolder (server/delta_folder.h): once uploads pause it folds every
// segment's delta parts, changing nothing a reader sees; while batches keep
// arriving it leaves them to the seals.
#include "server/delta_folder.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "server_test_util.h"

namespace kpi::server {
namespace {

// Tickets T0..T(n-1) created, then replies in small batches: the replies
// land as delta parts of the segment the first batch wrote.
void IngestSmallBatches(storage::Store* store, int tickets, int batches) {
  auto ingest = [&](std::vector<RawEvent> events) {
    std::vector<storage::EventReject> rejects;
    storage::IngestStats stats;
    ASSERT_TRUE(store->Ingest(events, &rejects, &stats).ok());
  };
  std::vector<RawEvent> created(tickets);
  for (int i = 0; i < tickets; ++i) {
    created[i].ts_ms = 1'700'000'000'000 + i;
    created[i].ticket = "T" + std::to_string(i);
    created[i].event = "created";
  }
  ingest(created);
  for (int b = 0; b < batches; ++b) {
    RawEvent reply;
    reply.ts_ms = 1'700'000'100'000 + b;
    reply.ticket = "T" + std::to_string(b % tickets);
    reply.event = "agent_reply";
    reply.agent = "a1";
    ingest({reply});
  }
}

uint64_t Count(const storage::Store& store) {
  uint64_t n = 0;
  auto snap = store.GetSnapshot();
  for (const storage::SegmentRef& ref : snap->Plan(storage::ScanSpec(), nullptr)) {
    std::shared_ptr<const storage::Segment> s;
    EXPECT_TRUE(snap->Load(ref, &s).ok());
    n += s->num_events();
  }
  return n;
}

TEST(DeltaFolderTest, FoldsOnceUploadsPause) {
  testing::ScratchStore s;
  IngestSmallBatches(s.store.get(), 50, 5);
  ASSERT_GT(s.store->SegmentsWithDeltas(), 0u);
  DeltaFolderOptions options;
  options.tick = std::chrono::milliseconds(10);
  options.quiet = std::chrono::milliseconds(50);
  DeltaFolder folder(s.store.get(), options);
  folder.Start();
  // A guard of a minute, not a plan: a loaded machine folds later.
  for (const auto guard = std::chrono::steady_clock::now() + std::chrono::minutes(1);
       s.store->SegmentsWithDeltas() > 0 && std::chrono::steady_clock::now() < guard;)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  folder.Stop();
  EXPECT_EQ(s.store->SegmentsWithDeltas(), 0u);
  EXPECT_EQ(Count(*s.store), 55u);
}

TEST(DeltaFolderTest, WaitsForTheQuietPeriod) {
  testing::ScratchStore s;
  IngestSmallBatches(s.store.get(), 50, 1);
  DeltaFolderOptions options;
  options.tick = std::chrono::milliseconds(10);
  options.quiet = std::chrono::seconds(30);
  DeltaFolder folder(s.store.get(), options);
  folder.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  folder.Stop();
  EXPECT_GT(s.store->SegmentsWithDeltas(), 0u);
}

}  // namespace
}  // namespace kpi::server
