// The watch scheduler (server/watch_scheduler.h) over the real engine: runs
// on whole multiples of `every`, history read back with `from watch`,
// retention, the /metrics gauges, a failing watch marked failed and retried,
// skipped instants while a run is still going (never two runs of a watch
// at once), and a restart that exports the last run before running again.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>

#include "server/watch/watch_fixture.h"
#include "server/watch_metrics.h"

namespace kpi::server::testing {
namespace {

bool Contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

class WatchSchedulerTest : public WatchFixture {
 protected:
  void SetUp() override {
    WatchFixture::SetUp();
    Ingest({{"2025-06-10T10:00:00Z", "T1", "created", "chat"},
            {"2025-06-10T11:00:00Z", "T2", "created", "email"},
            {"2025-06-10T11:30:00Z", "T2", "escalated", ""}});
    Run("define kpi escalation = rate(has(escalated))");
    Run("define target escalation <= 10%");
  }
};

TEST_F(WatchSchedulerTest, RunsOnScheduleKeepsHistoryAndExportsGauges) {
  Run("define watch esc every 1s as evaluate escalation from tickets by channel");
  StartWatches();
  ASSERT_TRUE(WaitUntil([&] { return State("esc").runs >= 3; }, 15000)) << State("esc").runs;
  EXPECT_TRUE(State("esc").last_ok) << State("esc").error;

  const query::Result runs = Run("select count() as n from watch esc where channel = \"email\" by run_at, value");
  ASSERT_GE(runs.rows.size(), 3u);
  for (size_t i = 0; i < runs.rows.size(); ++i) {
    EXPECT_EQ(runs.rows[i][0].time_ms % 1000, 0) << "runs happen on whole seconds";
    EXPECT_DOUBLE_EQ(runs.rows[i][1].number, 1);
    EXPECT_DOUBLE_EQ(runs.rows[i][2].number, 1) << "one email row per run";
    if (i > 0) {
      EXPECT_GE(runs.rows[i][0].time_ms - runs.rows[i - 1][0].time_ms, 1000);
    }
  }
  const query::Result shown = Run("show watches");
  ASSERT_EQ(shown.rows.size(), 1u);
  EXPECT_EQ(shown.rows[0][6].text, "ok");
  EXPECT_GE(shown.rows[0][9].number, 3);

  const std::string metrics = scheduler_->RenderPrometheus();
  EXPECT_TRUE(Contains(metrics, "# TYPE kpistore_watch_value gauge")) << metrics;
  EXPECT_TRUE(Contains(metrics, "kpistore_watch_value{watch=\"esc\",kpi=\"escalation\",channel=\"email\"} 1\n"))
      << metrics;
  EXPECT_TRUE(Contains(metrics, "kpistore_watch_value{watch=\"esc\",kpi=\"escalation\",channel=\"chat\"} 0\n"))
      << metrics;
  EXPECT_TRUE(Contains(metrics, "kpistore_watch_target{watch=\"esc\",kpi=\"escalation\",channel=\"chat\"} 0.1\n"))
      << metrics;
  EXPECT_TRUE(Contains(metrics, "kpistore_watch_met{watch=\"esc\",kpi=\"escalation\",channel=\"email\"} 0\n"))
      << metrics;
  EXPECT_TRUE(Contains(metrics, "kpistore_watch_met{watch=\"esc\",kpi=\"escalation\",channel=\"chat\"} 1\n"))
      << metrics;
  EXPECT_TRUE(Contains(metrics, "kpistore_watch_failed{watch=\"esc\"} 0\n")) << metrics;
  EXPECT_TRUE(Contains(metrics, "kpistore_watch_last_run_timestamp_seconds{watch=\"esc\"} ")) << metrics;
}

TEST_F(WatchSchedulerTest, RetentionKeepsOnlyRecentRuns) {
  Run("define watch esc every 1s keep 2s as evaluate escalation from tickets");
  StartWatches();
  ASSERT_TRUE(WaitUntil([&] { return State("esc").runs >= 5; }, 20000));
  StopWatches();
  std::vector<int64_t> times;
  ASSERT_TRUE(query::ListWatchRunTimes(*scratch_.store, "esc", &times).ok());
  ASSERT_FALSE(times.empty());
  EXPECT_LE(times.size(), 3u) << "runs older than 2s before the newest are deleted";
  EXPECT_LE(times.back() - times.front(), 2000);
}

TEST_F(WatchSchedulerTest, FailedWatchIsMarkedAndRetriedNextPeriod) {
  Run("define kpi volume = count()");
  Run("define watch v every 1s as select volume from tickets");
  Run("drop kpi volume");
  StartWatches();
  ASSERT_TRUE(WaitUntil([&] { return State("v").failures >= 2; }, 15000));
  EXPECT_FALSE(State("v").last_ok);
  EXPECT_TRUE(Contains(State("v").error, "unknown column 'volume'")) << State("v").error;
  const query::Result shown = Run("show watches");
  ASSERT_EQ(shown.rows.size(), 1u);
  EXPECT_EQ(shown.rows[0][6].text, "failed");
  EXPECT_TRUE(Contains(shown.rows[0][8].text, "unknown column 'volume'")) << shown.rows[0][8].text;
  EXPECT_TRUE(Contains(scheduler_->RenderPrometheus(), "kpistore_watch_failed{watch=\"v\"} 1\n"));

  Run("define kpi volume = count()");
  ASSERT_TRUE(WaitUntil([&] { return State("v").last_ok; }, 15000)) << "the next run succeeds";
  EXPECT_TRUE(Contains(scheduler_->RenderPrometheus(), "kpistore_watch_value{watch=\"v\",kpi=\"volume\"} 2\n"));
  EXPECT_TRUE(Contains(scheduler_->RenderPrometheus(), "kpistore_watch_failed{watch=\"v\"} 0\n"));
}

TEST_F(WatchSchedulerTest, SlowRunsSkipInstantsAndNeverOverlap) {
  std::atomic<int> running{0}, most{0};
  QueryRunner engine = EngineRunner();
  QueryRunner slow = [&](std::string_view text, const query::ExecOptions& o, query::Result* r, query::QueryError* e) {
    const int now = ++running;
    most.store(std::max(most.load(), now));
    std::this_thread::sleep_for(std::chrono::milliseconds(2300));
    --running;
    return engine(text, o, r, e);
  };
  Run("define watch slow every 1s as select count() as n from tickets");
  StartWatches(slow);
  ASSERT_TRUE(WaitUntil([&] { return State("slow").runs >= 2; }, 20000));
  EXPECT_EQ(most.load(), 1) << "one run of a watch at a time";
  EXPECT_GE(State("slow").skipped, 2u) << "each run spans two more instants";
  EXPECT_TRUE(Contains(scheduler_->RenderPrometheus(), "kpistore_watch_skipped_total{watch=\"slow\"} "));
}

TEST_F(WatchSchedulerTest, RestartExportsTheLastRunAtOnce) {
  Run("define watch esc every 1h as evaluate escalation from tickets by channel");
  // An hourly watch: a restart must not wait an hour to export its gauges.
  std::vector<storage::Store::MetaWrite> writes;
  query::WatchRun run;
  run.run_ms = 1749600000000;
  run.group_columns = 1;
  run.result = Run("evaluate escalation from tickets by channel");
  query::AppendRunWrites("esc", run, {}, &writes);
  query::WatchState state;
  state.last_run_ms = run.run_ms;
  state.last_ok = true;
  state.runs = 7;
  query::StateWrite("esc", state, &writes);
  ASSERT_TRUE(scratch_.store->WriteMeta(writes).ok());
  StartWatches();
  ASSERT_TRUE(WaitUntil([&] { return State("esc").runs == 7; }, 5000));
  const std::string metrics = scheduler_->RenderPrometheus();
  EXPECT_TRUE(Contains(metrics, "kpistore_watch_value{watch=\"esc\",kpi=\"escalation\",channel=\"email\"} 1\n"))
      << metrics;
  EXPECT_TRUE(Contains(metrics, "kpistore_watch_runs_total{watch=\"esc\"} 7\n")) << metrics;
}

TEST_F(WatchSchedulerTest, DroppedWatchStopsAndLeavesTheGauges) {
  Run("define watch esc every 1s as evaluate escalation from tickets");
  StartWatches();
  ASSERT_TRUE(WaitUntil([&] { return State("esc").runs >= 1; }, 15000));
  Run("drop watch esc");
  ASSERT_TRUE(WaitUntil([&] { return scheduler_->Stats().empty(); }, 5000));
  EXPECT_FALSE(Contains(scheduler_->RenderPrometheus(), "watch=\"esc\""));
}

TEST(WatchMetrics, LabelNamesAndSelectColumns) {
  EXPECT_EQ(WatchLabelName("channel"), "channel");
  EXPECT_EQ(WatchLabelName("agents.role"), "agents_role");
  EXPECT_EQ(WatchLabelName("agent_of(resolved)"), "agent_of_resolved_");
  EXPECT_EQ(WatchLabelName("15m"), "group_15m");
  EXPECT_EQ(WatchLabelName("kpi"), "group_kpi");
  EXPECT_EQ(WatchLabelName("__name__"), "group___name__");

  WatchMetricsInput w;
  w.def.name = "vol";
  w.state.last_run_ms = 1749600000000;
  w.state.last_ok = true;
  w.state.runs = 1;
  auto run = std::make_shared<query::WatchRun>();
  run->group_columns = 2;
  run->result.columns = {{"day", query::ValueType::kTime}, {"team", query::ValueType::kString},
                         {"n", query::ValueType::kNumber}, {"frt", query::ValueType::kDuration},
                         {"note", query::ValueType::kString}};
  run->result.rows = {{query::Value::Time(1749600000000), query::Value::String("a\"b\\c"), query::Value::Number(3),
                       query::Value::Duration(90.5), query::Value::String("x")},
                      {query::Value::Time(1749600000000), query::Value::Null(), query::Value::Null(),
                       query::Value::Duration(1), query::Value::String("y")}};
  w.latest = run;
  const std::string text = RenderWatchMetrics({w});
  EXPECT_TRUE(Contains(text, "kpistore_watch_value{watch=\"vol\",kpi=\"n\",day=\"2025-06-11T00:00:00Z\",team=\"a\\\"b\\\\c\"} 3\n"))
      << text;
  EXPECT_TRUE(Contains(text, "kpistore_watch_value{watch=\"vol\",kpi=\"frt\",day=\"2025-06-11T00:00:00Z\",team=\"a\\\"b\\\\c\"} 90.5\n"))
      << text;
  EXPECT_TRUE(Contains(text, "kpistore_watch_value{watch=\"vol\",kpi=\"frt\",day=\"2025-06-11T00:00:00Z\",team=\"\"} 1\n"))
      << text;
  EXPECT_FALSE(Contains(text, "kpi=\"note\"")) << "strings are not values";
  EXPECT_FALSE(Contains(text, "kpi=\"n\",day=\"2025-06-11T00:00:00Z\",team=\"\"")) << "a null value is no sample";
  EXPECT_TRUE(Contains(text, "kpistore_watch_last_run_timestamp_seconds{watch=\"vol\"} 1749600000\n")) << text;
}

}  // namespace
}  // namespace kpi::server::testing
