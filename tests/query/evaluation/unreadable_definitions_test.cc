// Stored definitions that no longer read (LoadedDefinitions::unreadable):
// written here as raw values through the meta store, as a grammar change or
// another version would leave them. Never silently skipped: an evaluate
// judging a KPI with such a target, or a scorecard that no longer reads,
// fails naming it; an exemption that no longer reads is a warning on every
// evaluate; `show` lists them with a warning each; plain selects are untouched.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "query/engine.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::query {
namespace {

class UnreadableDefinitions : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.sync = false;
    ASSERT_TRUE(storage::Store::Open(dir_.path(), options, &store_).ok());
    engine_ = std::make_unique<Engine>(store_.get());
    std::vector<RawEvent> events;
    for (int i = 0; i < 10; ++i) {
      RawEvent c;
      c.ts_ms = 1'760'000'000'000 + i * 60'000;
      c.ticket = "T" + std::to_string(i);
      c.event = "created";
      c.dims = {{"channel", i % 2 ? "chat" : "email"}};
      events.push_back(c);
      if (i % 3) {
        c.ts_ms += 30'000;
        c.event = "resolved";
        c.dims.clear();
        events.push_back(c);
      }
    }
    std::vector<storage::EventReject> rejects;
    storage::IngestStats stats;
    ASSERT_TRUE(store_->Ingest(events, &rejects, &stats).ok());
    Ok("define kpi fcr = rate(has(resolved))");
    Ok("define kpi volume = count()");
    Ok("define target volume >= 5");
  }

  // A stored value as LoadAllDefinitions finds it: `<kind>1\n<ms>\n<text>`.
  void Store(const std::string& kind, const std::string& name, const std::string& text) {
    ASSERT_TRUE(store_->WriteMeta({{kind, name, kind + "1\n" + std::to_string(store_->NowMs()) + "\n" + text}}).ok());
  }

  Status Run(const std::string& q, Result* r, QueryError* err) { return engine_->Execute(q, ExecOptions{}, r, err); }

  Result Ok(const std::string& q) {
    Result r;
    QueryError err;
    const Status st = Run(q, &r, &err);
    EXPECT_TRUE(st.ok()) << q << ": " << err.ToString() << " " << st.ToString();
    return r;
  }

  std::string Fails(const std::string& q) {
    Result r;
    QueryError err;
    EXPECT_FALSE(Run(q, &r, &err).ok()) << q;
    return err.ToString();
  }

  static bool Has(const std::vector<std::string>& warnings, const std::string& part) {
    return std::any_of(warnings.begin(), warnings.end(),
                       [&](const std::string& w) { return w.find(part) != std::string::npos; });
  }

  kpi::testing::ScratchDir dir_{"kpi-unreadable"};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(UnreadableDefinitions, ATargetOfAKpiJudgedFailsTheEvaluate) {
  Store("target", "fcr where channel = \"chat\"", "define target fcr >= where channel = \"chat\"");
  const std::string message = Fails("evaluate volume, fcr from tickets by channel");
  EXPECT_NE(message.find("kpi 'fcr' cannot be judged: target fcr where channel = \"chat\" is stored but no longer "
                         "reads (line 1, column"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("drop it or define it again"), std::string::npos) << message;
  EXPECT_NE(message.find("line 1, column 18: kpi"), std::string::npos) << message;  // at `fcr` in the evaluate
  // Other KPIs are judged as before, with nothing to warn about.
  Result r = Ok("evaluate volume from tickets by channel");
  EXPECT_TRUE(r.warnings.empty());
  ASSERT_EQ(r.rows.size(), 2u);
  // Listed by `show targets` as stored, with a warning.
  r = Ok("show targets");
  EXPECT_EQ(r.rows.size(), 2u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("target fcr where channel = \"chat\" is stored but no longer reads"), std::string::npos);
  // Dropping it mends the evaluate.
  Ok("drop target fcr where channel = \"chat\"");
  Ok("evaluate volume, fcr from tickets by channel");
}

TEST_F(UnreadableDefinitions, AScorecardThatNoLongerReadsFailsItsEvaluate) {
  Store("scorecard", "mix", "define scorecard mix = 50% fcr + 30% volume");  // weights sum to 0.8
  const std::string message = Fails("evaluate scorecard mix from tickets");
  EXPECT_NE(message.find("scorecard mix is stored but no longer reads (line 1, column"), std::string::npos) << message;
  EXPECT_EQ(message.find("unknown scorecard"), std::string::npos) << message;
  Result r = Ok("show scorecards");
  EXPECT_EQ(r.rows.size(), 1u);
  EXPECT_TRUE(Has(r.warnings, "scorecard mix is stored but no longer reads"));
}

TEST_F(UnreadableDefinitions, AnExemptionThatNoLongerReadsWarnsEveryEvaluate) {
  Store("exemption", "outage", "define exemption outage during 2025-10-02 .. 2025-10-01 exclude");
  Result r = Ok("evaluate volume from tickets");
  EXPECT_TRUE(Has(r.warnings, "exemption outage is stored but no longer reads (line 1, column"));
  EXPECT_TRUE(Has(r.warnings, "this evaluation is judged without it"));
  r = Ok("explain evaluate volume from tickets");
  EXPECT_TRUE(Has(r.warnings, "exemption outage is stored but no longer reads"));
  // A plain select ignores exemptions (contract, section 4): no warning.
  r = Ok("select count() from tickets");
  EXPECT_TRUE(r.warnings.empty());
  r = Ok("show exemptions");
  EXPECT_TRUE(Has(r.warnings, "exemption outage is stored but no longer reads"));
  EXPECT_TRUE(Ok("show targets").warnings.empty());
}

TEST_F(UnreadableDefinitions, ATextOfAnotherKindIsReported) {
  Store("calendar", "office", "define kpi x = count()");
  Result r = Ok("show calendars");
  EXPECT_TRUE(Has(r.warnings, "calendar office is stored but no longer reads (the stored text is not a `define "
                              "calendar` statement)"));
  // A statement using it is told why, not "unknown calendar".
  const std::string message = Fails("select p50(duration(created -> resolved in office)) from tickets");
  EXPECT_NE(message.find("calendar office is stored but no longer reads"), std::string::npos) << message;
  EXPECT_EQ(message.find("unknown calendar"), std::string::npos) << message;
}

// A value in a format this build does not decode (another version's, or
// damaged) is as unreadable as a text that no longer parses.
TEST_F(UnreadableDefinitions, AValueOfAnUnknownFormatIsReported) {
  ASSERT_TRUE(store_->WriteMeta({{"target", "fcr", "target9\nnot ours"}}).ok());
  ASSERT_TRUE(store_->WriteMeta({{"exemption", "outage", "\x01\x02"}}).ok());
  const std::string message = Fails("evaluate fcr from tickets");
  EXPECT_NE(message.find("kpi 'fcr' cannot be judged: target fcr is stored but no longer reads (stored in a format "
                         "this build does not read)"),
            std::string::npos)
      << message;
  Result r = Ok("evaluate volume from tickets");
  EXPECT_TRUE(Has(r.warnings, "exemption outage is stored but no longer reads (stored in a format this build does "
                              "not read)"));
  EXPECT_TRUE(Has(Ok("show targets").warnings, "target fcr is stored but no longer reads"));
}

// A target of a KPI dropped since never applies and is no warning (the KPI
// cannot be evaluated); defining the KPI again brings it back.
TEST_F(UnreadableDefinitions, ATargetOfADroppedKpiIsNoWarning) {
  Ok("define target fcr >= 0.9");
  Ok("drop kpi fcr");
  Result r = Ok("evaluate volume from tickets");
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_TRUE(Ok("show targets").warnings.empty());
  Ok("define kpi fcr = rate(has(resolved))");
  r = Ok("evaluate fcr from tickets");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.warnings.size(), 0u);
}

}  // namespace
}  // namespace kpi::query
