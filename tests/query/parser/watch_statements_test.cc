// The statements of watches and relative windows (docs/query-language.md
// 4.3 and 17): `during last <duration> | today | this <period> | previous
// <period>`, `define watch ... every ... [keep ...] as <select | evaluate>
// [notify "url"]`, `show watches`, `show alerts`, `drop watch`, `from watch
// NAME`, with their AST and their parse errors at the right position. What
// is checked at define time (every < 1s, notify without `met`, a bad url)
// parses here and is covered by tests/query/watch/.
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

template <typename T>
T ParseAs(const std::string& text) {
  ast::Statement st;
  std::string error;
  EXPECT_TRUE(Parse(text, &st, &error)) << text << "\n" << error;
  const T* out = std::get_if<T>(&st);
  EXPECT_NE(out, nullptr) << text;
  return out ? *out : T{};
}

TEST(RelativeWindows, EveryFormReadsIntoTheAst) {
  struct Case {
    const char* during;
    ast::RelativeWindow::Kind kind;
    double seconds;
    const char* unit;
    const char* text;
  };
  const Case cases[] = {
      {"last 7d", ast::RelativeWindow::Kind::kLast, 7 * 86400, "", "last 1w"},
      {"LAST 90m", ast::RelativeWindow::Kind::kLast, 5400, "", "last 90m"},
      {"today", ast::RelativeWindow::Kind::kThis, 0, "day", "today"},
      {"this Week", ast::RelativeWindow::Kind::kThis, 0, "week", "this week"},
      {"this quarter", ast::RelativeWindow::Kind::kThis, 0, "quarter", "this quarter"},
      {"previous month", ast::RelativeWindow::Kind::kPrevious, 0, "month", "previous month"},
      {"previous year", ast::RelativeWindow::Kind::kPrevious, 0, "year", "previous year"},
      {"previous hour", ast::RelativeWindow::Kind::kPrevious, 0, "hour", "previous hour"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.during);
    const auto q = ParseAs<ast::SelectQuery>(std::string("select count() from tickets during ") + c.during + " by day");
    ASSERT_TRUE(q.during_relative.has_value());
    EXPECT_FALSE(q.during_start.has_value());
    EXPECT_EQ(q.during_relative->kind, c.kind);
    EXPECT_DOUBLE_EQ(q.during_relative->seconds, c.seconds);
    EXPECT_EQ(q.during_relative->unit, c.unit);
    EXPECT_EQ(q.during_relative->text, c.text);
    EXPECT_EQ(q.during_relative->pos.column, 36);
    EXPECT_EQ(q.group_by.size(), 1u);
  }
}

TEST(RelativeWindows, InEvaluateAndNestedSelects) {
  const auto ev = ParseAs<ast::Evaluate>("evaluate fcr from tickets during previous week by channel");
  ASSERT_TRUE(ev.query.during_relative.has_value());
  EXPECT_EQ(ev.query.during_relative->unit, "week");
  const auto q = ParseAs<ast::SelectQuery>("select max(n) as m from (select count() as n from tickets during today by hour)");
  ASSERT_TRUE(q.subquery != nullptr);
  ASSERT_TRUE(q.subquery->during_relative.has_value());
  EXPECT_EQ(q.subquery->during_relative->text, "today");
}

TEST(RelativeWindows, Errors) {
  struct Bad {
    const char* text;
    int column;
    const char* message;
  };
  const Bad bad[] = {
      {"select count() from tickets during last", 40, "expected a duration such as 1h or 7d"},
      {"select count() from tickets during last 0s", 41, "`during last` takes a positive duration such as 1h, 7d or 4w"},
      {"select count() from tickets during last 50%", 41, "`during last` takes a positive duration such as 1h, 7d or 4w"},
      {"select count() from tickets during this", 40, "expected hour, day, week, month, quarter or year"},
      {"select count() from tickets during previous minute", 45,
       "unknown period 'minute': expected hour, day, week, month, quarter or year"},
      {"select count() from tickets during last 1d during today", 44, "duplicate 'during' clause"},
      {"select count() from tickets during 2025-01-01 .. 2025-02-01 during today", 61, "duplicate 'during' clause"},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.text);
    const ParseError e = ErrorOf(b.text);
    EXPECT_EQ(e.pos.line, 1);
    EXPECT_EQ(e.pos.column, b.column);
    EXPECT_EQ(e.message, b.message);
  }
}

TEST(Watches, DefineWithEveryPart) {
  const std::string text =
      "define watch esc every 10s keep 30d as\n"
      "  evaluate escalation from tickets during last 1d by channel\n"
      "notify \"http://127.0.0.1:9000/hook\"";
  const auto w = ParseAs<ast::DefineWatch>(text);
  EXPECT_EQ(w.name.name, "esc");
  ASSERT_TRUE(w.every && w.keep);
  EXPECT_EQ(w.every->kind, ast::ExprKind::kDuration);
  EXPECT_DOUBLE_EQ(w.every->number, 10);
  EXPECT_DOUBLE_EQ(w.keep->number, 30 * 86400);
  ASSERT_TRUE(w.evaluate != nullptr);
  EXPECT_EQ(w.select, nullptr);
  EXPECT_EQ(w.evaluate->kpis.size(), 1u);
  EXPECT_EQ(w.statement, "evaluate escalation from tickets during last 1d by channel");
  EXPECT_EQ(w.statement_pos.line, 2);
  EXPECT_EQ(w.statement_pos.column, 3);
  ASSERT_TRUE(w.notify.has_value());
  EXPECT_EQ(*w.notify, "http://127.0.0.1:9000/hook");
  EXPECT_EQ(w.notify_pos.line, 3);
}

TEST(Watches, DefineASelectWithoutKeepOrNotify) {
  const auto w = ParseAs<ast::DefineWatch>("DEFINE WATCH volume EVERY 1m AS select count() as n from tickets during today;");
  EXPECT_EQ(w.keep, nullptr);
  EXPECT_FALSE(w.notify.has_value());
  ASSERT_TRUE(w.select != nullptr);
  EXPECT_EQ(w.statement, "select count() as n from tickets during today");
  ASSERT_TRUE(w.select->during_relative.has_value());
}

TEST(Watches, ShowDropAndFromWatch) {
  EXPECT_EQ(ParseAs<ast::ShowKpis>("show watches").kind, "watch");
  EXPECT_EQ(ParseAs<ast::ShowKpis>("show alerts").kind, "alert");
  const auto d = ParseAs<ast::DropNamed>("drop watch esc");
  EXPECT_EQ(d.kind, "watch");
  EXPECT_EQ(d.name.name, "esc");
  const auto q = ParseAs<ast::SelectQuery>("select max(value) as worst from watch esc where kpi = \"escalation\" during last 1d");
  EXPECT_EQ(q.source, "watch");
  EXPECT_EQ(q.watch, "esc");
  EXPECT_EQ(q.source_pos.column, 33);
  EXPECT_TRUE(q.during_relative.has_value());
}

TEST(Watches, ParseErrors) {
  struct Bad {
    const char* text;
    int column;
    const char* message;
  };
  const Bad bad[] = {
      {"define watch every 10s as select count() from tickets", 20, "expected 'every'"},
      {"define watch w as select count() from tickets", 16, "expected 'every'"},
      {"define watch w every as select count() from tickets", 22, "expected a duration such as 10s, 5m or 7d"},
      {"define watch w every 10s select count() from tickets", 26, "expected 'as'"},
      {"define watch w every 10s as show kpis", 29, "expected a select or evaluate statement"},
      {"define watch w every 10s as select count() from tickets notify http://x", 64, "expected a quoted URL (\"http://host:port/path\")"},
      {"select count() from watch", 21, "`from watch` needs the watch's name: from watch NAME"},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.text);
    const ParseError e = ErrorOf(b.text);
    EXPECT_EQ(e.pos.column, b.column);
    EXPECT_EQ(e.message, b.message);
  }
}

// The fuzz corpus' seeds for relative windows and watches are valid statements.
TEST(Watches, FuzzSeedsParse) {
  namespace fs = std::filesystem;
  int seen = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(KPI_TEST_DATA_DIR) / "fuzz" / "corpus")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("seed_watch_", 0) != 0) continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    ast::Statement st;
    std::string error;
    EXPECT_TRUE(Parse(text.str(), &st, &error)) << name << "\n" << error;
    ++seen;
  }
  EXPECT_GE(seen, 4);
}

}  // namespace
}  // namespace kpi::query
