// Scoped statements (ExecOptions::scope, query/execution/scope.h): for every statement
// kind, the answer under a scope equals the unscoped answer on a store that
// holds only the scope's tickets (built separately from the same events, in
// the same batches at the same store-clock instants). The data has tickets
// that change client late (membership follows the latest value, as of the
// instant asked), tickets with no client, and customers who contact several
// clients, so repeat_within crosses the scope's boundary.
#include "query/execution/scope.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "query/catalog/table_store.h"
#include "query/engine.h"
#include "query/time_buckets.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::query {
namespace {

constexpr int64_t kMin = 60000;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kJan1 = 1735689600000;  // 2025-01-01T00:00:00Z
// Store-clock instants of the three batches.
constexpr int64_t kBatchTime[3] = {kJan1 + 20 * kDay, kJan1 + 21 * kDay, kJan1 + 22 * kDay};

struct Batched {
  RawEvent e;
  int batch = 0;
};

RawEvent Ev(int64_t ts, const std::string& ticket, const std::string& event, const std::string& agent,
            std::vector<std::pair<std::string, std::string>> dims, std::vector<std::pair<std::string, double>> m = {}) {
  RawEvent e;
  e.ts_ms = ts;
  e.ticket = ticket;
  e.event = event;
  e.agent = agent;
  e.dims = std::move(dims);
  e.measures = std::move(m);
  return e;
}

// 240 tickets over 10 days; batch 0 the first two thirds, batch 1 the rest,
// batch 2 late events moving some tickets to another client.
std::vector<Batched> MakeEvents() {
  std::mt19937 rng(14);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const char* clients[] = {"acme", "globex", "initech"};
  const char* types[] = {"finance", "b2b", "retail"};
  const char* channels[] = {"email", "phone"};
  std::vector<Batched> out;
  const int n = 240;
  for (int i = 0; i < n; ++i) {
    const std::string t = "T" + std::to_string(i);
    const int64_t c = kJan1 + static_cast<int64_t>(i) * (10 * kDay / n) + pick(50) * kMin;
    std::vector<std::pair<std::string, std::string>> dims = {
        {"customer", "c" + std::to_string(pick(25))},
        {"business_type", types[pick(3)]},
        {"channel", channels[pick(2)]}};
    if (pick(20) != 0) dims.emplace_back("client", clients[pick(3)]);
    const int batch = i < n * 2 / 3 ? 0 : 1;
    out.push_back({Ev(c, t, "created", "", dims), batch});
    int64_t at = c;
    const int replies = pick(4);
    for (int r = 0; r < replies; ++r) {
      at += (1 + pick(120)) * kMin;
      out.push_back({Ev(at, t, "agent_reply", "a" + std::to_string(pick(5)), {}, {{"handle_seconds", 30.0 + pick(600)}}),
                     batch});
      if (pick(2) == 0) {
        at += (1 + pick(60)) * kMin;
        out.push_back({Ev(at, t, "customer_reply", "", {}), batch});
      }
    }
    if (pick(3) != 0) {
      at += (1 + pick(300)) * kMin;
      out.push_back({Ev(at, t, "resolved", "a" + std::to_string(pick(5)), {}, {{"csat", 1.0 + pick(5)}}), batch});
    }
    if (pick(8) == 0) {  // moved late to another client (or to one, from none)
      at += kHour;
      out.push_back({Ev(at, t, "transferred", "", {{"client", clients[pick(3)]}}), 2});
    }
  }
  return out;
}

// The ticket dimensions `from tickets` sees: per dimension the value of the
// latest event (by time) that carried it, among the events given.
std::map<std::string, std::map<std::string, std::string>> LatestDims(const std::vector<const RawEvent*>& events) {
  std::vector<const RawEvent*> sorted = events;
  std::stable_sort(sorted.begin(), sorted.end(), [](const RawEvent* a, const RawEvent* b) { return a->ts_ms < b->ts_ms; });
  std::map<std::string, std::map<std::string, std::string>> out;
  for (const RawEvent* e : sorted)
    for (const auto& [k, v] : e->dims) out[e->ticket][k] = v;
  return out;
}

class ScopeTest : public ::testing::Test {
 protected:
  struct Db {
    std::unique_ptr<kpi::testing::ScratchDir> dir;
    std::unique_ptr<storage::Store> store;
    std::unique_ptr<Engine> engine;
    int64_t now = 0;
  };

  static void Open(Db* db) {
    db->dir = std::make_unique<kpi::testing::ScratchDir>("kpi-scope");
    storage::StoreOptions options;
    options.sync = false;
    options.max_tickets_per_segment = 32;  // many segments: pruning and mixed segments
    options.clock = [db] { return db->now; };
    ASSERT_TRUE(storage::Store::Open(db->dir->path(), options, &db->store).ok());
    db->engine = std::make_unique<Engine>(db->store.get());
  }

  // The shared definitions (before any batch), then batches 0..upto of
  // `events` (only the tickets in `keep` when given).
  static void Fill(Db* db, const std::vector<Batched>& events, int upto, const std::set<std::string>* keep) {
    db->now = kBatchTime[0] - kHour;
    for (const char* d : {"define kpi frt = p90(duration(created -> agent_reply))",
                          "define kpi answered = rate(has(agent_reply))",
                          "define kpi fast = rate(duration(created -> agent_reply) <= 1h)",
                          "define target answered >= 60%",
                          "define target fast >= 50%",
                          "define scorecard desk = 70% answered + 30% fast"}) {
      Result r;
      QueryError err;
      ASSERT_TRUE(db->engine->Execute(d, ExecOptions{}, &r, &err).ok()) << d << " " << err.ToString();
    }
    TableLoadReport report;
    ASSERT_TRUE(LoadTableCsvIntoStore(db->store.get(), "agents", "agent", "agent,site\na0,north\na1,north\na2,south\na3,south\n",
                                      "", db->now, &report)
                    .ok());
    for (int b = 0; b <= upto; ++b) {
      std::vector<RawEvent> batch;
      for (const Batched& e : events)
        if (e.batch == b && (keep == nullptr || keep->count(e.e.ticket))) batch.push_back(e.e);
      db->now = kBatchTime[b];
      if (batch.empty()) continue;
      std::vector<storage::EventReject> rejects;
      storage::IngestStats stats;
      ASSERT_TRUE(db->store->Ingest(batch, &rejects, &stats).ok());
      ASSERT_TRUE(rejects.empty());
    }
    db->now = kBatchTime[2] + kHour;
  }

  // The tickets in `scope` among the events of batches 0..upto.
  static std::set<std::string> Members(const Scope& scope, const std::vector<Batched>& events, int upto) {
    std::vector<const RawEvent*> visible;
    std::set<std::string> tickets;
    for (const Batched& e : events)
      if (e.batch <= upto) {
        visible.push_back(&e.e);
        tickets.insert(e.e.ticket);
      }
    const auto dims = LatestDims(visible);
    std::set<std::string> in;
    for (const std::string& t : tickets) {
      auto it = dims.find(t);
      if (scope.Eval(it == dims.end() ? std::map<std::string, std::string>{} : it->second) == 1) in.insert(t);
    }
    return in;
  }

  static Result Run(Db& db, const std::string& q, std::shared_ptr<const Scope> scope) {
    ExecOptions options;
    options.scope = std::move(scope);
    options.threads = 2;
    options.rows_per_thread = 0;
    Result r;
    QueryError err;
    const Status st = db.engine->Execute(q, options, &r, &err);
    EXPECT_TRUE(st.ok()) << q << "\n" << st.ToString() << "\n" << err.ToString();
    return r;
  }

  static std::string Show(const Result& r) {
    std::string s;
    for (const auto& c : r.columns) s += c.name + " | ";
    s += "\n";
    for (const auto& row : r.rows) {
      for (const Value& v : row) {
        char num[64];
        std::snprintf(num, sizeof num, "%.9g", v.number);
        switch (v.type) {
          case ValueType::kNull: s += "null"; break;
          case ValueType::kBool: s += v.boolean ? "true" : "false"; break;
          case ValueType::kString: s += v.text; break;
          case ValueType::kTime: s += std::to_string(v.time_ms); break;
          default: s += num; break;
        }
        s += " | ";
      }
      s += "\n";
    }
    return s;
  }
};

const std::vector<std::string>& Statements() {
  static const std::vector<std::string> k = {
      "select count() as n from tickets",
      "select client, count() as n, avg(duration(created -> agent_reply)) as frt, p90(duration(created -> resolved)) as res "
      "from tickets by client",
      "select agent, count() as n, sum(handle_seconds) as hs, distinct(ticket) as tickets from events by agent",
      "select business_type, count() as n from events where event = \"agent_reply\" by business_type",
      "select count() as n, rate(repeat_within(7d, customer)) as repeats, distinct(customer) as customers from tickets",
      "select channel, rate(repeat_within(3d, customer)) as r from tickets during 2025-01-04 .. 2025-01-09 by channel",
      "select count() as n from tickets during 2025-01-01 .. 2025-01-11 by day compare with previous",
      "select count() as n, avg(csat) as csat from tickets during 2025-01-03 .. 2025-01-11 by day rolling 3",
      "select avg(n) as per_agent, max(n) as most from (select count() as n from events by agent)",
      "select client, frt, answered from tickets by client",
      "evaluate answered, frt from tickets by channel",
      "evaluate scorecard desk from tickets by business_type",
      "select agents.site, count() as n from events join agents on agent where agent is not null by agents.site",
      "select count() as n, sum(count_of(agent_reply)) as replies from tickets at resolved",
      "show kpis",
  };
  return k;
}

const std::vector<std::string>& Scopes() {
  static const std::vector<std::string> k = {
      "client = \"acme\"",
      "business_type in (\"finance\", \"b2b\")",
      "client != \"acme\" and channel = \"email\"",
      "client is null or not (client in (\"globex\", \"initech\"))",
      "client = \"nobody\"",
      "region = \"eu\"",
  };
  return k;
}

TEST_F(ScopeTest, ParseAcceptsDimensionPredicatesOnly) {
  std::shared_ptr<const Scope> s;
  EXPECT_TRUE(Scope::Parse("client = \"acme\"", &s).ok());
  EXPECT_EQ(s->dims(), std::vector<std::string>{"client"});
  EXPECT_TRUE(Scope::Parse("\"acme\" = client and not (x is not null)", &s).ok());
  EXPECT_TRUE(Scope::Parse("a in (\"1\", \"2\") or b not in (\"3\")", &s).ok());
  for (const char* bad : {"client = 3", "event = \"created\"", "count() > 1", "client", "has(resolved)",
                          "client = \"a\" by client", "client < \"b\"", "agents.site = \"x\"", "client = "}) {
    const Status st = Scope::Parse(bad, &s);
    EXPECT_FALSE(st.ok()) << bad;
    EXPECT_NE(st.message().find("scope"), std::string::npos) << st.message();
  }
  const Status st = Scope::Parse("client = \"a\" and agent = \"x\"", &s);
  EXPECT_NE(st.message().find("column 18"), std::string::npos) << st.message();
}

TEST_F(ScopeTest, ThreeValuedLikeTheQueryLanguage) {
  std::shared_ptr<const Scope> s;
  ASSERT_TRUE(Scope::Parse("not (client = \"acme\")", &s).ok());
  auto none = [](const std::string&) -> const std::string* { return nullptr; };
  EXPECT_EQ(s->Eval(none), 2);  // null: outside
  ASSERT_TRUE(Scope::Parse("client = \"acme\" or client is null", &s).ok());
  EXPECT_EQ(s->Eval(none), 1);
}

// Every statement kind, every scope, now and as of the end of each batch.
TEST_F(ScopeTest, ScopedAnswerEqualsTheAnswerOnAStoreOfOnlyTheScope) {
  const std::vector<Batched> events = MakeEvents();
  Db full;
  Open(&full);
  Fill(&full, events, 2, nullptr);
  for (const std::string& text : Scopes()) {
    std::shared_ptr<const Scope> scope;
    ASSERT_TRUE(Scope::Parse(text, &scope).ok()) << text;
    for (int upto : {2, 0, 1}) {
      const std::set<std::string> members = Members(*scope, events, upto);
      if (members.empty()) {
        // A store of nothing has no columns to bind; the scoped store reads nothing.
        const std::string as_of = upto == 2 ? "" : " as of " + FormatInstantUtc(kBatchTime[upto]);
        EXPECT_EQ(Run(full, "select count() as n from tickets" + as_of, scope).rows.at(0).at(0).number, 0) << text;
        EXPECT_EQ(Run(full, "select count() as n from events" + as_of, scope).rows.at(0).at(0).number, 0) << text;
        continue;
      }
      Db only;
      Open(&only);
      Fill(&only, events, upto, &members);
      // As of the batch's instant on the full store = now on the store of that batch's tickets.
      const std::string as_of = upto == 2 ? "" : " as of " + FormatInstantUtc(kBatchTime[upto]);
      for (const std::string& q : Statements()) {
        if (!as_of.empty() && q.rfind("show", 0) == 0) continue;
        // Both stores are asked as of the same instant.
        const std::string qf = q + as_of, qo = q + as_of;
        SCOPED_TRACE("scope " + text + ", batches <= " + std::to_string(upto) + ": " + qf);
        const Result a = Run(full, qf, scope);
        const Result b = Run(only, qo, nullptr);
        EXPECT_EQ(Show(a), Show(b));
        EXPECT_EQ(a.provenance.result_hash, b.provenance.result_hash);
      }
    }
  }
}

TEST_F(ScopeTest, SanityTheScopesSplitTheData) {
  const std::vector<Batched> events = MakeEvents();
  std::shared_ptr<const Scope> acme, rest;
  ASSERT_TRUE(Scope::Parse("client = \"acme\"", &acme).ok());
  ASSERT_TRUE(Scope::Parse("client != \"acme\" or client is null", &rest).ok());
  Db full;
  Open(&full);
  Fill(&full, events, 2, nullptr);
  const auto count = [&](std::shared_ptr<const Scope> s) {
    return Run(full, "select count() as n from tickets", s).rows.at(0).at(0).number;
  };
  const double a = count(acme), r = count(rest), all = count(nullptr);
  EXPECT_GT(a, 30);
  EXPECT_GT(r, 100);
  EXPECT_EQ(a + r, all);
  // A moved ticket counts where it is now; the repeat pass skips the others.
  const Result ex = Run(full, "explain select count() from tickets", acme);
  EXPECT_NE(Show(ex).find("scope: client = \"acme\""), std::string::npos) << Show(ex);
  // The scope is not the same as a where: earlier contacts of other
  // clients count for the where but not under the scope.
  const std::string repeats = "select rate(repeat_within(7d, customer)) as r from tickets";
  const double scoped = Run(full, repeats, acme).rows.at(0).at(0).number;
  const double where = Run(full, repeats + " where client = \"acme\"", nullptr).rows.at(0).at(0).number;
  EXPECT_LT(scoped, where);
  EXPECT_GT(scoped, 0);
  // rows_read counts only the scope's events.
  const Result rr = Run(full, "select count() as n from events", acme);
  EXPECT_EQ(static_cast<double>(rr.stats.rows_read), rr.rows.at(0).at(0).number);
}

}  // namespace
}  // namespace kpi::query
