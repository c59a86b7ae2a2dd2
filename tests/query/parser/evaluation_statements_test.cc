// The statements of the evaluation layer (evaluation-and-trends.md, sections
// 1-6): the AST of join clauses, TABLE.column, duration(A -> B in CAL),
// evaluate / evaluate scorecard / explain evaluate, define calendar / target /
// exemption / scorecard, show and drop of each kind; the parse errors of
// these statements with their positions; the fuzz corpus' seeds for them
// parse. What is checked only at define time (overlapping hours, closed
// dates out of order, a target's `where` that is not a conjunction of
// equalities, weights that do not sum to 1) parses here and is covered by
// tests/query/cases/definition_errors.test.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "parse_test_util.h"

namespace kpi::query {
namespace {

using testing::ErrorOf;
using testing::Parse;
using testing::Shape;

template <typename T>
T ParseAs(const std::string& text) {
  ast::Statement st;
  std::string error;
  EXPECT_TRUE(Parse(text, &st, &error)) << text << "\n" << error;
  EXPECT_TRUE(std::holds_alternative<T>(st)) << text;
  return std::holds_alternative<T>(st) ? std::get<T>(st) : T{};
}

TEST(EvaluationStatements, JoinClausesAndTableColumns) {
  const auto q = ParseAs<ast::SelectQuery>(
      "select avg(agents.score) as s, count() as n from tickets join agents on agent_of(resolved)\n"
      "  join levels on agents.level where agents.role = \"frontline\" by agents.role, levels.label");
  ASSERT_EQ(q.joins.size(), 2u);
  EXPECT_EQ(q.joins[0].table, "agents");
  EXPECT_EQ(q.joins[0].pos.line, 1);
  EXPECT_EQ(q.joins[0].pos.column, 63);
  EXPECT_EQ(Shape(*q.joins[0].on), "agent_of(resolved)");
  EXPECT_EQ(q.joins[1].table, "levels");
  EXPECT_EQ(q.joins[1].pos.line, 2);
  EXPECT_EQ(q.joins[1].pos.column, 8);
  EXPECT_EQ(Shape(*q.joins[1].on), "agents.level");
  EXPECT_EQ(q.joins[1].on->kind, ast::ExprKind::kColumn);
  EXPECT_EQ(Shape(*q.items[0].expr), "avg(agents.score)");
  EXPECT_EQ(Shape(*q.where), "(= agents.role \"frontline\")");
  ASSERT_EQ(q.group_by.size(), 2u);
  EXPECT_EQ(q.group_by[0]->kind, ast::ExprKind::kColumn);
  EXPECT_EQ(q.group_by[0]->text, "agents.role");
  EXPECT_EQ(q.group_by[1]->text, "levels.label");

  // On events, on a dimension; no join: none.
  EXPECT_EQ(ParseAs<ast::SelectQuery>("select count() from events join channels on channel").joins.size(), 1u);
  EXPECT_TRUE(ParseAs<ast::SelectQuery>("select count() from events").joins.empty());
}

TEST(EvaluationStatements, DurationInCalendar) {
  const auto q = ParseAs<ast::SelectQuery>(
      "select rate(duration(created -> agent_reply in support_cn) <= 2h) as on_time, "
      "max(duration(created -> resolved)) as d from tickets by week");
  const ast::Expr& rate = *q.items[0].expr;
  const ast::Expr& arrow = *rate.args[0]->args[0]->args[0];
  ASSERT_EQ(arrow.kind, ast::ExprKind::kArrow);
  EXPECT_EQ(arrow.text, "support_cn");
  EXPECT_EQ(Shape(arrow), "(-> created agent_reply support_cn)");  // the calendar name node keeps its position
  EXPECT_EQ(ast::ToString(rate), "rate(duration(created -> agent_reply in support_cn) <= 2h)");
  const ast::Expr& plain = *q.items[1].expr->args[0]->args[0];
  ASSERT_EQ(plain.kind, ast::ExprKind::kArrow);
  EXPECT_EQ(plain.text, "");
  EXPECT_EQ(ast::ToString(*q.items[1].expr), "max(duration(created -> resolved))");
}

TEST(EvaluationStatements, EvaluateKpis) {
  const auto e = ParseAs<ast::Evaluate>(
      "evaluate fcr, frt_p90, escalation from tickets during 2025-10-01 .. 2026-01-01\n"
      "  by business_type, channel, month order by value desc limit 5 tz \"Europe/Berlin\" as of 2026-01-02");
  ASSERT_EQ(e.kpis.size(), 3u);
  EXPECT_EQ(e.kpis[0].name, "fcr");
  EXPECT_EQ(e.kpis[0].pos.column, 10);
  EXPECT_EQ(e.kpis[1].name, "frt_p90");
  EXPECT_EQ(e.kpis[2].name, "escalation");
  EXPECT_EQ(e.kpis[2].pos.column, 24);
  EXPECT_FALSE(e.scorecard);
  EXPECT_TRUE(e.query.items.empty());
  EXPECT_EQ(e.query.source, "tickets");
  EXPECT_EQ(e.query.during_start->text, "2025-10-01");
  EXPECT_EQ(e.query.during_end->text, "2026-01-01");
  ASSERT_EQ(e.query.group_by.size(), 3u);
  EXPECT_EQ(e.query.group_by[2]->text, "month");
  ASSERT_EQ(e.query.order_by.size(), 1u);
  EXPECT_EQ(e.query.order_by[0].name, "value");
  EXPECT_TRUE(e.query.order_by[0].descending);
  EXPECT_EQ(e.query.limit, 5);
  EXPECT_EQ(e.query.tz, "Europe/Berlin");
  EXPECT_EQ(e.query.as_of->text, "2026-01-02");
}

TEST(EvaluationStatements, EvaluateScorecardAndExplain) {
  const auto e = ParseAs<ast::Evaluate>(
      "evaluate scorecard frontline from tickets join agents on agent_of(resolved)\n"
      "where agents.role = \"frontline\" during 2025-10-01 .. 2026-01-01\n"
      "by agent_of(resolved) order by score desc limit 10");
  ASSERT_TRUE(e.scorecard);
  EXPECT_EQ(e.scorecard->name, "frontline");
  EXPECT_EQ(e.scorecard->pos.column, 20);
  EXPECT_TRUE(e.kpis.empty());
  ASSERT_EQ(e.query.joins.size(), 1u);
  EXPECT_EQ(e.query.joins[0].table, "agents");
  EXPECT_EQ(Shape(*e.query.where), "(= agents.role \"frontline\")");
  ASSERT_EQ(e.query.group_by.size(), 1u);
  EXPECT_EQ(Shape(*e.query.group_by[0]), "agent_of(resolved)");
  EXPECT_EQ(e.query.order_by[0].name, "score");
  EXPECT_EQ(e.query.limit, 10);

  const auto x = ParseAs<ast::Explain>("explain evaluate scorecard s from events by channel");
  ASSERT_NE(x.evaluate, nullptr);
  ASSERT_TRUE(x.evaluate->scorecard);
  EXPECT_EQ(x.evaluate->scorecard->name, "s");
  EXPECT_EQ(x.evaluate->query.source, "events");
  const auto y = ParseAs<ast::Explain>("explain evaluate a, b from tickets");
  ASSERT_NE(y.evaluate, nullptr);
  ASSERT_EQ(y.evaluate->kpis.size(), 2u);
  EXPECT_EQ(y.evaluate->kpis[1].name, "b");
  EXPECT_EQ(ParseAs<ast::Explain>("explain select count() from tickets").evaluate, nullptr);
}

TEST(EvaluationStatements, DefineCalendar) {
  const auto c = ParseAs<ast::DefineCalendar>(
      "define calendar support_cn tz \"Asia/Shanghai\"\n"
      "  open mon-fri 09:00-12:00 13:00-18:00, sat 10:00-16:00, sat,sun 00:00-24:00\n"
      "  closed 2025-10-01 .. 2025-10-08, 2025-05-01");
  EXPECT_EQ(c.name.name, "support_cn");
  EXPECT_EQ(c.name.pos.column, 17);
  EXPECT_EQ(c.tz, "Asia/Shanghai");
  ASSERT_EQ(c.open.size(), 3u);
  EXPECT_EQ(c.open[0].days_mask, 0x1F);  // mon..fri
  EXPECT_EQ(c.open[0].ranges, (std::vector<std::pair<int, int>>{{540, 720}, {780, 1080}}));
  EXPECT_EQ(c.open[0].pos.line, 2);
  EXPECT_EQ(c.open[1].days_mask, 0x20);  // sat
  EXPECT_EQ(c.open[1].ranges, (std::vector<std::pair<int, int>>{{600, 960}}));
  EXPECT_EQ(c.open[2].days_mask, 0x60);  // sat, sun
  EXPECT_EQ(c.open[2].ranges, (std::vector<std::pair<int, int>>{{0, 1440}}));
  ASSERT_EQ(c.closed.size(), 2u);
  EXPECT_EQ(c.closed[0].first.text, "2025-10-01");
  ASSERT_TRUE(c.closed[0].end);
  EXPECT_EQ(c.closed[0].end->text, "2025-10-08");
  EXPECT_EQ(c.closed[1].first.text, "2025-05-01");
  EXPECT_FALSE(c.closed[1].end);

  // A range of days wrapping past sunday is not a thing; a list mixes freely.
  EXPECT_EQ(ParseAs<ast::DefineCalendar>("define calendar c tz \"UTC\" open sun,mon,wed 08:00-09:00").open[0].days_mask,
            0x45);
  EXPECT_TRUE(ParseAs<ast::DefineCalendar>("define calendar c tz \"UTC\" open mon 08:00-09:00").closed.empty());
}

TEST(EvaluationStatements, DefineTarget) {
  const auto t = ParseAs<ast::DefineTarget>("define target fcr >= 0.8 where channel = \"chat\" and region = \"eu\"");
  EXPECT_EQ(t.kpi.name, "fcr");
  EXPECT_EQ(t.kpi.pos.column, 15);
  EXPECT_EQ(t.op, ">=");
  EXPECT_EQ(t.op_pos.column, 19);
  EXPECT_EQ(Shape(*t.value), "0.8");
  EXPECT_EQ(Shape(*t.where), "(and (= channel \"chat\") (= region \"eu\"))");

  const auto d = ParseAs<ast::DefineTarget>("define target frt_p90 < 4h");
  EXPECT_EQ(d.op, "<");
  EXPECT_EQ(d.value->kind, ast::ExprKind::kDuration);
  EXPECT_EQ(d.value->number, 14400);
  EXPECT_EQ(d.where, nullptr);
  EXPECT_EQ(ParseAs<ast::DefineTarget>("define target x > 90%").value->kind, ast::ExprKind::kPercent);
  EXPECT_EQ(ParseAs<ast::DefineTarget>("define target x <= 3 where agents.role = \"lead\"").where->args[0]->text,
            "agents.role");
}

TEST(EvaluationStatements, DefineExemption) {
  const auto x = ParseAs<ast::DefineExemption>(
      "define exemption outage during 2025-10-01 .. 2025-10-02T12:00:00Z where channel = \"chat\" exclude");
  EXPECT_EQ(x.name.name, "outage");
  EXPECT_EQ(x.start.text, "2025-10-01");
  EXPECT_EQ(x.end.text, "2025-10-02T12:00:00Z");
  EXPECT_EQ(Shape(*x.where), "(= channel \"chat\")");
  EXPECT_TRUE(x.exclude);
  EXPECT_TRUE(x.relax.empty());
  EXPECT_FALSE(x.tz);

  const auto r = ParseAs<ast::DefineExemption>(
      "define exemption storm during 2025-10-01 .. 2025-10-02 relax fcr >= 0.5, frt_p90 <= 4h tz \"Europe/Berlin\"");
  EXPECT_FALSE(r.exclude);
  EXPECT_EQ(r.where, nullptr);
  ASSERT_EQ(r.relax.size(), 2u);
  EXPECT_EQ(r.relax[0].kpi.name, "fcr");
  EXPECT_EQ(r.relax[0].op, ">=");
  EXPECT_EQ(Shape(*r.relax[0].value), "0.5");
  EXPECT_EQ(r.relax[1].kpi.name, "frt_p90");
  EXPECT_EQ(r.relax[1].op, "<=");
  EXPECT_EQ(Shape(*r.relax[1].value), "14400s");
  EXPECT_EQ(r.tz, "Europe/Berlin");
  EXPECT_EQ(r.tz_pos.column, 91);
}

TEST(EvaluationStatements, DefineScorecard) {
  const auto s =
      ParseAs<ast::DefineScorecard>("define scorecard frontline = 55% satisfaction + 30% timeliness + 15% cost_control cap 1.2");
  EXPECT_EQ(s.name.name, "frontline");
  ASSERT_EQ(s.terms.size(), 3u);
  EXPECT_EQ(s.terms[0].weight->kind, ast::ExprKind::kPercent);
  EXPECT_DOUBLE_EQ(s.terms[0].weight->number, 0.55);
  EXPECT_EQ(s.terms[0].kpi.name, "satisfaction");
  EXPECT_EQ(s.terms[0].kpi.pos.column, 34);
  EXPECT_EQ(s.terms[2].kpi.name, "cost_control");
  ASSERT_NE(s.cap, nullptr);
  EXPECT_EQ(Shape(*s.cap), "1.2");

  const auto f = ParseAs<ast::DefineScorecard>("define scorecard s = 0.5 a + 0.5 b");
  EXPECT_EQ(f.terms[0].weight->kind, ast::ExprKind::kNumber);
  EXPECT_EQ(f.cap, nullptr);
  // A weight of 50 parses; that the weights sum to 1 is checked at define.
  EXPECT_EQ(ParseAs<ast::DefineScorecard>("define scorecard s = 50 fcr").terms[0].weight->number, 50);
}

TEST(EvaluationStatements, ShowAndDropOfEachKind) {
  for (const char* kind : {"kpi", "table", "calendar", "target", "exemption", "scorecard"}) {
    const auto s = ParseAs<ast::ShowKpis>(std::string("show ") + kind + "s");
    EXPECT_EQ(s.kind, kind);
  }
  for (const char* kind : {"table", "calendar", "exemption", "scorecard"}) {
    const auto d = ParseAs<ast::DropNamed>(std::string("drop ") + kind + " thing");
    EXPECT_EQ(d.kind, kind);
    EXPECT_EQ(d.name.name, "thing");
    EXPECT_EQ(d.name.pos.column, static_cast<int>(std::string(kind).size()) + 7);
  }
  const auto t = ParseAs<ast::DropTarget>("drop target fcr where channel = \"chat\"");
  EXPECT_EQ(t.kpi.name, "fcr");
  EXPECT_EQ(t.kpi.pos.column, 13);
  EXPECT_EQ(Shape(*t.where), "(= channel \"chat\")");
  EXPECT_EQ(ParseAs<ast::DropTarget>("drop target fcr").where, nullptr);
  EXPECT_EQ(ParseAs<ast::DropKpi>("drop kpi fcr").name, "fcr");
}

struct BadStatement {
  const char* text;
  int column;
  const char* message;
};

const BadStatement kBadStatements[] = {
    {"define calendar c tz \"UTC\" open mon-fri 9:00-8:00", 41, "opening hours must end after they start (9:00-8:00)"},
    {"define calendar c tz \"UTC\" open mon-fri 09:00-09:00", 41,
     "opening hours must end after they start (09:00-09:00)"},
    {"define calendar c tz \"UTC\" open mo 09:00-10:00", 33,
     "unknown day 'mo': expected mon, tue, wed, thu, fri, sat or sun"},
    {"define calendar c tz \"UTC\" open mon-fri", 40, "expected ',' or opening hours (hh:mm-hh:mm)"},
    {"define calendar c tz \"UTC\" open mon-fri 09:00-25:00", 41,
     "opening hours are written hh:mm-hh:mm (00:00 to 24:00)"},
    {"define calendar c open mon-fri 09:00-12:00", 19, "expected 'tz'"},
    {"define calendar c tz \"UTC\" open mon-fri 09:00-17:00 closed tomorrow", 60,
     "expected a date or timestamp (YYYY-MM-DD or RFC 3339)"},
    {"define scorecard s = 50% fcr 50% aht", 30, "expected 'cap' or end of input"},
    {"define scorecard s = fcr + aht", 22, "expected a weight (55% or 0.55)"},
    {"define scorecard s = 50% fcr + 50% aht cap", 43, "expected a number"},
    {"define target fcr = 0.8", 19, "expected one of >= > <= <"},
    {"define target >= 0.8", 15, "expected a KPI name"},
    {"define exemption x during 2025-01-01 .. 2025-01-02", 51, "expected 'where' or 'exclude' or 'relax'"},
    {"define exemption x during 2025-01-01 .. 2025-01-02 relax", 57, "expected a KPI name"},
    {"define exemption x during 2025-01-01 exclude", 38, "expected '..' and an end (during <start> .. <end>)"},
    {"evaluate from tickets", 10, "expected 'scorecard' or a KPI name"},
    {"evaluate fcr", 13, "expected ',' or 'from'"},
    {"select count() from tickets join agents agent_of(resolved)", 41, "expected 'on'"},
    {"select duration(created -> agent_reply in) from tickets", 42, "expected '(' or a calendar name"},
    {"drop table", 11, "expected a name"},
};

TEST(EvaluationStatements, ErrorPositions) {
  for (const BadStatement& bad : kBadStatements) {
    SCOPED_TRACE(bad.text);
    const ParseError e = ErrorOf(bad.text);
    EXPECT_EQ(e.pos.line, 1);
    EXPECT_EQ(e.pos.column, bad.column);
    EXPECT_EQ(e.message, bad.message);
  }
  // On a later line of a multi-line calendar.
  const ParseError e = ErrorOf("define calendar c tz \"UTC\"\n  open mon-fri 09:00-17:00,\n  sa 10:00-12:00");
  EXPECT_EQ(e.pos.line, 3);
  EXPECT_EQ(e.pos.column, 3);
}

// Checked when the statement is executed, not by the parser.
TEST(EvaluationStatements, SemanticChecksAreLeftToDefine) {
  ast::Statement st;
  std::string error;
  for (const char* text : {
           "define calendar c tz \"UTC\" open mon-fri 09:00-12:00 11:00-13:00",
           "define calendar c tz \"UTC\" open mon-fri 09:00-17:00 closed 2025-05-08 .. 2025-05-01",
           "define calendar c tz \"Mars/Olympus\" open mon 09:00-10:00",
           "define target fcr >= 0.8 where channel = \"chat\" or channel = \"email\"",
           "define target fcr >= 0.8 where not channel = \"chat\"",
           "define target fcr >= 0.8 where channel != \"chat\"",
           "define scorecard s = 50% a + 40% b",
       }) {
    EXPECT_TRUE(Parse(text, &st, &error)) << text << "\n" << error;
  }
}

// The fuzz corpus' seeds for the evaluation statements are valid statements.
TEST(EvaluationStatements, FuzzSeedsParse) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(KPI_TEST_DATA_DIR) / "fuzz" / "corpus";
  int seen = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("seed_eval_", 0) != 0) continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    ast::Statement st;
    std::string error;
    EXPECT_TRUE(Parse(text.str(), &st, &error)) << name << "\n" << error;
    ++seen;
  }
  EXPECT_GE(seen, 8);
}

}  // namespace
}  // namespace kpi::query
