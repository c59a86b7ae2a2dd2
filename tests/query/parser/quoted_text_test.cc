// query/parser/x3/quoted_text.h: the one escaping rule of strings and quoted
// names, read (ReadQuoted), skipped (SkipQuoted) and written (QuoteWith).
#include "query/parser/x3/quoted_text.h"

#include <gtest/gtest.h>

#include <string>

namespace kpi::query::x3p {
namespace {

struct Read {
  QuotedRead how;
  std::string text;
  size_t end = 0;     // offset just past the closing quote (kRead)
  size_t escape = 0;  // offset of the bad escape's backslash (kUnknownEscape)
};

Read ReadAll(const std::string& s) {
  Read r;
  const char* end = nullptr;
  const char* escape = nullptr;
  r.how = ReadQuoted(s.data(), s.data() + s.size(), &r.text, &end, &escape);
  if (end != nullptr) r.end = static_cast<size_t>(end - s.data());
  if (escape != nullptr) r.escape = static_cast<size_t>(escape - s.data());
  return r;
}

TEST(ReadQuoted, EveryQuoteTakesTheSameEscapes) {
  for (char quote : {'"', '\'', '`'}) {
    const std::string q(1, quote);
    const std::string body = "a\\\"b\\'c\\\\d\\ne\\tf\\rg";
    const Read r = ReadAll(q + body + q + " rest");
    ASSERT_EQ(r.how, QuotedRead::kRead) << quote;
    EXPECT_EQ(r.text, "a\"b'c\\d\ne\tf\rg") << quote;
    EXPECT_EQ(r.end, body.size() + 2) << quote;  // just past the closing quote
  }
}

TEST(ReadQuoted, ABacktickEscapesOnlyInAQuotedName) {
  EXPECT_EQ(ReadAll("`a\\`b`").text, "a`b");
  const Read r = ReadAll("\"a\\`b\"");
  EXPECT_EQ(r.how, QuotedRead::kUnknownEscape);
  EXPECT_EQ(r.escape, 2u);
  EXPECT_EQ(ReadAll("'a\\qb'").how, QuotedRead::kUnknownEscape);
}

TEST(ReadQuoted, EndsOnTheLineItStarts) {
  EXPECT_EQ(ReadAll("\"abc").how, QuotedRead::kUnterminated);
  EXPECT_EQ(ReadAll("\"ab\nc\"").how, QuotedRead::kUnterminated);
  EXPECT_EQ(ReadAll("`ab\\").how, QuotedRead::kUnterminated);
  EXPECT_EQ(ReadAll("`ab\\\n`").how, QuotedRead::kUnterminated);
  const Read empty = ReadAll("''");
  EXPECT_EQ(empty.how, QuotedRead::kRead);  // empty strings are the caller's to judge
  EXPECT_EQ(empty.text, "");
}

TEST(ReadQuoted, ReadsBackWhatQuoteWithWrites) {
  const std::string text = "x\"y'z`w\\v\nu\tt\rs";
  for (char quote : {'"', '\'', '`'}) {
    const std::string quoted = QuoteWith(text, quote);
    const Read r = ReadAll(quoted);
    ASSERT_EQ(r.how, QuotedRead::kRead) << quoted;
    EXPECT_EQ(r.text, text) << quoted;
    EXPECT_EQ(r.end, quoted.size()) << quoted;
  }
}

TEST(SkipQuoted, StopsWhereReadQuotedStops) {
  bool closed = false;
  const std::string s = "'a\\'; b' ; c";
  EXPECT_EQ(SkipQuoted(s.data(), s.data() + s.size(), &closed) - s.data(), 8);
  EXPECT_TRUE(closed);
  const std::string open = "`a\\`b\nc`";
  EXPECT_EQ(SkipQuoted(open.data(), open.data() + open.size(), &closed) - open.data(), 5);
  EXPECT_FALSE(closed);
}

}  // namespace
}  // namespace kpi::query::x3p
