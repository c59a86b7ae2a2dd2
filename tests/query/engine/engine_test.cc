// End-to-end: statements through Engine::Execute on small stores built with
// Store::Ingest from hand-written events. Expected values worked out by hand
// in the comments.
#include "query/engine.h"

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli/gen/generator.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::query {
namespace {

constexpr int64_t kDay = 86400000;

int64_t Ms(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  // Days from civil (proleptic Gregorian), enough for the tests.
  y -= mo <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = era * 146097 + doe - 719468;
  return ((days * 24 + h) * 60 + mi) * 60000 + s * 1000LL;
}

RawEvent Ev(int64_t ts, const std::string& ticket, const std::string& event, const std::string& agent = "",
            std::vector<std::pair<std::string, std::string>> dims = {},
            std::vector<std::pair<std::string, double>> measures = {}) {
  RawEvent e;
  e.ts_ms = ts;
  e.ticket = ticket;
  e.event = event;
  e.agent = agent;
  e.dims = std::move(dims);
  e.measures = std::move(measures);
  return e;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(2048); }

  void Open(uint32_t tickets_per_segment) {
    engine_.reset();
    store_.reset();
    dir_ = std::make_unique<kpi::testing::ScratchDir>("kpi-engine");
    storage::StoreOptions options;
    options.sync = false;
    options.cache_bytes = 64 << 20;
    options.max_tickets_per_segment = tickets_per_segment;
    options.clock = [this] { return now_ms_; };
    ASSERT_TRUE(storage::Store::Open(dir_->path(), options, &store_).ok());
    engine_ = std::make_unique<Engine>(store_.get());
  }

  void Ingest(int64_t at_ms, const std::vector<RawEvent>& events) {
    now_ms_ = at_ms;
    std::vector<storage::EventReject> rejects;
    storage::IngestStats stats;
    ASSERT_TRUE(store_->Ingest(events, &rejects, &stats).ok());
    ASSERT_TRUE(rejects.empty());
  }

  Result Run(const std::string& q, const ExecOptions& options = ExecOptions{}) {
    Result r;
    QueryError err;
    const Status st = engine_->Execute(q, options, &r, &err);
    EXPECT_TRUE(st.ok()) << q << "\n" << st.ToString() << "\n" << err.ToString();
    return r;
  }

  QueryError Fails(const std::string& q, Status* status = nullptr) {
    Result r;
    QueryError err;
    const Status st = engine_->Execute(q, ExecOptions{}, &r, &err);
    EXPECT_FALSE(st.ok()) << q;
    if (status) *status = st;
    return err;
  }

  // Seven tickets of the contract examples (tests/query/cases/contract_examples.test).
  void LoadContractTickets() {
    const auto D = [](int mo, int d, int h, int mi = 0, int s = 0) { return Ms(2025, mo, d, h, mi, s); };
    using Dims = std::vector<std::pair<std::string, std::string>>;
    auto created = [&](int64_t ts, const char* t, const char* ch, const char* team, const char* cat, const char* cust) {
      return Ev(ts, t, "created", "", Dims{{"channel", ch}, {"team", team}, {"category", cat}, {"customer", cust}});
    };
    auto reply = [](int64_t ts, const char* t, const char* a, double hs, double cost) {
      return Ev(ts, t, "agent_reply", a, {}, {{"handle_seconds", hs}, {"cost", cost}});
    };
    Ingest(Ms(2025, 4, 10), {
        created(D(1, 6, 9), "T1", "email", "billing", "refund", "C1"), reply(D(1, 6, 9, 10), "T1", "a1", 300, 4),
        Ev(D(1, 6, 11), "T1", "resolved", "a1"), Ev(D(1, 8, 10), "T1", "rated", "", {}, {{"csat", 5}}),
        Ev(D(1, 10, 9), "T1", "qa_reviewed", "", {}, {{"accurate", 1}}),
        created(D(1, 7, 10), "T2", "email", "tech", "bug", "C2"), reply(D(1, 7, 10, 30), "T2", "a2", 600, 6),
        Ev(D(1, 7, 11), "T2", "customer_reply"), Ev(D(1, 7, 11, 30), "T2", "escalated"),
        reply(D(1, 7, 12), "T2", "a2", 200, 2), Ev(D(1, 7, 14), "T2", "resolved", "a2"),
        Ev(D(1, 9, 8), "T2", "rated", "", {}, {{"csat", 3}}), Ev(D(1, 10, 9), "T2", "qa_reviewed", "", {}, {{"accurate", 0}}),
        created(D(1, 8, 8), "T3", "chat", "billing", "refund", "C1"), reply(D(1, 8, 8, 0, 30), "T3", "a1", 120, 1),
        Ev(D(1, 8, 8, 5), "T3", "escalated"), Ev(D(1, 8, 9), "T3", "resolved", "a3"), Ev(D(1, 9, 9), "T3", "reopened"),
        reply(D(1, 9, 9, 30), "T3", "a3", 100, 2), Ev(D(1, 9, 10), "T3", "resolved", "a3"),
        Ev(D(1, 10, 12), "T3", "rated", "", {}, {{"csat", 2}}),
        created(D(2, 3, 12), "T4", "chat", "tech", "bug", "C3"), reply(D(2, 3, 12, 1), "T4", "a2", 60, 1),
        reply(D(2, 3, 12, 10), "T4", "a2", 30, 1), Ev(D(2, 3, 12, 31), "T4", "resolved", "a2"),
        Ev(D(2, 5, 9), "T4", "qa_reviewed", "", {}, {{"accurate", 1}}),
        created(D(2, 10, 9), "T5", "email", "billing", "refund", "C1"), reply(D(2, 10, 9, 20), "T5", "a1", 400, 5),
        created(D(3, 31, 23), "T6", "chat", "tech", "refund", "C4"), reply(D(3, 31, 23, 2), "T6", "a3", 90, 2),
        Ev(D(4, 1, 1), "T6", "resolved", "a3"), Ev(D(4, 2, 8), "T6", "rated", "", {}, {{"csat", 4}}),
        created(D(4, 2, 10), "T7", "email", "billing", "refund", "C1"), reply(D(4, 2, 10, 5), "T7", "a1", 200, 3),
        Ev(D(4, 2, 10, 30), "T7", "resolved", "a1"), Ev(D(4, 3, 9), "T7", "qa_reviewed", "", {}, {{"accurate", 1}}),
    });
  }

  int64_t now_ms_ = 0;
  std::unique_ptr<kpi::testing::ScratchDir> dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Engine> engine_;
};

std::string Str(const Value& v) {
  switch (v.type) {
    case ValueType::kNull: return "NULL";
    case ValueType::kBool: return v.boolean ? "true" : "false";
    case ValueType::kNumber:
    case ValueType::kDuration: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.10g", v.number);
      return buf;
    }
    case ValueType::kTime: return "@" + std::to_string(v.time_ms);
    case ValueType::kString: return v.text;
  }
  return "?";
}

// "a,b,c" per row.
std::vector<std::string> Rows(const Result& r) {
  std::vector<std::string> out;
  for (const auto& row : r.rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += (i ? "," : "") + Str(row[i]);
    out.push_back(line);
  }
  return out;
}

using Lines = std::vector<std::string>;

TEST_F(EngineTest, FirstResponseTimePercentilesByChannel) {
  LoadContractTickets();
  // chat FRTs 30, 60, 120: p50 60, p90 60 + 0.8 * 60 = 108; email 600, 1200, 1800: p50 1200, p90 1680.
  const Result r = Run(
      "select count() as tickets, p50(duration(created -> agent_reply)) as frt_p50,\n"
      "       p90(duration(created -> agent_reply)) as frt_p90\n"
      "from tickets during 2025-01-01 .. 2025-04-01 by channel");
  ASSERT_EQ(r.columns.size(), 4u);
  EXPECT_EQ(r.columns[0].name, "channel");
  EXPECT_EQ(r.columns[2].type, ValueType::kDuration);
  EXPECT_EQ(Rows(r), (Lines{"chat,3,60,108", "email,3,1200,1680"}));
  EXPECT_EQ(r.tz, "UTC");
  EXPECT_GT(r.stats.rows_read, 0u);
}

TEST_F(EngineTest, ContractExamplesOnTickets) {
  LoadContractTickets();
  const int64_t jan6 = Ms(2025, 1, 6), feb10 = Ms(2025, 2, 10), mar31 = Ms(2025, 3, 31);
  EXPECT_EQ(Rows(Run("select rate(duration(created -> agent_reply) <= 15m) as on_time from tickets "
                     "where channel = \"email\" by week")),
            (Lines{"@" + std::to_string(jan6) + ",0.5", "@" + std::to_string(feb10) + ",0",
                   "@" + std::to_string(mar31) + ",1"}));
  EXPECT_EQ(Rows(Run("select rate(count_of(agent_reply before resolved) = 1 and not has(reopened)) as fcr "
                     "from tickets where has(resolved) by team")),
            (Lines{"billing,0.6666666667", "tech,0.3333333333"}));
  // At the first resolved: refund Jan 7200 / 3600, refund Apr 7200 / 1800.
  const Result res = Run("select avg(duration(created -> resolved)) as avg_res, "
                         "p90(duration(created -> resolved)) as p90_res from tickets at resolved by category, month");
  EXPECT_EQ(Rows(res), (Lines{"bug,@" + std::to_string(Ms(2025, 1, 1)) + ",14400,14400",
                              "bug,@" + std::to_string(Ms(2025, 2, 1)) + ",1860,1860",
                              "refund,@" + std::to_string(Ms(2025, 1, 1)) + ",5400,6840",
                              "refund,@" + std::to_string(Ms(2025, 4, 1)) + ",4500,6660"}));
  EXPECT_EQ(Rows(Run("select avg(csat) as csat, rate(csat >= 4) as satisfied from tickets where has(rated) "
                     "by agent_of(resolved), quarter")),
            (Lines{"a1,@" + std::to_string(Ms(2025, 1, 1)) + ",5,1", "a2,@" + std::to_string(Ms(2025, 1, 1)) + ",3,0",
                   "a3,@" + std::to_string(Ms(2025, 1, 1)) + ",3,0.5"}));
  // T3 repeats T1 (same customer and category two days later).
  EXPECT_EQ(Rows(Run("select rate(repeat_within(7d, customer, category)) as r from tickets by month"))[0],
            "@" + std::to_string(Ms(2025, 1, 1)) + ",0.3333333333");
  const Result names = Run("select count(), avg(csat) from tickets");
  EXPECT_EQ(names.columns[0].name, "count()");
  EXPECT_EQ(names.columns[1].name, "avg(csat)");
  EXPECT_EQ(Rows(names), (Lines{"7,3.5"}));
}

TEST_F(EngineTest, EventsSourceWithStickyDimensionsAndZones) {
  LoadContractTickets();
  // QA reviews inherit team from `created`: billing 1, 1; tech 0, 1.
  EXPECT_EQ(Rows(Run("select avg(accurate) as accuracy from events where event = \"qa_reviewed\" by team")),
            (Lines{"billing,1", "tech,0.5"}));
  const Result sh = Run("select count() as replies, avg(handle_seconds) as aht from events "
                        "where event = \"agent_reply\" by agent, day tz \"Asia/Shanghai\"");
  EXPECT_EQ(sh.tz, "Asia/Shanghai");
  ASSERT_EQ(sh.rows.size(), 8u);
  // a2 on 2025-01-07 (Shanghai): two replies, 600 and 200.
  EXPECT_EQ(Str(sh.rows[4][0]), "a2");
  EXPECT_EQ(sh.rows[4][1], Value::Time(Ms(2025, 1, 7) - 8 * 3600000));
  EXPECT_EQ(Str(sh.rows[4][2]) + "," + Str(sh.rows[4][3]), "2,400");
  EXPECT_EQ(Rows(Run("select ratio(cost, 1) as c from events where event = \"agent_reply\" and channel = \"chat\"")),
            (Lines{"1.4"}));  // (1 + 2 + 1 + 1 + 2) / 5
}

TEST_F(EngineTest, TransferRelabelsLaterEventsOnly) {
  using Dims = std::vector<std::pair<std::string, std::string>>;
  const int64_t t0 = Ms(2025, 9, 1, 8);
  Ingest(Ms(2025, 9, 2), {Ev(t0, "S1", "created", "", Dims{{"team", "billing"}}),
                          Ev(t0 + 600000, "S1", "agent_reply", "a1"),
                          Ev(t0 + 3600000, "S1", "transferred", "", Dims{{"team", "tech"}}),
                          Ev(t0 + 5400000, "S1", "agent_reply", "a2")});
  EXPECT_EQ(Rows(Run("select count() as n from events by team")), (Lines{"billing,2", "tech,2"}));
  EXPECT_EQ(Rows(Run("select count() as n from tickets by team")), (Lines{"tech,1"}));
  // A late transfer dated before the first reply relabels it; `as of` still sees the old answer.
  Ingest(Ms(2025, 9, 3), {Ev(t0 + 60000, "S1", "transferred", "", Dims{{"team", "sales"}})});
  EXPECT_EQ(Rows(Run("select count() as n from events where event = \"agent_reply\" by team")),
            (Lines{"sales,1", "tech,1"}));
  EXPECT_EQ(Rows(Run("select count() as n from events where event = \"agent_reply\" by team as of 2025-09-02")),
            (Lines{"billing,1", "tech,1"}));
}

TEST_F(EngineTest, UnknownColumnIsReportedAtItsPositionWithSuggestions) {
  LoadContractTickets();
  const QueryError e = Fails("select count()\nfrom tickets\nby chanel");
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.column, 4);
  EXPECT_NE(e.message.find("chanel"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("'channel'"), std::string::npos) << e.message;
  EXPECT_NE(e.ToString().find("  by chanel\n     ^"), std::string::npos) << e.ToString();
  const QueryError w = Fails("select count() from tickets where chanel = \"chat\"");
  EXPECT_EQ(w.line, 1);
  EXPECT_EQ(w.column, 35);
  const QueryError f = Fails("select cnt() from tickets");
  EXPECT_NE(f.message.find("'count'"), std::string::npos) << f.message;
  // On a long line the snippet is a window around the caret, as a parse
  // error's: it never echoes the whole statement.
  const std::string pad(2000, ' ');
  const QueryError far = Fails("select count() from tickets where" + pad + "chanel = \"chat\" and" + pad + "1 = 1");
  EXPECT_EQ(far.column, 34 + 2000);
  EXPECT_LT(far.snippet.size(), 300u) << far.snippet;
  EXPECT_EQ(far.snippet.rfind("  ..." + std::string(60, ' ') + "chanel = \"chat\"", 0), 0u) << far.snippet;
  EXPECT_NE(far.snippet.find("\n     " + std::string(60, ' ') + "^"), std::string::npos) << far.snippet;
}

TEST_F(EngineTest, TypeAndPlacementErrors) {
  LoadContractTickets();
  for (const char* q : {
           "select avg(channel) from tickets",
           "select count() from tickets where channel > 3",
           "select avg(duration(created -> resolved)) from events",
           "select count() from tickets where count() > 1",
           "select channel from tickets",
           "select count() from events at resolved",
           "select count() from tickets tz \"Mars/Olympus\"",
           "select count() from tickets during 2025-13-01 .. 2025-14-01",
           "select percentile(csat, 2) from tickets",
           "select rate(csat) from tickets",
           "select sum(has(resolved)) from tickets",
           "select count() from tickets where csat + \"x\" > 1",
           "select count() from tickets by channel order by nope",
           "select total(channel) from tickets",
           "select repeat_within(7d, csat) from tickets",
           "select min(has(rated)) from tickets",
       }) {
    SCOPED_TRACE(q);
    Status st;
    const QueryError e = Fails(q, &st);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
    EXPECT_GT(e.line, 0);
    EXPECT_FALSE(e.message.empty());
  }
}

TEST_F(EngineTest, UnknownEventNameIsAWarning) {
  LoadContractTickets();
  const Result r = Run("select rate(has(escalatd)) as r, count() as n from tickets");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("escalatd"), std::string::npos);
  EXPECT_EQ(Rows(r), (Lines{"0,7"}));
  const Result at = Run("select count() as n from tickets at closd");
  EXPECT_EQ(Rows(at), (Lines{"0"}));
  EXPECT_FALSE(at.warnings.empty());
}

TEST_F(EngineTest, NamedKpis) {
  LoadContractTickets();
  Result r = Run("define kpi frt = duration(created -> agent_reply)");
  EXPECT_NE(r.message.find("defined"), std::string::npos);
  Run("define kpi frt_median = p50(frt)");
  // chat 30, 60, 120; email 300, 600, 1200, 1800 -> pos 1.5 -> 900.
  EXPECT_EQ(Rows(Run("select frt_median from tickets by channel")), (Lines{"chat,60", "email,900"}));
  EXPECT_EQ(Run("select frt_median from tickets by channel").columns[1].name, "frt_median");
  EXPECT_EQ(Rows(Run("select count() as n from tickets where frt > 10m")), (Lines{"2"}));  // T2, T5
  const Result show = Run("show kpis");
  ASSERT_EQ(show.rows.size(), 2u);
  EXPECT_EQ(show.columns[2].type, ValueType::kTime);
  EXPECT_EQ(show.rows[0][0].text, "frt");
  EXPECT_EQ(show.rows[0][1].text, "duration(created -> agent_reply)");
  // Cycles, shadowing and unknown functions are refused.
  Fails("define kpi frt = frt_median + 1");
  Fails("define kpi channel = count()");
  Fails("define kpi count = 1");
  Fails("define kpi x = cnt()");
  // A column the store does not have, as a query naming it would be
  // (the binder's check, its message and position).
  const QueryError unknown = Fails("define kpi x = rate(chanel = \"chat\")");
  EXPECT_NE(unknown.message.find("unknown column 'chanel'"), std::string::npos) << unknown.ToString();
  EXPECT_EQ(unknown.column, 21);
  Fails("define kpi x = chanel = \"chat\"");
  Fails("define kpi x = p50(frt) + nosuch");
  Run("define kpi chat = channel = \"chat\"");  // per row
  Status st;
  const QueryError missing = Fails("drop kpi nope", &st);
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_GT(missing.line, 0);
  Run("drop kpi frt_median");
  const QueryError gone = Fails("select frt_median from tickets");
  EXPECT_NE(gone.message.find("frt_median"), std::string::npos);
  EXPECT_EQ(Run("show kpis").rows.size(), 2u);  // frt, chat
}

// Before the first ingest the store has no columns to check against: KPIs
// may be defined ahead of the events they read.
TEST_F(EngineTest, KpisMayBeDefinedBeforeTheFirstIngest) {
  Run("define kpi chat_rate = rate(channel = \"chat\")");
  LoadContractTickets();
  EXPECT_EQ(Rows(Run("select chat_rate from tickets")).size(), 1u);
}

TEST_F(EngineTest, AsOfAnswersAsTheStoreWas) {
  using Dims = std::vector<std::pair<std::string, std::string>>;
  Ingest(Ms(2025, 6, 1), {Ev(Ms(2025, 5, 20, 10), "A1", "created", "", Dims{{"channel", "chat"}}),
                          Ev(Ms(2025, 5, 20, 11), "A1", "resolved", "a1"),
                          Ev(Ms(2025, 5, 21, 10), "A2", "created", "", Dims{{"channel", "email"}})});
  Ingest(Ms(2025, 6, 10), {Ev(Ms(2025, 5, 22, 10), "A2", "resolved", "a2"),
                           Ev(Ms(2025, 5, 25, 10), "A1", "rated", "", {}, {{"csat", 4}}),
                           Ev(Ms(2025, 5, 28, 10), "A3", "created", "", Dims{{"channel", "chat"}})});
  const std::string q = "select count() as n, rate(has(resolved)) as r, avg(csat) as c from tickets";
  EXPECT_EQ(Rows(Run(q)), (Lines{"3,0.6666666667,4"}));
  EXPECT_EQ(Rows(Run(q + " as of 2025-06-05")), (Lines{"2,0.5,NULL"}));
  EXPECT_EQ(Rows(Run(q + " as of 2025-06-10T00:00:00Z")), (Lines{"3,0.6666666667,4"}));
  EXPECT_EQ(Rows(Run(q + " as of 2025-05-01")), (Lines{"0,NULL,NULL"}));
  EXPECT_EQ(Rows(Run("select count() as n from events as of 2025-06-05")), (Lines{"3"}));
}

TEST_F(EngineTest, ExplainDescribesThePlan) {
  LoadContractTickets();
  const Result r = Run("explain select count() from tickets where channel = \"chat\" and has(resolved) "
                       "during 2025-01-01 .. 2025-02-01 by week");
  ASSERT_EQ(r.columns.size(), 1u);
  EXPECT_EQ(r.columns[0].name, "plan");
  std::string all;
  for (const auto& row : r.rows) all += row[0].text + "\n";
  for (const char* want : {"source: tickets", "placement: created", "time range pushed into the scan",
                           "dimension filter", "segments must hold event resolved", "segments:", "rows read:",
                           "groups: week", "aggregate: count()"})
    EXPECT_NE(all.find(want), std::string::npos) << want << "\n" << all;
  // A value never ingested: nothing to scan.
  const Result none = Run("explain select count() from tickets where channel = \"fax\"");
  std::string text;
  for (const auto& row : none.rows) text += row[0].text + "\n";
  EXPECT_NE(text.find("nothing to scan"), std::string::npos) << text;
  EXPECT_EQ(Rows(Run("select count() as n from tickets where channel = \"fax\"")), (Lines{"0"}));
}

// Explain of a nested select shows the innermost level's plan read in the
// statement's zone (the first `tz` from the outside in), as the run reads it
// (query/execution/nested_levels.h), then a note for each level above it.
TEST_F(EngineTest, ExplainOfANestedSelectReadsInTheStatementsZone) {
  LoadContractTickets();
  const std::string nested = "select max(n) as most from (select count() as n from tickets by day) tz \"Europe/Berlin\"";
  const Result run = Run(nested);
  EXPECT_EQ(run.tz, "Europe/Berlin");
  const Result r = Run("explain " + nested);
  EXPECT_EQ(r.tz, "Europe/Berlin");
  ASSERT_FALSE(r.rows.empty());
  std::string all;
  for (const auto& row : r.rows) all += row[0].text + "\n";
  EXPECT_NE(all.find("then: a nested select over the result above"), std::string::npos) << all;
}

// A one-day window on tickets reads only that creation day's partition,
// even though tickets created earlier have events inside the window; the
// answer is the same as without pruning (`as of` and `at` do not prune by
// placement, and agree).
TEST_F(EngineTest, OneDayWindowReadsOnePartition) {
  std::vector<RawEvent> events;
  for (int day = 1; day <= 10; ++day) {
    for (int k = 0; k < 3; ++k) {
      const std::string id = "D" + std::to_string(day) + "-" + std::to_string(k);
      events.push_back(Ev(Ms(2025, 3, day, 9, k), id, "created", "", {{"channel", "chat"}}));
      events.push_back(Ev(Ms(2025, 3, day + 2, 10, k), id, "resolved", "a1"));  // two days later
    }
  }
  events.push_back(Ev(Ms(2025, 3, 5, 23, 0), "NOCREATE", "assigned", "a2"));  // placed at its earliest event
  Ingest(Ms(2025, 4, 1), events);
  const std::string window = " during 2025-03-05 .. 2025-03-06";
  const Result r = Run("select count() as n from tickets" + window);
  EXPECT_EQ(Rows(r), (Lines{"4"}));
  EXPECT_EQ(r.stats.partitions_scanned, 1u);
  EXPECT_EQ(r.stats.partitions_skipped, 9u);
  // `as of` cannot trust the sealed placement: it scans by event time, same answer.
  const Result as_of = Run("select count() as n from tickets" + window + " as of 2025-04-02");
  EXPECT_EQ(Rows(as_of), (Lines{"4"}));
  EXPECT_GT(as_of.stats.partitions_scanned, 1u);
  // `at resolved`: tickets resolved on 03-05 were created on 03-03.
  EXPECT_EQ(Rows(Run("select count() as n from tickets" + window + " at resolved")), (Lines{"3"}));
  // repeat_within looks back into the skipped day before: D5-0's earlier
  // chat contact is D4-2 (03-04 09:02); NOCREATE has no channel (null).
  EXPECT_EQ(Rows(Run("select count() as n from tickets" + window + " where repeat_within(1d, channel)")),
            (Lines{"3"}));
}

TEST_F(EngineTest, HavingOrderLimitAndEmptyGroups) {
  LoadContractTickets();
  EXPECT_EQ(Rows(Run("select count() as n from events where event = \"agent_reply\" by agent "
                     "having n > 2 order by n desc")),
            (Lines{"a1,4", "a2,4"}));
  EXPECT_EQ(Rows(Run("select count() as n from events where event = \"agent_reply\" by agent order by agent desc "
                     "limit 2")),
            (Lines{"a3,2", "a2,4"}));
  EXPECT_TRUE(Run("select count() as n from tickets where channel = \"fax\" by channel").rows.empty());
  EXPECT_EQ(Rows(Run("select count() as n, sum(csat) as s, distinct(team) as d from tickets where false")),
            (Lines{"0,NULL,0"}));
}

TEST_F(EngineTest, CancelDeadlineAndRowLimit) {
  LoadContractTickets();
  std::atomic<bool> cancel{true};
  ExecOptions o;
  o.cancel = &cancel;
  Result r;
  QueryError e;
  EXPECT_EQ(engine_->Execute("select count() from tickets", o, &r, &e).code(), Status::Code::kAborted);
  ExecOptions late;
  late.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  EXPECT_EQ(engine_->Execute("select count() from tickets", late, &r, &e).code(), Status::Code::kTimedOut);
  ExecOptions small;
  small.max_result_rows = 1;
  EXPECT_EQ(engine_->Execute("select count() from tickets by channel", small, &r, &e).code(),
            Status::Code::kResourceExhausted);
}

TEST_F(EngineTest, HostileStatementsNeverCrash) {
  LoadContractTickets();
  const std::string deep(3000, '(');
  for (const std::string& q : std::vector<std::string>{
           "", ";", "select", "select count() from", deep, "select " + deep + "1" + std::string(3000, ')') +
           " from tickets", "select count() from tickets where ticket = \"" + std::string(100000, 'x') + "\"",
           "select p50(duration(created -> created)) from tickets", "select count() from tickets as of 1970-01-01",
           "select count() from tickets during 2025-02-01 .. 2025-01-01",
           "select count() from tickets limit -5", "select -(-(-csat)) as x from tickets",
           "select max(ticket), min(channel), distinct(ticket) from tickets by team",
           "select count() from events where agent in (\"a1\", null, agent) and time > created",
           "select count() from tickets by ticket, agent_of(created)",
           "select sum(first(resolved) - created) from tickets", "drop kpi", "show kpis now"}) {
    Result r;
    QueryError e;
    (void)engine_->Execute(q, ExecOptions{}, &r, &e);  // any outcome but a crash
  }
  EXPECT_EQ(Rows(Run("select count() from tickets during 2025-02-01 .. 2025-01-01")), (Lines{"0"}));
  EXPECT_EQ(Rows(Run("select max(ticket) as m, distinct(ticket) as d from tickets")), (Lines{"T7,7"}));
  EXPECT_EQ(Rows(Run("select sum(first(resolved) - created) as s from tickets where ticket in (\"T1\", \"T4\")")),
            (Lines{"9060"}));  // 7200 + 1860 seconds
}

// Many small segments, several threads: the same answers as one thread.
TEST_F(EngineTest, ParallelScanMatchesOneThread) {
  Open(16);
  gen::GenOptions g;
  g.tickets = 3000;
  g.days = 60;
  g.seed = 11;
  gen::Generator gen(g);
  std::vector<RawEvent> batch;
  int64_t at = Ms(2025, 6, 1);
  while (gen.Next(5000, &batch)) Ingest(at += 1000, batch);
  for (const char* q : {
           "select count() as n, p90(duration(created -> agent_reply)) as p, avg(csat) as c, "
           "rate(has(escalated)) as e, distinct(customer) as d from tickets by channel, month",
           "select count() as n, sum(handle_seconds) as h, max(time) as t from events where event = "
           "\"agent_reply\" by agent order by n desc limit 5",
           "select rate(repeat_within(7d, customer, category)) as r from tickets during 2025-01-15 .. 2025-02-15 by week",
           "select count() as n from tickets at resolved by team, agent_of(resolved) having n > 5",
           "select rate(count_of(agent_reply before resolved) = 1 and not has(reopened)) as fcr from tickets "
           "where has(resolved) by team as of 1970-01-01T00:00:00.000Z",
       }) {
    ExecOptions one, many;
    one.threads = 1;
    many.threads = 3;
    many.rows_per_thread = 0;  // small store: force the parallel path
    const Result a = Run(q, one), b = Run(q, many);
    EXPECT_EQ(a.rows.size(), b.rows.size()) << q;
    for (size_t i = 0; i < a.rows.size() && i < b.rows.size(); ++i) {
      for (size_t j = 0; j < a.rows[i].size(); ++j) {
        const Value &x = a.rows[i][j], &y = b.rows[i][j];
        if (x.type == ValueType::kNumber || x.type == ValueType::kDuration) {
          EXPECT_NEAR(x.number, y.number, 1e-9 * std::max(1.0, std::abs(x.number))) << q;
        } else {
          EXPECT_TRUE(x == y) << q << " row " << i << " col " << j;
        }
      }
    }
    EXPECT_GT(b.stats.segments_scanned + b.stats.segments_skipped, 10u) << q;
  }
}

}  // namespace
}  // namespace kpi::query
