// Dictionaries loaded on demand (storage/catalog.h): a reopened store knows
// only each dictionary's size; small ones are read whole on first use, large
// ones are paged through a bounded cache (value lookups through a value
// index from the second on), and every lookup answers what a
// catalog built in memory answers, also after ingest adds codes in the same
// process and after another reopen. Plus the read-only-until-write open:
// nothing written at open, writable on the first write.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <filesystem>
#include <map>
#include <set>

#include "storage/catalog.h"
#include "storage/keys.h"
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
  auto store = Open(dir.path(), Options());
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
    EXPECT_EQ(c.Stats().paged, 0u) << "ingest holds the dictionaries it codes whole";
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
    for (const char* name : {"default", "catalog", "staging", "segments", "zones", "tickets"})
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
  // Ingest cannot add codes to a dictionary it cannot read whole.
  std::vector<EventReject> rejects;
  IngestStats stats;
  EXPECT_EQ(store->Ingest(Tickets(5000, 10, 2000), &rejects, &stats).code(), Status::Code::kCorruption);
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

}  // namespace
}  // namespace kpi::storage
