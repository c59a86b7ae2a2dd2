// Token parsers for the query grammar: hand-written X3 primitives for
// blanks/comments, keywords, punctuation, identifiers, strings, numbers,
// timestamps and the limit count, plus two directives (Label, DepthGuard).
//
// Why hand-written: each one records what it expected when it fails
// (ParseState::Expect, for "expected 'from' or ','") and reports definite
// token faults (unterminated string, bad number) as hard errors with the
// exact position, which X3's stock char parsers cannot do. They also skip
// blanks with plain char tests (no <cctype> on negative chars).
//
// Contract of every token parser: skip blanks (through the context's
// skipper), then match; on failure `first` is left unchanged. Once the
// ParseState holds a hard error they all fail at once. Iterators are
// `const char*` over the script (see config.h).
// Header-only; included only by the grammar's translation unit.
#pragma once

#include <boost/spirit/home/x3.hpp>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "query/parser/parser.h"
#include "query/parser/x3/ast_build.h"
#include "query/parser/x3/keywords.h"
#include "query/parser/x3/lexical.h"
#include "query/parser/x3/literals.h"
#include "query/parser/x3/quoted_names.h"
#include "query/parser/x3/quoted_text.h"
#include "query/parser/x3/state.h"

namespace kpi::query::x3p {

namespace x3 = boost::spirit::x3;

// Context tag under which the grammar finds its ParseState.
struct state_tag;

template <typename Context>
ParseState& StateOf(const Context& context) {
  return x3::get<state_tag>(context);
}

// The skipper: one or more blanks/comments.
struct BlankSkipper : x3::parser<BlankSkipper> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const&, RContext&, Attribute&) const {
    const char* p = SkipBlank(first, last);
    if (p == first) return false;
    first = p;
    return true;
  }
};

// Common prologue: token start after blanks, or null when a hard error
// already ended the parse.
template <typename Iterator, typename Context>
const char* TokenStart(Iterator first, Iterator const& last, Context const& context) {
  x3::skip_over(first, last, context);
  if (StateOf(context).failed()) return nullptr;
  return first;
}

// A keyword: the word in any case, not followed by an identifier character
// (`bytes` is not `by`, `order_id` is not `order`).
struct Keyword : x3::parser<Keyword> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  const char* word;
  Expectation expectation;
  Keyword(const char* w, const char* display, bool quiet = false) : word(w), expectation{w, display, quiet} {}

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute&) const {
    const char* p = TokenStart(first, last, context);
    if (p == nullptr) return false;
    const size_t n = std::strlen(word);
    bool ok = static_cast<size_t>(last - p) >= n;
    for (size_t i = 0; ok && i < n; ++i) ok = LowerAscii(p[i]) == word[i];
    if (ok && p + n < last && IsIdentChar(p[n])) ok = false;
    if (!ok) {
      StateOf(context).Expect(p, expectation);
      return false;
    }
    first = p + n;
    return true;
  }
};

// Punctuation or an operator symbol; `not_before` lists characters that may
// not follow it (`<` is not the start of `<=`, `-` not of `->`).
struct Punct : x3::parser<Punct> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  const char* symbol;
  const char* not_before;
  Expectation expectation;
  Punct(const char* s, const char* display, bool quiet = false, const char* nb = "")
      : symbol(s), not_before(nb), expectation{s, display, quiet} {}

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute&) const {
    const char* p = TokenStart(first, last, context);
    if (p == nullptr) return false;
    const size_t n = std::strlen(symbol);
    bool ok = static_cast<size_t>(last - p) >= n && std::memcmp(p, symbol, n) == 0;
    if (ok && p + n < last && p[n] != '\0' && std::strchr(not_before, p[n]) != nullptr) ok = false;
    // `--` starts a comment, never two minus signs.
    if (ok && symbol[n - 1] == '-' && p + n < last && p[n] == '-') ok = false;
    if (!ok) {
      StateOf(context).Expect(p, expectation);
      return false;
    }
    first = p + n;
    return true;
  }
};

// A token's text and where it starts.
struct Name {
  std::string text;
  const char* where = nullptr;
};

// An identifier: [A-Za-z_][A-Za-z0-9_]*, not a reserved word; where
// `quoted` (names of columns and result columns), also a name in backticks
// (quoted_names.h), any characters, never a keyword.
struct Identifier : x3::parser<Identifier> {
  using attribute_type = Name;
  static bool const has_attribute = true;

  bool quoted = false;
  constexpr Identifier() = default;
  constexpr explicit Identifier(bool q) : quoted(q) {}

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute& attr) const {
    const char* p = TokenStart(first, last, context);
    if (p == nullptr) return false;
    if (quoted && p < last && *p == '`') {
      std::string text, why;
      const char *end = nullptr, *at = nullptr;
      if (!ReadQuotedName(p, last, &text, &end, &at, &why)) {
        StateOf(context).Fail(at, why);
        return false;
      }
      x3::traits::move_to(Name{std::move(text), p}, attr);
      first = end;
      return true;
    }
    const char* q = p;
    if (q < last && IsIdentStart(*q)) {
      ++q;
      while (q < last && IsIdentChar(*q)) ++q;
    }
    if (q == p || IsReservedWord(p, static_cast<size_t>(q - p))) {
      StateOf(context).Expect(p, Expectation{"identifier", "an identifier"});
      return false;
    }
    x3::traits::move_to(Name{std::string(p, q), p}, attr);
    first = q;
    return true;
  }
};

// A string in double or single quotes with escapes \" \' \\ \n \t \r. A
// string ends on the line it starts; the unescaped text is the attribute.
// Read by ReadQuoted (quoted_text.h), as quoted names are.
struct StringLiteral : x3::parser<StringLiteral> {
  using attribute_type = Name;
  static bool const has_attribute = true;

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute& attr) const {
    const char* p = TokenStart(first, last, context);
    if (p == nullptr) return false;
    ParseState& state = StateOf(context);
    if (p == last || (*p != '"' && *p != '\'')) {
      state.Expect(p, Expectation{"string", "a string"});
      return false;
    }
    std::string text;
    const char* end = nullptr;
    const char* escape = nullptr;
    switch (ReadQuoted(p, last, &text, &end, &escape)) {
      case QuotedRead::kUnterminated:
        state.Fail(p, "unterminated string (a string must end on the line it starts)");
        return false;
      case QuotedRead::kUnknownEscape:
        state.Fail(escape, std::string("unknown escape '\\") + escape[1] +
                               "' in string (use \\\" \\' \\\\ \\n \\t or \\r)");
        return false;
      case QuotedRead::kRead:
        break;
    }
    x3::traits::move_to(Name{std::move(text), p}, attr);
    first = end;
    return true;
  }
};

// True when `p` starts like a date: four digits, '-', a digit.
inline bool LooksLikeDate(const char* p, const char* last) {
  if (last - p < 6) return false;
  for (int i = 0; i < 4; ++i)
    if (!IsDigit(p[i])) return false;
  return p[4] == '-' && IsDigit(p[5]);
}

// A date or RFC 3339 timestamp token, validated; the text as written is the
// attribute. Only tokens that start like a date are taken.
struct TimeToken : x3::parser<TimeToken> {
  using attribute_type = Name;
  static bool const has_attribute = true;

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute& attr) const {
    const char* p = TokenStart(first, last, context);
    if (p == nullptr) return false;
    ParseState& state = StateOf(context);
    if (!LooksLikeDate(p, last)) {
      state.Expect(p, Expectation{"timestamp", "a date or timestamp (YYYY-MM-DD or RFC 3339)"});
      return false;
    }
    const char* q = p;
    while (q < last) {
      const char c = *q;
      if (IsIdentChar(c) || c == ':' || c == '+' || c == '-') {
        ++q;
      } else if (c == '.' && q + 1 < last && IsDigit(q[1])) {
        ++q;
      } else if (c == ' ' && q - p == 10 && last - q >= 4 && IsDigit(q[1]) && IsDigit(q[2]) && q[3] == ':') {
        ++q;  // `2025-01-01 08:00:00Z`: RFC 3339 allows a space before the time
      } else {
        break;
      }
    }
    std::string text(p, q);
    std::string why;
    if (!ValidateTimeToken(text, &why)) {
      state.Fail(p, why);
      return false;
    }
    x3::traits::move_to(Name{std::move(text), p}, attr);
    first = q;
    return true;
  }
};

// End of a numeric token that starts at a digit: digits [. digits]
// [e [+-] digits], then any identifier characters (a unit, or junk that
// ReadNumberToken rejects), then an optional '%'.
inline const char* NumericTokenEnd(const char* p, const char* last) {
  const char* q = p;
  while (q < last && IsDigit(*q)) ++q;
  if (q + 1 < last && *q == '.' && IsDigit(q[1])) {
    q += 2;
    while (q < last && IsDigit(*q)) ++q;
  }
  if (q < last && (*q == 'e' || *q == 'E')) {
    const char* e = q + 1;
    if (e < last && (*e == '+' || *e == '-')) ++e;
    if (e < last && IsDigit(*e)) {
      while (e < last && IsDigit(*e)) ++e;
      q = e;
    }
  }
  const char* suffix = q;
  while (q < last && IsIdentChar(*q)) ++q;
  if (q == suffix && q < last && *q == '%') ++q;
  return q;
}

// A number, duration (15m) or percentage (85%) literal as an expression.
struct NumberLiteral : x3::parser<NumberLiteral> {
  using attribute_type = ast::ExprPtr;
  static bool const has_attribute = true;

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute& attr) const {
    const char* p = TokenStart(first, last, context);
    if (p == nullptr) return false;
    ParseState& state = StateOf(context);
    if (p == last || !IsDigit(*p) || LooksLikeDate(p, last)) {
      state.Expect(p, Expectation{"number", "a number"});
      return false;
    }
    const char* q = NumericTokenEnd(p, last);
    ast::ExprKind kind;
    double value = 0;
    std::string why;
    if (!ReadNumberToken(std::string_view(p, static_cast<size_t>(q - p)), &kind, &value, &why)) {
      state.Fail(p, why);
      return false;
    }
    x3::traits::move_to(MakeNumber(kind, value, state.PosOf(p), std::string(p, static_cast<size_t>(q - p))), attr);
    first = q;
    return true;
  }
};

// The count after `limit`: a non-negative integer that fits int64.
struct LimitCount : x3::parser<LimitCount> {
  using attribute_type = int64_t;
  static bool const has_attribute = true;

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute& attr) const {
    const char* p = TokenStart(first, last, context);
    if (p == nullptr) return false;
    ParseState& state = StateOf(context);
    if (p == last || (!IsDigit(*p) && *p != '-' && *p != '+')) {
      state.Expect(p, Expectation{"count", "a row count (a non-negative integer)"});
      return false;
    }
    const char* q = p;
    if (*q == '-' || *q == '+') ++q;
    q = q < last && IsDigit(*q) ? NumericTokenEnd(q, last) : q;
    const std::string text(p, q);
    int64_t n = 0;
    for (const char* d = p; d < q; ++d) {
      if (!IsDigit(*d)) {
        state.Fail(p, "limit takes a non-negative integer, not '" + text + "'");
        return false;
      }
      if (n > (INT64_MAX - (*d - '0')) / 10) {
        state.Fail(p, "limit " + text + " is too large");
        return false;
      }
      n = n * 10 + (*d - '0');
    }
    x3::traits::move_to(n, attr);
    first = q;
    return true;
  }
};

// Matches only at the end of the text (after blanks).
struct EndOfInput : x3::parser<EndOfInput> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute&) const {
    const char* p = TokenStart(first, last, context);
    if (p == nullptr) return false;
    if (p != last) {
      StateOf(context).Expect(p, Expectation{"end of input", "end of input"});
      return false;
    }
    first = p;
    return true;
  }
};

// label(e)[p]: when p fails without getting past its first token, report
// `e` ("an expression") instead of the list of everything p could start
// with.
template <typename Subject>
struct LabelDirective : x3::unary_parser<Subject, LabelDirective<Subject>> {
  using base_type = x3::unary_parser<Subject, LabelDirective<Subject>>;
  static bool const is_pass_through_unary = true;
  Expectation label;
  LabelDirective(const Subject& subject, Expectation e) : base_type(subject), label(e) {}

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext& rcontext,
             Attribute& attr) const {
    ParseState& state = StateOf(context);
    const char* furthest_before = state.furthest();
    const size_t mark = state.ExpectationMark();
    if (this->subject.parse(first, last, context, rcontext, attr)) return true;
    Iterator p = first;
    x3::skip_over(p, last, context);
    state.ReplaceExpectationsAt(p, furthest_before, mark, label);
    return false;
  }
};

struct LabelGen {
  Expectation label;
  template <typename Subject>
  LabelDirective<typename x3::extension::as_parser<Subject>::value_type> operator[](const Subject& subject) const {
    return {x3::as_parser(subject), label};
  }
};

inline LabelGen label(const char* name, const char* display) { return LabelGen{Expectation{name, display}}; }

// `.member` right after an identifier, no blanks around the dot: the
// column of a joined table (`agents.role`, or quoted: agents.`rôle`). The
// attribute is the member.
struct MemberSuffix : x3::parser<MemberSuffix> {
  using attribute_type = Name;
  static bool const has_attribute = true;

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute& attr) const {
    if (StateOf(context).failed()) return false;
    const char* p = first;
    if (p + 1 < last && *p == '.' && p[1] == '`') {
      std::string text, why;
      const char *end = nullptr, *at = nullptr;
      if (!ReadQuotedName(p + 1, last, &text, &end, &at, &why)) {
        StateOf(context).Fail(at, why);
        return false;
      }
      x3::traits::move_to(Name{std::move(text), p + 1}, attr);
      first = end;
      return true;
    }
    if (p + 1 >= last || *p != '.' || !IsIdentStart(p[1])) return false;
    const char* q = p + 2;
    while (q < last && IsIdentChar(*q)) ++q;
    x3::traits::move_to(Name{std::string(p + 1, q), p + 1}, attr);
    first = q;
    return true;
  }
};

// Opening hours `hh:mm-hh:mm` (hours may have one digit; `24:00` ends a
// day). The attribute holds minutes after midnight as "begin-end" text is
// awkward, so it is the pair itself, begin < end checked here.
struct ClockRange : x3::parser<ClockRange> {
  using attribute_type = std::pair<int, int>;
  static bool const has_attribute = true;

  // h:mm or hh:mm at p; minutes after midnight or -1.
  static int ReadClock(const char*& q, const char* last) {
    int h = 0, digits = 0;
    while (q < last && IsDigit(*q) && digits < 2) h = h * 10 + (*q++ - '0'), ++digits;
    if (digits == 0 || q + 2 >= last || *q != ':' || !IsDigit(q[1]) || !IsDigit(q[2])) return -1;
    const int m = (q[1] - '0') * 10 + (q[2] - '0');
    q += 3;
    if (m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
    return h * 60 + m;
  }

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute& attr) const {
    const char* p = TokenStart(first, last, context);
    if (p == nullptr) return false;
    ParseState& state = StateOf(context);
    if (p == last || !IsDigit(*p)) {
      state.Expect(p, Expectation{"hours", "opening hours (hh:mm-hh:mm)"});
      return false;
    }
    const char* q = p;
    const int begin = ReadClock(q, last);
    if (begin < 0 || q >= last || *q != '-') {
      state.Fail(p, "opening hours are written hh:mm-hh:mm (00:00 to 24:00)");
      return false;
    }
    ++q;
    const int end = ReadClock(q, last);
    if (end < 0 || (q < last && IsIdentChar(*q))) {
      state.Fail(p, "opening hours are written hh:mm-hh:mm (00:00 to 24:00)");
      return false;
    }
    if (end <= begin) {
      state.Fail(p, "opening hours must end after they start (" + std::string(p, q) + ")");
      return false;
    }
    x3::traits::move_to(std::make_pair(begin, end), attr);
    first = q;
    return true;
  }
};

// located[p][action]: lets `action` know where p's match began and ended
// (ParseState::match_begin/match_end). X3 1.74's _where() only gives the
// end, so actions that need a start position sit right behind located[].
template <typename Subject>
struct LocatedDirective : x3::unary_parser<Subject, LocatedDirective<Subject>> {
  using base_type = x3::unary_parser<Subject, LocatedDirective<Subject>>;
  static bool const is_pass_through_unary = true;
  explicit LocatedDirective(const Subject& subject) : base_type(subject) {}

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext& rcontext,
             Attribute& attr) const {
    Iterator start = first;
    x3::skip_over(start, last, context);
    if (!this->subject.parse(first, last, context, rcontext, attr)) return false;
    ParseState& state = StateOf(context);
    state.match_begin = start;
    state.match_end = first;
    return true;
  }
};

struct LocatedGen {
  template <typename Subject>
  LocatedDirective<typename x3::extension::as_parser<Subject>::value_type> operator[](const Subject& subject) const {
    return LocatedDirective<typename x3::extension::as_parser<Subject>::value_type>(x3::as_parser(subject));
  }
};

inline const LocatedGen located{};

// depth_guard[p]: one level of expression nesting; deeper than
// kMaxNestingDepth is a hard error (the grammar recurses on the C++ stack).
template <typename Subject>
struct DepthGuardDirective : x3::unary_parser<Subject, DepthGuardDirective<Subject>> {
  using base_type = x3::unary_parser<Subject, DepthGuardDirective<Subject>>;
  static bool const is_pass_through_unary = true;
  explicit DepthGuardDirective(const Subject& subject) : base_type(subject) {}

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext& rcontext,
             Attribute& attr) const {
    ParseState& state = StateOf(context);
    if (state.depth >= kMaxNestingDepth) {
      Iterator p = first;
      x3::skip_over(p, last, context);
      state.Fail(p, "expression nested too deeply (more than " + std::to_string(kMaxNestingDepth) + " levels)");
      return false;
    }
    ++state.depth;
    const bool ok = this->subject.parse(first, last, context, rcontext, attr);
    --state.depth;
    return ok;
  }
};

struct DepthGuardGen {
  template <typename Subject>
  DepthGuardDirective<typename x3::extension::as_parser<Subject>::value_type> operator[](
      const Subject& subject) const {
    return DepthGuardDirective<typename x3::extension::as_parser<Subject>::value_type>(x3::as_parser(subject));
  }
};

inline const DepthGuardGen depth_guard{};

}  // namespace kpi::query::x3p
