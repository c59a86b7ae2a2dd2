// Lookup tables in the store: load, reload, drop, history (`as of` sees the
// table as it was), failed loads writing nothing, names, and the cache.
#include "query/catalog/table_store.h"

#include <gtest/gtest.h>

#include <thread>

#include "storage/store.h"
#include "test_util.h"

namespace kpi::query {
namespace {

class TableStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    store_.reset();
    storage::StoreOptions options;
    options.sync = false;
    options.clock = [this] { return now_ms_; };
    ASSERT_TRUE(storage::Store::Open(dir_.path(), options, &store_).ok());
  }

  Status Load(const std::string& name, const std::string& csv, int64_t at_ms, TableLoadReport* report = nullptr) {
    now_ms_ = at_ms;
    return LoadTableCsvIntoStore(store_.get(), name, "agent", csv, "agents.csv", store_->NowMs(), report);
  }

  std::string RoleOf(const std::string& agent, int64_t as_of_ms = -1) {
    std::shared_ptr<const LookupTable> t;
    Status s = LoadTableNamed(*store_, "agents", as_of_ms, &t);
    if (!s.ok()) return "<" + s.ToString() + ">";
    const int64_t row = t->FindRow(agent);
    return row < 0 ? "<none>" : std::string(t->Text(1, row));
  }

  kpi::testing::ScratchDir dir_{"kpi-tables"};
  int64_t now_ms_ = 1'000;
  std::unique_ptr<storage::Store> store_;
};

TEST_F(TableStoreTest, LoadReportsAndDefines) {
  TableLoadReport report;
  ASSERT_TRUE(Load("agents", "agent,role,score\na1,frontline,4.5\na2,lead,\n", 5'000, &report).ok());
  EXPECT_EQ(report.name, "agents");
  EXPECT_EQ(report.rows, 2u);
  EXPECT_EQ(report.key_column, "agent");
  ASSERT_EQ(report.columns.size(), 3u);
  EXPECT_EQ(report.columns[2].second, TableColumnType::kNumber);
  EXPECT_EQ(report.descriptor, "key=agent rows=2 columns=agent:string,role:string,score:number");
  EXPECT_GT(report.stored_bytes, 0u);
  EXPECT_EQ(report.defined_at_ms, 5'000);

  DefinitionMap tables;
  ASSERT_TRUE(LoadDefinitions(*store_, DefinitionKind::kTable, &tables).ok());
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables["agents"].text, report.descriptor);
  EXPECT_EQ(tables["agents"].defined_at_ms, 5'000);
  EXPECT_EQ(RoleOf("a2"), "lead");
}

TEST_F(TableStoreTest, ReloadReplacesAndAsOfSeesTheOldData) {
  ASSERT_TRUE(Load("agents", "agent,role\na1,frontline\na2,lead\n", 5'000).ok());
  ASSERT_TRUE(Load("agents", "agent,role\na1,lead\na3,qa\n", 9'000).ok());
  EXPECT_EQ(RoleOf("a1"), "lead");
  EXPECT_EQ(RoleOf("a2"), "<none>");
  EXPECT_EQ(RoleOf("a1", 5'000), "frontline");
  EXPECT_EQ(RoleOf("a2", 8'999), "lead");
  EXPECT_EQ(RoleOf("a3", 9'000), "qa");
  EXPECT_EQ(RoleOf("a1", 4'999), "<Not found: no table named agents>");

  // Through the definition catalog, as the engine does it.
  DefinitionMap then;
  ASSERT_TRUE(LoadDefinitionsAsOf(*store_, DefinitionKind::kTable, 6'000, &then).ok());
  ASSERT_EQ(then.count("agents"), 1u);
  std::shared_ptr<const LookupTable> old;
  ASSERT_TRUE(LoadTable(*store_, then["agents"], &old).ok());
  EXPECT_EQ(old->rows, 2u);
  EXPECT_EQ(old->Text(1, old->FindRow("a2")), "lead");

  // The history survives a reopen.
  Open();
  EXPECT_EQ(RoleOf("a1", 5'000), "frontline");
  EXPECT_EQ(RoleOf("a1"), "lead");
}

TEST_F(TableStoreTest, ReloadInTheSameMillisecondIsNotServedStale) {
  ASSERT_TRUE(Load("agents", "agent,role\na1,frontline\n", 5'000).ok());
  EXPECT_EQ(RoleOf("a1"), "frontline");
  ASSERT_TRUE(Load("agents", "agent,role\na1,lead\n", 5'000).ok());  // same descriptor, same instant
  EXPECT_EQ(RoleOf("a1"), "lead");
}

TEST_F(TableStoreTest, DropKeepsHistory) {
  ASSERT_TRUE(Load("agents", "agent,role\na1,frontline\n", 5'000).ok());
  ASSERT_TRUE(DropTable(store_.get(), "agents", 7'000).ok());
  EXPECT_EQ(RoleOf("a1"), "<Not found: no table named agents>");
  EXPECT_EQ(RoleOf("a1", 6'000), "frontline");
  EXPECT_EQ(RoleOf("a1", 7'000), "<Not found: no table named agents>");
  Status again = DropTable(store_.get(), "agents", 8'000);
  EXPECT_EQ(again.code(), Status::Code::kNotFound);
  EXPECT_EQ(again.message(), "no table named agents");
  // Loaded again after the drop.
  ASSERT_TRUE(Load("agents", "agent,role\na1,qa\n", 9'000).ok());
  EXPECT_EQ(RoleOf("a1"), "qa");
  EXPECT_EQ(RoleOf("a1", 8'000), "<Not found: no table named agents>");
}

TEST_F(TableStoreTest, FailedLoadChangesNothing) {
  ASSERT_TRUE(Load("agents", "agent,role\na1,frontline\n", 5'000).ok());
  std::vector<std::pair<std::string, std::string>> before_data, after_data, before_hist, after_hist;
  ASSERT_TRUE(store_->ListMeta(kTableDataNamespace, &before_data).ok());
  ASSERT_TRUE(store_->ListMeta("table_history", &before_hist).ok());
  Status s = Load("agents", "agent,role\na1,x\na1,y\n", 6'000);
  EXPECT_EQ(s.message(), "agents.csv:3: duplicate key 'a1' (first on line 2)");
  EXPECT_FALSE(Load("9bad", "agent\na\n", 6'500).ok());
  ASSERT_TRUE(store_->ListMeta(kTableDataNamespace, &after_data).ok());
  ASSERT_TRUE(store_->ListMeta("table_history", &after_hist).ok());
  EXPECT_EQ(after_data, before_data);
  EXPECT_EQ(after_hist, before_hist);
  EXPECT_EQ(RoleOf("a1"), "frontline");
}

TEST_F(TableStoreTest, TableNames) {
  EXPECT_TRUE(CheckTableName("agents").ok());
  EXPECT_TRUE(CheckTableName("_t2").ok());
  for (const char* bad : {"", "2t", "a-b", "a b", "a.b", "é", "select", "WHERE"}) {
    Status s = CheckTableName(bad);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("bad table name"), std::string::npos) << s.message();
  }
  EXPECT_FALSE(CheckTableName(std::string(129, 'a')).ok());
  LookupTable t;
  ASSERT_TRUE(BuildLookupTable("agent\na\n", "x", "agent", &t).ok());
  EXPECT_FALSE(SaveTable(store_.get(), "no good", t, 1).ok());
  ASSERT_TRUE(SaveTable(store_.get(), "good", t, 2).ok());
  std::shared_ptr<const LookupTable> back;
  ASSERT_TRUE(LoadTableNamed(*store_, "good", -1, &back).ok());
  EXPECT_EQ(back->FindRow("a"), 0);
}

TEST_F(TableStoreTest, MissingOrCorruptDataIsCorruption) {
  // SaveTable (unlike a CSV load) leaves the cache empty, so LoadTable reads
  // what is stored.
  LookupTable t0;
  ASSERT_TRUE(BuildLookupTable("agent,role\na1,frontline\n", "x", "agent", &t0).ok());
  ASSERT_TRUE(SaveTable(store_.get(), "agents", t0, 5'000).ok());
  ASSERT_TRUE(SaveTable(store_.get(), "other", t0, 5'000).ok());
  ASSERT_TRUE(store_->PutMeta(kTableDataNamespace, std::string("agents\n") + InstantKey(5'000), "KTB\x01garbage").ok());
  ASSERT_TRUE(store_->DeleteMeta(kTableDataNamespace, std::string("other\n") + InstantKey(5'000)).ok());
  std::shared_ptr<const LookupTable> t;
  Status s = LoadTableNamed(*store_, "agents", -1, &t);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_NE(s.message().find("table agents: "), std::string::npos) << s.message();
  s = LoadTableNamed(*store_, "other", -1, &t);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_NE(s.message().find("missing"), std::string::npos) << s.message();
}

TEST_F(TableStoreTest, CacheSharesOneDecodedTableAcrossThreads) {
  ASSERT_TRUE(Load("agents", "agent,role\na1,frontline\na2,lead\n", 5'000).ok());
  Open();
  std::vector<std::shared_ptr<const LookupTable>> got(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([this, &got, i] { EXPECT_TRUE(LoadTableNamed(*store_, "agents", -1, &got[i]).ok()); });
  }
  for (auto& t : threads) t.join();
  std::shared_ptr<const LookupTable> again;
  ASSERT_TRUE(LoadTableNamed(*store_, "agents", -1, &again).ok());
  for (const auto& t : got) {
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->FindRow("a2"), 1);
  }
  std::shared_ptr<const LookupTable> third;
  ASSERT_TRUE(LoadTableNamed(*store_, "agents", -1, &third).ok());
  EXPECT_EQ(third.get(), again.get());  // cached
}

}  // namespace
}  // namespace kpi::query
