// Request-target parsing.
#include "server/url.h"

#include <gtest/gtest.h>

namespace kpi::server {
namespace {

TEST(UrlTest, DecodesPathAndQuery) {
  Target t;
  ASSERT_TRUE(ParseTarget("/v1/query?q=select%20count()+from%20tickets&format=csv&flag", &t));
  EXPECT_EQ(t.path, "/v1/query");
  ASSERT_NE(t.Param("q"), nullptr);
  EXPECT_EQ(*t.Param("q"), "select count() from tickets");
  EXPECT_EQ(*t.Param("format"), "csv");
  EXPECT_EQ(*t.Param("flag"), "");
  EXPECT_EQ(t.Param("missing"), nullptr);
}

TEST(UrlTest, PlusIsLiteralInPath) {
  Target t;
  ASSERT_TRUE(ParseTarget("/v1/kpis/a+b%5F", &t));
  EXPECT_EQ(t.path, "/v1/kpis/a+b_");
}

TEST(UrlTest, RejectsMalformedEscapesAndTargets) {
  Target t;
  EXPECT_FALSE(ParseTarget("/x?q=%G1", &t));
  EXPECT_FALSE(ParseTarget("/x?q=%4", &t));
  EXPECT_FALSE(ParseTarget("/x%", &t));
  EXPECT_FALSE(ParseTarget("http://host/x", &t));
  EXPECT_FALSE(ParseTarget("", &t));
  EXPECT_FALSE(ParseTarget("*", &t));
}

TEST(UrlTest, KeepsNulBytesAsData) {
  std::string out;
  ASSERT_TRUE(PercentDecode("a%00b", false, &out));
  EXPECT_EQ(out, std::string("a\0b", 3));
}

}  // namespace
}  // namespace kpi::server
