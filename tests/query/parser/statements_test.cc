// Statements other than select, trailing ';', ParseScript splitting and
// Keywords().
#include <gtest/gtest.h>

#include <algorithm>

#include "parse_test_util.h"

namespace kpi::query {
namespace {

using testing::Parse;
using testing::Shape;

TEST(Statements, DefineKpiKeepsTheExpressionText) {
  ast::Statement st;
  std::string error;
  ASSERT_TRUE(Parse("define kpi frt = duration(created -> agent_reply)", &st, &error)) << error;
  const auto& d = std::get<ast::DefineKpi>(st);
  EXPECT_EQ(d.name, "frt");
  EXPECT_EQ(d.pos.column, 12);
  EXPECT_EQ(Shape(*d.expr), "duration((-> created agent_reply))");
  EXPECT_EQ(d.expr_text, "duration(created -> agent_reply)");

  ASSERT_TRUE(Parse("DEFINE KPI on_time =\n  rate(duration(created -> agent_reply) <= 5m)  -- SLA\n;", &st, &error))
      << error;
  const auto& d2 = std::get<ast::DefineKpi>(st);
  EXPECT_EQ(d2.name, "on_time");
  EXPECT_EQ(d2.expr_text, "rate(duration(created -> agent_reply) <= 5m)");
  EXPECT_EQ(d2.expr->pos.line, 2);

  ASSERT_TRUE(Parse("define kpi x = a +  -- inner comment stays\n  b", &st, &error)) << error;
  EXPECT_EQ(std::get<ast::DefineKpi>(st).expr_text, "a +  -- inner comment stays\n  b");
}

TEST(Statements, ShowDropExplain) {
  ast::Statement st;
  std::string error;
  ASSERT_TRUE(Parse("show kpis", &st, &error)) << error;
  EXPECT_TRUE(std::holds_alternative<ast::ShowKpis>(st));
  ASSERT_TRUE(Parse("SHOW KPIS;", &st, &error)) << error;
  EXPECT_TRUE(std::holds_alternative<ast::ShowKpis>(st));

  ASSERT_TRUE(Parse("drop kpi frt_median", &st, &error)) << error;
  ASSERT_TRUE(std::holds_alternative<ast::DropKpi>(st));
  EXPECT_EQ(std::get<ast::DropKpi>(st).name, "frt_median");
  EXPECT_EQ(std::get<ast::DropKpi>(st).pos.column, 10);

  ASSERT_TRUE(Parse("explain select count() as n from tickets by channel;", &st, &error)) << error;
  ASSERT_TRUE(std::holds_alternative<ast::Explain>(st));
  const auto& q = std::get<ast::Explain>(st).query;
  EXPECT_EQ(q.source, "tickets");
  EXPECT_EQ(q.items[0].alias, "n");
  EXPECT_EQ(q.source_pos.column, 34);
}

TEST(Statements, TrailingSemicolonAndBlanks) {
  ast::Statement st;
  std::string error;
  EXPECT_TRUE(Parse("select x from events;", &st, &error)) << error;
  EXPECT_TRUE(Parse("select x from events ;  -- done\n\n", &st, &error)) << error;
  EXPECT_FALSE(Parse("select x from events;;", &st, &error));
  EXPECT_FALSE(Parse("select x from events; show kpis", &st, &error));
}

TEST(Script, SplitsAtTopLevelSemicolons) {
  std::vector<ast::Statement> out;
  ParseError error;
  ASSERT_TRUE(ParseScript(
      "define kpi k = count();  -- a ; in a comment\n"
      "select k, 'a;b' as x from tickets where c = \"semi;colon\";\n"
      ";;\n"
      "show kpis;\n"
      "drop kpi k",
      &out, &error))
      << error.ToString();
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(std::get<ast::DefineKpi>(out[0]).expr_text, "count()");
  EXPECT_EQ(Shape(*std::get<ast::SelectQuery>(out[1]).items[1].expr), "\"a;b\"");
  EXPECT_EQ(Shape(*std::get<ast::SelectQuery>(out[1]).where), "(= c \"semi;colon\")");
  EXPECT_TRUE(std::holds_alternative<ast::ShowKpis>(out[2]));
  EXPECT_EQ(std::get<ast::DropKpi>(out[3]).name, "k");
  EXPECT_EQ(std::get<ast::DropKpi>(out[3]).pos.line, 5);
}

TEST(Script, PositionsAreRelativeToTheWholeScript) {
  std::vector<ast::Statement> out;
  ParseError error;
  ASSERT_TRUE(ParseScript("show kpis; select a\n  from events; select b from tickets where x", &out, &error))
      << error.ToString();
  ASSERT_EQ(out.size(), 3u);
  const auto& second = std::get<ast::SelectQuery>(out[1]);
  EXPECT_EQ(second.items[0].pos.line, 1);
  EXPECT_EQ(second.items[0].pos.column, 19);
  EXPECT_EQ(second.source_pos.line, 2);
  EXPECT_EQ(second.source_pos.column, 8);
  const auto& third = std::get<ast::SelectQuery>(out[2]);
  EXPECT_EQ(third.where->pos.line, 2);
  EXPECT_EQ(third.where->pos.column, 44);
}

TEST(Script, EmptyScriptHasNoStatements) {
  std::vector<ast::Statement> out(3);
  ParseError error;
  EXPECT_TRUE(ParseScript("", &out, &error));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(ParseScript("  -- only a comment; really\n ; ;", &out, &error));
  EXPECT_TRUE(out.empty());
}

TEST(Script, UnterminatedStringIsReportedNotSwallowed) {
  std::vector<ast::Statement> out;
  ParseError error;
  EXPECT_FALSE(ParseScript("select 'abc from events; show kpis", &out, &error));
  EXPECT_EQ(error.message, "unterminated string (a string must end on the line it starts)");
  EXPECT_EQ(error.pos.column, 8);
}

TEST(Keywords, ListsTheLanguageWordsInLowerCase) {
  const std::vector<std::string>& words = Keywords();
  for (const char* w : {"select", "from", "where", "during", "at", "by", "having", "order", "asc", "desc", "limit",
                        "tz", "as", "of", "and", "or", "not", "in", "true", "false", "null", "before", "define",
                        "kpi", "kpis", "show", "drop", "explain", "events", "tickets"}) {
    EXPECT_NE(std::find(words.begin(), words.end(), w), words.end()) << w;
  }
  EXPECT_TRUE(std::is_sorted(words.begin(), words.end()));
  for (const std::string& w : words) {
    EXPECT_EQ(w.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), std::string::npos) << w;
  }
}

}  // namespace
}  // namespace kpi::query
