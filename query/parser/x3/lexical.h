// Character classes and blank skipping shared by the token parsers and the
// statement splitter. ASCII only: bytes >= 0x80 are never identifier
// characters or blanks. Thread safety: pure functions.
#pragma once

namespace kpi::query::x3p {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
inline bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }
inline char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Skips whitespace and `--` comments.
inline const char* SkipBlank(const char* p, const char* end) {
  while (p < end) {
    const char c = *p;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++p;
    } else if (c == '-' && p + 1 < end && p[1] == '-') {
      p += 2;
      while (p < end && *p != '\n') ++p;
    } else {
      break;
    }
  }
  return p;
}

}  // namespace kpi::query::x3p
