// Dictionaries loaded on demand (storage/catalog.h): a reopened store knows
// only each dictionary's size; small ones are read whole on first use, large
// ones are paged through a bounded cache (value lookups through a value
// index from the second on), and every lookup answers what a
// catalog built in memory answers, also after ingest adds codes in the same
// process and after another reopen. Plus the read-only-until-write open:
// nothing written at open, writable on the first write. And the on-disk
// value index (storage/value_index.h, issue 13): ingest keeps a large
// dictionary paged (its last page in memory) while it codes its values, and
// every code it assigns is the one a catalog holding everything in memory
// assigns, batch after batch, across reopens, with caches that keep
// nothing; a store written before the index existed gets it built from its
// pages on its first writable open.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <map>
#include <set>

#include "storage/catalog.h"
#include "storage/keys.h"
#include "storage/live_counts_fixture.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

using kpi::testing::ScratchDir;

constexpr uint32_t kResidentMax = 300;  // customers (1,000 and more) are paged, channels not

// Ticket t: one `created` event, customer "c<t % customers>", channel of 3.
std::vector<RawEvent> Tickets(int first, int count, int customers) {
  std::vector<RawEvent> out;
  for (int t = first; t < first + count; ++t) {
    RawEvent e;
    e.ts_ms = 1'700'000'000'000 + int64_t{t} * 60'000;
    e.ticket = "T" + std::to_string(t);
    e.event = t % 5 == 0 ? "resolved" : "created";
    e.agent = t % 3 == 0 ? "" : "agent" + std::to_string(t % 7);
    e.dims = {{"channel", t % 3 == 0 ? "chat" : (t % 3 == 1 ? "email" : "phone")},
              {"customer", "c" + std::to_string(t % customers)}};
    out.push_back(std::move(e));
  }
  return out;
}

StoreOptions Options(bool read_only_until_write = false) {
  StoreOptions o;
  o.sync = false;
  o.create_if_missing = false;
  o.read_only_until_write = read_only_until_write;
  o.dictionaries.resident_max_codes = kResidentMax;
  o.dictionaries.ingest_resident_max_codes = kResidentMax;
  o.dictionaries.page_cache_bytes = 16 << 10;  // a few pages
  return o;
}

std::unique_ptr<Store> Open(const std::string& dir, const StoreOptions& o) {
  std::unique_ptr<Store> store;
  Status s = Store::Open(dir, o, &store);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return store;
}

void Ingest(Store* store, const std::vector<RawEvent>& events) {
  std::vector<EventReject> rejects;
  IngestStats stats;
  Status s = store->Ingest(events, &rejects, &stats);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(rejects.empty());
}

// A new store holding `events`, flushed and closed.
void Create(const std::string& dir, const std::vector<RawEvent>& events) {
  StoreOptions create = Options();
  create.create_if_missing = true;
  auto store = Open(dir, create);
  Ingest(store.get(), events);
  ASSERT_TRUE(store->Flush().ok());
}

// The dictionaries a catalog built in memory holds for `events`: codes in
// order of first appearance, per column name.
std::map<std::string, std::vector<std::string>> Expected(const std::vector<RawEvent>& events) {
  std::map<std::string, std::vector<std::string>> out;
  std::map<std::string, std::set<std::string>> seen;
  auto add = [&](const std::string& column, const std::string& value) {
    if (seen[column].insert(value).second) out[column].push_back(value);
  };
  for (const RawEvent& e : events) {
    add("event", e.event);
    if (!e.agent.empty()) add("agent", e.agent);
    for (const auto& [name, value] : e.dims) add(name, value);
  }
  return out;
}

uint32_t ColumnId(const Catalog& c, const std::string& name) {
  if (name == "event") return kEventColumn;
  if (name == "agent") return kAgentColumn;
  return c.FindColumn(name)->id;
}

// Every lookup of the catalog against the expected dictionaries.
void ExpectAnswers(const Catalog& c, const std::map<std::string, std::vector<std::string>>& expected) {
  for (const auto& [name, values] : expected) {
    SCOPED_TRACE(name);
    const uint32_t column = ColumnId(c, name);
    ASSERT_EQ(c.DictionarySize(column), values.size());
    for (uint32_t code = 1; code <= values.size(); ++code) ASSERT_EQ(c.Decode(column, code), values[code - 1]);
    EXPECT_EQ(c.Decode(column, static_cast<uint32_t>(values.size() + 1)), "");
    EXPECT_EQ(c.Decode(column, 0), "");
    for (uint32_t code = 1; code <= values.size(); code += 97) EXPECT_EQ(c.FindCode(column, values[code - 1]), code);
    EXPECT_EQ(c.FindCode(column, values.back()), values.size());
    EXPECT_EQ(c.FindCode(column, "never seen"), 0u);
    EXPECT_EQ(c.DictionaryValues(column), values);
    const uint32_t first = static_cast<uint32_t>(values.size() / 2 + 1);
    const size_t last = std::min<size_t>(values.size(), first + 299);
    EXPECT_EQ(c.DictionaryRange(column, first, 300), std::vector<std::string>(values.begin() + first - 1, values.begin() + last));
  }
  EXPECT_TRUE(c.status().ok()) << c.status().ToString();
}

TEST(LazyDictionaryTest, ReopenedStoreReadsDictionariesWhenNeededAndAnswersTheSame) {
  ScratchDir dir;
  std::vector<RawEvent> events = Tickets(0, 3000, 1000);
  Create(dir.path(), events);
  // Read-only: without the on-disk value index (storage/value_index.h), as `kpi query`.
  auto store = Open(dir.path(), Options(/*read_only_until_write=*/true));
  const Catalog& c = store->catalog();
  const uint32_t customer = c.FindColumn("customer")->id, channel = c.FindColumn("channel")->id;
  DictionaryStats before = c.Stats();
  EXPECT_EQ(before.resident_codes, 0u) << "an open reads no dictionary";
  EXPECT_EQ(before.paged, 1u);  // customer
  EXPECT_EQ(c.DictionarySize(customer), 1000u);
  EXPECT_EQ(c.DictionarySize(channel), 3u);
  EXPECT_EQ(c.Stats().resident_codes, 0u) << "sizes are known without reading";

  EXPECT_EQ(c.FindCode(channel, "email"), 2u);  // small: read whole, now resident
  EXPECT_EQ(c.Stats().resident_codes, 3u);
  EXPECT_EQ(c.Decode(customer, 999), "c998");  // large: one page read, not resident
  DictionaryStats after = c.Stats();
  EXPECT_EQ(after.resident_codes, 3u);
  EXPECT_EQ(after.pages.misses, 1u);
  EXPECT_EQ(c.Decode(customer, 1000), "c999");  // same page
  EXPECT_EQ(c.Stats().pages.hits, 1u);
  EXPECT_EQ(c.FindCode(customer, "c500"), 501u);
  EXPECT_EQ(c.Stats().scans, 1u);
  EXPECT_EQ(c.Stats().indexed, 0u);
  EXPECT_EQ(c.FindCode(customer, "c7"), 8u);  // the second read builds the value index
  EXPECT_EQ(c.Stats().indexed, 1u);
  EXPECT_EQ(c.Stats().index_bytes, 1000u * 8);
  EXPECT_EQ(c.FindCode(customer, "c999"), 1000u);
  EXPECT_EQ(c.FindCode(customer, "c1000"), 0u);
  EXPECT_EQ(c.Stats().scans, 2u) << "the index answers without reading every page";

  ExpectAnswers(c, Expected(events));
  DictionaryStats end = c.Stats();
  EXPECT_EQ(end.paged, 1u) << "queries never make a large dictionary resident";
  EXPECT_LE(end.pages.bytes, end.pages.capacity_bytes);
  EXPECT_GE(end.pages.misses, 4u);
}

TEST(LazyDictionaryTest, IngestAfterReopenKeepsCodesAndAddsNewOnes) {
  ScratchDir dir;
  std::vector<RawEvent> first = Tickets(0, 3000, 1000);
  Create(dir.path(), first);
  // New customers c1000.. and old ones, new agents, in the same process that
  // paged the dictionaries first.
  std::vector<RawEvent> second = Tickets(3000, 1500, 1300);
  std::vector<RawEvent> all = first;
  all.insert(all.end(), second.begin(), second.end());
  {
    auto store = Open(dir.path(), Options());
    const Catalog& c = store->catalog();
    const uint32_t customer = c.FindColumn("customer")->id;
    EXPECT_EQ(c.Decode(customer, 7), "c6");
    EXPECT_EQ(c.FindCode(customer, "c1200"), 0u);
    Ingest(store.get(), second);
    EXPECT_EQ(c.DictionarySize(customer), 1300u);
    EXPECT_EQ(c.FindCode(customer, "c1200"), 1201u);
    EXPECT_EQ(c.Stats().paged, 1u) << "ingest codes a large dictionary's values through the value index";
    EXPECT_LE(c.Stats().tail_codes, 255u) << "only its last page stays in memory";
    ExpectAnswers(c, Expected(all));
  }
  auto store = Open(dir.path(), Options());
  ExpectAnswers(store->catalog(), Expected(all));
}

TEST(LazyDictionaryTest, MissingPageIsReportedNotGuessed) {
  ScratchDir dir;
  Create(dir.path(), Tickets(0, 3000, 1000));
  uint32_t customer = 0;
  {
    auto store = Open(dir.path(), Options());
    customer = store->catalog().FindColumn("customer")->id;
  }
  {
    // Delete page 1 (codes 257..512) of the customer dictionary behind the store's back.
    rocksdb::DB* raw = nullptr;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : {"default", "catalog", "staging", "segments", "zones", "tickets", "values"})
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir.path(), families, &handles, &raw).ok());
    ASSERT_TRUE(raw->Delete(rocksdb::WriteOptions(), handles[1], DictionaryPageKey(customer, 1)).ok());
    for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
    delete raw;
  }
  auto store = Open(dir.path(), Options());
  const Catalog& c = store->catalog();
  EXPECT_EQ(c.Decode(customer, 3), "c2");
  EXPECT_TRUE(c.status().ok());
  EXPECT_EQ(c.Decode(customer, 300), "");
  EXPECT_EQ(c.status().code(), Status::Code::kCorruption);
  EXPECT_NE(c.status().message().find("page 1 is missing"), std::string::npos) << c.status().ToString();
  // Ingest reads a paged dictionary's last page only: it still adds codes
  // (c1000.. after code 1000), and the missing page is still reported.
  std::vector<EventReject> rejects;
  IngestStats stats;
  EXPECT_TRUE(store->Ingest(Tickets(5000, 10, 2000), &rejects, &stats).ok());
  EXPECT_EQ(c.FindCode(customer, "c1009"), 1010u);
  EXPECT_EQ(c.Decode(customer, 1010), "c1009");
  EXPECT_EQ(c.Decode(customer, 257), "");
}

std::set<std::string> Files(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    out.insert(e.path().filename().string() + " " + std::to_string(e.file_size()));
  return out;
}

TEST(LazyDictionaryTest, ReadOnlyUntilWriteWritesNothingUntilTheFirstWrite) {
  ScratchDir dir;
  Create(dir.path(), Tickets(0, 500, 200));
  const std::set<std::string> files = Files(dir.path());
  auto store = Open(dir.path(), Options(/*read_only_until_write=*/true));
  // A second process cannot open it meanwhile (the lock is held).
  std::unique_ptr<Store> second;
  EXPECT_FALSE(Store::Open(dir.path(), Options(true), &second).ok());
  auto before = store->GetSnapshot();
  const std::vector<SegmentRef> refs = before->Plan(ScanSpec(), nullptr);
  ASSERT_FALSE(refs.empty());
  std::shared_ptr<const Segment> segment;
  ASSERT_TRUE(before->Load(refs[0], &segment).ok());
  EXPECT_EQ(store->catalog().Decode(kEventColumn, 1), "resolved");  // ticket 0 is resolved
  std::string value;
  EXPECT_EQ(store->GetMeta("kpi", "none", &value).code(), Status::Code::kNotFound);
  EXPECT_EQ(Files(dir.path()), files) << "reading wrote to the store directory";

  Ingest(store.get(), Tickets(500, 100, 300));  // the first write: reopened writable
  ASSERT_TRUE(store->PutMeta("kpi", "x", "1").ok());
  EXPECT_TRUE(before->Load(refs.back(), &segment).ok()) << "a snapshot from before the switch still reads";
  EXPECT_EQ(store->GetSnapshot()->last_batch(), before->last_batch() + 1);
  before.reset();
  store.reset();
  auto reopened = Open(dir.path(), Options(true));
  EXPECT_EQ(reopened->catalog().DictionarySize(reopened->catalog().FindColumn("customer")->id), 300u);
  EXPECT_TRUE(reopened->GetMeta("kpi", "x", &value).ok());
}

// Ingest's options for the value index tests: dictionaries of more than
// `resident_max` codes paged, caches that keep nothing.
StoreOptions PagingOptions(uint32_t resident_max, bool create = false) {
  StoreOptions o = Options();
  o.create_if_missing = create;
  o.dictionaries.resident_max_codes = resident_max;
  o.dictionaries.ingest_resident_max_codes = resident_max;
  o.dictionaries.page_cache_bytes = 0;   // every page read from the store
  o.dictionaries.value_cache_bytes = 0;  // every index block too
  return o;
}

// Every dictionary of `a` equals `b`'s, code for code, and each value finds its code.
void ExpectSameDictionaries(const Catalog& a, const Catalog& b) {
  std::vector<uint32_t> columns = {kEventColumn, kAgentColumn};
  for (const ColumnInfo& c : b.Columns())
    if (c.kind == ColumnKind::kDimension) columns.push_back(c.id);
  for (uint32_t column : columns) {
    SCOPED_TRACE(column);
    ASSERT_EQ(a.DictionarySize(column), b.DictionarySize(column));
    const std::vector<std::string> values = b.DictionaryValues(column);
    ASSERT_EQ(a.DictionaryValues(column), values);
    for (uint32_t code = 1; code <= values.size(); ++code) {
      ASSERT_EQ(a.Decode(column, code), values[code - 1]);
      ASSERT_EQ(a.FindCode(column, values[code - 1]), code);
    }
    EXPECT_EQ(a.FindCode(column, "never seen"), 0u);
  }
  EXPECT_TRUE(a.status().ok()) << a.status().ToString();
}

TEST(ValueIndexTest, PagedIngestCodesAsAResidentCatalogDoes) {
  ScratchDir paged_dir, resident_dir;
  auto paged = Open(paged_dir.path(), PagingOptions(100, true));
  auto resident = Open(resident_dir.path(), PagingOptions(1u << 30, true));
  IngestStats sealed;
  // Batches of 700 tickets, 1,500 customers: the first batch's 700 new
  // customers make the dictionary paged once written; later batches mix
  // values coded before (on disk), in the tail, and new ones.
  for (int batch = 0; batch < 12; ++batch) {
    std::vector<RawEvent> events = Tickets(batch * 700, 700, 1500);
    Ingest(paged.get(), events);
    Ingest(resident.get(), events);
    if (batch == 5) {
      // Reopen the paged store mid-way: it knows sizes only, and goes on.
      ASSERT_TRUE(paged->Seal(&sealed).ok());
      paged.reset();
      paged = Open(paged_dir.path(), PagingOptions(100));
    }
  }
  ExpectSameDictionaries(paged->catalog(), resident->catalog());
  const DictionaryStats stats = paged->catalog().Stats();
  EXPECT_EQ(stats.paged, 1u) << "customers";
  EXPECT_LT(stats.tail_codes, 256u) << "a paged dictionary keeps its last page only";
  EXPECT_TRUE(stats.value_index);
  EXPECT_GT(stats.value_lookups, 0u);
  EXPECT_GT(stats.value_found, 0u);
  EXPECT_EQ(resident->catalog().Stats().paged, 0u);
  // Queries answer the same from the paged store (its segments hold the same codes).
  ASSERT_TRUE(paged->Seal(&sealed).ok());
  ASSERT_TRUE(resident->Seal(&sealed).ok());
  paged.reset();
  auto reopened = Open(paged_dir.path(), PagingOptions(100));
  ExpectSameDictionaries(reopened->catalog(), resident->catalog());
}

TEST(ValueIndexTest, StoreWithoutTheIndexGetsItFromItsPages) {
  ScratchDir dir, resident_dir;
  auto resident = Open(resident_dir.path(), PagingOptions(1u << 30, true));
  {
    auto store = Open(dir.path(), PagingOptions(100, true));
    for (int batch = 0; batch < 3; ++batch) {
      Ingest(store.get(), Tickets(batch * 900, 900, 4000));
      Ingest(resident.get(), Tickets(batch * 900, 900, 4000));
    }
  }
  // As a store of format 5 left it: no index entries, no marker.
  ASSERT_TRUE(kpi::testing::WithRawStore(dir.path(), [](rocksdb::DB* db, auto handle) {
    rocksdb::WriteBatch wb;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handle("values")));
    for (it->SeekToFirst(); it->Valid(); it->Next()) wb.Delete(handle("values"), it->key());
    wb.Delete(handle("catalog"), kValueIndexKey);
    std::string fmt;
    PutBigEndian32(&fmt, 5);
    wb.Put(handle("catalog"), kFormatKey, fmt);
    return it->status().ok() && db->Write(rocksdb::WriteOptions(), &wb).ok();
  }));
  EXPECT_EQ(kpi::testing::StoredFormat(dir.path()), 5u);
  {
    auto store = Open(dir.path(), PagingOptions(100));
    EXPECT_TRUE(store->catalog().Stats().value_index) << "built by the writable open";
    for (int batch = 3; batch < 6; ++batch) {
      Ingest(store.get(), Tickets(batch * 900, 900, 4000));
      Ingest(resident.get(), Tickets(batch * 900, 900, 4000));
    }
    ExpectSameDictionaries(store->catalog(), resident->catalog());
  }
  EXPECT_EQ(kpi::testing::StoredFormat(dir.path()), 6u);
  auto store = Open(dir.path(), PagingOptions(100));
  ExpectSameDictionaries(store->catalog(), resident->catalog());
}

TEST(ValueIndexTest, ReadOnlyProcessAnswersWithoutTheIndex) {
  ScratchDir dir;
  {
    auto store = Open(dir.path(), PagingOptions(100, true));
    Ingest(store.get(), Tickets(0, 2000, 1500));
  }
  StoreOptions o = PagingOptions(100);
  o.read_only_until_write = true;
  auto store = Open(dir.path(), o);
  const Catalog& c = store->catalog();
  EXPECT_FALSE(c.Stats().value_index) << "a read-only instance does not open the family";
  const uint32_t customer = c.FindColumn("customer")->id;
  const std::string value = c.Decode(customer, 1234);
  EXPECT_EQ(c.FindCode(customer, value), 1234u);
  Ingest(store.get(), Tickets(2000, 100, 3000));  // writable now, with the index
  EXPECT_TRUE(c.Stats().value_index);
  EXPECT_EQ(c.FindCode(customer, value), 1234u);
  EXPECT_EQ(c.Stats().paged, 1u);
}

}  // namespace
}  // namespace kpi::storage
