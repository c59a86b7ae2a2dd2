// The three real logs in ../shared/realdata ingest with zero rejects and
// exactly the ticket and event counts their SOURCE.md states; a second
// ingest of the same file changes nothing (their `id`s make it idempotent).
#include <gtest/gtest.h>

#include "storage/ingest/event_reader.h"
#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

struct RealLog {
  const char* path;
  uint64_t events;
  uint64_t tickets;
};

class RealDataTest : public ::testing::TestWithParam<RealLog> {};

void IngestFile(Store* store, const std::string& path, IngestStats* stats, uint64_t* rejects) {
  std::unique_ptr<ingest::EventReader> reader;
  ASSERT_TRUE(ingest::EventReader::Open(path, ingest::ReaderOptions(), &reader).ok());
  std::vector<RawEvent> batch;
  std::vector<ingest::Reject> bad;
  for (;;) {
    ASSERT_TRUE(reader->Next(50000, &batch, &bad).ok());
    if (batch.empty()) break;
    std::vector<EventReject> store_rejects;
    ASSERT_TRUE(store->Stage(batch, &store_rejects, stats).ok());
    *rejects += store_rejects.size();
  }
  ASSERT_TRUE(store->Seal(stats).ok());
  *rejects += bad.size();
  for (size_t i = 0; i < bad.size() && i < 5; ++i) ADD_FAILURE() << bad[i].file << ":" << bad[i].line << ": " << bad[i].reason;
}

TEST_P(RealDataTest, IngestsWithZeroRejectsAndTheStatedCounts) {
  std::string path = kpi::testing::SharedPath(GetParam().path);
  if (path.empty()) GTEST_SKIP() << "../shared/" << GetParam().path << " is not present in this clone";
  kpi::testing::ScratchDir dir;
  std::unique_ptr<Store> store;
  StoreOptions o;
  o.sync = false;
  ASSERT_TRUE(Store::Open(dir.path(), o, &store).ok());
  IngestStats stats;
  uint64_t rejects = 0;
  IngestFile(store.get(), path, &stats, &rejects);
  EXPECT_EQ(rejects, 0u);
  EXPECT_EQ(stats.accepted, GetParam().events);
  EXPECT_EQ(stats.duplicates, 0u);
  EXPECT_EQ(kpi::testing::CountEvents(*store), GetParam().events);
  EXPECT_EQ(kpi::testing::CountTickets(*store), GetParam().tickets);

  IngestStats again;
  IngestFile(store.get(), path, &again, &rejects);
  EXPECT_EQ(again.accepted, 0u);
  EXPECT_EQ(again.duplicates, GetParam().events);
  EXPECT_EQ(kpi::testing::CountEvents(*store), GetParam().events);
}

INSTANTIATE_TEST_SUITE_P(Logs, RealDataTest,
                         ::testing::Values(RealLog{"realdata/bpi2013/events.ndjson", 65533, 7554},
                                           RealLog{"realdata/helpdesk/events.ndjson", 21348, 4580},
                                           RealLog{"realdata/servicenow/events.ndjson.gz", 166630, 24918}));

}  // namespace
}  // namespace kpi::storage
