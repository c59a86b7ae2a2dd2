#include "query/parser/x3/state.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "query/parser/parser.h"
#include "query/text_width.h"

namespace kpi::query::x3p {

LineIndex::LineIndex(std::string_view script) : begin_(script.data()), end_(script.data() + script.size()) {
  line_starts_.push_back(0);
  bool ascii = true;
  for (size_t i = 0; i < script.size(); ++i) {
    if (script[i] == '\n') line_starts_.push_back(i + 1);
    ascii = ascii && static_cast<unsigned char>(script[i]) < 0x80;
  }
  if (ascii) return;  // every byte a character
  trailing_bits_.assign((script.size() + 63) / 64, 0);
  for (size_t i = 0; i < script.size();) {
    const size_t n = CharacterLength(script, i);
    for (size_t k = i + 1; k < i + n; ++k) trailing_bits_[k / 64] |= uint64_t{1} << (k % 64);
    i += n;
  }
  trailing_before_.resize(trailing_bits_.size());
  size_t before = 0;
  for (size_t w = 0; w < trailing_bits_.size(); ++w) {
    trailing_before_[w] = before;
    before += static_cast<size_t>(std::popcount(trailing_bits_[w]));
  }
}

size_t LineIndex::TrailingBefore(size_t offset) const {
  if (trailing_bits_.empty()) return 0;
  const size_t word = offset / 64, bit = offset % 64;
  if (word >= trailing_bits_.size())  // the end of a script of whole words
    return trailing_before_.back() + static_cast<size_t>(std::popcount(trailing_bits_.back()));
  const uint64_t below = bit == 0 ? 0 : trailing_bits_[word] & ((uint64_t{1} << bit) - 1);
  return trailing_before_[word] + static_cast<size_t>(std::popcount(below));
}

const char* LineIndex::PointerOf(ast::SourcePos pos) const {
  if (pos.line < 1 || static_cast<size_t>(pos.line) > line_starts_.size() || pos.column < 1) return begin_;
  const size_t size = static_cast<size_t>(end_ - begin_);
  const size_t start = line_starts_[static_cast<size_t>(pos.line) - 1];
  const size_t line_end = static_cast<size_t>(pos.line) < line_starts_.size()
                              ? line_starts_[static_cast<size_t>(pos.line)] - 1  // its '\n'
                              : size;
  const size_t characters = static_cast<size_t>(pos.column) - 1;
  // Characters started before b: (b - start) - TrailingBytes(start, b), which
  // grows with b and steps up just after each character's first byte. So the
  // character sought starts one byte before the first b where it exceeds
  // `characters`; with no such b on the line, the column is its end.
  const auto before = [&](size_t b) { return b - start - TrailingBytes(start, b); };
  size_t lo = std::min(start + characters + 1, line_end + 1), hi = line_end + 1;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (before(mid) > characters) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return begin_ + std::min(lo > line_end ? line_end : lo - 1, size);
}

ParseState::ParseState(const LineIndex& lines, const char* statement_begin, const char* statement_end)
    : lines_(lines), begin_(statement_begin), end_(statement_end) {}

int ParseState::DepthOf(const ast::Expr* e) const {
  if (e == nullptr) return 0;
  auto it = node_depth_.find(e);
  return it == node_depth_.end() ? 1 : it->second;
}

bool ParseState::NoteNode(const ast::ExprPtr& node, const char* where) {
  int deepest = 0;
  for (const ast::ExprPtr& child : node->args) deepest = std::max(deepest, DepthOf(child.get()));
  const int depth = deepest + 1;
  node_depth_[node.get()] = depth;
  noted_.push_back(node);
  if (depth <= kMaxNestingDepth) return true;
  Fail(where, "expression nested too deeply (more than " + std::to_string(kMaxNestingDepth) + " levels)");
  return false;
}

void ParseState::Expect(const char* where, const Expectation& what) {
  if (furthest_ != nullptr && where < furthest_) return;
  if (furthest_ == nullptr || where > furthest_) {
    furthest_ = where;
    expected_.clear();
  }
  for (const Expectation& e : expected_) {
    if (std::strcmp(e.display, what.display) == 0) return;
  }
  expected_.push_back(what);
}

void ParseState::Fail(const char* where, std::string message) {
  if (failed_) return;
  failed_ = true;
  fail_where_ = where;
  fail_message_ = std::move(message);
}

void ParseState::ReplaceExpectationsAt(const char* where, const char* furthest_before, size_t mark,
                                       const Expectation& label) {
  if (furthest_ != where) return;  // the sub-parser got further: its own expectations say more
  if (furthest_before == where) {
    if (mark < expected_.size()) expected_.resize(mark);
  } else {
    expected_.clear();
  }
  Expect(where, label);
}

ast::SourcePos LineIndex::PosOf(const char* p) const {
  if (p < begin_) p = begin_;
  if (p > end_) p = end_;
  const size_t offset = static_cast<size_t>(p - begin_);
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const size_t line = static_cast<size_t>(it - line_starts_.begin());  // >= 1: line_starts_[0] == 0
  ast::SourcePos pos;
  pos.line = static_cast<int>(line);
  const size_t start = line_starts_[line - 1];
  pos.column = static_cast<int>(offset - start - TrailingBytes(start, offset) + 1);
  return pos;
}

}  // namespace kpi::query::x3p
