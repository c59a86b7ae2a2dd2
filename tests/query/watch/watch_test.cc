// Watches in the query layer (docs/query-language.md 17): `define watch`
// checks (including binding the watched statement), `show watches`, `drop
// watch`, the run history read by `select ... from watch NAME` (with
// `during` on run_at, `as of` and provenance), the run codec, alert
// transitions and their deliveries, `show alerts`, and webhook URLs. The
// scheduler that writes runs is the server's (tests/server/watch_*); here runs
// are written the way it writes them (AppendRunWrites + StateWrite).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "query/engine.h"
#include "query/watch/alerts.h"
#include "query/watch/watch_definition.h"
#include "query/watch/watch_runs.h"
#include "query/watch/webhook_url.h"
#include "storage/store.h"
#include "storage/timestamp.h"
#include "test_util.h"

namespace kpi::query {
namespace {

constexpr int64_t kT0 = 1749600000000;  // 2025-06-11T00:00:00Z

class WatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.sync = false;
    options.clock = [this] { return now_ms_; };
    ASSERT_TRUE(storage::Store::Open(dir_.path(), options, &store_).ok());
    engine_ = std::make_unique<Engine>(store_.get());
    std::vector<RawEvent> events;
    auto add = [&events](const char* ts, const char* ticket, const char* event, const char* channel) {
      RawEvent e;
      std::string why;
      ASSERT_TRUE(ParseRfc3339(ts, &e.ts_ms, &why)) << why;
      e.ticket = ticket;
      e.event = event;
      if (channel) e.dims.emplace_back("channel", channel);
      events.push_back(std::move(e));
    };
    add("2025-06-10T10:00:00Z", "T1", "created", "chat");
    add("2025-06-10T11:00:00Z", "T2", "created", "email");
    add("2025-06-10T11:30:00Z", "T2", "escalated", nullptr);
    std::vector<storage::EventReject> rejects;
    storage::IngestStats stats;
    ASSERT_TRUE(store_->Ingest(events, &rejects, &stats).ok());
    ASSERT_TRUE(Run("define kpi escalation = rate(has(escalated))").ok());
    ASSERT_TRUE(Run("define target escalation <= 10%").ok());
  }

  Status Run(const std::string& text, Result* out = nullptr, QueryError* error = nullptr, ExecOptions options = {}) {
    Result scratch;
    QueryError ignored;
    return engine_->Execute(text, options, out ? out : &scratch, error ? error : &ignored);
  }

  // Runs `watch`'s statement at `run_ms` and stores the run as the scheduler does.
  void RecordRun(const std::string& watch, int64_t run_ms) {
    DefinitionMap defs;
    ASSERT_TRUE(LoadDefinitions(*store_, DefinitionKind::kWatch, &defs).ok());
    WatchDefinition w;
    std::string why;
    ASSERT_TRUE(WatchFromStored(defs.at(watch), &w, &why)) << why;
    ExecOptions options;
    options.now_ms = run_ms;
    WatchRun run;
    run.run_ms = run_ms;
    run.group_columns = w.group_columns;
    QueryError error;
    ASSERT_TRUE(Run(w.statement, &run.result, &error, options).ok()) << error.ToString();
    std::vector<storage::Store::MetaWrite> writes;
    AppendRunWrites(watch, run, {}, &writes);
    WatchState state;
    state.last_run_ms = run_ms;
    state.last_ok = true;
    state.runs = 1;
    StateWrite(watch, state, &writes);
    ASSERT_TRUE(store_->WriteMeta(writes).ok());
  }

  kpi::testing::ScratchDir dir_{"kpi-watch"};
  int64_t now_ms_ = kT0;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(WatchTest, DefineChecksTheWatchAndItsStatement) {
  struct Bad {
    const char* text;
    const char* message;
  };
  const Bad bad[] = {
      {"define watch w every 500ms as select count() as n from tickets", "at least 1s"},
      {"define watch w every 1m keep 10s as select count() as n from tickets", "`keep` must be at least `every`"},
      // Overflowed milliseconds: 9e15s wrapped the scheduler's next instant
      // into the past (the watch ran at once), 1e300s read as "at most once a second".
      {"define watch w every 9e15s as select count() as n from tickets", "at most 10^12 seconds"},
      {"define watch w every 1e300s as select count() as n from tickets", "at most 10^12 seconds"},
      {"define watch w every 1m keep 1e300s as select count() as n from tickets", "at most 10^12 seconds"},
      {"define watch w every 1m as select count() as n from tickets as of 2025-06-01", "`as of` would freeze"},
      {"define watch w every 1m as select count() as run_at from tickets", "`run_at` is the run instant"},
      {"define watch w every 1m as select count() as n from tickets notify \"http://h/x\"", "notify needs rows"},
      {"define watch w every 1m as evaluate escalation from tickets notify \"https://h/x\"", "https is not supported"},
      {"define watch w every 1m as evaluate escalation from tickets notify \"http://:80/x\"", "no host"},
      {"define watch w every 1m as select count() as n from tickets where chanel = \"chat\"",
       "unknown column 'chanel'"},
      {"define watch w every 1m as evaluate escalaton from tickets", "unknown kpi 'escalaton'"},
      {"define watch w every 1m as select n from watch nosuch", "unknown watch 'nosuch'"},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.text);
    QueryError error;
    EXPECT_FALSE(Run(b.text, nullptr, &error).ok());
    EXPECT_NE(error.ToString().find(b.message), std::string::npos) << error.ToString();
  }
  Result shown;
  ASSERT_TRUE(Run("show watches", &shown).ok());
  EXPECT_TRUE(shown.rows.empty()) << "a refused define stores nothing";
}

TEST_F(WatchTest, BindErrorsPointIntoTheDefineStatement) {
  QueryError error;
  ASSERT_FALSE(Run("define watch w every 1m as\n  select count() as n from tickets by chanel", nullptr, &error).ok());
  EXPECT_EQ(error.line, 2);
  EXPECT_EQ(error.column, 39);
}

TEST_F(WatchTest, ShowWatchesListsDefinitionAndState) {
  Result r;
  ASSERT_TRUE(Run("define watch esc every 10s keep 1d as evaluate escalation from tickets during today by channel "
                  "notify \"http://127.0.0.1:9/hook\"",
                  &r)
                  .ok());
  EXPECT_EQ(r.message, "watch esc defined");
  ASSERT_TRUE(Run("show watches", &r).ok());
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.columns[0].name, "name");
  EXPECT_EQ(r.rows[0][0].text, "esc");
  EXPECT_DOUBLE_EQ(r.rows[0][1].number, 10);
  EXPECT_DOUBLE_EQ(r.rows[0][2].number, 86400);
  EXPECT_EQ(r.rows[0][3].text, "evaluate escalation from tickets during today by channel");
  EXPECT_EQ(r.rows[0][4].text, "http://127.0.0.1:9/hook");
  EXPECT_EQ(r.rows[0][6].text, "not run yet");

  std::vector<storage::Store::MetaWrite> writes;
  WatchState failed;
  failed.last_run_ms = kT0;
  failed.last_ok = false;
  failed.error = "line 1, column 8: unknown kpi 'escalation'";
  failed.runs = 3;
  failed.failures = 1;
  failed.skipped = 2;
  StateWrite("esc", failed, &writes);
  ASSERT_TRUE(store_->WriteMeta(writes).ok());
  ASSERT_TRUE(Run("show watches", &r).ok());
  EXPECT_EQ(r.rows[0][6].text, "failed");
  EXPECT_EQ(r.rows[0][7].time_ms, kT0);
  EXPECT_EQ(r.rows[0][8].text, failed.error);
  EXPECT_DOUBLE_EQ(r.rows[0][9].number, 3);
  EXPECT_DOUBLE_EQ(r.rows[0][10].number, 1);
  EXPECT_DOUBLE_EQ(r.rows[0][11].number, 2);
}

TEST_F(WatchTest, HistoryIsReadByFromWatch) {
  ASSERT_TRUE(Run("define watch esc every 1h as evaluate escalation from tickets during last 1d by channel").ok());
  // Runs on 06-11 at 00:00, 01:00 and 12:00: the window slides past T1 and T2
  // (created 06-10 10:00 and 11:00) at the last one.
  RecordRun("esc", kT0);
  RecordRun("esc", kT0 + 3600000);
  RecordRun("esc", kT0 + 12 * 3600000);
  Result r;
  QueryError error;
  ASSERT_TRUE(Run("select count() as n, max(value) as worst from watch esc by channel", &r, &error).ok())
      << error.ToString();
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0][0].text, "chat");
  EXPECT_DOUBLE_EQ(r.rows[0][1].number, 2);
  EXPECT_DOUBLE_EQ(r.rows[0][2].number, 0);
  EXPECT_EQ(r.rows[1][0].text, "email");
  EXPECT_DOUBLE_EQ(r.rows[1][1].number, 2);
  EXPECT_DOUBLE_EQ(r.rows[1][2].number, 1);

  // run_at is a column; `during` cuts on it (absolute and relative).
  ASSERT_TRUE(Run("select count() as n, min(run_at) as first from watch esc where met = false", &r).ok());
  EXPECT_DOUBLE_EQ(r.rows[0][0].number, 2);
  EXPECT_EQ(r.rows[0][1].time_ms, kT0);
  ASSERT_TRUE(Run("select count() as n from watch esc during 2025-06-11T00:30:00Z .. 2025-06-12", &r).ok());
  EXPECT_DOUBLE_EQ(r.rows[0][0].number, 2);
  now_ms_ = kT0 + 13 * 3600000;
  ASSERT_TRUE(Run("select count() as n from watch esc during last 2h", &r).ok());
  EXPECT_DOUBLE_EQ(r.rows[0][0].number, 0) << "the last run (12:00) had no rows: nothing within 2h";
  ASSERT_TRUE(Run("select count() as n from watch esc during last 13h", &r).ok());
  EXPECT_DOUBLE_EQ(r.rows[0][0].number, 4) << "the runs of 00:00 and 01:00, two rows each";
  ASSERT_TRUE(r.provenance.now_ms.has_value());
  EXPECT_EQ(*r.provenance.now_ms, now_ms_);
  ASSERT_EQ(r.provenance.windows.size(), 1u);
  EXPECT_EQ(r.provenance.windows[0].start_ms, kT0);

  // `as of` sees the runs recorded by then; provenance names the watch.
  ASSERT_TRUE(Run("select count() as n from watch esc as of 2025-06-11T00:30:00Z", &r).ok());
  EXPECT_DOUBLE_EQ(r.rows[0][0].number, 2);
  bool named = false;
  for (const DefinitionRef& d : r.provenance.definitions) named |= d.kind == "watch" && d.name == "esc";
  EXPECT_TRUE(named);

  ASSERT_FALSE(Run("select count() as n from watch ecs", nullptr, &error).ok());
  EXPECT_NE(error.message.find("unknown watch 'ecs' (did you mean 'esc'?)"), std::string::npos) << error.message;
  ASSERT_FALSE(Run("evaluate escalation from watch esc", nullptr, &error).ok());
  EXPECT_NE(error.message.find("not over a watch's history"), std::string::npos) << error.message;
}

TEST_F(WatchTest, DropForgetsRunsStateAndAlerts) {
  ASSERT_TRUE(Run("define watch esc every 1h as evaluate escalation from tickets by channel notify \"http://h/x\"").ok());
  RecordRun("esc", kT0);
  AlertRecord a;
  a.watch = "esc";
  a.key = "[\"escalation\",\"email\"]";
  a.kpi = "escalation";
  a.firing = true;
  a.since_ms = kT0;
  std::vector<storage::Store::MetaWrite> writes;
  AlertUpdate update;
  update.changed.push_back(a);
  AlertWrites(update, &writes);
  ASSERT_TRUE(store_->WriteMeta(writes).ok());
  ASSERT_TRUE(Run("drop watch esc").ok());
  std::vector<int64_t> runs;
  ASSERT_TRUE(ListWatchRunTimes(*store_, "esc", &runs).ok());
  EXPECT_TRUE(runs.empty());
  std::vector<AlertRecord> alerts;
  ASSERT_TRUE(LoadAlerts(*store_, &alerts).ok());
  EXPECT_TRUE(alerts.empty());
  WatchState state;
  ASSERT_TRUE(LoadWatchState(*store_, "esc", &state).ok());
  EXPECT_EQ(state.runs, 0u);
  QueryError error;
  EXPECT_FALSE(Run("drop watch esc", nullptr, &error).ok());
  EXPECT_NE(error.message.find("unknown watch 'esc'"), std::string::npos);
}

TEST(WatchRunCodec, RoundTripsEveryType) {
  WatchRun run;
  run.group_columns = 1;
  run.result.columns = {{"channel", ValueType::kString}, {"n", ValueType::kNumber},  {"t", ValueType::kDuration},
                        {"at", ValueType::kTime},        {"ok", ValueType::kBool}};
  run.result.rows = {{Value::String("chat \"1\"\n"), Value::Number(0.1), Value::Duration(90.5), Value::Time(kT0),
                      Value::Bool(true)},
                     {Value::Null(), Value::Number(std::nan("")), Value::Null(), Value::Null(), Value::Bool(false)}};
  WatchRun back;
  ASSERT_TRUE(DecodeWatchRun(kT0, EncodeWatchRun(run), &back));
  EXPECT_EQ(back.run_ms, kT0);
  EXPECT_EQ(back.group_columns, 1u);
  ASSERT_EQ(back.result.columns.size(), 5u);
  EXPECT_EQ(back.result.columns[2].type, ValueType::kDuration);
  EXPECT_TRUE(back.result.rows[0] == run.result.rows[0]);
  EXPECT_TRUE(back.result.rows[1][1].is_null()) << "NaN is stored as null";
  EXPECT_FALSE(DecodeWatchRun(kT0, "{\"columns\":[{\"name\":\"x\",\"type\":\"nope\"}],\"rows\":[]}", &back));
  EXPECT_FALSE(DecodeWatchRun(kT0, "not json", &back));
}

TEST(WatchHistory, ColumnsFollowTheNewestRun) {
  WatchRun old_run, new_run;
  old_run.run_ms = 1;
  old_run.result.columns = {{"a", ValueType::kNumber}, {"b", ValueType::kString}};
  old_run.result.rows = {{Value::Number(1), Value::String("x")}};
  new_run.run_ms = 2;
  new_run.result.columns = {{"b", ValueType::kString}, {"c", ValueType::kNumber}, {"a", ValueType::kString}};
  new_run.result.rows = {{Value::String("y"), Value::Number(3), Value::String("z")}};
  const Result t = WatchHistoryTable({old_run, new_run});
  ASSERT_EQ(t.columns.size(), 4u);
  EXPECT_EQ(t.columns[0].name, "run_at");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][1].text, "x");
  EXPECT_TRUE(t.rows[0][2].is_null()) << "the old run has no c";
  EXPECT_TRUE(t.rows[0][3].is_null()) << "the old run's a is a number, the newest's a string";
  EXPECT_EQ(t.rows[1][3].text, "z");
}

// An evaluate watch's rows: channel | kpi | value | op | target | met.
WatchRun EvalRun(int64_t run_ms, std::vector<std::pair<std::string, Value>> met_by_channel) {
  WatchRun run;
  run.run_ms = run_ms;
  run.group_columns = 1;
  run.result.columns = {{"channel", ValueType::kString}, {"kpi", ValueType::kString}, {"value", ValueType::kNumber},
                        {"op", ValueType::kString},      {"target", ValueType::kNumber}, {"met", ValueType::kBool}};
  for (auto& [channel, met] : met_by_channel)
    run.result.rows.push_back({Value::String(channel), Value::String("escalation"),
                               Value::Number(met.type == ValueType::kBool && !met.boolean ? 0.2 : 0.01),
                               Value::String("<="), Value::Number(0.1), met});
  return run;
}

std::map<std::string, AlertRecord> Apply(const AlertUpdate& u, std::map<std::string, AlertRecord> current) {
  for (const AlertRecord& a : u.changed) current[a.key] = a;
  for (const AlertRecord& a : u.forgotten) current.erase(a.key);
  return current;
}

TEST(Alerts, FireOnceResolveOnceAndForget) {
  WatchDefinition w;
  w.name = "esc";
  w.evaluate = true;
  w.group_columns = 1;
  w.judged = true;
  w.keep_ms = 3600000;
  w.notify = "http://127.0.0.1:9/hook";
  std::map<std::string, AlertRecord> alerts;

  AlertUpdate u = JudgeRun(w, EvalRun(kT0, {{"chat", Value::Bool(true)}, {"email", Value::Bool(false)}}), alerts);
  ASSERT_EQ(u.changed.size(), 1u) << "only the failing row fires";
  ASSERT_EQ(u.deliveries.size(), 1u);
  const nlohmann::json body = nlohmann::json::parse(u.deliveries[0].body);
  EXPECT_EQ(body["status"], "firing");
  EXPECT_EQ(body["watch"], "esc");
  EXPECT_EQ(body["kpi"], "escalation");
  EXPECT_EQ(body["groups"]["channel"], "email");
  EXPECT_DOUBLE_EQ(body["value"].get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(body["target"].get<double>(), 0.1);
  EXPECT_EQ(body["op"], "<=");
  EXPECT_EQ(body["since"], "2025-06-11T00:00:00Z");
  EXPECT_EQ(body["run_at"], "2025-06-11T00:00:00Z");
  EXPECT_EQ(u.deliveries[0].url, "http://127.0.0.1:9/hook");
  alerts = Apply(u, alerts);

  // Still failing, or met unknown, or the row gone: nothing new.
  u = JudgeRun(w, EvalRun(kT0 + 10000, {{"email", Value::Bool(false)}}), alerts);
  EXPECT_TRUE(u.changed.empty() && u.deliveries.empty());
  u = JudgeRun(w, EvalRun(kT0 + 20000, {{"email", Value::Null()}}), alerts);
  EXPECT_TRUE(u.changed.empty() && u.deliveries.empty());
  u = JudgeRun(w, EvalRun(kT0 + 30000, {{"chat", Value::Bool(true)}}), alerts);
  EXPECT_TRUE(u.changed.empty() && u.deliveries.empty());

  u = JudgeRun(w, EvalRun(kT0 + 40000, {{"email", Value::Bool(true)}}), alerts);
  ASSERT_EQ(u.deliveries.size(), 1u);
  const nlohmann::json resolved = nlohmann::json::parse(u.deliveries[0].body);
  EXPECT_EQ(resolved["status"], "resolved");
  EXPECT_EQ(resolved["since"], "2025-06-11T00:00:00Z");
  EXPECT_EQ(resolved["resolved_at"], "2025-06-11T00:00:40Z");
  EXPECT_NE(resolved["id"], body["id"]);
  alerts = Apply(u, alerts);
  EXPECT_FALSE(alerts.begin()->second.firing);

  // Resolved longer than keep ago: forgotten.
  u = JudgeRun(w, EvalRun(kT0 + 40000 + w.keep_ms + 1, {{"email", Value::Bool(true)}}), alerts);
  ASSERT_EQ(u.forgotten.size(), 1u);
  EXPECT_TRUE(u.deliveries.empty());

  // Without notify, nothing is tracked.
  w.notify.reset();
  EXPECT_TRUE(JudgeRun(w, EvalRun(kT0, {{"email", Value::Bool(false)}}), {}).changed.empty());
}

TEST_F(WatchTest, DeliveriesAndShowAlerts) {
  ASSERT_TRUE(
      Run("define watch esc every 10s as evaluate escalation from tickets by channel notify \"http://127.0.0.1:9/h\"")
          .ok());
  DefinitionMap defs;
  ASSERT_TRUE(LoadDefinitions(*store_, DefinitionKind::kWatch, &defs).ok());
  WatchDefinition w;
  std::string why;
  ASSERT_TRUE(WatchFromStored(defs.at("esc"), &w, &why)) << why;
  AlertUpdate u = JudgeRun(w, EvalRun(kT0, {{"chat", Value::Bool(false)}, {"email", Value::Bool(false)}}), {});
  std::vector<storage::Store::MetaWrite> writes;
  AlertWrites(u, &writes);
  ASSERT_TRUE(store_->WriteMeta(writes).ok());
  std::vector<Delivery> pending;
  ASSERT_TRUE(LoadDeliveries(*store_, &pending).ok());
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].body, u.deliveries[0].body);
  ASSERT_TRUE(FinishDelivery(store_.get(), pending[0], "delivered").ok());
  ASSERT_TRUE(LoadDeliveries(*store_, &pending).ok());
  EXPECT_EQ(pending.size(), 1u);

  Result r;
  ASSERT_TRUE(Run("show alerts", &r).ok());
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.message, "2 firing, 0 resolved");
  EXPECT_EQ(r.rows[0][0].text, "esc");
  EXPECT_EQ(r.rows[0][2].text, "channel=chat");
  EXPECT_EQ(r.rows[0][3].text, "firing");
  EXPECT_EQ(r.rows[0][4].time_ms, kT0);
  EXPECT_TRUE(r.rows[0][5].is_null());
  EXPECT_DOUBLE_EQ(r.rows[0][6].number, 0.2);
  EXPECT_EQ(r.rows[0][9].text, "delivered");
  EXPECT_EQ(r.rows[1][9].text, "pending");
}

TEST(WebhookUrls, ParseAndRefuse) {
  WebhookUrl u;
  std::string why;
  ASSERT_TRUE(ParseWebhookUrl("http://127.0.0.1:9093/api/v2/alerts?x=1", &u, &why)) << why;
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, "9093");
  EXPECT_EQ(u.target, "/api/v2/alerts?x=1");
  ASSERT_TRUE(ParseWebhookUrl("http://hooks.example", &u, &why));
  EXPECT_EQ(u.port, "80");
  EXPECT_EQ(u.target, "/");
  ASSERT_TRUE(ParseWebhookUrl("http://[::1]:8080/h", &u, &why));
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, "8080");
  ASSERT_TRUE(ParseWebhookUrl("http://[::1]/h", &u, &why)) << why;
  EXPECT_EQ(u.port, "80");
  for (const char* bad : {"ftp://h/x", "https://h/x", "http://", "http://h:0/x", "http://h:99999/", "http://u@h/",
                          "http://h/a b", "http://[::1/x", "http://h:/x"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(ParseWebhookUrl(bad, &u, &why));
    EXPECT_FALSE(why.empty());
  }
}

}  // namespace
}  // namespace kpi::query
