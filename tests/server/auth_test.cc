// TokenTable parsing and lookup, bearer header parsing.
#include "server/auth.h"

#include <gtest/gtest.h>

namespace kpi::server {
namespace {

TEST(AuthTest, ParsesRolesAndLooksUpTokens) {
  TokenTable t;
  ASSERT_TRUE(TokenTable::Parse("# comment\n\nreader-token-1 read\nwriter-token-1 write\r\n"
                                "  admin-token-1\tadmin  \n",
                                &t)
                  .ok());
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.Lookup("reader-token-1"), Role::kRead);
  EXPECT_EQ(t.Lookup("writer-token-1"), Role::kWrite);
  EXPECT_EQ(t.Lookup("admin-token-1"), Role::kAdmin);
  EXPECT_EQ(t.Lookup("admin-token-"), Role::kNone);   // prefix
  EXPECT_EQ(t.Lookup("admin-token-12"), Role::kNone);  // extension
  EXPECT_EQ(t.Lookup(""), Role::kNone);
}

TEST(AuthTest, RejectsBadLinesWithoutEchoingTheToken) {
  TokenTable t;
  Status s = TokenTable::Parse("secret-token-xyz superuser\n", &t);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("line 1"), std::string::npos);
  EXPECT_EQ(s.message().find("secret-token-xyz"), std::string::npos);
  EXPECT_FALSE(TokenTable::Parse("short read\n", &t).ok());
  EXPECT_FALSE(TokenTable::Parse("only-one-word\n", &t).ok());
  EXPECT_FALSE(TokenTable::Parse("a-long-token read extra\n", &t).ok());
  s = TokenTable::Parse("same-token-1 read\nsame-token-1 admin\n", &t);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("line 2"), std::string::npos);
}

TEST(AuthTest, LoadFailsForMissingFile) {
  TokenTable t;
  EXPECT_EQ(TokenTable::Load("/nonexistent/tokens", &t).code(), Status::Code::kIOError);
}

TEST(AuthTest, BearerTokenParsing) {
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("bearer   abc  "), "abc");
  EXPECT_EQ(BearerToken("Basic abc"), "");
  EXPECT_EQ(BearerToken("Bearerabc"), "");
  EXPECT_EQ(BearerToken("Bearer"), "");
  EXPECT_EQ(BearerToken(""), "");
}

TEST(AuthTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("ab", "abc"));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("a\0", 2), "a"));
}

}  // namespace
}  // namespace kpi::server
