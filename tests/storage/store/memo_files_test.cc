// Derived-value files (storage/memo_files.h): a value is found only for the
// segment version, key, store identity and fingerprint it was written
// under; a damaged or torn file or value is a miss, never a value; two
// writers of one key leave a whole file; the directory stays under its
// bound; Clear empties it; the zone hash follows every zone map field.
#include "storage/memo_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "storage/compact.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

void WriteIdentity(const std::string& dir, const std::string& id) {
  std::ofstream(dir + "/IDENTITY") << id << "\n";
}

SegmentRef Ref(uint32_t partition, uint32_t segment, uint64_t generation) {
  SegmentRef r;
  r.partition = partition;
  r.segment = segment;
  r.generation = generation;
  r.zone.num_tickets = 3;
  r.zone.num_events = 9;
  return r;
}

std::vector<std::filesystem::path> Files(const std::string& store_dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(MemoFiles::Dir(store_dir))) out.push_back(e.path());
  return out;
}

std::string Found(MemoFiles& f, const std::string& key, const SegmentRef& ref) {
  std::string v;
  return f.Find(key, ref, &v) ? v : std::string("<none>");
}

// The zone hash (part of a value's segment version) changes with every
// field of the zone map, and is equal for equal zone maps.
TEST(MemoFiles, TheZoneHashChangesWithEveryFieldOfTheZoneMap) {
  ZoneMap base;
  base.min_time_ms = 1000;
  base.max_time_ms = 2000;
  base.num_tickets = 3;
  base.num_events = 9;
  base.min_batch = 1;
  base.max_batch = 2;
  base.data_bytes = 77;
  base.lists = ZoneLists({1, 2}, {0, 5}, {{17, {1, 2}}, {18, {3}}});
  base.live_known = true;
  base.live_tickets = 3;
  base.live_events = 9;
  const uint64_t h = MemoFiles::ZoneHash(base);
  EXPECT_EQ(MemoFiles::ZoneHash(ZoneMap(base)), h);
  // Equal lists made apart, and read back from their encoding, hash equal.
  ZoneMap made = base;
  made.lists = ZoneLists({1, 2}, {0, 5}, {{17, {1, 2}}, {18, {3}}});
  EXPECT_EQ(MemoFiles::ZoneHash(made), h);
  std::string encoded;
  base.Encode(&encoded);
  ZoneMap read;
  ASSERT_TRUE(ZoneMap::Decode(encoded, &read).ok());
  EXPECT_FALSE(read.lists.decoded());
  EXPECT_EQ(MemoFiles::ZoneHash(read), h);
  EXPECT_FALSE(read.lists.decoded()) << "hashing decodes no list";
  // Each change of a list: the lists as they were, changed, then set again.
  using Lists = std::tuple<ZoneLists::Codes, ZoneLists::Codes, ZoneLists::Dims>;
  auto change_lists = [](ZoneMap* z, void (*f)(Lists*)) {
    Lists l{z->lists.events(), z->lists.agents(), z->lists.dims()};
    f(&l);
    z->lists = ZoneLists(std::get<0>(l), std::get<1>(l), std::get<2>(l));
  };
  std::vector<void (*)(ZoneMap*)> changes = {
      [](ZoneMap* z) { z->min_time_ms++; },     [](ZoneMap* z) { z->max_time_ms++; },
      [](ZoneMap* z) { z->num_tickets++; },     [](ZoneMap* z) { z->num_events++; },
      [](ZoneMap* z) { z->min_batch++; },       [](ZoneMap* z) { z->max_batch++; },
      [](ZoneMap* z) { z->data_bytes++; },      [](ZoneMap* z) { z->live_known = false; },
      [](ZoneMap* z) { z->live_tickets++; },    [](ZoneMap* z) { z->live_events++; },
  };
  std::vector<void (*)(Lists*)> list_changes = {
      [](Lists* l) { std::get<0>(*l).push_back(3); }, [](Lists* l) { std::get<1>(*l)[1]++; },
      [](Lists* l) { std::get<2>(*l)[0].first++; },   [](Lists* l) { std::get<2>(*l)[1].second.push_back(4); },
      // A code moved from one list to the next: the lengths are hashed too.
      [](Lists* l) { std::get<0>(*l).pop_back(); std::get<1>(*l).insert(std::get<1>(*l).begin(), 2); },
      [](Lists* l) { std::get<2>(*l).pop_back(); },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    ZoneMap z = base;
    changes[i](&z);
    EXPECT_NE(MemoFiles::ZoneHash(z), h) << "change " << i;
  }
  for (size_t i = 0; i < list_changes.size(); ++i) {
    ZoneMap z = base;
    change_lists(&z, list_changes[i]);
    EXPECT_NE(MemoFiles::ZoneHash(z), h) << "list change " << i;
  }
}

TEST(MemoFiles, FoundOnlyForTheVersionKeyStoreAndFingerprintWritten) {
  kpi::testing::ScratchDir dir("memo-files");
  WriteIdentity(dir.path(), "store-1");
  auto w = MemoFiles::Open(dir.path(), "fp", 1 << 20);
  ASSERT_NE(w, nullptr);
  w->Add("k", Ref(1, 0, 5), "one");
  w->Add("k", Ref(1, 1, 6), "two");
  w->Add("other", Ref(1, 0, 5), "three");
  ASSERT_TRUE(w->Flush().ok());
  auto r = MemoFiles::Open(dir.path(), "fp", 1 << 20);
  EXPECT_EQ(Found(*r, "k", Ref(1, 0, 5)), "one");
  EXPECT_EQ(Found(*r, "k", Ref(1, 1, 6)), "two");
  EXPECT_EQ(Found(*r, "other", Ref(1, 0, 5)), "three");
  EXPECT_EQ(Found(*r, "k", Ref(1, 0, 7)), "<none>") << "another generation";
  SegmentRef rezoned = Ref(1, 0, 5);
  rezoned.zone.num_events++;
  EXPECT_EQ(Found(*r, "k", rezoned), "<none>") << "another zone map";
  EXPECT_EQ(Found(*r, "k", Ref(2, 0, 5)), "<none>");
  EXPECT_EQ(Found(*r, "k2", Ref(1, 0, 5)), "<none>");
  EXPECT_EQ(r->hits(), 3u);
  auto other_fp = MemoFiles::Open(dir.path(), "fp2", 1 << 20);
  EXPECT_EQ(Found(*other_fp, "k", Ref(1, 0, 5)), "<none>") << "another build";
  WriteIdentity(dir.path(), "store-2");  // a store created again in the directory
  auto other_store = MemoFiles::Open(dir.path(), "fp", 1 << 20);
  EXPECT_EQ(Found(*other_store, "k", Ref(1, 0, 5)), "<none>") << "another store";
  std::filesystem::remove(dir.path() + "/IDENTITY");
  EXPECT_EQ(MemoFiles::Open(dir.path(), "fp", 1 << 20), nullptr);
}

TEST(MemoFiles, ANewGenerationReplacesTheOldAndOtherSegmentsStay) {
  kpi::testing::ScratchDir dir("memo-files-merge");
  WriteIdentity(dir.path(), "s");
  {
    auto w = MemoFiles::Open(dir.path(), "fp", 1 << 20);
    w->Add("k", Ref(1, 0, 5), "old");
    w->Add("k", Ref(1, 1, 6), "kept");
    ASSERT_TRUE(w->Flush().ok());
  }
  auto w = MemoFiles::Open(dir.path(), "fp", 1 << 20);
  EXPECT_EQ(Found(*w, "k", Ref(1, 0, 5)), "old");
  w->Add("k", Ref(1, 0, 8), "new");
  ASSERT_TRUE(w->Flush().ok());
  auto r = MemoFiles::Open(dir.path(), "fp", 1 << 20);
  EXPECT_EQ(Found(*r, "k", Ref(1, 0, 8)), "new");
  EXPECT_EQ(Found(*r, "k", Ref(1, 0, 5)), "<none>");
  EXPECT_EQ(Found(*r, "k", Ref(1, 1, 6)), "kept");
  EXPECT_EQ(Files(dir.path()).size(), 1u);
}

// Every byte of the file flipped in turn, and the file cut at every
// length: each read finds the value intact or nothing.
TEST(MemoFiles, ADamagedOrTornFileIsAMissNeverAValue) {
  kpi::testing::ScratchDir dir("memo-files-damage");
  WriteIdentity(dir.path(), "s");
  const std::string value(300, 'v');
  {
    auto w = MemoFiles::Open(dir.path(), "fp", 1 << 20);
    w->Add("k", Ref(1, 0, 5), value);
    w->Add("k", Ref(1, 1, 5), "second");
    ASSERT_TRUE(w->Flush().ok());
  }
  const std::filesystem::path path = Files(dir.path()).at(0);
  std::string good;
  {
    std::ifstream in(path, std::ios::binary);
    good.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write = [&](const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  };
  int missed = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    write(bad);
    auto r = MemoFiles::Open(dir.path(), "fp", 1 << 20);
    const std::string a = Found(*r, "k", Ref(1, 0, 5)), b = Found(*r, "k", Ref(1, 1, 5));
    ASSERT_TRUE(a == value || a == "<none>") << "byte " << i;
    ASSERT_TRUE(b == "second" || b == "<none>") << "byte " << i;
    missed += a == "<none>" || b == "<none>";
  }
  EXPECT_EQ(missed, static_cast<int>(good.size())) << "every flipped byte is noticed";
  for (size_t n = 0; n < good.size(); ++n) {
    write(good.substr(0, n));
    auto r = MemoFiles::Open(dir.path(), "fp", 1 << 20);
    ASSERT_EQ(Found(*r, "k", Ref(1, 0, 5)), "<none>") << "cut at " << n;
  }
  write(good);
  auto r = MemoFiles::Open(dir.path(), "fp", 1 << 20);
  EXPECT_EQ(Found(*r, "k", Ref(1, 0, 5)), value);
}

// Another program cuts a file short, or rewrites it in place, while a
// reader has it open (an operator's tool, a copy onto a full disk): the
// values past the cut are misses, those before it still read, bytes changed
// in place are misses, and the next write keeps only what still checks.
// (Mapped, the reader died of SIGBUS at the first page past the cut.)
// Values larger than a read-ahead window (300 KB) and within one (200 KB).
TEST(MemoFiles, AFileCutOrRewrittenUnderAReaderIsAMiss) {
  kpi::testing::ScratchDir dir("memo-files-cut");
  WriteIdentity(dir.path(), "s");
  const std::string a(200 << 10, 'a'), b(200 << 10, 'b'), c(300 << 10, 'c');
  {
    auto w = MemoFiles::Open(dir.path(), "fp", 1 << 30);
    w->Add("k", Ref(1, 0, 5), a);
    w->Add("k", Ref(1, 1, 5), b);
    w->Add("k", Ref(1, 2, 5), c);
    ASSERT_TRUE(w->Flush().ok());
  }
  const std::filesystem::path path = Files(dir.path()).at(0);
  const auto size = std::filesystem::file_size(path);
  auto r = MemoFiles::Open(dir.path(), "fp", 1 << 30);
  EXPECT_EQ(Found(*r, "k", Ref(1, 0, 5)), a);  // the file is open now
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(size - c.size() - b.size() / 2)), 0);
  EXPECT_EQ(Found(*r, "k", Ref(1, 2, 5)), "<none>") << "past the cut";
  EXPECT_EQ(Found(*r, "k", Ref(1, 1, 5)), "<none>") << "cut in its middle";
  EXPECT_EQ(Found(*r, "k", Ref(1, 0, 5)), a) << "before the cut";
  // Rewritten in place (same length, other bytes): a miss, never the bytes
  // (a reader that read the value before may still give it, as it was).
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - c.size() - b.size() - a.size() / 2));
    f << "zzzz";
  }
  const std::string held = Found(*r, "k", Ref(1, 0, 5));
  EXPECT_TRUE(held == a || held == "<none>");
  auto fresh = MemoFiles::Open(dir.path(), "fp", 1 << 30);
  EXPECT_EQ(Found(*fresh, "k", Ref(1, 0, 5)), "<none>") << "changed in place";
  // The next write from the reader keeps only what still checks.
  fresh->Add("k", Ref(1, 3, 5), "d");
  ASSERT_TRUE(fresh->Flush().ok());
  auto again = MemoFiles::Open(dir.path(), "fp", 1 << 30);
  EXPECT_EQ(Found(*again, "k", Ref(1, 3, 5)), "d");
  EXPECT_EQ(Found(*again, "k", Ref(1, 0, 5)), "<none>");
  EXPECT_EQ(Found(*again, "k", Ref(1, 1, 5)), "<none>");
  EXPECT_EQ(Found(*again, "k", Ref(1, 2, 5)), "<none>");
  // Cut to nothing under an open reader, before it read anything.
  auto held_open = MemoFiles::Open(dir.path(), "fp", 1 << 30);
  EXPECT_EQ(Found(*held_open, "k", Ref(1, 9, 5)), "<none>");  // opens the file
  ASSERT_EQ(::truncate(Files(dir.path()).at(0).c_str(), 0), 0);
  EXPECT_EQ(Found(*held_open, "k", Ref(1, 3, 5)), "<none>");
}

TEST(MemoFiles, TwoWritersOfOneKeyLeaveAWholeFile) {
  kpi::testing::ScratchDir dir("memo-files-two");
  WriteIdentity(dir.path(), "s");
  auto a = MemoFiles::Open(dir.path(), "fp", 1 << 20);
  auto b = MemoFiles::Open(dir.path(), "fp", 1 << 20);
  EXPECT_EQ(Found(*a, "k", Ref(1, 0, 5)), "<none>");
  EXPECT_EQ(Found(*b, "k", Ref(1, 0, 5)), "<none>");
  a->Add("k", Ref(1, 0, 5), "from a");
  b->Add("k", Ref(1, 1, 5), "from b");
  ASSERT_TRUE(a->Flush().ok());
  ASSERT_TRUE(b->Flush().ok());  // merges what a wrote
  auto r = MemoFiles::Open(dir.path(), "fp", 1 << 20);
  EXPECT_EQ(Found(*r, "k", Ref(1, 1, 5)), "from b");
  const std::string from_a = Found(*r, "k", Ref(1, 0, 5));
  EXPECT_TRUE(from_a == "from a" || from_a == "<none>");
  EXPECT_EQ(Files(dir.path()).size(), 1u) << "no temporary file left";
}

TEST(MemoFiles, TheDirectoryStaysUnderItsBoundAndClearEmptiesIt) {
  kpi::testing::ScratchDir dir("memo-files-bound");
  WriteIdentity(dir.path(), "s");
  auto w = MemoFiles::Open(dir.path(), "fp", 10'000);
  for (int k = 0; k < 10; ++k) {
    w->Add("k" + std::to_string(k), Ref(1, 0, 5), std::string(3000, 'x'));
    ASSERT_TRUE(w->Flush().ok());
    uint64_t total = 0;
    for (const auto& p : Files(dir.path())) total += std::filesystem::file_size(p);
    EXPECT_LE(total, 10'000u) << k;
  }
  auto r = MemoFiles::Open(dir.path(), "fp", 10'000);
  EXPECT_EQ(Found(*r, "k9", Ref(1, 0, 5)), std::string(3000, 'x')) << "the newest stays";
  ASSERT_TRUE(MemoFiles::Clear(dir.path()).ok());
  EXPECT_TRUE(Files(dir.path()).empty());
  EXPECT_TRUE(MemoFiles::Clear(dir.path() + "/nothing-here").ok());
}

TEST(MemoFiles, AnUnwritableDirectoryFailsTheFlushOnly) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes anywhere";
  kpi::testing::ScratchDir dir("memo-files-ro");
  WriteIdentity(dir.path(), "s");
  ::chmod(dir.path().c_str(), 0555);
  auto w = MemoFiles::Open(dir.path(), "fp", 1 << 20);
  ASSERT_NE(w, nullptr);
  w->Add("k", Ref(1, 0, 5), "v");
  EXPECT_FALSE(w->Flush().ok());
  EXPECT_EQ(Found(*w, "k", Ref(1, 0, 5)), "<none>");
  ::chmod(dir.path().c_str(), 0755);
}

// DIR/memo a link to a directory of someone else's files: eviction and
// Clear delete only the files this class writes (they used to delete every
// file there once the bound was passed, and Clear every file).
TEST(MemoFiles, ALinkedDirectoryKeepsItsOtherFiles) {
  kpi::testing::ScratchDir dir("memo-files-link");
  WriteIdentity(dir.path(), "s");
  const std::filesystem::path elsewhere = dir / "elsewhere";
  std::filesystem::create_directories(elsewhere);
  std::ofstream(elsewhere / "thesis.txt") << std::string(5000, 't');
  std::ofstream(elsewhere / "0123456789abcdef.kmx") << "not ours either";
  std::filesystem::create_directory_symlink(elsewhere, MemoFiles::Dir(dir.path()));
  auto w = MemoFiles::Open(dir.path(), "fp", 1000);
  w->Add("k", Ref(1, 0, 5), std::string(3000, 'x'));
  ASSERT_TRUE(w->Flush().ok());  // over the bound: its own file goes
  EXPECT_EQ(kpi::testing::ReadFile((elsewhere / "thesis.txt").string()), std::string(5000, 't'));
  auto big = MemoFiles::Open(dir.path(), "fp", 1 << 20);
  big->Add("k", Ref(1, 0, 5), "v");
  ASSERT_TRUE(big->Flush().ok());
  EXPECT_EQ(Found(*MemoFiles::Open(dir.path(), "fp", 1 << 20), "k", Ref(1, 0, 5)), "v");
  ASSERT_TRUE(MemoFiles::Clear(dir.path()).ok());
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(elsewhere)) left.push_back(e.path().filename());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"0123456789abcdef.kmx", "thesis.txt"}));
}

// A FIFO, or a link, under a file's name is a miss at once (reading used to
// block on the FIFO for ever); the next write replaces it.
TEST(MemoFiles, AFifoOrALinkUnderAFileNameIsAMiss) {
  kpi::testing::ScratchDir dir("memo-files-fifo");
  WriteIdentity(dir.path(), "s");
  auto w = MemoFiles::Open(dir.path(), "fp", 1 << 20);
  w->Add("k", Ref(1, 0, 5), "v");
  ASSERT_TRUE(w->Flush().ok());
  ASSERT_EQ(Files(dir.path()).size(), 1u);
  const std::filesystem::path file = Files(dir.path())[0];
  std::filesystem::rename(file, dir / "real.km");
  ASSERT_EQ(::mkfifo(file.c_str(), 0644), 0);
  EXPECT_EQ(Found(*MemoFiles::Open(dir.path(), "fp", 1 << 20), "k", Ref(1, 0, 5)), "<none>");
  std::filesystem::remove(file);
  std::filesystem::create_symlink(dir / "real.km", file);
  EXPECT_EQ(Found(*MemoFiles::Open(dir.path(), "fp", 1 << 20), "k", Ref(1, 0, 5)), "<none>");
  auto again = MemoFiles::Open(dir.path(), "fp", 1 << 20);
  again->Add("k", Ref(1, 0, 5), "v2");
  ASSERT_TRUE(again->Flush().ok());
  EXPECT_FALSE(std::filesystem::is_symlink(file));
  EXPECT_EQ(Found(*MemoFiles::Open(dir.path(), "fp", 1 << 20), "k", Ref(1, 0, 5)), "v2");
}

// DIR/memo a plain file: nothing is read or written there, the flush fails
// (the query answers all the same), and `kpi compact` is not stopped by it
// (it used to fail: "open DIR/memo: Not a directory").
TEST(MemoFiles, AMemoThatIsAFileIsACacheThatCannotBeWritten) {
  kpi::testing::ScratchDir dir("memo-files-file");
  StoreOptions o;
  o.sync = false;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(dir.path(), o, &store).ok());
  std::ofstream(MemoFiles::Dir(dir.path())) << "someone's notes\n";
  auto w = MemoFiles::Open(dir.path(), "fp", 1 << 20);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(Found(*w, "k", Ref(1, 0, 5)), "<none>");
  w->Add("k", Ref(1, 0, 5), "v");
  const Status flushed = w->Flush();
  EXPECT_FALSE(flushed.ok());
  EXPECT_NE(flushed.message().find(MemoFiles::Dir(dir.path())), std::string::npos) << flushed.ToString();
  EXPECT_TRUE(MemoFiles::Clear(dir.path()).ok());
  Status compacted = store->Compact(nullptr);
  EXPECT_TRUE(compacted.ok()) << compacted.ToString();
  EXPECT_EQ(kpi::testing::ReadFile(MemoFiles::Dir(dir.path())), "someone's notes\n");
}

// `kpi compact` makes new versions of segments (folds, rewrites, live
// counts): it deletes the files rather than leave their room taken.
TEST(MemoFiles, CompactDeletesTheFiles) {
  kpi::testing::ScratchDir dir("memo-files-compact");
  StoreOptions o;
  o.sync = false;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(dir.path(), o, &store).ok());
  auto w = MemoFiles::Open(dir.path(), "fp", 1 << 20);
  ASSERT_NE(w, nullptr) << "a store has an identity";
  w->Add("k", Ref(1, 0, 5), "v");
  ASSERT_TRUE(w->Flush().ok());
  ASSERT_EQ(Files(dir.path()).size(), 1u);
  ASSERT_TRUE(store->Compact(nullptr).ok());
  EXPECT_TRUE(Files(dir.path()).empty());
}

}  // namespace
}  // namespace kpi::storage
