// A seal whose write fills memtables past their size starts their flush
// itself (Sealer::FlushFullMemtables, issue 13): RocksDB would only flush
// them at the next write, and the runs of a spilled seal write nothing until
// the next run's commit, so the full memtables (about a run's write) were
// still held at that run's peak. Seen from the directory: with no write after
// the seal, table files of the segments and tickets families appear (their
// families are read from each table file's properties).
#include <gtest/gtest.h>

#include <rocksdb/options.h>
#include <rocksdb/sst_file_reader.h>
#include <rocksdb/table_properties.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

// The column families of the store's table files.
std::set<std::string> TableFileFamilies(const std::string& dir) {
  std::set<std::string> families;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".sst") continue;
    rocksdb::Options options;
    rocksdb::SstFileReader reader(options);
    if (!reader.Open(entry.path().string()).ok()) continue;  // being written
    families.insert(reader.GetTableProperties()->column_family_name);
  }
  return families;
}

TEST(SealFlushTest, ASealFillingMemtablesFlushesThemWithoutAnotherWrite) {
  kpi::testing::ScratchDir dir("seal_flush");
  StoreOptions options = kpi::testing::TickingStoreOptions(24, 0);
  options.write_buffer_bytes = 1;  // every family's memtable at its 1 MiB floor
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(dir.path(), options, &store).ok());
  // ~60k tickets: their ticket index entries and segments are several MiB.
  const std::vector<RawEvent> events = kpi::testing::RandomEvents(13, 60000, 30);
  for (const auto& batch : kpi::testing::Chunks(events, 50000)) {
    std::vector<EventReject> rejects;
    IngestStats stats;
    ASSERT_TRUE(store->Stage(batch, &rejects, &stats).ok());
  }
  IngestStats stats;
  ASSERT_TRUE(store->Seal(&stats).ok());
  ASSERT_GT(stats.segments_written, 0u);
  // The flush runs in the background: wait for it, writing nothing.
  std::set<std::string> families;
  for (int i = 0; i < 200; ++i) {
    families = TableFileFamilies(dir.path());
    if (families.count("segments") != 0 && families.count("tickets") != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(families.count("segments"), 1u) << "the segments family's full memtable was not flushed";
  EXPECT_EQ(families.count("tickets"), 1u) << "the ticket index's full memtable was not flushed";
  // And the store answers as before.
  EXPECT_EQ(kpi::testing::CountTickets(*store), 60000u);
}

}  // namespace
}  // namespace kpi::storage
