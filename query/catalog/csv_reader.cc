// The query layer's CSV reader (see query/catalog/csv_reader.h).
#include "query/catalog/csv_reader.h"

#include <algorithm>

#include "query/parser/x3/literals.h"

namespace kpi::query {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Offset of the first byte that is not part of well-formed UTF-8 (no
// overlongs, surrogates or code points past U+10FFFF), or npos.
size_t FirstInvalidUtf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return i;
    }
    if (i + len > n) return i;
    const unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
    if (c1 < lo || c1 > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      const unsigned char ck = static_cast<unsigned char>(s[i + k]);
      if (ck < 0x80 || ck > 0xBF) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

// "\r" ends a record only right before "\n" or at the end of the text.
bool IsCrlfAt(std::string_view t, size_t i) { return t[i] == '\r' && (i + 1 == t.size() || t[i + 1] == '\n'); }

}  // namespace

std::string CsvWhere(const std::string& source, int64_t line) {
  if (source.empty()) return "line " + std::to_string(line) + ": ";
  return source + ":" + std::to_string(line) + ": ";
}

Status ReadCsv(std::string_view text, const std::string& source, const CsvRecordFn& on_record) {
  auto fail = [&source](int64_t line, const std::string& what) {
    return Status::InvalidArgument(CsvWhere(source, line) + what);
  };
  size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  if (size_t bad = FirstInvalidUtf8(text.substr(i)); bad != std::string_view::npos) {
    const auto before = text.begin() + static_cast<std::ptrdiff_t>(i + bad);
    return fail(1 + std::count(text.begin(), before, '\n'), "invalid UTF-8");
  }
  const size_t n = text.size();
  int64_t line = 1;
  CsvRecord record;
  std::string why;
  while (i < n) {
    if (text[i] == '\n' || (IsCrlfAt(text, i) && i + 1 < n)) {  // an empty line: no record
      i += text[i] == '\r' ? 2 : 1;
      ++line;
      continue;
    }
    if (IsCrlfAt(text, i)) break;  // a lone "\r" ends the text
    record.line = line;
    size_t cells = 0;
    for (;;) {
      if (cells == record.cells.size()) record.cells.emplace_back();
      std::string& cell = record.cells[cells++];
      cell.clear();
      if (i < n && text[i] == '"') {
        const int64_t opened = line;
        ++i;
        for (;;) {
          const size_t quote = text.find('"', i);
          if (quote == std::string_view::npos) {
            return fail(opened, "unterminated quote in field " + std::to_string(cells) +
                                    " (a quoted field runs to its closing '\"')");
          }
          line += std::count(text.begin() + static_cast<std::ptrdiff_t>(i),
                             text.begin() + static_cast<std::ptrdiff_t>(quote), '\n');
          cell.append(text.substr(i, quote - i));
          i = quote + 1;
          if (i < n && text[i] == '"') {  // "" stands for one quote
            cell.push_back('"');
            ++i;
            continue;
          }
          break;
        }
        if (i < n && text[i] != ',' && text[i] != '\n' && !IsCrlfAt(text, i)) {
          return fail(line, "text after the closing quote of field " + std::to_string(cells));
        }
      } else {
        size_t stop = i;
        while (stop < n && text[stop] != ',' && text[stop] != '\n') {
          if (text[stop] == '"') {
            return fail(line, "quote inside unquoted field " + std::to_string(cells) +
                                  " (quote the whole field and double the quote: \"say \"\"hi\"\"\")");
          }
          ++stop;
        }
        size_t end = stop;
        if (end > i && IsCrlfAt(text, end - 1)) --end;
        cell.assign(text.substr(i, end - i));
        i = stop;
      }
      if (i < n && text[i] == ',') {
        ++i;  // a ',' ending the record leaves an empty last cell
        continue;
      }
      if (i < n && text[i] == '\r') ++i;
      if (i < n && text[i] == '\n') {
        ++i;
        ++line;
      }
      break;
    }
    record.cells.resize(cells);
    if (!on_record(record, &why)) return Status::InvalidArgument(why);
  }
  return Status::OK();
}

CsvCellKind ClassifyCsvCell(std::string_view cell, double* number) {
  if (cell.empty()) return CsvCellKind::kNull;
  std::string_view t = cell;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  bool negative = false;
  if (!t.empty() && (t.front() == '-' || t.front() == '+')) {
    negative = t.front() == '-';
    t.remove_prefix(1);
  }
  // Most strings fail here, before the literal reader builds a message.
  if (t.empty() || !IsDigit(t.front())) return CsvCellKind::kString;
  ast::ExprKind kind;
  double value = 0;
  std::string why;
  if (!x3p::ReadNumberToken(t, &kind, &value, &why)) return CsvCellKind::kString;
  *number = negative ? -value : value;
  return CsvCellKind::kNumber;
}

}  // namespace kpi::query
