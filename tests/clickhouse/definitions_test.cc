// Named definitions stored in the cluster (clickhouse/meta_table.h) against
// the two-shard fixture cluster: the metadata table's semantics (atomic
// multi-key writes, deletes, latest write wins before any merge, binary
// values, consistent multi-namespace reads), and two front ends sharing
// KPIs, tables and their history (`as of`) through it.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "clickhouse/clickhouse_backend.h"
#include "clickhouse/meta_table.h"
#include "answer_text.h"
#include "clickhouse_env.h"
#include "query/catalog/table_store.h"
#include "query/time_buckets.h"

namespace kpi::clickhouse {
namespace {

std::string Answer(const ClickHouseBackend& ch, const std::string& text) {
  return kpi::testing::AnswerText(ch, text);
}

TEST(ClickHouseDefinitions, MetaTableWritesAtomicallyAndReadsTheLatestWrite) {
  Config config;
  KPI_CLICKHOUSE_OR_SKIP("meta_table", config);
  std::unique_ptr<ClickHouseBackend> ch;  // creates the schema
  ASSERT_TRUE(ClickHouseBackend::Open(config, nullptr, &ch).ok());
  const ClickHouseMetaBackend meta(config, [] { return int64_t{42}; });
  EXPECT_EQ(meta.NowMs(), 42);
  const std::string binary("a\tb\nc\\d\0e'f", 12);
  ASSERT_TRUE(meta.WriteMeta({{"ns1", "k2", "two"}, {"ns1", "k1", binary}, {"ns2", "k", "x"}}).ok());
  query::MetaEntries entries;
  ASSERT_TRUE(meta.ListMeta("ns1", &entries).ok());
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].first, "k1");  // key order
  EXPECT_EQ(entries[0].second, binary);
  EXPECT_EQ(entries[1].second, "two");
  // A put and a delete in one write; the latest write of a key wins at once
  // (no merge has run on the appended rows).
  ASSERT_TRUE(meta.WriteMeta({{"ns1", "k1", std::nullopt}, {"ns1", "k2", "three"}}).ok());
  std::string value;
  EXPECT_EQ(meta.GetMeta("ns1", "k1", &value).code(), Status::Code::kNotFound);
  ASSERT_TRUE(meta.GetMeta("ns1", "k2", &value).ok());
  EXPECT_EQ(value, "three");
  ASSERT_TRUE(meta.WriteMeta({{"ns1", "k1", "back"}}).ok());
  std::vector<query::MetaEntries> lists;
  ASSERT_TRUE(meta.ListMetaConsistent({"ns2", "nothing", "ns1"}, &lists).ok());
  ASSERT_EQ(lists.size(), 3u);
  EXPECT_EQ(lists[0], (query::MetaEntries{{"k", "x"}}));
  EXPECT_TRUE(lists[1].empty());
  EXPECT_EQ(lists[2], (query::MetaEntries{{"k1", "back"}, {"k2", "three"}}));
  EXPECT_EQ(meta.Identity(), "clickhouse:" + config.urls[0] + "/" + config.database);
}

TEST(ClickHouseDefinitions, TwoFrontEndsShareDefinitionsAndTheirHistory) {
  Config config;
  KPI_CLICKHOUSE_OR_SKIP("shared_definitions", config);
  int64_t now = 1767225600000;  // 2026-01-01
  auto clock = [&now] { return now; };
  std::unique_ptr<ClickHouseBackend> a, b;
  ASSERT_TRUE(ClickHouseBackend::Open(config, clock, &a).ok());
  ASSERT_TRUE(ClickHouseBackend::Open(config, clock, &b).ok());
  std::vector<RawEvent> events;
  for (int t = 0; t < 4; ++t) {
    RawEvent created{1767225600000 + t * 1000, "T" + std::to_string(t), "created", "", "", 0, false,
                     {{"channel", t % 2 ? "chat" : "email"}}, {}, 0};
    RawEvent reply{created.ts_ms + (t + 1) * 60'000, created.ticket, "agent_reply", "a1", "", 0, false, {}, {}, 0};
    events.push_back(created);
    events.push_back(reply);
  }
  std::vector<storage::EventReject> rejects;
  storage::IngestStats stats;
  ASSERT_TRUE(a->Ingest(events, &rejects, &stats).ok());

  now += 1000;
  EXPECT_EQ(Answer(*a, "define kpi frt = avg(duration(created -> agent_reply))"), "kpi frt defined");
  const std::string defined = query::FormatInstantUtc(now);
  query::TableLoadReport report;
  ASSERT_TRUE(query::LoadTableCsvIntoStore(a->Meta(), "channels", "channel", "channel,sla\nemail,180\nchat,60\n",
                                           "channels.csv", now, &report)
                  .ok());
  // The other front end sees both at once.
  EXPECT_EQ(Answer(*b, "select frt from tickets join channels on channel by channel, channels.sla order by channel"),
            "chat|60|180\nemail|180|120");
  now += 1000;
  EXPECT_EQ(Answer(*b, "define kpi frt = max(duration(created -> agent_reply))"), "kpi frt redefined");
  EXPECT_EQ(Answer(*a, "select frt from tickets"), "240");
  // History: as of the first definition, the first expression.
  EXPECT_EQ(Answer(*a, "select frt from tickets as of " + defined), "150");
  now += 1000;
  EXPECT_EQ(Answer(*a, "drop kpi frt"), "kpi frt dropped");
  EXPECT_EQ(Answer(*b, "show kpis"), "0 kpis");
  EXPECT_NE(Answer(*b, "select frt from tickets").find("unknown column 'frt'"), std::string::npos);
  EXPECT_EQ(Answer(*b, "select frt from tickets as of " + defined), "150");
  EXPECT_EQ(Answer(*b, "show tables"),
            "1 table\nchannels|key=channel rows=2 columns=channel:string,sla:number|" + defined);
}

}  // namespace
}  // namespace kpi::clickhouse
