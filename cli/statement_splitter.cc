// Statement splitting (see cli/statement_splitter.h).
#include "cli/statement_splitter.h"

namespace kpi::cli {

namespace {

// A tiny lexer over the script: reports every top-level ';' and, at the
// end, whether the last significant character was one.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  // Advances to the next top-level ';' (returns its offset) or to the end
  // (returns npos). `*significant` is set when a character outside
  // whitespace and comments was passed on the way.
  size_t NextTerminator(bool* significant) {
    *significant = false;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '-' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '-') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
        continue;
      }
      if (c == '\'' || c == '"') {
        *significant = true;
        SkipString(c);
        continue;
      }
      if (c == ';') return pos_++;
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') *significant = true;
      ++pos_;
    }
    return std::string_view::npos;
  }

 private:
  void SkipString(char quote) {
    ++pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '\\' && pos_ < text_.size()) {
        ++pos_;
      } else if (c == quote) {
        return;
      }
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// Line and column of text[offset], counting on from an earlier position.
struct Cursor {
  size_t offset = 0;
  int line = 1, column = 1;
  void AdvanceTo(std::string_view text, size_t target) {
    for (; offset < target && offset < text.size(); ++offset) {
      if (text[offset] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
  }
};

}  // namespace

std::vector<ScriptStatement> SplitStatements(std::string_view script) {
  std::vector<ScriptStatement> out;
  Scanner scanner(script);
  size_t start = 0;
  Cursor cursor;
  for (;;) {
    bool significant = false;
    size_t end = scanner.NextTerminator(&significant);
    size_t stop = end == std::string_view::npos ? script.size() : end;
    if (significant) {
      // Start the piece at its first non-blank character (comments stay in).
      size_t first = start;
      while (first < stop && (script[first] == ' ' || script[first] == '\t' || script[first] == '\n' ||
                              script[first] == '\r')) {
        ++first;
      }
      ScriptStatement st;
      cursor.AdvanceTo(script, first);
      st.line = cursor.line;
      st.column = cursor.column;
      st.text.assign(static_cast<size_t>(st.line - 1), '\n');
      st.text.append(static_cast<size_t>(st.column - 1), ' ');
      st.text.append(script.substr(first, stop - first));
      out.push_back(std::move(st));
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

size_t EndOfLastTerminator(std::string_view text) {
  Scanner scanner(text);
  bool significant = false;
  size_t last = 0;
  for (;;) {
    size_t end = scanner.NextTerminator(&significant);
    if (end == std::string_view::npos) return last;
    last = end + 1;
  }
}

bool IsBlankScript(std::string_view text) {
  Scanner scanner(text);
  bool significant = false;
  for (;;) {
    size_t end = scanner.NextTerminator(&significant);
    if (significant) return false;
    if (end == std::string_view::npos) return true;
    return false;  // a bare ';' is significant enough to report
  }
}

}  // namespace kpi::cli
