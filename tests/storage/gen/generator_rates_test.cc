// Generator realism: the KPI rates the brief promises, computed from the
// events alone the way a KPI query would, on 20k tickets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "cli/gen/generator.h"
#include "gen_test_util.h"

namespace kpi::gen {
namespace {

using testing::ByTicket;
using testing::Dim;
using testing::GenerateAll;
using testing::Measure;

constexpr int64_t kDayMs = 86400000;

class GeneratorRatesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    GenOptions o;
    o.tickets = 20000;
    events_ = new std::vector<RawEvent>(GenerateAll(o));
    tickets_ = new std::map<std::string, std::vector<const RawEvent*>>(ByTicket(*events_));
  }
  static void TearDownTestSuite() {
    delete tickets_;
    delete events_;
  }
  // Share of tickets for which pred(list of events) holds.
  template <typename Pred>
  static double ShareOfTickets(Pred pred) {
    size_t n = 0;
    for (const auto& [id, list] : *tickets_) n += pred(list) ? 1 : 0;
    return static_cast<double>(n) / static_cast<double>(tickets_->size());
  }
  static bool Has(const std::vector<const RawEvent*>& list, const std::string& event) {
    return std::any_of(list.begin(), list.end(),
                       [&](const RawEvent* e) { return e->event == event; });
  }

  static std::vector<RawEvent>* events_;
  static std::map<std::string, std::vector<const RawEvent*>>* tickets_;
};
std::vector<RawEvent>* GeneratorRatesTest::events_ = nullptr;
std::map<std::string, std::vector<const RawEvent*>>* GeneratorRatesTest::tickets_ = nullptr;

TEST_F(GeneratorRatesTest, AboutSevenEventsPerTicket) {
  ASSERT_EQ(tickets_->size(), 20000u);
  const double per_ticket = static_cast<double>(events_->size()) / 20000.0;
  EXPECT_GT(per_ticket, 6.0);
  EXPECT_LT(per_ticket, 8.0);
}

TEST_F(GeneratorRatesTest, FirstContactResolution) {
  size_t resolved = 0, fcr = 0;
  for (const auto& [id, list] : *tickets_) {
    int replies_before_resolved = 0;
    bool is_resolved = false;
    for (const RawEvent* e : list) {
      if (e->event == "resolved") {
        is_resolved = true;
        break;
      }
      replies_before_resolved += e->event == "agent_reply";
    }
    if (!is_resolved) continue;
    ++resolved;
    fcr += replies_before_resolved == 1 && !Has(list, "reopened");
  }
  EXPECT_NEAR(static_cast<double>(fcr) / static_cast<double>(resolved), 0.85, 0.015);
}

TEST_F(GeneratorRatesTest, EscalationReopenAndUnresolved) {
  EXPECT_NEAR(ShareOfTickets([](auto& l) { return Has(l, "escalated"); }), 0.03, 0.005);
  EXPECT_NEAR(ShareOfTickets([](auto& l) { return Has(l, "reopened"); }), 0.08, 0.008);
  EXPECT_NEAR(ShareOfTickets([](auto& l) { return !Has(l, "resolved"); }), 0.05, 0.006);
  // Reopened tickets are resolved again.
  EXPECT_EQ(ShareOfTickets([](auto& l) {
              bool open_after_reopen = false;
              for (const RawEvent* e : l) {
                if (e->event == "reopened") open_after_reopen = true;
                if (e->event == "resolved") open_after_reopen = false;
              }
              return open_after_reopen;
            }),
            0.0);
  const double closed = ShareOfTickets([](auto& l) { return Has(l, "closed"); });
  EXPECT_GT(closed, 0.8);
  EXPECT_LT(closed, 0.95);
}

TEST_F(GeneratorRatesTest, RatingsAreFrequentAndSkewedHigh) {
  EXPECT_NEAR(ShareOfTickets([](auto& l) { return Has(l, "rated"); }), 0.40, 0.015);
  std::map<int, size_t> by_score;
  double sum = 0;
  size_t n = 0;
  for (const RawEvent& e : *events_) {
    if (e.event != "rated") continue;
    const double csat = Measure(e, "csat");
    ASSERT_TRUE(csat >= 1 && csat <= 5 && csat == std::floor(csat)) << csat;
    ++by_score[static_cast<int>(csat)];
    sum += csat;
    ++n;
  }
  const double mean = sum / static_cast<double>(n);
  EXPECT_GT(mean, 3.9);
  EXPECT_LT(mean, 4.5);
  EXPECT_GT(static_cast<double>(by_score[4] + by_score[5]) / static_cast<double>(n), 0.7);
  EXPECT_GT(by_score[5], by_score[4]);
  EXPECT_GT(by_score[4], by_score[3]);
  EXPECT_GT(by_score[1], 0u);  // some angry customers exist
}

TEST_F(GeneratorRatesTest, RatingsArriveHoursToDaysAfterResolution) {
  std::vector<int64_t> delays;
  for (const auto& [id, list] : *tickets_) {
    int64_t resolved = -1;
    for (const RawEvent* e : list) {
      if (e->event == "resolved") resolved = e->ts_ms;
      if (e->event == "rated") delays.push_back(e->ts_ms - resolved);
    }
  }
  ASSERT_GT(delays.size(), 1000u);
  std::sort(delays.begin(), delays.end());
  const int64_t median = delays[delays.size() / 2];
  EXPECT_GT(median, 3600000);  // more than an hour
  EXPECT_LT(median, 2 * kDayMs);
  EXPECT_GT(delays[delays.size() * 95 / 100], kDayMs);  // a tail of days
}

TEST_F(GeneratorRatesTest, QaReviewsAndAccuracy) {
  EXPECT_NEAR(ShareOfTickets([](auto& l) { return Has(l, "qa_reviewed"); }), 0.10, 0.01);
  size_t reviews = 0, accurate = 0;
  for (const RawEvent& e : *events_) {
    if (e.event != "qa_reviewed") continue;
    ++reviews;
    const double a = Measure(e, "accurate");
    ASSERT_TRUE(a == 0 || a == 1) << a;
    accurate += a == 1;
    EXPECT_FALSE(e.agent.empty()) << "QA reviews name the reviewed agent";
  }
  EXPECT_NEAR(static_cast<double>(accurate) / static_cast<double>(reviews), 0.97, 0.015);
}

TEST_F(GeneratorRatesTest, TransfersMoveTicketsToAnotherTeamAndItsAgents) {
  const double transferred = ShareOfTickets([](auto& l) { return Has(l, "transferred"); });
  EXPECT_GT(transferred, 0.01);
  EXPECT_LT(transferred, 0.08);
  // Sticky team: replies come from agents of the ticket's current team
  // (agent aNNN is in team (NNN - 1) % 5 of billing, logistics, tech, sales, returns).
  const std::vector<std::string> teams = {"billing", "logistics", "tech", "sales", "returns"};
  size_t replies = 0;
  for (const auto& [id, list] : *tickets_) {
    std::string team = Dim(*list.front(), "team");
    for (const RawEvent* e : list) {
      if (e->event == "transferred") {
        const std::string new_team = Dim(*e, "team");
        EXPECT_NE(new_team, team);
        EXPECT_NE(new_team, "");
        team = new_team;
      }
      if (e->event == "agent_reply") {
        const int number = std::stoi(e->agent.substr(1));
        EXPECT_EQ(teams[static_cast<size_t>(number - 1) % 5], team) << id << " " << e->agent;
        ++replies;
      }
    }
  }
  EXPECT_GT(replies, 20000u);
}

TEST_F(GeneratorRatesTest, RepeatContactsWithinSevenDays) {
  // Tickets whose customer opened another ticket of the same category within
  // the previous 7 days (the catalog's repeat-contact definition).
  std::vector<const RawEvent*> created;
  for (const auto& [id, list] : *tickets_) created.push_back(list.front());
  std::sort(created.begin(), created.end(),
            [](const RawEvent* a, const RawEvent* b) { return a->ts_ms < b->ts_ms; });
  std::map<std::pair<std::string, std::string>, int64_t> last;
  std::set<std::string> customers;
  size_t repeats = 0;
  for (const RawEvent* c : created) {
    const auto key = std::make_pair(Dim(*c, "customer"), Dim(*c, "category"));
    auto it = last.find(key);
    if (it != last.end() && c->ts_ms - it->second <= 7 * kDayMs) ++repeats;
    last[key] = c->ts_ms;
    customers.insert(key.first);
  }
  EXPECT_NEAR(static_cast<double>(repeats) / 20000.0, 0.05, 0.012);
  // A pool of ~tickets/3 customers, most of whom come back during the year.
  EXPECT_LE(customers.size(), 20000u / 3);
  EXPECT_GT(customers.size(), 20000u / 3 * 8 / 10);
}

TEST_F(GeneratorRatesTest, FirstResponseDependsOnTheChannel) {
  std::map<std::string, std::vector<int64_t>> frt;
  for (const auto& [id, list] : *tickets_) {
    for (const RawEvent* e : list) {
      if (e->event == "agent_reply") {
        frt[Dim(*list.front(), "channel")].push_back(e->ts_ms - list.front()->ts_ms);
        break;
      }
    }
  }
  auto median = [&](const std::string& channel) {
    auto& v = frt[channel];
    std::sort(v.begin(), v.end());
    return v.empty() ? -1.0 : static_cast<double>(v[v.size() / 2]) / 1000.0;
  };
  const double chat = median("chat"), phone = median("phone"), email = median("email"),
               social = median("social");
  EXPECT_GT(chat, 15);
  EXPECT_LT(chat, 45);  // ~30 s
  EXPECT_GT(phone, 8);
  EXPECT_LT(phone, 30);  // ~20 s
  EXPECT_GT(social, 5 * 60);
  EXPECT_LT(social, 60 * 60);  // tens of minutes
  EXPECT_GT(email, 3600);
  EXPECT_LT(email, 8 * 3600);  // hours
}

TEST_F(GeneratorRatesTest, HandleTimeAndCost) {
  double handle_sum = 0;
  size_t n = 0;
  for (const RawEvent& e : *events_) {
    if (e.event != "agent_reply") continue;
    const double handle = Measure(e, "handle_seconds"), cost = Measure(e, "cost");
    ASSERT_GT(handle, 0);
    ASSERT_GE(cost, 2.0);
    ASSERT_LE(cost, 6.0);
    EXPECT_NEAR(cost * 100, std::round(cost * 100), 1e-6) << "two decimals";
    handle_sum += handle;
    ++n;
  }
  const double mean = handle_sum / static_cast<double>(n);
  EXPECT_GT(mean, 4 * 60);
  EXPECT_LT(mean, 6 * 60);  // ~5 min
}

TEST_F(GeneratorRatesTest, BusinessHoursAndWeekendSeasonality) {
  size_t by_hour[24] = {}, by_weekday[7] = {};
  for (const auto& [id, list] : *tickets_) {
    const int64_t ts = list.front()->ts_ms;
    ++by_hour[(ts % kDayMs) / 3600000];
    ++by_weekday[(ts / kDayMs + 4) % 7];  // 0 = Sunday
  }
  EXPECT_GT(by_hour[10], 4 * by_hour[3]);
  EXPECT_GT(by_hour[14], 4 * by_hour[2]);
  const double weekday = (by_weekday[1] + by_weekday[2] + by_weekday[3] + by_weekday[4]) / 4.0;
  const double weekend = (by_weekday[0] + by_weekday[6]) / 2.0;
  EXPECT_LT(weekend, 0.7 * weekday);
  // Every dimension value occurs.
  std::map<std::string, std::set<std::string>> values;
  for (const auto& [id, list] : *tickets_) {
    for (const auto& [k, v] : list.front()->dims) values[k].insert(v);
  }
  EXPECT_EQ(values["channel"].size(), 4u);
  EXPECT_EQ(values["team"].size(), 5u);
  EXPECT_EQ(values["category"].size(), 6u);
  EXPECT_EQ(values["priority"].size(), 4u);
  EXPECT_EQ(values["region"].size(), 4u);
  EXPECT_EQ(values["business_type"].size(), 5u);
}

}  // namespace
}  // namespace kpi::gen
