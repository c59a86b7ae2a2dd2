// Creating a store is all or nothing (storage/store_dir.h,
// CreateStoreAtomically): a process killed while RocksDB writes a new
// store's first files used to leave a MANIFEST without CURRENT, which every
// later open must refuse (it cannot tell it from a store that lost its
// CURRENT). Found by the resume CLI test under load.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "kill_points.h"
#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

namespace fs = std::filesystem;

bool HoldsCreation(const fs::path& parent, const std::string& name) {
  for (const auto& e : fs::directory_iterator(parent))
    if (e.path().filename().string().starts_with(name + ".creating-")) return true;
  return false;
}

// The child: reports 0, creates the store DIR, reports 1 and waits.
[[noreturn]] void CreateStore(const std::vector<std::string>& args, int report_fd) {
  const int opening = 0, done = 1;
  if (write(report_fd, &opening, sizeof opening) != sizeof opening) _exit(3);
  std::unique_ptr<Store> store;
  if (!Store::Open(args.at(0), StoreOptions(), &store).ok()) _exit(2);
  if (write(report_fd, &done, sizeof done) != sizeof done) _exit(3);
  for (;;) pause();
}
KPI_CRASH_CHILD("create_store", CreateStore);

TEST(CreateAtomicTest, KilledCreationsLeaveNoHalfStore) {
  kpi::testing::ScratchDir scratch;
  std::mt19937 rng(5);
  int killed = 0;
  for (int round = 0; round < 60; ++round) {
    const std::string dir = scratch / ("s" + std::to_string(round));
    // Kills land before, during and after the creation (a few ms): the
    // delay counts from the child's report that it starts the open, not
    // from the child's start (tests/kill_points.h).
    const unsigned delay_us = rng() % 12000;
    const kpi::testing::KillOutcome outcome =
        kpi::testing::RunAndKill("create_store", {dir}, [](int report) { return report == 0; }, delay_us);
    ASSERT_TRUE(outcome.reached) << "round " << round << ": " << outcome.failure;
    killed += outcome.killed;
    std::unique_ptr<Store> store;
    const Status s = Store::Open(dir, StoreOptions(), &store);
    ASSERT_TRUE(s.ok()) << "round " << round << " (killed after " << delay_us << " us): " << s.ToString();
    EXPECT_TRUE(fs::exists(fs::path(dir) / "CURRENT"));
    store.reset();
    // The dead child's temporary directory was removed by this open.
    EXPECT_FALSE(HoldsCreation(scratch.path(), "s" + std::to_string(round))) << "round " << round;
  }
  EXPECT_EQ(killed, 60);
}

TEST(CreateAtomicTest, EmptyDirectoryAndAbandonedCreationAreTakenOver) {
  kpi::testing::ScratchDir scratch;
  const fs::path dir = scratch / "store";
  fs::create_directory(dir);
  // A dead process's half-made store: a MANIFEST without CURRENT.
  const pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  const fs::path abandoned = scratch / ("store.creating-" + std::to_string(dead));
  fs::create_directory(abandoned);
  std::ofstream(abandoned / "MANIFEST-000001") << "half";
  // Another store's creation, by a live process (this one's parent): kept.
  const fs::path alive = scratch / ("store.creating-" + std::to_string(getppid()));
  fs::create_directory(alive);

  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(dir.string(), StoreOptions(), &store).ok());
  IngestStats stats;
  ASSERT_TRUE(store->Ingest(kpi::testing::RandomEvents(1, 50), nullptr, &stats).ok());
  store.reset();
  EXPECT_TRUE(fs::exists(dir / "CURRENT"));
  EXPECT_FALSE(fs::exists(abandoned));
  EXPECT_TRUE(fs::exists(alive));
  ASSERT_TRUE(Store::Open(dir.string(), StoreOptions(), &store).ok());
  EXPECT_EQ(kpi::testing::CountTickets(*store), 50u);
}

TEST(CreateAtomicTest, DirectoryWithOtherFilesIsCreatedInPlace) {
  kpi::testing::ScratchDir scratch;
  const fs::path dir = scratch / "volume";
  fs::create_directories(dir / "lost+found");
  // Derived-value files of a store deleted from the directory (memo_files.h).
  fs::create_directories(dir / "memo");
  std::ofstream(dir / "memo" / "0123456789abcdef.km") << "derived";
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(dir.string(), StoreOptions(), &store).ok());
  store.reset();
  EXPECT_TRUE(fs::exists(dir / "CURRENT"));
  EXPECT_TRUE(fs::exists(dir / "lost+found"));
  EXPECT_TRUE(fs::exists(dir / "memo"));
  EXPECT_FALSE(HoldsCreation(scratch.path(), "volume"));
}

// A directory of someone else's files is no place for a store: refused,
// naming the directory and what it holds, and nothing in it changes (it used
// to receive a new store beside the files).
TEST(CreateAtomicTest, DirectoryOfOtherFilesIsRefusedAndUntouched) {
  kpi::testing::ScratchDir scratch_dir;
  const fs::path scratch = scratch_dir.path();
  const fs::path dir = scratch / "photos";
  fs::create_directories(dir / "2024");
  std::ofstream(dir / "notes.txt") << "mine\n";
  std::ofstream(dir / "app.log") << "not a write-ahead log\n";
  std::ofstream(dir / "b.jpg") << "x";
  std::ofstream(dir / "c.jpg") << "x";
  std::unique_ptr<Store> store;
  Status s = Store::Open(dir.string(), StoreOptions(), &store);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find(dir.string() + " is not a kpistore store (it holds 2024, app.log, b.jpg and 2 more"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("nothing was changed"), std::string::npos) << s.message();
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"2024", "app.log", "b.jpg", "c.jpg", "notes.txt"}));
  EXPECT_FALSE(HoldsCreation(scratch, "photos"));
  // A file is no directory.
  std::ofstream(scratch / "file") << "x";
  s = Store::Open((scratch / "file").string(), StoreOptions(), &store);
  EXPECT_NE(s.message().find("is not a kpistore store (it is not a directory)"), std::string::npos) << s.message();
}

// A symbolic link to an empty directory gets the store in its target (the
// rename used to hit the link: "Not a directory"), and a trailing '/' is the
// same directory.
TEST(CreateAtomicTest, LinkedAndSlashedDirectoriesAreCreated) {
  kpi::testing::ScratchDir scratch_dir;
  const fs::path scratch = scratch_dir.path();
  fs::create_directories(scratch / "disk" / "store");
  fs::create_directory_symlink(scratch / "disk" / "store", scratch / "link");
  std::unique_ptr<Store> store;
  Status s = Store::Open((scratch / "link").string(), StoreOptions(), &store);
  ASSERT_TRUE(s.ok()) << s.ToString();
  store.reset();
  EXPECT_TRUE(fs::is_symlink(scratch / "link"));
  EXPECT_TRUE(fs::exists(scratch / "disk" / "store" / "CURRENT"));
  fs::create_directories(scratch / "empty");
  s = Store::Open((scratch / "empty").string() + "/", StoreOptions(), &store);
  ASSERT_TRUE(s.ok()) << s.ToString();
  store.reset();
  EXPECT_TRUE(fs::exists(scratch / "empty" / "CURRENT"));
  for (const auto& e : fs::directory_iterator(scratch / "empty"))
    EXPECT_FALSE(e.path().filename().string().find("creating") != std::string::npos) << e.path();
}

}  // namespace
}  // namespace kpi::storage
