// Expressions: precedence and associativity, literals, calls with their
// special argument forms, case rules, comments and positions.
#include <gtest/gtest.h>

#include "parse_test_util.h"

namespace kpi::query {
namespace {

using testing::ExprShape;
using testing::ParseExpr;

TEST(Precedence, OrBindsLoosestThenAndThenNot) {
  EXPECT_EQ(ExprShape("a or b and c"), "(or a (and b c))");
  EXPECT_EQ(ExprShape("a and b or c"), "(or (and a b) c)");
  EXPECT_EQ(ExprShape("not a and b"), "(and (not a) b)");
  EXPECT_EQ(ExprShape("not a or not b"), "(or (not a) (not b))");
  EXPECT_EQ(ExprShape("not not a"), "(not (not a))");
}

TEST(Precedence, NotBindsLooserThanComparison) {
  EXPECT_EQ(ExprShape("not a = b"), "(not (= a b))");
  EXPECT_EQ(ExprShape("not x in (1, 2)"), "(not (in x 1 2))");
}

TEST(Precedence, ComparisonLooserThanArithmetic) {
  EXPECT_EQ(ExprShape("a + 1 >= b * 2"), "(>= (+ a 1) (* b 2))");
  EXPECT_EQ(ExprShape("a - b < c / d"), "(< (- a b) (/ c d))");
  for (const char* op : {"=", "!=", "<", "<=", ">", ">="}) {
    EXPECT_EQ(ExprShape(std::string("x ") + op + " 1"), std::string("(") + op + " x 1)") << op;
  }
}

TEST(Precedence, MultiplicativeTighterThanAdditive) {
  EXPECT_EQ(ExprShape("1 + 2 * 3"), "(+ 1 (* 2 3))");
  EXPECT_EQ(ExprShape("1 * 2 + 3"), "(+ (* 1 2) 3)");
  EXPECT_EQ(ExprShape("(1 + 2) * 3"), "(* (+ 1 2) 3)");
}

TEST(Precedence, BinaryOperatorsAreLeftAssociative) {
  EXPECT_EQ(ExprShape("a - b - c"), "(- (- a b) c)");
  EXPECT_EQ(ExprShape("a / b / c"), "(/ (/ a b) c)");
  EXPECT_EQ(ExprShape("a - b + c"), "(+ (- a b) c)");
  EXPECT_EQ(ExprShape("a or b or c"), "(or (or a b) c)");
  EXPECT_EQ(ExprShape("a and b and c"), "(and (and a b) c)");
}

TEST(Precedence, UnaryMinusTightest) {
  EXPECT_EQ(ExprShape("-a * b"), "(* (neg a) b)");
  EXPECT_EQ(ExprShape("a * -b"), "(* a (neg b))");
  EXPECT_EQ(ExprShape("a - -b"), "(- a (neg b))");
  EXPECT_EQ(ExprShape("- -a"), "(neg (neg a))");
  EXPECT_EQ(ExprShape("-(a + b)"), "(neg (+ a b))");
  EXPECT_EQ(ExprShape("min(-handle_seconds)"), "min((neg handle_seconds))");
}

TEST(Precedence, ComparisonsDoNotChain) {
  EXPECT_EQ(ExprShape("(a < b) = true"), "(= (< a b) true)");
  EXPECT_EQ(ExprShape("a < b < c").rfind("ERROR", 0), 0u);
}

TEST(Precedence, InLists) {
  EXPECT_EQ(ExprShape("channel in (\"chat\", \"phone\")"), "(in channel \"chat\" \"phone\")");
  EXPECT_EQ(ExprShape("channel not in ('chat')"), "(not-in channel \"chat\")");
  EXPECT_EQ(ExprShape("a + 1 in (1, 2 + 3)"), "(in (+ a 1) 1 (+ 2 3))");
  EXPECT_EQ(ExprShape("x in (1) and y not in (2)"), "(and (in x 1) (not-in y 2))");
  EXPECT_EQ(ExprShape("channel In (\"a\") OR channel NOT IN (\"b\")"), "(or (in channel \"a\") (not-in channel \"b\"))");
}

TEST(Literals, Numbers) {
  EXPECT_EQ(ExprShape("12"), "12");
  EXPECT_EQ(ExprShape("0.5"), "0.5");
  EXPECT_EQ(ExprShape("1e3"), "1000");
  EXPECT_EQ(ExprShape("2.5E-2"), "0.025");
  EXPECT_EQ(ExprShape("007"), "7");
  EXPECT_EQ(ParseExpr("12")->kind, ast::ExprKind::kNumber);
}

TEST(Literals, Durations) {
  EXPECT_EQ(ExprShape("30s"), "30s");
  EXPECT_EQ(ExprShape("15m"), "900s");
  EXPECT_EQ(ExprShape("2h"), "7200s");
  EXPECT_EQ(ExprShape("1d"), "86400s");
  EXPECT_EQ(ExprShape("1w"), "604800s");
  EXPECT_EQ(ExprShape("1.5h"), "5400s");
  EXPECT_EQ(ExprShape("250ms"), "0.25s");
  EXPECT_EQ(ParseExpr("15m")->kind, ast::ExprKind::kDuration);
  EXPECT_EQ(ParseExpr("15m")->number, 900);
}

TEST(Literals, Percentages) {
  const ast::ExprPtr e = ParseExpr("85%");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, ast::ExprKind::kPercent);
  EXPECT_DOUBLE_EQ(e->number, 0.85);
  EXPECT_DOUBLE_EQ(ParseExpr("12.5%")->number, 0.125);
  EXPECT_EQ(ExprShape("r >= 50%"), "(>= r 0.5%)");
}

TEST(Literals, StringsWithBothQuotesAndEscapes) {
  EXPECT_EQ(ParseExpr("\"chat\"")->text, "chat");
  EXPECT_EQ(ParseExpr("'chat'")->text, "chat");
  EXPECT_EQ(ParseExpr("'it\\'s'")->text, "it's");
  EXPECT_EQ(ParseExpr("\"say \\\"hi\\\"\"")->text, "say \"hi\"");
  EXPECT_EQ(ParseExpr("'a\\\\b'")->text, "a\\b");
  EXPECT_EQ(ParseExpr("\"a\\nb\\tc\"")->text, "a\nb\tc");
  EXPECT_EQ(ParseExpr("\"it's\"")->text, "it's");
  EXPECT_EQ(ParseExpr("'say \"hi\"'")->text, "say \"hi\"");
  EXPECT_EQ(ParseExpr("\"\"")->text, "");
  EXPECT_EQ(ParseExpr("\"-- not a comment\"")->text, "-- not a comment");
  EXPECT_EQ(ParseExpr("\"caf\xC3\xA9\"")->text, "caf\xC3\xA9");
  EXPECT_EQ(ParseExpr("'x'")->kind, ast::ExprKind::kString);
}

TEST(Literals, BooleansAndNullInAnyCase) {
  EXPECT_EQ(ExprShape("true"), "true");
  EXPECT_EQ(ExprShape("FALSE"), "false");
  EXPECT_EQ(ExprShape("Null"), "null");
  EXPECT_EQ(ParseExpr("true")->kind, ast::ExprKind::kBool);
  EXPECT_TRUE(ParseExpr("true")->boolean);
  EXPECT_EQ(ParseExpr("null")->kind, ast::ExprKind::kNull);
}

TEST(Literals, DatesAndTimestampsKeepTheirText) {
  EXPECT_EQ(ExprShape("created >= 2025-02-02"), "(>= created @2025-02-02)");
  EXPECT_EQ(ExprShape("time >= 2025-03-02T01:00:00Z"), "(>= time @2025-03-02T01:00:00Z)");
  EXPECT_EQ(ExprShape("first(resolved) < 2025-02-02T12:00:00+00:00"),
            "(< first(resolved) @2025-02-02T12:00:00+00:00)");
  EXPECT_EQ(ExprShape("t < 2025-11-02T01:00:00.250-05:00"), "(< t @2025-11-02T01:00:00.250-05:00)");
  EXPECT_EQ(ExprShape("t < 2025-01-01 08:30:00Z"), "(< t @2025-01-01 08:30:00Z)");
  EXPECT_EQ(ExprShape("t < 2025-01-01t08:30:00"), "(< t @2025-01-01t08:30:00)");
  EXPECT_EQ(ParseExpr("2024-02-29")->kind, ast::ExprKind::kTimestamp);
  // A date token is never arithmetic; plain numbers still subtract.
  EXPECT_EQ(ExprShape("2025 - 1 - 1"), "(- (- 2025 1) 1)");
  EXPECT_EQ(ExprShape("20250-1"), "(- 20250 1)");
}

TEST(Calls, NamesAreLowerCasedAndArgumentsKept) {
  EXPECT_EQ(ExprShape("COUNT()"), "count()");
  EXPECT_EQ(ExprShape("Count( )"), "count()");
  EXPECT_EQ(ExprShape("percentile(handle_seconds, 0.25)"), "percentile(handle_seconds 0.25)");
  EXPECT_EQ(ExprShape("percentile(handle_seconds, 75%)"), "percentile(handle_seconds 0.75%)");
  EXPECT_EQ(ExprShape("ratio(sum(a), count() * 2)"), "ratio(sum(a) (* count() 2))");
  EXPECT_EQ(ExprShape("total(handle_seconds)"), "total(handle_seconds)");
  EXPECT_EQ(ExprShape("sum(duration(created -> agent_reply)) / count()"),
            "(/ sum(duration((-> created agent_reply))) count())");
  EXPECT_EQ(ParseExpr("AVG(x)")->text, "avg");
}

TEST(Calls, ArrowAndBeforeArguments) {
  const ast::ExprPtr d = ParseExpr("duration(created -> agent_reply)");
  ASSERT_NE(d, nullptr);
  ASSERT_EQ(d->kind, ast::ExprKind::kCall);
  ASSERT_EQ(d->args.size(), 1u);
  EXPECT_EQ(d->args[0]->kind, ast::ExprKind::kArrow);
  EXPECT_EQ(d->args[0]->args[0]->text, "created");
  EXPECT_EQ(d->args[0]->args[1]->text, "agent_reply");
  const ast::ExprPtr c = ParseExpr("count_of(agent_reply BEFORE resolved)");
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->args.size(), 1u);
  EXPECT_EQ(c->args[0]->kind, ast::ExprKind::kBefore);
  EXPECT_EQ(c->args[0]->args[1]->text, "resolved");
  EXPECT_EQ(ExprShape("duration(created->agent_reply)"), "duration((-> created agent_reply))");
  EXPECT_EQ(ExprShape("count_of(agent_reply)"), "count_of(agent_reply)");
  EXPECT_EQ(ExprShape("repeat_within(7d, customer, category)"), "repeat_within(604800s customer category)");
  // `a - > b` is not an arrow.
  EXPECT_EQ(ExprShape("duration(a - > b)").rfind("ERROR", 0), 0u);
}

TEST(Identifiers, CaseSensitiveAndNotSplitAtKeywords) {
  EXPECT_EQ(ExprShape("Channel"), "Channel");
  EXPECT_EQ(ExprShape("bytes"), "bytes");
  EXPECT_EQ(ExprShape("order_id"), "order_id");
  EXPECT_EQ(ExprShape("android"), "android");
  EXPECT_EQ(ExprShape("notes"), "notes");
  EXPECT_EQ(ExprShape("inbox"), "inbox");
  EXPECT_EQ(ExprShape("_x1"), "_x1");
  EXPECT_EQ(ExprShape("ordered or nothing"), "(or ordered nothing)");
  EXPECT_EQ(ExprShape("kpi"), "kpi");  // statement words are not reserved
  EXPECT_EQ(ExprShape("events"), "events");
}

TEST(Statements, KeywordsInAnyCase) {
  ast::Statement st;
  std::string error;
  ASSERT_TRUE(testing::Parse("SELECT Count() AS n -- comment to end of line\nFROM Tickets\nWHERE channel = 'chat'\nBY Month",
                             &st, &error))
      << error;
  const auto& q = std::get<ast::SelectQuery>(st);
  EXPECT_EQ(q.source, "tickets");
  EXPECT_EQ(q.items[0].alias, "n");
  EXPECT_EQ(testing::Shape(*q.items[0].expr), "count()");
  EXPECT_EQ(q.group_by[0]->text, "Month");  // identifiers keep their case
  ASSERT_TRUE(testing::Parse("sElEcT x aS y fRoM EVENTS oRdEr By y DeSc LiMiT 2 Tz 'UTC' As Of 2025-01-01", &st, &error))
      << error;
  const auto& q2 = std::get<ast::SelectQuery>(st);
  EXPECT_EQ(q2.source, "events");
  EXPECT_TRUE(q2.order_by[0].descending);
  EXPECT_EQ(*q2.limit, 2);
  EXPECT_EQ(q2.as_of->text, "2025-01-01");
}

TEST(Statements, CommentsAndLineBreaksAnywhere) {
  ast::Statement st;
  std::string error;
  ASSERT_TRUE(testing::Parse(
      "-- leading comment\n"
      "select -- after select\n"
      "  count() as n, -- after an item\n"
      "  avg(csat)--no space needed\n"
      "from\n"
      "  tickets -- trailing\n"
      "where csat >= 4 --\n"
      "-- trailing comment without newline",
      &st, &error))
      << error;
  const auto& q = std::get<ast::SelectQuery>(st);
  ASSERT_EQ(q.items.size(), 2u);
  EXPECT_EQ(testing::Shape(*q.where), "(>= csat 4)");
  ASSERT_TRUE(testing::Parse("select\ta\r\nfrom\tevents\r\n", &st, &error)) << error;
  // `--` after an operand is a comment, not two minus signs.
  ASSERT_TRUE(testing::Parse("select 5 --3\nfrom events", &st, &error)) << error;
  EXPECT_EQ(testing::Shape(*std::get<ast::SelectQuery>(st).items[0].expr), "5");
}

TEST(Positions, NodesOnMultiLineInput) {
  ast::Statement st;
  std::string error;
  ASSERT_TRUE(testing::Parse(
      "select count() as n,\n"             // 1
      "       avg(csat) as a\n"            // 2
      "from tickets\n"                     // 3
      "where channel = \"chat\"\n"         // 4
      "  and not has(resolved)\n"          // 5
      "by team, agent_of(resolved)\n"      // 6
      "during 2025-01-01 .. 2025-02-01\n"  // 7
      "  tz 'UTC' as of 2025-03-01",       // 8
      &st, &error))
      << error;
  const auto& q = std::get<ast::SelectQuery>(st);
  auto at = [](ast::SourcePos p) { return std::to_string(p.line) + ":" + std::to_string(p.column); };
  EXPECT_EQ(at(q.items[0].pos), "1:8");
  EXPECT_EQ(at(q.items[0].expr->pos), "1:8");
  EXPECT_EQ(at(q.items[1].pos), "2:8");
  EXPECT_EQ(at(q.items[1].expr->args[0]->pos), "2:12");  // csat
  EXPECT_EQ(at(q.source_pos), "3:6");
  EXPECT_EQ(at(q.where->pos), "4:7");                    // a binary node starts at its left operand
  EXPECT_EQ(at(q.where->args[0]->args[1]->pos), "4:17");  // "chat"
  EXPECT_EQ(at(q.where->args[1]->pos), "5:7");           // not
  EXPECT_EQ(at(q.where->args[1]->args[0]->pos), "5:11");  // has(
  EXPECT_EQ(at(q.group_by[0]->pos), "6:4");
  EXPECT_EQ(at(q.group_by[1]->pos), "6:10");
  EXPECT_EQ(at(q.group_by[1]->args[0]->pos), "6:19");
  EXPECT_EQ(at(q.during_start->pos), "7:8");
  EXPECT_EQ(at(q.during_end->pos), "7:22");
  EXPECT_EQ(at(q.tz_pos), "8:6");
  EXPECT_EQ(at(q.as_of->pos), "8:18");
}

TEST(Positions, LiteralsAndOperators) {
  const ast::ExprPtr e = ParseExpr("-x + (true)");  // "select " is 7 columns
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->pos.column, 8);
  EXPECT_EQ(e->args[0]->pos.column, 8);        // unary minus at its sign
  EXPECT_EQ(e->args[0]->args[0]->pos.column, 9);
  EXPECT_EQ(e->args[1]->pos.column, 14);       // true, inside the parentheses
  const ast::ExprPtr in = ParseExpr("x not in (null, 1.5h)");
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->args[1]->pos.column, 18);
  EXPECT_EQ(in->args[2]->pos.column, 24);
}

}  // namespace
}  // namespace kpi::query
