// Damaged store directories (issue 9, "Loss and damage"): Store::Open never
// throws acknowledged data away. A directory without CURRENT is refused and
// left as it was; a write-ahead log damaged after a kill is refused (never
// replayed up to the damage and opened as if nothing happened); a damaged
// table file is named in the error.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <span>

#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

namespace fs = std::filesystem;

std::map<std::string, uintmax_t> Listing(const std::string& dir) {
  std::map<std::string, uintmax_t> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) out[e.path().filename().string()] = e.file_size();
  }
  return out;
}

// Files of `dir` whose name ends with `suffix`, largest first.
std::vector<fs::path> FilesEndingWith(const std::string& dir, const std::string& suffix) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().ends_with(suffix)) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
    return fs::file_size(a) > fs::file_size(b);
  });
  return out;
}

void FlipBytes(const fs::path& file, uint64_t offset, int count) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f.good()) << file;
  for (int i = 0; i < count; ++i) {
    f.seekg(static_cast<std::streamoff>(offset + i));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(offset + i));
    f.put(static_cast<char>(c ^ 0x5a));
  }
}

TEST(DamageTest, DirectoryWithoutCurrentIsRefusedAndLeftAlone) {
  kpi::testing::ScratchDir dir;
  {
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(dir.path(), StoreOptions(), &store).ok());
    IngestStats stats;
    ASSERT_TRUE(store->Ingest(kpi::testing::RandomEvents(1, 300), nullptr, &stats).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  fs::remove(dir / "CURRENT");
  const auto before = Listing(dir.path());
  for (bool create : {true, false}) {
    StoreOptions o;
    o.create_if_missing = create;
    std::unique_ptr<Store> store;
    Status s = Store::Open(dir.path(), o, &store);
    ASSERT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
    EXPECT_NE(s.message().find("CURRENT file is missing"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("nothing was changed"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("MANIFEST-"), std::string::npos) << s.message();
    EXPECT_EQ(Listing(dir.path()), before);
  }
}

// Child: stages `count` batches of 200 tickets (forever when < 0),
// reporting each durable one, then idles until killed.
[[noreturn]] void StageBatches(const std::string& dir, int count, int report_fd) {
  std::unique_ptr<Store> store;
  if (!Store::Open(dir, StoreOptions(), &store).ok()) _exit(2);
  for (int k = 0; count < 0 || k < count; ++k) {
    IngestStats stats;
    if (!store->Stage(kpi::testing::RandomEvents(100 + k, 200), nullptr, &stats).ok()) _exit(3);
    if (write(report_fd, &k, sizeof k) != sizeof k) _exit(4);
  }
  for (;;) pause();
}

// Runs StageBatches(dir, count) in a child, SIGKILLs it once batch
// `kill_after` is reported; returns the last batch reported (-2: no child).
int StageInChildAndKill(const std::string& dir, int count, int kill_after) {
  int fds[2];
  if (pipe(fds) != 0) return -2;
  pid_t pid = fork();
  if (pid < 0) return -2;
  if (pid == 0) {
    close(fds[0]);
    StageBatches(dir, count, fds[1]);
  }
  close(fds[1]);
  int reported = -1, k = 0;
  while (reported < kill_after && read(fds[0], &k, sizeof k) == sizeof k) reported = k;
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  while (read(fds[0], &k, sizeof k) == sizeof k) reported = k;
  close(fds[0]);
  return reported;
}

TEST(DamageTest, DamagedWriteAheadLogIsRefusedNeverSilentlyTruncated) {
  kpi::testing::ScratchDir dir;
  ASSERT_GE(StageInChildAndKill(dir.path(), -1, 5), 5);

  // Damage the middle of the log: batches acknowledged after that point
  // must not be dropped silently.
  auto logs = FilesEndingWith(dir.path(), ".log");
  ASSERT_FALSE(logs.empty());
  const fs::path log = logs.front();
  const uintmax_t size = fs::file_size(log);
  ASSERT_GT(size, 4096u);
  FlipBytes(log, size / 3, 16);

  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<Store> store;
    Status s = Store::Open(dir.path(), StoreOptions(), &store);
    ASSERT_FALSE(s.ok()) << "opened over a damaged log, dropping acknowledged batches";
    EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
    EXPECT_NE(s.message().find(log.filename().string()), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("docs/operations.md"), std::string::npos) << s.message();
    // The log is kept as it is, for the operator.
    EXPECT_TRUE(fs::exists(log));
    EXPECT_EQ(fs::file_size(log), size);
  }
}

// Offset of the header of the last physical record of a RocksDB log
// (32 KiB blocks; header: crc u32, length u16, type u8; a block tail shorter
// than a header is padding).
uint64_t LastRecordHeader(const std::string& bytes) {
  constexpr uint64_t kBlock = 32768, kHeader = 7;
  uint64_t pos = 0, last = 0;
  while (pos + kHeader <= bytes.size()) {
    const uint64_t in_block = kBlock - pos % kBlock;
    if (in_block < kHeader) {
      pos += in_block;
      continue;
    }
    const uint64_t length =
        static_cast<uint8_t>(bytes[pos + 4]) | (uint64_t{static_cast<uint8_t>(bytes[pos + 5])} << 8);
    if (bytes[pos + 6] == 0 && length == 0) break;  // preallocated zeroes
    if (pos + kHeader + length > bytes.size()) break;
    last = pos;
    pos += kHeader + length;
  }
  return last;
}

// Makes the last record of the store's (largest) log claim more bytes than
// the file holds: exactly what a torn write looks like. Returns the log.
fs::path TearLastLogRecord(const std::string& dir) {
  auto logs = FilesEndingWith(dir, ".log");
  if (logs.empty()) return {};
  const fs::path log = logs.front();
  const uint64_t header = LastRecordHeader(kpi::testing::ReadFile(log));
  std::fstream f(log, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(header + 4));
  f.put(static_cast<char>(0xff));
  f.put(static_cast<char>(0x7f));
  return log;
}

TEST(DamageTest, DamagedLastRecordOfTheLogIsNotMistakenForATornWrite) {
  kpi::testing::ScratchDir dir;
  // Killed idle: the log ends with the last acknowledged batch.
  ASSERT_EQ(StageInChildAndKill(dir.path(), 4, 3), 3);
  // A torn last record, but this record was acknowledged.
  const fs::path log = TearLastLogRecord(dir.path());
  ASSERT_FALSE(log.empty());
  std::unique_ptr<Store> store;
  Status s = Store::Open(dir.path(), StoreOptions(), &store);
  ASSERT_FALSE(s.ok()) << "opened after dropping an acknowledged batch at the end of the log";
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find("acknowledged"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("docs/operations.md"), std::string::npos) << s.message();
  // Refused again, the log still there.
  store.reset();
  s = Store::Open(dir.path(), StoreOptions(), &store);
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
  EXPECT_TRUE(fs::exists(log));
}

// Batches staged unsynced (Store::Durable::kOnSeal, the server's uploads)
// are acknowledged by the seal that syncs them, and the ACKNOWLEDGED marker
// then names the last of them, not the seal's own write: a seal record
// damaged at the end of the log costs nothing acknowledged (its batches are
// still staged before it), so the store opens and seals them again.
TEST(DamageTest, UnsyncedStagesAreAcknowledgedBySealButTheSealRecordIsNotNeeded) {
  kpi::testing::ScratchDir dir;
  const std::vector<RawEvent> events = kpi::testing::RandomEvents(11, 300);
  const std::string marker = dir / "ACKNOWLEDGED";
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::unique_ptr<Store> store;
    if (!Store::Open(dir.path(), StoreOptions(), &store).ok()) _exit(2);
    const std::string before = kpi::testing::ReadFile(marker);
    IngestStats stats;
    const size_t half = events.size() / 2;
    if (!store->Stage(std::span(events).first(half), nullptr, &stats, {}, Store::Durable::kOnSeal).ok()) _exit(3);
    if (!store->Stage(std::span(events).subspan(half), nullptr, &stats, {}, Store::Durable::kOnSeal).ok()) _exit(3);
    if (kpi::testing::ReadFile(marker) != before) _exit(4);  // not acknowledged yet
    if (!store->Seal(&stats).ok()) _exit(5);
    if (kpi::testing::ReadFile(marker) == before) _exit(6);  // acknowledged by the seal
    _exit(0);  // as if killed: no clean close
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;

  std::string want;
  {
    kpi::testing::ScratchDir reference;
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(reference.path(), StoreOptions(), &store).ok());
    IngestStats stats;
    ASSERT_TRUE(store->Ingest(events, nullptr, &stats).ok());
    want = kpi::testing::DumpStore(*store);
  }
  // Damage the last record of the log (the seal's write) like a torn write.
  ASSERT_FALSE(TearLastLogRecord(dir.path()).empty());
  std::unique_ptr<Store> store;
  Status s = Store::Open(dir.path(), StoreOptions(), &store);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(kpi::testing::DumpStore(*store), want);
}

TEST(DamageTest, DamagedTableFileIsNamed) {
  kpi::testing::ScratchDir dir;
  {
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(dir.path(), StoreOptions(), &store).ok());
    IngestStats stats;
    ASSERT_TRUE(store->Ingest(kpi::testing::RandomEvents(7, 3000), nullptr, &stats).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  auto tables = FilesEndingWith(dir.path(), ".sst");
  ASSERT_FALSE(tables.empty());
  const fs::path sst = tables.front();
  // Overwrite the footer (the last 48+ bytes), keeping the size.
  FlipBytes(sst, fs::file_size(sst) - 40, 40);

  std::unique_ptr<Store> store;
  Status s = Store::Open(dir.path(), StoreOptions(), &store);
  if (s.ok()) {
    // Table files may be opened lazily: then the first read names it.
    StoreInfo info;
    s = store->GetInfo(&info);
    if (s.ok()) {
      auto snap = store->GetSnapshot();
      for (const auto& ref : snap->Plan(ScanSpec(), nullptr)) {
        std::shared_ptr<const Segment> seg;
        s = snap->Load(ref, &seg);
        if (!s.ok()) break;
      }
    }
  }
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(sst.filename().string()), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("docs/operations.md"), std::string::npos) << s.message();

  // Truncated: the same.
  store.reset();
  fs::resize_file(sst, fs::file_size(sst) / 2);
  s = Store::Open(dir.path(), StoreOptions(), &store);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(sst.filename().string()), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("docs/operations.md"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace kpi::storage
