// Targets from CSV: rows become `define target` statements (cells typed as
// the contract says, empty = any), every row checked as define target checks
// it, one atomic write, errors naming the file and line.
#include "query/evaluation/targets_csv.h"

#include <gtest/gtest.h>

#include "query/catalog/definition_store.h"
#include "query/engine.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::query {
namespace {

class TargetsCsvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.sync = false;
    options.clock = [this] { return now_ms_; };
    ASSERT_TRUE(storage::Store::Open(dir_.path(), options, &store_).ok());
    engine_ = std::make_unique<Engine>(store_.get());
    // Two tickets, so the catalog knows channel and business_type.
    std::vector<RawEvent> events;
    auto ev = [&](int64_t ts, const char* ticket, const char* event, const char* agent,
                  std::vector<std::pair<std::string, std::string>> dims) {
      RawEvent e;
      e.ts_ms = ts;
      e.ticket = ticket;
      e.event = event;
      e.agent = agent;
      e.dims = std::move(dims);
      events.push_back(std::move(e));
    };
    const int64_t t0 = 1'760'000'000'000;  // 2025-10-09
    ev(t0, "T1", "created", "", {{"channel", "chat"}, {"business_type", "retail"}, {"priority", "3"}});
    ev(t0 + 60'000, "T1", "agent_reply", "a1", {});
    ev(t0 + 120'000, "T1", "resolved", "a1", {});
    ev(t0, "T2", "created", "", {{"channel", "email"}, {"business_type", "retail"}});
    ev(t0 + 7'200'000, "T2", "agent_reply", "a2", {});
    std::vector<storage::EventReject> rejects;
    storage::IngestStats stats;
    ASSERT_TRUE(store_->Ingest(events, &rejects, &stats).ok());
    Run("define kpi fcr = rate(has(resolved))");
    Run("define kpi frt_p90 = p90(duration(created -> agent_reply))");
  }

  Result Run(const std::string& q) {
    Result r;
    QueryError err;
    const Status st = engine_->Execute(q, ExecOptions{}, &r, &err);
    EXPECT_TRUE(st.ok()) << q << "\n" << st.ToString() << "\n" << err.ToString();
    return r;
  }

  Status Load(const std::string& csv, TargetsLoadReport* report = nullptr) {
    TargetsLoadReport local;
    return LoadTargetsCsv(store_.get(), csv, "targets.csv", report ? report : &local);
  }

  DefinitionMap Targets() {
    DefinitionMap m;
    EXPECT_TRUE(LoadDefinitions(*store_, DefinitionKind::kTarget, &m).ok());
    return m;
  }

  kpi::testing::ScratchDir dir_{"kpi-targets"};
  int64_t now_ms_ = 1'770'000'000'000;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(TargetsCsvTest, RowsBecomeDefineTargetStatements) {
  TargetsLoadReport report;
  Status s = Load("kpi,op,target,business_type,channel\n"
                   "fcr,>=,0.7,,\n"
                   "fcr,>=,85%,retail,chat\n"
                   "frt_p90,<=,2h,retail,\n"
                   "frt_p90 , <= , +30m , ,email\n",
                  &report);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(report.targets, 4u);
  EXPECT_EQ(report.defined, 4u);
  EXPECT_EQ(report.redefined, 0u);
  EXPECT_EQ(report.defined_at_ms, now_ms_);
  ASSERT_EQ(report.keys.size(), 4u);
  EXPECT_EQ(report.keys[1], "fcr where business_type = \"retail\" and channel = \"chat\"");
  DefinitionMap m = Targets();
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m["fcr"].text, "define target fcr >= 0.7");
  EXPECT_EQ(m["fcr where business_type = \"retail\" and channel = \"chat\""].text,
            "define target fcr >= 85% where business_type = \"retail\" and channel = \"chat\"");
  EXPECT_EQ(m["frt_p90 where channel = \"email\""].text, "define target frt_p90 <= 30m where channel = \"email\"");
  EXPECT_EQ(m["frt_p90 where channel = \"email\""].defined_at_ms, now_ms_);
}

TEST_F(TargetsCsvTest, NumberCellsAreNumbersAndStringsAreQuoted) {
  // priority reads as a number; a value with a quote is escaped.
  ASSERT_TRUE(Load("kpi,op,target,priority,channel\nfcr,>,0.5,3,\nfcr,>,0.5,,\"we \"\"say\"\" hi\"\n").ok());
  DefinitionMap m = Targets();
  ASSERT_EQ(m.count("fcr where priority = 3"), 1u);
  ASSERT_EQ(m.count("fcr where channel = \"we \\\"say\\\" hi\""), 1u) << m.begin()->first;
}

TEST_F(TargetsCsvTest, TheLoadedTargetsJudgeEvaluate) {
  ASSERT_TRUE(Load("kpi,op,target,channel\nfcr,>=,0.9,chat\nfcr,>=,0.8,email\n").ok());
  Result r = Run("evaluate fcr from tickets by channel");
  ASSERT_EQ(r.rows.size(), 2u);
  // channel, kpi, value, op, target, met, attainment, target_from
  EXPECT_EQ(r.rows[0][0].text, "chat");
  EXPECT_EQ(r.rows[0][4].number, 0.9);
  EXPECT_TRUE(r.rows[0][5].boolean);
  EXPECT_EQ(r.rows[1][4].number, 0.8);
  EXPECT_FALSE(r.rows[1][5].boolean);
}

TEST_F(TargetsCsvTest, RedefinesExistingTargetsAndKeepsOthers) {
  Run("define target fcr >= 0.5 where channel = \"chat\"");
  Run("define target frt_p90 <= 1h");
  TargetsLoadReport report;
  ASSERT_TRUE(Load("kpi,op,target,channel\nfcr,>=,0.9,chat\nfcr,>=,0.8,email\n", &report).ok());
  EXPECT_EQ(report.defined, 1u);
  EXPECT_EQ(report.redefined, 1u);
  DefinitionMap m = Targets();
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(m["fcr where channel = \"chat\""].text, "define target fcr >= 0.9 where channel = \"chat\"");
}

TEST_F(TargetsCsvTest, ErrorsNameTheFileAndLineAndWriteNothing) {
  struct Case {
    const char* csv;
    const char* message;
  } cases[] = {
      {"kpi,op,target,channel\nfcr,>=,0.9,chat\nfcrr,>=,0.8,email\n",
       "targets.csv:3: unknown kpi 'fcrr' (did you mean 'fcr'?)"},
      {"kpi,op,target,chanel\nfcr,>=,0.9,chat\n", "targets.csv:2: unknown dimension 'chanel' (did you mean 'channel'?)"},
      {"kpi,op,target\nfcr,=>,0.9\n", "targets.csv:2: op '=>' is not one of >= > <= <"},
      {"kpi,op,target\nfcr,>=,high\n", "targets.csv:2: target 'high' is not a number"},
      {"kpi,op,target,channel\nfcr,>=,0.9\n", "targets.csv:2: expected 4 cells as in the header, found 3"},
      {"kpi,target,op\n", "targets.csv:1: the header must start kpi,op,target"},
      {"kpi,op,target,channel,channel\n", "targets.csv:1: dimension 'channel' appears twice"},
      {"kpi,op,target,a or b\n", "targets.csv:1: 'a or b' is not a dimension name"},
      {"", "targets.csv:1: empty file"},
      {"kpi,op,target,channel\nfcr,>=,0.9,\"open\n", "targets.csv:2: unterminated quote"},
      {"kpi,op,target,channel\n\nfcr,>=,0.9,chat\nfcr,>=,0.5,email\n\"fcr\",>=,0.8,chat\n",
       "targets.csv:5: duplicate target fcr where channel = \"chat\" (first on line 3)"},
  };
  for (const Case& c : cases) {
    Status s = Load(c.csv);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << c.csv;
    EXPECT_EQ(s.message().rfind(c.message, 0), 0u) << c.csv << "\n -> " << s.message();
  }
  EXPECT_TRUE(Targets().empty());
}

TEST_F(TargetsCsvTest, HeaderOnlyLoadsNothing) {
  TargetsLoadReport report;
  ASSERT_TRUE(Load("kpi,op,target,channel\r\n", &report).ok());
  EXPECT_EQ(report.targets, 0u);
  EXPECT_TRUE(Targets().empty());
}

TEST_F(TargetsCsvTest, WithoutSourceErrorsSayLine) {
  TargetsLoadReport report;
  Status s = LoadTargetsCsv(store_.get(), "kpi,op,target\nnope,>=,1\n", "", &report);
  EXPECT_EQ(s.message().rfind("line 2: unknown kpi 'nope'", 0), 0u) << s.message();
}

}  // namespace
}  // namespace kpi::query
