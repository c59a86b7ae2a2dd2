// Every example query of the contract (shared/domain/query-language.md)
// parses into the expected tree: items, aliases, source and clauses.
#include <gtest/gtest.h>

#include "parse_test_util.h"

namespace kpi::query {
namespace {

using testing::Parse;
using testing::Shape;

ast::SelectQuery MustSelect(const std::string& text) {
  ast::Statement st;
  std::string error;
  EXPECT_TRUE(Parse(text, &st, &error)) << text << "\n" << error;
  if (const auto* q = std::get_if<ast::SelectQuery>(&st)) return *q;
  ADD_FAILURE() << "not a select: " << text;
  return {};
}

std::vector<std::string> Groups(const ast::SelectQuery& q) {
  std::vector<std::string> out;
  for (const auto& g : q.group_by) out.push_back(Shape(*g));
  return out;
}

TEST(ContractExamples, FirstResponseTimeByChannel) {
  const auto q = MustSelect(
      "-- first response time by channel, p50 and p90, first quarter\n"
      "select count() as tickets, p50(duration(created -> agent_reply)) as frt_p50,\n"
      "       p90(duration(created -> agent_reply)) as frt_p90\n"
      "from tickets during 2025-01-01 .. 2025-04-01 by channel\n");
  ASSERT_EQ(q.items.size(), 3u);
  EXPECT_EQ(Shape(*q.items[0].expr), "count()");
  EXPECT_EQ(q.items[0].alias, "tickets");
  EXPECT_EQ(Shape(*q.items[1].expr), "p50(duration((-> created agent_reply)))");
  EXPECT_EQ(q.items[1].alias, "frt_p50");
  EXPECT_EQ(Shape(*q.items[2].expr), "p90(duration((-> created agent_reply)))");
  EXPECT_EQ(q.items[2].alias, "frt_p90");
  EXPECT_EQ(q.source, "tickets");
  ASSERT_TRUE(q.during_start.has_value());
  ASSERT_TRUE(q.during_end.has_value());
  EXPECT_EQ(q.during_start->text, "2025-01-01");
  EXPECT_EQ(q.during_end->text, "2025-04-01");
  EXPECT_EQ(Groups(q), std::vector<std::string>{"channel"});
  EXPECT_EQ(q.where, nullptr);
  EXPECT_FALSE(q.at_event.has_value());
  EXPECT_EQ(q.having, nullptr);
  EXPECT_TRUE(q.order_by.empty());
  EXPECT_FALSE(q.limit.has_value());
  EXPECT_FALSE(q.tz.has_value());
  EXPECT_FALSE(q.as_of.has_value());
}

TEST(ContractExamples, ShareAnsweredWithinSla) {
  const auto q = MustSelect(
      "-- share answered within SLA, per week\n"
      "select rate(duration(created -> agent_reply) <= 15m) as on_time\n"
      "from tickets where channel = \"email\" by week\n");
  ASSERT_EQ(q.items.size(), 1u);
  EXPECT_EQ(Shape(*q.items[0].expr), "rate((<= duration((-> created agent_reply)) 900s))");
  EXPECT_EQ(q.items[0].alias, "on_time");
  ASSERT_NE(q.where, nullptr);
  EXPECT_EQ(Shape(*q.where), "(= channel \"email\")");
  EXPECT_EQ(Groups(q), std::vector<std::string>{"week"});
}

TEST(ContractExamples, FirstContactResolution) {
  const auto q = MustSelect(
      "-- first-contact resolution per team, among resolved tickets\n"
      "select rate(count_of(agent_reply before resolved) = 1 and not has(reopened)) as fcr\n"
      "from tickets where has(resolved) by team\n");
  ASSERT_EQ(q.items.size(), 1u);
  EXPECT_EQ(Shape(*q.items[0].expr),
            "rate((and (= count_of((before agent_reply resolved)) 1) (not has(reopened))))");
  EXPECT_EQ(Shape(*q.where), "has(resolved)");
  EXPECT_EQ(Groups(q), std::vector<std::string>{"team"});
}

TEST(ContractExamples, ResolutionTimeByResolutionDate) {
  const auto q = MustSelect(
      "-- resolution time per category per month, by resolution date\n"
      "select avg(duration(created -> resolved)) as avg_res, p90(duration(created -> resolved)) as p90_res\n"
      "from tickets at resolved by category, month\n");
  ASSERT_EQ(q.items.size(), 2u);
  EXPECT_EQ(Shape(*q.items[0].expr), "avg(duration((-> created resolved)))");
  EXPECT_EQ(q.items[1].alias, "p90_res");
  ASSERT_TRUE(q.at_event.has_value());
  EXPECT_EQ(*q.at_event, "resolved");
  EXPECT_EQ(q.at_pos.line, 3);
  EXPECT_EQ(q.at_pos.column, 17);
  EXPECT_EQ(Groups(q), (std::vector<std::string>{"category", "month"}));
}

TEST(ContractExamples, EscalationRate) {
  const auto q = MustSelect(
      "-- escalation rate by channel, month (cohort by creation)\n"
      "select rate(has(escalated)) as escalation from tickets by channel, month\n");
  EXPECT_EQ(Shape(*q.items[0].expr), "rate(has(escalated))");
  EXPECT_EQ(q.items[0].alias, "escalation");
  EXPECT_EQ(Groups(q), (std::vector<std::string>{"channel", "month"}));
}

TEST(ContractExamples, CsatPerResolvingAgent) {
  const auto q = MustSelect(
      "-- CSAT per resolving agent per quarter\n"
      "select avg(csat) as csat, rate(csat >= 4) as satisfied\n"
      "from tickets where has(rated) by agent_of(resolved), quarter\n");
  ASSERT_EQ(q.items.size(), 2u);
  EXPECT_EQ(Shape(*q.items[0].expr), "avg(csat)");
  EXPECT_EQ(q.items[0].alias, "csat");
  EXPECT_EQ(Shape(*q.items[1].expr), "rate((>= csat 4))");
  EXPECT_EQ(Shape(*q.where), "has(rated)");
  EXPECT_EQ(Groups(q), (std::vector<std::string>{"agent_of(resolved)", "quarter"}));
  EXPECT_EQ(q.group_by[0]->kind, ast::ExprKind::kCall);
  EXPECT_EQ(q.group_by[1]->kind, ast::ExprKind::kColumn);
}

TEST(ContractExamples, RepeatContacts) {
  const auto q = MustSelect(
      "-- repeat contacts within 7 days\n"
      "select rate(repeat_within(7d, customer, category)) as repeat_rate from tickets by month\n");
  EXPECT_EQ(Shape(*q.items[0].expr), "rate(repeat_within(604800s customer category))");
  EXPECT_EQ(q.items[0].expr->args[0]->args[0]->kind, ast::ExprKind::kDuration);
  EXPECT_EQ(Groups(q), std::vector<std::string>{"month"});
}

TEST(ContractExamples, HandleTimePerAgentPerDay) {
  const auto q = MustSelect(
      "-- average handle time and volume per agent per day\n"
      "select count() as replies, avg(handle_seconds) as aht\n"
      "from events where event = \"agent_reply\" by agent, day tz \"Asia/Shanghai\"\n");
  EXPECT_EQ(q.source, "events");
  ASSERT_EQ(q.items.size(), 2u);
  EXPECT_EQ(q.items[1].alias, "aht");
  EXPECT_EQ(Shape(*q.where), "(= event \"agent_reply\")");
  EXPECT_EQ(Groups(q), (std::vector<std::string>{"agent", "day"}));
  ASSERT_TRUE(q.tz.has_value());
  EXPECT_EQ(*q.tz, "Asia/Shanghai");
  EXPECT_EQ(q.tz_pos.line, 3);
  EXPECT_EQ(q.tz_pos.column, 58);
}

TEST(ContractExamples, QaAccuracyAndCostPerContact) {
  const auto a = MustSelect(
      "select avg(accurate) as accuracy from events where event = \"qa_reviewed\" by team");
  EXPECT_EQ(Shape(*a.items[0].expr), "avg(accurate)");
  EXPECT_EQ(Groups(a), std::vector<std::string>{"team"});
  const auto b = MustSelect(
      "select ratio(cost, 1) as cost_per_contact from events where event = \"agent_reply\" by channel, month");
  EXPECT_EQ(Shape(*b.items[0].expr), "ratio(cost 1)");
  EXPECT_EQ(b.items[0].alias, "cost_per_contact");
  EXPECT_EQ(Groups(b), (std::vector<std::string>{"channel", "month"}));
}

// The two QA queries of the contract written as one script.
TEST(ContractExamples, QaPairAsScript) {
  std::vector<ast::Statement> out;
  ParseError error;
  ASSERT_TRUE(ParseScript(
      "-- QA accuracy and cost per contact\n"
      "select avg(accurate) as accuracy from events where event = \"qa_reviewed\" by team;\n"
      "select ratio(cost, 1) as cost_per_contact from events where event = \"agent_reply\" by channel, month\n",
      &out, &error))
      << error.ToString();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(std::get<ast::SelectQuery>(out[1]).items[0].pos.line, 3);
}

// The full shape of the contract, every clause once, in the listed order.
TEST(ContractExamples, EveryClauseInContractOrder) {
  const auto q = MustSelect(
      "select count() as n, avg(csat) as a\n"
      "from tickets\n"
      "where channel != 'chat'\n"
      "during 2025-01-01 .. 2025-02-01T00:00:00Z\n"
      "at resolved\n"
      "by team, agent_of(resolved)\n"
      "having n > 10\n"
      "order by n desc, team asc, a\n"
      "limit 5\n"
      "tz \"Europe/Berlin\"\n"
      "as of 2025-06-01T12:00:00+02:00\n");
  EXPECT_EQ(q.source, "tickets");
  EXPECT_EQ(Shape(*q.where), "(!= channel \"chat\")");
  EXPECT_EQ(q.during_start->text, "2025-01-01");
  EXPECT_EQ(q.during_end->text, "2025-02-01T00:00:00Z");
  EXPECT_EQ(*q.at_event, "resolved");
  EXPECT_EQ(Groups(q), (std::vector<std::string>{"team", "agent_of(resolved)"}));
  EXPECT_EQ(Shape(*q.having), "(> n 10)");
  ASSERT_EQ(q.order_by.size(), 3u);
  EXPECT_EQ(q.order_by[0].name, "n");
  EXPECT_TRUE(q.order_by[0].descending);
  EXPECT_EQ(q.order_by[1].name, "team");
  EXPECT_FALSE(q.order_by[1].descending);
  EXPECT_EQ(q.order_by[2].name, "a");
  EXPECT_FALSE(q.order_by[2].descending);
  EXPECT_EQ(q.order_by[2].pos.line, 8);
  EXPECT_EQ(q.order_by[2].pos.column, 28);
  EXPECT_EQ(*q.limit, 5);
  EXPECT_EQ(*q.tz, "Europe/Berlin");
  EXPECT_EQ(q.as_of->text, "2025-06-01T12:00:00+02:00");
  EXPECT_EQ(q.as_of->pos.line, 11);
  EXPECT_EQ(q.as_of->pos.column, 7);
}

// The optional clauses may come in any order (each at most once).
TEST(ContractExamples, ClausesInAnyOrder) {
  const auto q = MustSelect(
      "select count() as n from events as of 2025-06-05 tz \"UTC\" limit 3 order by n by agent "
      "where event = \"agent_reply\" during 2025-01-01 .. 2025-02-01 having n > 1 at resolved");
  EXPECT_EQ(q.as_of->text, "2025-06-05");
  EXPECT_EQ(*q.tz, "UTC");
  EXPECT_EQ(*q.limit, 3);
  EXPECT_EQ(q.order_by.size(), 1u);
  EXPECT_EQ(Groups(q), std::vector<std::string>{"agent"});
  EXPECT_EQ(Shape(*q.where), "(= event \"agent_reply\")");
  EXPECT_EQ(q.during_end->text, "2025-02-01");
  EXPECT_EQ(Shape(*q.having), "(> n 1)");
  EXPECT_EQ(*q.at_event, "resolved");
}

}  // namespace
}  // namespace kpi::query
