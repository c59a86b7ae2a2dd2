#include "query/parser/x3/error_report.h"

#include <cstring>
#include <utility>
#include <vector>

#include "query/parser/x3/keywords.h"
#include "query/parser/x3/lexical.h"
#include "query/text_width.h"

namespace kpi::query::x3p {

namespace {

constexpr size_t kWindowBefore = 60;  // characters of a long line shown before the caret
constexpr size_t kWindowAfter = 60;

// The word (identifier-like run) starting at `p`, lower-cased; empty if none.
std::string LowerWordAt(const char* p, const char* end) {
  std::string word;
  if (p < end && IsIdentStart(*p)) {
    while (p < end && IsIdentChar(*p) && word.size() < 64) word += LowerAscii(*p++);
  }
  return word;
}

bool IsKeywordExpectation(const Expectation& e) {
  if (e.display[0] != '\'') return false;
  for (const char* c = e.name; *c != '\0'; ++c)
    if (!IsIdentStart(*c) && *c != ' ') return false;
  return true;
}

bool IsNameExpectation(const Expectation& e) {
  static const char* const kNames[] = {"identifier", "name", "event", "group"};
  for (const char* n : kNames)
    if (std::strcmp(e.name, n) == 0) return true;
  return false;
}

std::string JoinAlternatives(const std::vector<const Expectation*>& shown) {
  std::string out;
  for (size_t i = 0; i < shown.size(); ++i) {
    if (i > 0) out += i + 1 == shown.size() ? " or " : ", ";
    out += shown[i]->display;
  }
  return out;
}

// A hint about the word at the error: a misspelt keyword or a reserved word
// used as a name.
std::string Hint(const std::vector<const Expectation*>& shown, const char* where, const char* end) {
  const std::string word = LowerWordAt(where, end);
  if (word.empty()) return "";
  for (const Expectation* e : shown) {
    if (IsNameExpectation(*e) && IsReservedWord(word.data(), word.size()))
      return " ('" + word + "' is a reserved word)";
  }
  const Expectation* best = nullptr;
  size_t best_distance = 0;
  for (const Expectation* e : shown) {
    if (!IsKeywordExpectation(*e)) continue;
    std::string keyword = e->name;
    if (keyword.find(' ') != std::string::npos) keyword.resize(keyword.find(' '));  // "as of" -> "as"
    const size_t d = EditDistance(word, keyword);
    const size_t allowed = keyword.size() <= 3 ? 1 : 2;
    if (d > 0 && d <= allowed && (best == nullptr || d < best_distance)) {
      best = e;
      best_distance = d;
    }
  }
  if (best == nullptr) return "";
  return " (did you mean " + std::string(best->display) + "?)";
}

}  // namespace

std::string Snippet(const LineIndex& lines, const char* where) {
  const char* begin = lines.begin();
  const char* end = lines.end();
  if (where < begin) where = begin;
  if (where > end) where = end;
  const char* line_begin = where;
  while (line_begin > begin && line_begin[-1] != '\n') --line_begin;
  const char* line_end = where;
  while (line_end < end && *line_end != '\n') ++line_end;
  if (line_end > line_begin && line_end[-1] == '\r') --line_end;
  if (where > line_end) where = line_end;

  const std::string_view before(line_begin, static_cast<size_t>(where - line_begin));
  const std::string_view after(where, static_cast<size_t>(line_end - where));
  const char* shown_begin = line_begin;
  if (const size_t n = CountCharacters(before); n > kWindowBefore)
    shown_begin = line_begin + OffsetOfCharacter(before, n - kWindowBefore);
  const char* shown_end = where + OffsetOfCharacter(after, kWindowAfter);
  const bool cut_left = shown_begin != line_begin;
  const bool cut_right = shown_end != line_end;

  std::string out = "  ";
  if (cut_left) out += "...";
  out.append(shown_begin, shown_end);
  if (cut_right) out += "...";
  out += "\n  ";
  if (cut_left) out += "   ";
  const std::string_view padded(shown_begin, static_cast<size_t>(where - shown_begin));
  for (size_t i = 0; i < padded.size(); i += CharacterLength(padded, i)) {
    if (padded[i] == '\t') {
      out += '\t';
    } else {
      out.append(static_cast<size_t>(CharacterWidth(padded, i)), ' ');
    }
  }
  out += '^';
  return out;
}

void BuildErrorAt(const LineIndex& lines, const char* where, std::string message, ParseError* error) {
  error->message = std::move(message);
  error->pos = lines.PosOf(where);
  error->snippet = Snippet(lines, where);
}

void BuildParseError(const ParseState& state, ParseError* error) {
  error->expected.clear();
  if (state.failed()) {
    BuildErrorAt(state.lines(), state.fail_where(), state.fail_message(), error);
    return;
  }
  const char* where = state.furthest() != nullptr ? state.furthest() : SkipBlank(state.begin(), state.end());
  std::vector<const Expectation*> shown;
  for (const Expectation& e : state.expected())
    if (!e.quiet) shown.push_back(&e);
  if (shown.empty()) {
    for (const Expectation& e : state.expected()) shown.push_back(&e);
  }
  std::string message;
  if (shown.empty()) {
    message = "syntax error";
  } else {
    message = "expected " + JoinAlternatives(shown) + Hint(shown, where, state.end());
  }
  for (const Expectation* e : shown) {
    const std::string display = e->display;  // "'order by'" -> "order by"; "an expression" stays
    const bool one_quoted = display.size() >= 2 && display.front() == '\'' && display.find('\'', 1) == display.size() - 1;
    error->expected.push_back(one_quoted ? display.substr(1, display.size() - 2) : std::string(e->name));
  }
  BuildErrorAt(state.lines(), where, std::move(message), error);
}

}  // namespace kpi::query::x3p
