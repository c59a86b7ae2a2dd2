// ParseState: the bookkeeping of one parse, shared by every token parser
// through the X3 context (x3::get<state_tag>).
//
// - Furthest failure (ClickHouse style): each token parser that fails records
//   the position and what it wanted there; only the furthest position's
//   expectations are kept, which is where the user's text went wrong.
// - Hard error: a definite fault found while reading a token (unterminated
//   string, bad number, nesting too deep, duplicate clause). The first one
//   wins; afterwards every token parser fails at once, so the parse unwinds
//   in linear time.
// - Nesting depth, checked against kMaxNestingDepth by DepthGuard.
// - Depth of the expression nodes built so far, so that long operator chains
//   (`a + a + ...`, each `+` one level deeper) are capped like parentheses.
// - A LineIndex of the whole script, to turn pointers into line/column.
//
// One ParseState per statement parsed, on the caller's stack; not shared
// between threads. Pointers are into the script text, which must outlive
// the state and the index.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "query/parser/ast.h"

namespace kpi::query::x3p {

// What a failing token parser wanted. `display` is how the message shows
// it ("'from'", "an expression"); `name` is the bare form for
// ParseError::expected ("from"). Quiet expectations (infix operators, alias
// `as`) are listed only when nothing else was expected at that spot.
struct Expectation {
  const char* name;
  const char* display;
  bool quiet = false;
};

// Line starts of a script: pointer -> 1-based line and column, the column
// counted in characters (query/text_width.h). Both directions take
// O(log n), whatever the line holds (a parse asks once per node).
class LineIndex {
 public:
  explicit LineIndex(std::string_view script);
  const char* begin() const { return begin_; }
  const char* end() const { return end_; }
  ast::SourcePos PosOf(const char* p) const;
  // Inverse of PosOf for positions it produced; a column past its line's
  // end gives the line's end.
  const char* PointerOf(ast::SourcePos pos) const;

 private:
  // Bytes in [from, to) that continue a character (not its first byte).
  size_t TrailingBytes(size_t from, size_t to) const { return TrailingBefore(to) - TrailingBefore(from); }
  size_t TrailingBefore(size_t offset) const;

  const char* begin_;
  const char* end_;
  std::vector<size_t> line_starts_;  // offsets of the first byte of each line
  // Only for a script with non-ASCII bytes: bit i of word i / 64 says byte i
  // continues a character; per word, the count of such bytes before it
  // (a quarter of a byte per script byte: it was 8 bytes per continuation
  // byte, 340 MB for a 64 MiB script of CJK).
  std::vector<uint64_t> trailing_bits_;
  std::vector<size_t> trailing_before_;
};

class ParseState {
 public:
  // Parses [statement_begin, statement_end), a part of the indexed script.
  ParseState(const LineIndex& lines, const char* statement_begin, const char* statement_end);

  const char* begin() const { return begin_; }
  const char* end() const { return end_; }

  void Expect(const char* where, const Expectation& what);
  // Records a definite error; the first call wins.
  void Fail(const char* where, std::string message);
  bool failed() const { return failed_; }

  const char* furthest() const { return furthest_; }
  const std::vector<Expectation>& expected() const { return expected_; }
  const char* fail_where() const { return fail_where_; }
  const std::string& fail_message() const { return fail_message_; }

  // Label support: drops the expectations a sub-parser recorded at `where`
  // (those after index `mark`, or all when the furthest point was before).
  size_t ExpectationMark() const { return expected_.size(); }
  void ReplaceExpectationsAt(const char* where, const char* furthest_before, size_t mark,
                             const Expectation& label);

  // Parser recursion depth, for DepthGuard.
  int depth = 0;

  // The text the last successful located[] directive matched (from its
  // first token), read by the semantic action attached right after it.
  const char* match_begin = nullptr;
  const char* match_end = nullptr;

  // Records a new composite node (its composite children were noted before
  // it) and returns false, after Fail(where, ...), when it is deeper than
  // kMaxNestingDepth. Noted nodes are kept alive until the state dies, so
  // an address in the table is never reused by a later node.
  bool NoteNode(const ast::ExprPtr& node, const char* where);

  ast::SourcePos PosOf(const char* p) const { return lines_.PosOf(p); }
  const LineIndex& lines() const { return lines_; }

 private:
  int DepthOf(const ast::Expr* e) const;

  const LineIndex& lines_;
  const char* begin_;
  const char* end_;
  std::unordered_map<const ast::Expr*, int> node_depth_;  // composite nodes only; leaves are 1
  std::vector<ast::ExprPtr> noted_;
  const char* furthest_ = nullptr;
  std::vector<Expectation> expected_;
  bool failed_ = false;
  const char* fail_where_ = nullptr;
  std::string fail_message_;
};

}  // namespace kpi::query::x3p
