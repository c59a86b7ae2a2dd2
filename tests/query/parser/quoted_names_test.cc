// Quoted names (query/parser/x3/quoted_names.h): a name in backticks is a
// column reference whatever its characters, never a keyword, never a joined
// table's column because of a dot; errors name the opening backtick's line
// and column; the splitter skips them; the printer quotes exactly the names
// that need it and reads back the same tree; completion finds the open one.
#include <gtest/gtest.h>

#include <variant>

#include "parse_test_util.h"
#include "query/parser/names.h"
#include "query/parser/x3/quoted_names.h"

namespace kpi::query {
namespace {

using testing::ErrorOf;
using testing::ExprShape;
using testing::ParseExpr;

TEST(QuotedNames, NameAnyColumn) {
  EXPECT_EQ(ExprShape("count_distinct(`état`)"), "count_distinct(état)");
  EXPECT_EQ(ExprShape("`first name` = \"x\""), "(= first name \"x\")");
  EXPECT_EQ(ExprShape("`select` + `order`"), "(+ select order)");  // never a keyword
  EXPECT_EQ(ExprShape("`a\\`b\\\\c`"), "a`b\\c");
  EXPECT_EQ(ExprShape("`tab\\there`"), "tab\there");
  EXPECT_EQ(ExprShape("`日本語`"), "日本語");
  EXPECT_EQ(ExprShape("`; -- not a comment`"), "; -- not a comment");
  const ast::ExprPtr dotted = ParseExpr("`a.b`");
  ASSERT_TRUE(dotted);
  EXPECT_EQ(dotted->text, "a.b");
  EXPECT_FALSE(dotted->boolean) << "a quoted dot is part of the name";
  const ast::ExprPtr member = ParseExpr("agents.`rôle x`");
  ASSERT_TRUE(member);
  EXPECT_EQ(member->text, "agents.rôle x");
  EXPECT_TRUE(member->boolean) << "TABLE.column";
  EXPECT_TRUE(ParseExpr("agents.role")->boolean);
}

TEST(QuotedNames, AliasesGroupsAndOrder) {
  ast::Statement st;
  std::string error;
  ASSERT_TRUE(testing::Parse("select count() as `n°`, avg(`durée`) from tickets by `état` order by `n°` desc, "
                             "`count()` limit 3",
                             &st, &error))
      << error;
  const auto& q = std::get<ast::SelectQuery>(st);
  EXPECT_EQ(q.items[0].alias, "n°");
  ASSERT_EQ(q.group_by.size(), 1u);
  EXPECT_EQ(q.group_by[0]->text, "état");
  ASSERT_EQ(q.order_by.size(), 2u);
  EXPECT_EQ(q.order_by[0].name, "n°");
  EXPECT_EQ(q.order_by[1].name, "count()");
}

TEST(QuotedNames, ErrorsNameTheLineAndColumn) {
  ParseError e = ErrorOf("select count()\nfrom tickets by `état");
  EXPECT_EQ(e.pos.line, 2);
  EXPECT_EQ(e.pos.column, 17);
  EXPECT_NE(e.message.find("unterminated quoted name"), std::string::npos) << e.message;
  e = ErrorOf("select `a\nb` from tickets");
  EXPECT_EQ(e.pos.line, 1);
  EXPECT_EQ(e.pos.column, 8);
  EXPECT_NE(e.message.find("unterminated quoted name"), std::string::npos) << e.message;
  e = ErrorOf("select `a\\qb` from tickets");
  EXPECT_EQ(e.pos.column, 10);
  EXPECT_NE(e.message.find("unknown escape '\\q'"), std::string::npos) << e.message;
  e = ErrorOf("select `` from tickets");
  EXPECT_EQ(e.pos.column, 8);
  EXPECT_NE(e.message.find("empty quoted name"), std::string::npos) << e.message;
  e = ErrorOf("select count() from tickets by agents.`x");
  EXPECT_EQ(e.pos.column, 39);
  EXPECT_NE(e.message.find("unterminated quoted name"), std::string::npos) << e.message;
  // Definition names stay identifiers.
  e = ErrorOf("define kpi `my kpi` = count()");
  EXPECT_EQ(e.pos.column, 12);
}

TEST(QuotedNames, TheSplitterSkipsThem) {
  const std::vector<ScriptPiece> pieces = SplitScript("select `a;b` from tickets; select 1 from events");
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].text, "select `a;b` from tickets");
  EXPECT_EQ(EndOfLastTerminator("select `a;b"), 0u);
  EXPECT_EQ(EndOfLastTerminator("select `a\\`;b` from x;"), 22u);
  EXPECT_EQ(SplitScript("select `a\nb; c").size(), 2u) << "an unterminated name ends at its line";
}

TEST(QuotedNames, PrintedQuotedWhereNeededAndReadBack) {
  for (const char* name : {"channel", "état", "first name", "a.b", "select", "Order", "x`y", "back\\slash",
                           "two\nlines", "9lives", "_ok", "日本語", "tab\t", "-- c", "a;b"}) {
    const std::string quoted = QuoteName(name);
    EXPECT_EQ(quoted == name, x3p::IsBareName(name)) << name;
    const ast::ExprPtr e = ParseExpr("count_distinct(" + quoted + ")");
    ASSERT_TRUE(e) << quoted;
    ASSERT_EQ(e->args.size(), 1u);
    EXPECT_EQ(e->args[0]->text, name) << quoted;
    EXPECT_FALSE(e->args[0]->boolean) << quoted;
    const std::string printed = ast::ToString(*e);
    const ast::ExprPtr again = ParseExpr(printed);
    ASSERT_TRUE(again) << printed;
    EXPECT_TRUE(testing::SameTree(*e, *again)) << printed;
  }
  EXPECT_EQ(QuoteName("channel"), "channel");
  EXPECT_EQ(QuoteName("état"), "`état`");
  EXPECT_EQ(QuoteName("x`y"), "`x\\`y`");
  EXPECT_EQ(ast::ToString(*ParseExpr("agents.`rôle`")), "agents.`rôle`");
  EXPECT_EQ(ast::ToString(*ParseExpr("`a.b` = agents.role")), "`a.b` = agents.role");
}

TEST(QuotedNames, CompletionFindsTheOpenName) {
  EXPECT_EQ(OpenQuotedName("select `first na"), 7u);
  EXPECT_EQ(OpenQuotedName("select `first name` + `"), 22u);
  EXPECT_EQ(OpenQuotedName("select `first name`"), std::string_view::npos);
  EXPECT_EQ(OpenQuotedName("select \"`x"), std::string_view::npos) << "in a string";
  EXPECT_EQ(OpenQuotedName("-- `x"), std::string_view::npos) << "in a comment";
  EXPECT_EQ(OpenQuotedName("select `a\nb"), std::string_view::npos) << "ended by its line";
  EXPECT_EQ(OpenQuotedName("select `a\\`"), 7u) << "an escaped backtick closes nothing";
}

}  // namespace
}  // namespace kpi::query
