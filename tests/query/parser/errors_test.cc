// Parse errors: exact line, column, message and expected set for bad
// queries; the snippet and caret; the nesting cap; hostile inputs.
#include <gtest/gtest.h>

#include <chrono>
#include <iterator>
#include <string>

#include "parse_test_util.h"
#include "query/parser/x3/state.h"
#include "query/text_width.h"

namespace kpi::query {
namespace {

using testing::ErrorOf;

struct BadQuery {
  const char* text;
  int line;
  int column;
  const char* message;  // the whole message
};

// The expected position and message of each bad query (the set of
// alternatives after the clause keywords is listed in ClauseAlternatives).
const BadQuery kBadQueries[] = {
    {"select count( from tickets", 1, 15, "expected ')' or an expression"},
    {"select count() as n\nfrom tickets whre channel = \"chat\"", 2, 14,
     "expected 'where', 'during', 'at', 'by', 'having', 'order by', 'limit', 'tz', 'as of', 'rolling', 'compare with', 'join' or end of input "
     "(did you mean 'where'?)"},
    {"select count()", 1, 15, "expected ',' or 'from'"},
    {"select count()\n  frm tickets", 2, 3, "expected ',' or 'from' (did you mean 'from'?)"},
    {"select count() from tix", 1, 21, "unknown source 'tix': expected 'events' or 'tickets'"},
    {"select count() from 5", 1, 21, "expected 'events', 'tickets' or (select ...)"},
    {"select count() from tickets where channel = \"chat", 1, 45,
     "unterminated string (a string must end on the line it starts)"},
    {"select 'abc\nfrom events", 1, 8, "unterminated string (a string must end on the line it starts)"},
    {"select \"a\\qb\" from events", 1, 10, "unknown escape '\\q' in string (use \\\" \\' \\\\ \\n \\t or \\r)"},
    {"select count() from tickets during 2025-13-01 .. 2025-14-01", 1, 36,
     "bad date '2025-13-01': month must be 01 to 12"},
    {"select count() from tickets during 2025-02-29 .. 2025-03-01", 1, 36,
     "bad date '2025-02-29': day out of range for the month"},
    {"select count() from tickets during 2025-01-01T25:00:00Z .. 2025-03-01", 1, 36,
     "bad timestamp '2025-01-01T25:00:00Z': time of day out of range"},
    {"select count() from tickets\nduring 2025-01-01 by day", 2, 19,
     "expected '..' and an end (during <start> .. <end>)"},
    {"select count() from tickets during 2025-01-01 ..", 1, 49,
     "expected a date or timestamp (YYYY-MM-DD or RFC 3339)"},
    {"select count() from tickets during yesterday .. today", 1, 36,
     "expected a date or timestamp (YYYY-MM-DD or RFC 3339), last <duration>, today, this <period> or previous "
     "<period>"},
    {"select count() from tickets during this fortnight", 1, 41,
     "unknown period 'fortnight': expected hour, day, week, month, quarter or year"},
    {"select count() from tickets during last 5", 1, 41, "`during last` takes a positive duration such as 1h, 7d or 4w"},
    {"select count() from tickets during today during last 1h", 1, 42, "duplicate 'during' clause"},
    {"select count() from tickets limit -1", 1, 35, "limit takes a non-negative integer, not '-1'"},
    {"select count() from tickets limit 2.5", 1, 35, "limit takes a non-negative integer, not '2.5'"},
    {"select count() from tickets limit 99999999999999999999", 1, 35, "limit 99999999999999999999 is too large"},
    {"select count() from tickets limit", 1, 34, "expected a row count (a non-negative integer)"},
    {"select 12abc from events", 1, 8,
     "bad number '12abc': unknown unit 'abc' (durations take ms, s, m, h, d or w; percentages take %)"},
    {"select 1e999 from events", 1, 8, "number '1e999' is out of range"},
    {"select count() from tickets where a = 1\nwhere b = 2", 2, 1, "duplicate 'where' clause"},
    {"select x from events by a limit 1 by b", 1, 35, "duplicate 'by' clause"},
    {"select count() as from from tickets", 1, 19, "expected an identifier ('from' is a reserved word)"},
    {"select a < b < c from tickets", 1, 14, "expected ',' or 'from'"},
    {"", 1, 1, "expected a statement (select, evaluate, define, show, drop or explain)"},
    {"  -- nothing but a comment\n", 2, 1, "expected a statement (select, evaluate, define, show, drop or explain)"},
    {"selec count() from tickets", 1, 1,
     "expected a statement (select, evaluate, define, show, drop or explain)"},
    {"select", 1, 7, "expected an expression"},
    {"select a, from events", 1, 11, "expected an expression"},
    {"select a from events order x", 1, 28, "expected 'by'"},
    {"select a from events by", 1, 24, "expected a group (a column, a time bucket, a duration such as 15m or agent_of(...))"},
    {"select a from events by )", 1, 25, "expected a group (a column, a time bucket, a duration such as 15m or agent_of(...))"},
    {"select a from events where (a = 1", 1, 34, "expected ')'"},
    {"select a from events where a =", 1, 31, "expected an expression"},
    {"select a from events where x in ()", 1, 34, "expected an expression"},
    {"select a from events tz Europe/Berlin", 1, 25, "expected a string"},
    {"select a from events as of yesterday", 1, 28, "expected a date or timestamp (YYYY-MM-DD or RFC 3339)"},
    {"select a from events at 5", 1, 25, "expected an event name"},
    {"select a from events order by \"x\"", 1, 31, "expected a result column name"},
    {"select a from events where x = 2025-1-1", 1, 32, "bad date '2025-1-1': dates are written YYYY-MM-DD"},
    {"define kpi = x", 1, 12, "expected a KPI name"},
    {"define kpi frt duration(a -> b)", 1, 16, "expected '='"},
    {"drop kpis frt", 1, 6, "expected 'kpi', 'target', 'table', 'calendar', 'exemption', 'scorecard' or 'watch' (did you mean 'kpi'?)"},
    {"show kpi", 1, 6, "expected 'kpis', 'tables', 'calendars', 'targets', 'exemptions', 'scorecards', 'watches' or 'alerts' (did you mean 'kpis'?)"},
    {"explain define kpi x = 1", 1, 9, "expected 'select' or 'evaluate'"},
    // ParseStatement takes one statement; ParseScript takes several.
    {"select a from events; select b from events", 1, 23, "expected end of input"},
};

TEST(ParseErrors, PositionAndMessage) {
  for (const BadQuery& bad : kBadQueries) {
    SCOPED_TRACE(bad.text);
    const ParseError e = ErrorOf(bad.text);
    EXPECT_EQ(e.pos.line, bad.line);
    EXPECT_EQ(e.pos.column, bad.column);
    EXPECT_EQ(e.message, bad.message);
  }
}

TEST(ParseErrors, ExpectedAlternativesAreListed) {
  EXPECT_EQ(ErrorOf("select count( from tickets").expected, (std::vector<std::string>{")", "expression"}));
  EXPECT_EQ(ErrorOf("select count()").expected, (std::vector<std::string>{",", "from"}));
  EXPECT_EQ(ErrorOf("select x from events )").expected,
            (std::vector<std::string>{"where", "during", "at", "by", "having", "order by", "limit", "tz", "as of",
                                      "rolling", "compare with", "join", "end of input"}));
  // Operators are listed only when nothing else would do.
  EXPECT_EQ(ErrorOf("select count( from tickets").message.find("'+'"), std::string::npos);
  // Hard errors have no alternatives.
  EXPECT_TRUE(ErrorOf("select 'x from events").expected.empty());
}

TEST(ParseErrors, ToStringHasPositionSnippetAndCaret) {
  const ParseError e = ErrorOf("select count()\n  frm tickets");
  EXPECT_EQ(e.snippet, "    frm tickets\n    ^");
  EXPECT_EQ(e.ToString(),
            "line 2, column 3: expected ',' or 'from' (did you mean 'from'?)\n"
            "    frm tickets\n"
            "    ^");
}

TEST(ParseErrors, CaretLinesUpAfterTabsAndUtf8) {
  const ParseError tabs = ErrorOf("select\tx,\t\tfrom events");
  EXPECT_EQ(tabs.pos.column, 12);
  EXPECT_EQ(tabs.snippet, "  select\tx,\t\tfrom events\n        \t  \t\t^");
  // Columns count characters ("é" is two bytes, one character).
  const ParseError utf8 = ErrorOf("select \"\xC3\xA9\" x from events");
  EXPECT_EQ(utf8.pos.column, 12);
  EXPECT_EQ(utf8.snippet, "  select \"\xC3\xA9\" x from events\n             ^");
}

// CJK and fullwidth characters take two terminal cells: the caret is padded
// with two spaces for each (it used to get one, and the column counted the
// three bytes of each). Combining marks take none; a byte of no valid UTF-8
// sequence counts as one character.
TEST(ParseErrors, CaretLinesUpAfterWideCharacters) {
  const ParseError cjk = ErrorOf("select \"漢字\" x from events");  // 漢, 字: 3 bytes, 2 cells each
  EXPECT_EQ(cjk.pos.column, 13);
  EXPECT_EQ(cjk.snippet, "  select \"漢字\" x from events\n" + std::string(2 + 13 + 1, ' ') + "^");
  const ParseError full = ErrorOf("select \"ｅ\" ｘ");  // fullwidth letters: the second is no token
  EXPECT_EQ(full.pos.column, 12);
  EXPECT_EQ(full.snippet, "  select \"ｅ\" ｘ\n" + std::string(2 + 12, ' ') + "^");
  const ParseError combining = ErrorOf("select \"e\xCC\x81\xCC\x81\" x from events");  // e + 2 accents
  EXPECT_EQ(combining.pos.column, 14);
  EXPECT_EQ(combining.snippet, "  select \"e\xCC\x81\xCC\x81\" x from events\n" + std::string(2 + 11, ' ') + "^");
  const ParseError invalid = ErrorOf("select \"\xFF\xFE\" x from events");
  EXPECT_EQ(invalid.pos.column, 13);
  EXPECT_EQ(invalid.snippet, "  select \"\xFF\xFE\" x from events\n" + std::string(2 + 12, ' ') + "^");
  // On a later line of a script, after a tab.
  std::vector<ast::Statement> out;
  ParseError script;
  EXPECT_FALSE(ParseScript("select 1 from events;\n\t-- 注释\nselect \"é\",\t\"漢\" frm events", &out, &script));
  EXPECT_EQ(script.pos.line, 3);
  EXPECT_EQ(script.pos.column, 17);
  EXPECT_EQ(script.snippet, "  select \"é\",\t\"漢\" frm events\n" + std::string(2 + 11, ' ') + "\t" +
                                std::string(5, ' ') + "^");
}

// Pointer -> line:column -> pointer round-trips at every character start of
// a text mixing ASCII, 2-, 3- and 4-byte characters, invalid bytes and
// newlines, across 64-byte words, up to the very end.
TEST(ParseErrors, LineIndexRoundTripsEveryCharacter) {
  const std::string pieces[] = {"a", "\n", "\xC3\xA9", "漢", "😀", "\xFF", "\t", "\xE6\xBC"};
  std::string text;
  uint32_t seed = 7;
  for (int i = 0; i < 3000; ++i) {
    seed = seed * 1103515245u + 12345u;
    text += pieces[(seed >> 16) % std::size(pieces)];
  }
  for (const std::string& t : {text, text.substr(0, 640), std::string("漢")}) {
    const x3p::LineIndex lines(t);
    int line = 1, column = 1;
    for (size_t i = 0; i <= t.size();) {
      const ast::SourcePos pos = lines.PosOf(t.data() + i);
      ASSERT_EQ(pos.line, line) << i;
      ASSERT_EQ(pos.column, column) << i;
      ASSERT_EQ(lines.PointerOf(pos), t.data() + i) << i;
      if (i == t.size()) break;
      if (t[i] == '\n') {
        ++line, column = 1;
      } else {
        ++column;
      }
      i += CharacterLength(t, i);
    }
  }
}

// The window of a long line counts characters, and finding a column stays
// fast on a megabyte-long line of CJK with thousands of nodes.
TEST(ParseErrors, LongWideLinesAreCutAndFast) {
  std::string query = "select ";
  for (int i = 0; i < 20000; ++i) query += "\"漢字\", ";
  query += "1 frm events";
  const auto start = std::chrono::steady_clock::now();
  const ParseError e = ErrorOf(query);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  EXPECT_EQ(e.pos.column, 7 + 20000 * 6 + 3) << e.message;
  const size_t newline = e.snippet.find('\n');
  ASSERT_NE(newline, std::string::npos);
  const std::string line = e.snippet.substr(0, newline);
  EXPECT_EQ(line.substr(line.size() - std::string(" frm events").size()), " frm events");
  // 60 characters before the caret: the last 4 of one `"漢字", `, 9 whole
  // ones (8 cells each) and "1 ".
  EXPECT_EQ(line.rfind("  ...字\", \"漢字\", ", 0), 0u) << line;
  EXPECT_EQ(e.snippet.substr(newline + 1), std::string(2 + 3 + 5 + 9 * 8 + 2, ' ') + "^");
}

TEST(ParseErrors, LongLinesAreCutAroundTheCaret) {
  const std::string query = "select " + std::string(500, 'a') + " b " + std::string(500, 'c') + " from events";
  const ParseError e = ErrorOf(query);
  EXPECT_EQ(e.pos.column, 509);
  const size_t newline = e.snippet.find('\n');
  ASSERT_NE(newline, std::string::npos);
  const std::string line = e.snippet.substr(0, newline);
  const std::string caret = e.snippet.substr(newline + 1);
  EXPECT_LT(line.size(), 140u);
  EXPECT_EQ(line.substr(0, 5), "  ...");
  EXPECT_EQ(line.substr(line.size() - 3), "...");
  ASSERT_EQ(caret.back(), '^');
  EXPECT_EQ(line[caret.size() - 1], 'b');  // the caret sits under the offending token
}

TEST(ParseErrors, ErrorsInScriptsUseScriptPositions) {
  std::vector<ast::Statement> out;
  ParseError e;
  EXPECT_FALSE(ParseScript("show kpis;\nselect x from events;\nselect y\nfrom tickts where", &out, &e));
  EXPECT_EQ(e.pos.line, 4);
  EXPECT_EQ(e.pos.column, 6);
  EXPECT_EQ(e.message, "unknown source 'tickts': expected 'events' or 'tickets' (did you mean 'tickets'?)");
  EXPECT_EQ(e.snippet, "  from tickts where\n       ^");
  EXPECT_EQ(out.size(), 2u);  // the statements before the error
}

// Nesting: parentheses, calls, not/minus chains and long operator chains
// are capped at kMaxNestingDepth, quickly and without exhausting the stack.
std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(Nesting, ModerateDepthParses) {
  const int ok = kMaxNestingDepth / 2;
  for (const std::string& expr : {Repeat("(", ok) + "x" + Repeat(")", ok), Repeat("not ", ok) + "x",
                                  Repeat("- ", ok) + "x", Repeat("f(", ok) + "x" + Repeat(")", ok),
                                  "x" + Repeat(" + x", ok)}) {
    ast::Statement st;
    ParseError e;
    EXPECT_TRUE(ParseStatement("select " + expr + " from events", &st, &e)) << expr.substr(0, 40) << e.message;
  }
}

TEST(Nesting, TooDeepIsAnError) {
  const int deep = kMaxNestingDepth + 5;
  const std::string message =
      "expression nested too deeply (more than " + std::to_string(kMaxNestingDepth) + " levels)";
  for (const std::string& expr : {Repeat("(", deep) + "x" + Repeat(")", deep), Repeat("not ", deep) + "x",
                                  Repeat("- ", deep) + "x", Repeat("f(", deep) + "x" + Repeat(")", deep),
                                  "x" + Repeat(" + x", deep), "x" + Repeat(" or x", deep),
                                  Repeat("x in (", deep) + "1" + Repeat(")", deep)}) {
    SCOPED_TRACE(expr.substr(0, 40));
    const ParseError e = ErrorOf("select " + expr + " from events");
    EXPECT_EQ(e.message, message);
    EXPECT_EQ(e.pos.line, 1);
  }
}

TEST(Nesting, HostileInputsFailFast) {
  const int huge = 100000;
  for (const std::string& text :
       {"select " + Repeat("(", huge), "select " + Repeat("not ", huge) + "x from events",
        "select " + Repeat("- ", huge), "select " + Repeat("f(", huge), "select x" + Repeat(" + x", huge),
        "select x from events where " + Repeat("((", huge), Repeat("\"", huge), Repeat("select ", huge),
        "select x from events " + Repeat("where x ", huge), Repeat("--\n", huge),
        std::string(huge, '\0'), "select " + Repeat("count_of(a before ", huge)}) {
    ast::Statement st;
    ParseError e;
    EXPECT_FALSE(ParseStatement(text, &st, &e)) << text.substr(0, 40);
    EXPECT_FALSE(e.message.empty());
    std::vector<ast::Statement> all;
    const bool ok = ParseScript(text, &all, &e);
    EXPECT_TRUE(!ok || all.empty());  // only the comment-only script "parses" (to nothing)
  }
}

TEST(Nesting, LongFlatInputsParse) {
  std::string items = "x0";
  for (int i = 1; i < 20000; ++i) items += ", x" + std::to_string(i);
  ast::Statement st;
  ParseError e;
  ASSERT_TRUE(ParseStatement("select " + items + " from events", &st, &e)) << e.message;
  EXPECT_EQ(std::get<ast::SelectQuery>(st).items.size(), 20000u);
  std::string list = "1";
  for (int i = 0; i < 20000; ++i) list += ", 1";
  ASSERT_TRUE(ParseStatement("select x in (" + list + ") from events", &st, &e)) << e.message;
  EXPECT_EQ(std::get<ast::SelectQuery>(st).items[0].expr->args.size(), 20002u);
}

}  // namespace
}  // namespace kpi::query
