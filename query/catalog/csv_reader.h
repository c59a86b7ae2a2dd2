// The CSV reader of the query layer (lookup tables, target files): RFC 4180
// records with the 1-based line each starts on, and the contract's rule for
// what a cell means.
//
// Records: fields separated by ',', a record ends at "\n" or "\r\n" outside
// quotes. A field that starts with '"' is quoted: it runs to the next '"' not
// doubled ("" is one quote) and may hold commas, quotes and newlines. Errors
// (with the line): "unterminated quote" (the line the quoted field opened
// on), a quote inside an unquoted field, text after a closing quote, invalid
// UTF-8. A UTF-8 byte order mark before the first record is skipped; an
// empty line is no record (a line holding only `""` is a record of one
// empty cell); the last record needs no terminator.
//
// Cells (ClassifyCsvCell): a cell that reads as a number, a duration (`15m`,
// in seconds) or a percentage (`90%` -> 0.9) is a number, read by the query
// language's own literal reader (x3p::ReadNumberToken), optionally with a
// leading '-' or '+' and blanks around it; an empty cell is null; every
// other cell (`true`, dates included) is a string, kept exactly as written.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"

namespace kpi::query {

struct CsvRecord {
  int64_t line = 0;                // 1-based line on which the record starts
  std::vector<std::string> cells;  // unquoted, "" unescaped
};

// Calls `on_record` for each record in order. The record object is reused
// between calls (copy what you keep). `on_record` returns false to stop with
// an error: it then sets *why to the full message (naming the line itself).
// Errors of the CSV syntax say "line N: ..."; `source` (a file name, may be
// empty) is put in front as "source:N: ...".
using CsvRecordFn = std::function<bool(const CsvRecord& record, std::string* why)>;
Status ReadCsv(std::string_view text, const std::string& source, const CsvRecordFn& on_record);

// "source:line: " (or "line N: " without a source): the prefix of errors.
std::string CsvWhere(const std::string& source, int64_t line);

enum class CsvCellKind { kNull, kNumber, kString };

// The kind of `cell` per the rule above; *number gets the value of a number.
CsvCellKind ClassifyCsvCell(std::string_view cell, double* number);

}  // namespace kpi::query
