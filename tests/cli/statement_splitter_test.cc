#include "cli/statement_splitter.h"

#include <gtest/gtest.h>

namespace kpi::cli {
namespace {

TEST(SplitStatementsTest, SplitsAtTopLevelSemicolons) {
  auto st = SplitStatements("select 1 from tickets; select 2 from events;");
  ASSERT_EQ(st.size(), 2u);
  EXPECT_EQ(st[0].text, "select 1 from tickets");
  EXPECT_EQ(st[0].line, 1);
  EXPECT_EQ(st[0].column, 1);
  // The second keeps its column: padded with spaces.
  EXPECT_EQ(st[1].column, 24);
  EXPECT_EQ(st[1].text, std::string(23, ' ') + "select 2 from events");
}

TEST(SplitStatementsTest, KeepsLinePositions) {
  auto st = SplitStatements("-- report\nselect 1\nfrom tickets;\n\n  select x\n  from events\n");
  ASSERT_EQ(st.size(), 2u);
  EXPECT_EQ(st[0].line, 1);  // the comment belongs to the first statement
  EXPECT_EQ(st[1].line, 5);
  EXPECT_EQ(st[1].column, 3);
  EXPECT_EQ(st[1].text, "\n\n\n\n  select x\n  from events\n");
}

TEST(SplitStatementsTest, SemicolonsInStringsAndCommentsDoNotSplit) {
  auto st = SplitStatements("select 1 from events where team = 'a;b' -- c;d\n and x = \"e\\\";f\";");
  ASSERT_EQ(st.size(), 1u);
  EXPECT_NE(st[0].text.find("\"e\\\";f\""), std::string::npos);
}

TEST(SplitStatementsTest, DropsBlankPieces) {
  EXPECT_TRUE(SplitStatements("").empty());
  EXPECT_TRUE(SplitStatements(" ;; -- only a comment\n;").empty());
  auto st = SplitStatements("select 1 from tickets");  // no terminator
  ASSERT_EQ(st.size(), 1u);
}

TEST(SplitStatementsTest, UnterminatedStringRunsToTheEnd) {
  auto st = SplitStatements("select 'oops; from tickets; select 2");
  ASSERT_EQ(st.size(), 1u);
}

TEST(EndOfLastTerminatorTest, ReplRunsCompleteStatementsOnly) {
  EXPECT_EQ(EndOfLastTerminator("select count()\n"), 0u);
  EXPECT_EQ(EndOfLastTerminator("select 1\nfrom tickets;\n"), 22u);
  EXPECT_EQ(EndOfLastTerminator("select 1; select 2; sel"), 19u);
  EXPECT_EQ(EndOfLastTerminator("select ';'\n"), 0u);
  EXPECT_EQ(EndOfLastTerminator("select 1 -- ;\n"), 0u);
}

TEST(IsBlankScriptTest, CommentsAndWhitespace) {
  EXPECT_TRUE(IsBlankScript(""));
  EXPECT_TRUE(IsBlankScript("  -- hello\n\t"));
  EXPECT_FALSE(IsBlankScript("-- x\nselect"));
  EXPECT_FALSE(IsBlankScript(";"));
}

}  // namespace
}  // namespace kpi::cli
