// The parser API (query/parser/parser.h) over the X3 grammar in query/parser/x3/.
#include "query/parser/parser.h"
#include "query/parser/names.h"

#include <variant>

#include <exception>
#include <new>
#include <utility>

#include "query/parser/x3/config.h"
#include "query/parser/x3/error_report.h"
#include "query/parser/x3/grammar.h"
#include "query/parser/x3/keywords.h"
#include "query/parser/x3/quoted_names.h"
#include "query/parser/x3/splitter.h"
#include "query/parser/x3/state.h"
#include "query/parser/x3/tokens.h"

namespace kpi::query {

namespace {

namespace x3 = boost::spirit::x3;

// Parses [begin, end) of the indexed script as one statement.
bool ParseOne(const x3p::LineIndex& lines, const char* begin, const char* end, ast::Statement* out,
              ParseError* error) {
  x3p::ParseState state(lines, begin, end);
  const x3p::BlankSkipper skipper{};
  const x3p::skipper_context_type skipper_context(skipper);
  const x3p::context_type context(state, skipper_context);
  ast::Statement result;
  const char* first = begin;
  bool ok = false;
  try {
    ok = x3p::StatementRule().parse(first, end, context, x3::unused, result);
  } catch (const x3::expectation_failure<x3p::iterator_type>& failure) {
    // The grammar uses no `>` expectation points; kept so a future one
    // cannot escape the API.
    state.Fail(failure.where(), "expected " + failure.which());
    ok = false;
  }
  if (ok && !state.failed()) {
    *out = std::move(result);
    return true;
  }
  x3p::BuildParseError(state, error);
  return false;
}

void InternalError(std::string_view text, const char* what, ParseError* error) {
  const x3p::LineIndex lines(text);
  x3p::BuildErrorAt(lines, text.data(), what, error);
  error->snippet.clear();
}

// parse() (a parse of `text`), with running out of memory or an internal
// exception reported as an error at the start of the text, not thrown.
template <typename Parse>
bool Guarded(std::string_view text, ParseError* error, const Parse& parse) {
  try {
    return parse();
  } catch (const std::bad_alloc&) {
    InternalError(text, "out of memory while parsing", error);
  } catch (const std::exception& e) {
    InternalError(text, e.what(), error);
  }
  return false;
}

}  // namespace

std::string ParseError::ToString() const {
  std::string out =
      "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) + ": " + message;
  if (!snippet.empty()) out += "\n" + snippet;
  return out;
}

bool ParseStatement(std::string_view text, ast::Statement* out, ParseError* error) {
  return Guarded(text, error, [&] {
    const x3p::LineIndex lines(text);
    return ParseOne(lines, text.data(), text.data() + text.size(), out, error);
  });
}

bool ParseScript(std::string_view text, std::vector<ast::Statement>* out, ParseError* error) {
  return Guarded(text, error, [&] {
    out->clear();
    const x3p::LineIndex lines(text);
    for (std::string_view piece : x3p::SplitStatements(text)) {
      ast::Statement statement;
      if (!ParseOne(lines, piece.data(), piece.data() + piece.size(), &statement, error)) return false;
      out->push_back(std::move(statement));
    }
    return true;
  });
}

std::vector<ScriptPiece> SplitScript(std::string_view script) {
  std::vector<ScriptPiece> out;
  const x3p::LineIndex lines(script);
  for (std::string_view piece : x3p::SplitStatements(script)) {
    size_t skip = 0;
    while (skip < piece.size() && (piece[skip] == ' ' || piece[skip] == '\t' || piece[skip] == '\n' ||
                                   piece[skip] == '\r' || piece[skip] == '\f' || piece[skip] == '\v'))
      ++skip;
    ScriptPiece p;
    p.text = piece.substr(skip);
    const ast::SourcePos pos = lines.PosOf(p.text.data());
    p.line = pos.line;
    p.column = pos.column;
    out.push_back(p);
  }
  return out;
}

size_t EndOfLastTerminator(std::string_view script) {
  const std::vector<size_t> ends = x3p::TerminatorOffsets(script);
  return ends.empty() ? 0 : ends.back() + 1;
}

bool IsBlankScript(std::string_view script) {
  return x3p::TerminatorOffsets(script).empty() && x3p::SplitStatements(script).empty();
}

StatementKind ClassifyStatement(std::string_view statement) {
  ast::Statement st;
  ParseError error;
  if (!ParseStatement(statement, &st, &error)) return StatementKind::kInvalid;
  const bool query = std::holds_alternative<ast::SelectQuery>(st) || std::holds_alternative<ast::Evaluate>(st) ||
                     std::holds_alternative<ast::Explain>(st) || std::holds_alternative<ast::ShowKpis>(st);
  return query ? StatementKind::kQuery : StatementKind::kDefinition;
}

const std::vector<std::string>& Keywords() { return x3p::AllKeywords(); }

std::string QuoteName(std::string_view name) { return x3p::QuoteName(name); }

size_t OpenQuotedName(std::string_view text) { return x3p::OpenQuotedName(text); }

}  // namespace kpi::query
