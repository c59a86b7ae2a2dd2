// Store::Backup and RestoreStore: a backup taken while another thread stages
// batches holds exactly the batches staged before it, and restores. (Killed
// backups: tests/cli/backup_cli_test.cc, with real `kpi backup` processes: a
// forked child cannot run RocksDB's background flush threads, which exist
// only in the parent once it opened a store.)
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "storage/backup.h"
#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

// Batch k: 20 tickets "B<k>-<i>", one event each.
std::vector<RawEvent> Batch(int k) {
  std::vector<RawEvent> out;
  for (int i = 0; i < 20; ++i) {
    RawEvent e;
    e.ticket = "B" + std::to_string(k) + "-" + std::to_string(i);
    e.ts_ms = 1735689600000 + int64_t(k) * 60000 + i;
    e.event = "created";
    out.push_back(e);
  }
  return out;
}

uint64_t EventsIn(const std::string& dir) {
  std::unique_ptr<Store> store;
  StoreOptions o;
  o.create_if_missing = false;
  const Status s = Store::Open(dir, o, &store);
  EXPECT_TRUE(s.ok()) << dir << ": " << s.ToString();
  return s.ok() ? kpi::testing::CountEvents(*store) : 0;
}

TEST(BackupTest, BackupDuringStagingHoldsTheBatchesStagedBeforeIt) {
  kpi::testing::ScratchDir dir;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(dir / "db", StoreOptions(), &store).ok());
  std::atomic<int> staged{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int k = 0; !stop; ++k) {
      IngestStats stats;
      ASSERT_TRUE(store->Stage(Batch(k), nullptr, &stats).ok());
      staged = k + 1;
      if (k % 3 == 2) {
        ASSERT_TRUE(store->Seal(&stats).ok());
      }
    }
  });
  while (staged < 20) std::this_thread::yield();
  const int before = staged;
  BackupInfo info;
  const Status s = store->Backup(dir / "backup", &info);
  const int after = staged;
  stop = true;
  writer.join();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_GT(info.files, 0u);
  const uint64_t events = EventsIn(dir / "backup");
  EXPECT_GE(events, uint64_t(before) * 20);
  EXPECT_LE(events, uint64_t(after) * 20);
  EXPECT_EQ(events % 20, 0u) << "a batch in part";
  EXPECT_EQ(info.last_batch, events / 20) << "the reported newest batch is the backup's";
  // Restore refuses a non-empty target, then --force keeps the old one aside.
  RestoreInfo restored;
  EXPECT_FALSE(RestoreStore(dir / "backup", dir / "backup", false, &restored).ok());
  ASSERT_TRUE(RestoreStore(dir / "backup", dir / "copy", false, &restored).ok());
  EXPECT_EQ(restored.events, events);
  EXPECT_TRUE(restored.replaced.empty());
}

}  // namespace
}  // namespace kpi::storage
