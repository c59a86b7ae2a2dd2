// ast::ToString: canonical text (lower-case keywords, minimal parentheses)
// and the round trip parse(ToString(parse(q))) == parse(q).
#include <gtest/gtest.h>

#include "parse_test_util.h"

namespace kpi::query {
namespace {

using testing::ParseExpr;

std::string Canonical(const std::string& expr) {
  const ast::ExprPtr e = ParseExpr(expr);
  return e ? ast::ToString(*e) : "<parse error>";
}

TEST(AstPrint, CanonicalText) {
  EXPECT_EQ(Canonical("COUNT( )"), "count()");
  EXPECT_EQ(Canonical("P50(Duration(created->agent_reply))"), "p50(duration(created -> agent_reply))");
  EXPECT_EQ(Canonical("count_of(a BEFORE b)"), "count_of(a before b)");
  EXPECT_EQ(Canonical("a AND NOT b OR c"), "a and not b or c");
  EXPECT_EQ(Canonical("x NOT IN ('a','b')"), "x not in (\"a\", \"b\")");
  EXPECT_EQ(Canonical("((a + b)) * ((c))"), "(a + b) * c");
  EXPECT_EQ(Canonical("a - (b - c)"), "a - (b - c)");
  EXPECT_EQ(Canonical("(a - b) - c"), "a - b - c");
  EXPECT_EQ(Canonical("a or (b or c)"), "a or (b or c)");
  EXPECT_EQ(Canonical("(a = b) = c"), "(a = b) = c");
  EXPECT_EQ(Canonical("a = (b = c)"), "a = (b = c)");
  EXPECT_EQ(Canonical("not (a and b)"), "not (a and b)");
  EXPECT_EQ(Canonical("(not a) = b"), "(not a) = b");
  EXPECT_EQ(Canonical("-(-a)"), "- -a");
  EXPECT_EQ(Canonical("-(a * b)"), "-(a * b)");
  EXPECT_EQ(Canonical("(x in (1)) in (true)"), "(x in (1)) in (true)");
  EXPECT_EQ(Canonical("TRUE and Null"), "true and null");
  EXPECT_EQ(Canonical("'it\\'s \"q\"'"), "\"it's \\\"q\\\"\"");
  EXPECT_EQ(Canonical("2025-01-01T00:00:00Z"), "2025-01-01T00:00:00Z");
}

TEST(AstPrint, LiteralsInCanonicalUnits) {
  EXPECT_EQ(Canonical("15m"), "15m");
  EXPECT_EQ(Canonical("900s"), "15m");
  EXPECT_EQ(Canonical("7d"), "1w");
  EXPECT_EQ(Canonical("24h"), "1d");
  EXPECT_EQ(Canonical("1.5h"), "90m");
  EXPECT_EQ(Canonical("30s"), "30s");
  EXPECT_EQ(Canonical("0s"), "0s");
  EXPECT_EQ(Canonical("1500ms"), "1.5s");
  EXPECT_EQ(Canonical("85%"), "85%");
  EXPECT_EQ(Canonical("12.5%"), "12.5%");
  EXPECT_EQ(Canonical("0.5"), "0.5");
  EXPECT_EQ(Canonical("1.0"), "1");
  EXPECT_EQ(Canonical("1e21"), "1e+21");
}

// Hand-built trees (as the binder might make) print without crashing.
TEST(AstPrint, OddTreesDoNotCrash) {
  auto node = std::make_shared<ast::Expr>();
  node->kind = ast::ExprKind::kBinary;
  node->text = "+";
  EXPECT_EQ(ast::ToString(*node), "null + null");
  node->kind = ast::ExprKind::kNumber;
  node->number = -2.5;
  EXPECT_EQ(ast::ToString(*node), "-2.5");
  auto neg = std::make_shared<ast::Expr>();
  neg->kind = ast::ExprKind::kUnary;
  neg->text = "-";
  neg->args.push_back(node);
  EXPECT_EQ(ast::ToString(*neg), "- -2.5");
}

const char* const kRoundTrip[] = {
    "count()",
    "p50(duration(created -> agent_reply))",
    "rate(count_of(agent_reply before resolved) = 1 and not has(reopened))",
    "rate(repeat_within(7d, customer, category))",
    "rate(duration(created -> agent_reply) <= 15m)",
    "a or b and c",
    "(a or b) and c",
    "not (a or b)",
    "not not a",
    "not a = b",
    "(not a) = b",
    "a - (b - c)",
    "a - b - c",
    "a / (b * c)",
    "a * b / c",
    "-a * -b",
    "- -a",
    "-(a + b) * c",
    "-(-(-x))",
    "a - -1",
    "1 - 2 - 3",
    "x in (1, 2, 3)",
    "x not in (\"a\")",
    "(a and b) in (true, false)",
    "(a = b) != (c = d)",
    "a + b in (1, a * 2)",
    "percentile(handle_seconds, 75%)",
    "ratio(sum(a) + 1, count() * 2)",
    "0.1 + 0.2",
    "1e-7 * 3.14159",
    "123456789012345678",
    "1.7976931348623157e308",
    "1ms + 3ms + 1.5h + 1w + 2d + 36h + 0.001s",
    "33.3% + 0.1% + 7%",
    "'a\\\\b\\n\\t\\r\\'\"'",
    "2025-01-01 08:00:00Z < created",
    "time >= 2025-03-02T01:00:00.123456789+05:30",
    "null = null",
    "duration((a) -> (b))",
    "f(a or b -> c and d)",
    "count_of(a before b) > count_of(b)",
    "((((x))))",
    "x = 1 or y = 2 or z = 3 and w",
    "not x in (1) and not y not in (2)",
};

TEST(AstPrint, RoundTrip) {
  for (const char* text : kRoundTrip) {
    SCOPED_TRACE(text);
    const ast::ExprPtr first = ParseExpr(text);
    ASSERT_NE(first, nullptr);
    const std::string printed = ast::ToString(*first);
    const ast::ExprPtr second = ParseExpr(printed);
    ASSERT_NE(second, nullptr) << printed;
    EXPECT_TRUE(testing::SameTree(*first, *second)) << printed << "\n"
                                                    << testing::Shape(*first) << "\n"
                                                    << testing::Shape(*second);
    EXPECT_EQ(ast::ToString(*second), printed);  // printing is idempotent
  }
}

// Round trip over many generated expressions mixing every operator.
TEST(AstPrint, RoundTripGenerated) {
  const char* const atoms[] = {"a", "1", "2.5", "15m", "85%", "'s'", "true", "null", "f(x)", "2025-01-01"};
  const char* const binary[] = {" or ", " and ", " = ", " != ", " < ", " <= ", " > ", " >= ", " + ", " - ", " * ", " / "};
  uint64_t state = 12345;
  auto next = [&state](uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  std::function<std::string(int)> gen = [&](int depth) -> std::string {
    if (depth > 4) return atoms[next(10)];
    switch (next(6)) {
      case 0: return atoms[next(10)];
      case 1: return "not " + gen(depth + 1);
      case 2: return "-" + gen(depth + 1);
      case 3: return "(" + gen(depth + 1) + ")";
      case 4: return gen(depth + 1) + " in (" + gen(depth + 1) + ", " + gen(depth + 1) + ")";
      default: return gen(depth + 1) + binary[next(12)] + gen(depth + 1);
    }
  };
  int parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string text = gen(0);
    ast::Statement st;
    ParseError error;
    // Many generated texts are invalid (chained comparisons); skip those.
    if (!ParseStatement("select " + text + " from events", &st, &error)) continue;
    ++parsed;
    const ast::ExprPtr first = std::get<ast::SelectQuery>(st).items[0].expr;
    const std::string printed = ast::ToString(*first);
    const ast::ExprPtr second = ParseExpr(printed);
    ASSERT_NE(second, nullptr) << text << " -> " << printed;
    ASSERT_TRUE(testing::SameTree(*first, *second)) << text << " -> " << printed;
  }
  EXPECT_GT(parsed, 1000);
}

}  // namespace
}  // namespace kpi::query
