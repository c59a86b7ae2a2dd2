// LineSplitter: cuts an InputSource into records: lines for NDJSON, and for
// CSV records whose quoted fields may hold newlines (RFC 4180).
//
// A record's text excludes its terminator ("\n", or "\r\n": one trailing
// "\r" is dropped). Records are numbered by the 1-based physical line on
// which they start; every "\n" counts, also empty lines and newlines inside
// quoted CSV fields. A record longer than `max_line_bytes` is reported as
// too long and skipped while it streams past: it is never buffered whole, so
// memory stays below max_line_bytes plus one 1 MiB read block (2 MiB while
// lines are short).
// The last record needs no terminator.
//
// Unbalanced quotes (CSV mode): an opening quote whose field runs over
// newlines but is not closed before the end of the input, or within
// max_line_bytes, is taken as unbalanced: Next() delivers only the first
// physical line of the record (Record::unclosed_quote; the parser rejects
// it) and goes on at the next line, so one stray quote costs one line, not
// the rest of the input. A caller that finds a multi-line record bad on
// other grounds (it does not parse, or it swallows a line that is a record
// of its own) calls ResyncAfterFirstLine() to the same effect.
//
// Positions: position() is the byte offset (in the decoded stream) and line
// of the next record; SkipTo() moves forward to a position recorded earlier
// (resuming an ingest), reading and discarding what lies between.
// Thread safety: one splitter per thread. The source must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "storage/ingest/input_source.h"
#include "storage/status.h"

namespace kpi::ingest {

struct Record {
  std::string_view text;  // valid until the next call of Next(); empty when too_long
  uint64_t line = 0;      // 1-based line on which the record starts
  bool too_long = false;
  bool unclosed_quote = false;  // CSV: the first line of a record whose quote never closes
};

// Where the next record starts: byte offset in the decoded input and its line.
struct InputPosition {
  uint64_t offset = 0;
  uint64_t line = 1;
};

class LineSplitter {
 public:
  enum class Mode { kLines, kCsvRecords };

  LineSplitter(InputSource* source, size_t max_line_bytes, Mode mode);

  // Sets *has_record = false at the end of input. Returns the source's error
  // if a read fails (the records before it were all delivered).
  Status Next(Record* record, bool* has_record);

  // Physical lines consumed so far (those of the records delivered).
  uint64_t lines_read() const { return next_line_ - 1; }

  // Takes back the record just delivered (`record` from the last Next(),
  // whose text holds a newline) but for its first line: the next record
  // starts on the line after it.
  void ResyncAfterFirstLine(const Record& record);

  InputPosition position() const { return {base_offset_ + begin_, next_line_}; }
  // Skips forward to `to` (a position() recorded over the same input; at
  // or after the current one). InvalidArgument if the input ends before.
  Status SkipTo(const InputPosition& to);

 private:
  // Looks for the end of the current record in [scan_, end_). On success
  // sets *terminator to the index of its "\n".
  bool FindTerminator(size_t* terminator);
  void StartRecord();
  // Moves the current record to the front and grows the buffer if a read
  // block no longer fits behind it.
  void MakeRoomForRead();
  // Delivers the first line of the current record (its quote never closes)
  // and restarts scanning after it.
  void CutAtFirstLine(Record* record);

  enum class CsvState { kFieldStart, kUnquoted, kQuoted, kAfterQuote };

  InputSource* source_;
  size_t max_line_bytes_;
  Mode mode_;
  std::unique_ptr<char[]> buf_;
  size_t capacity_;      // current buffer size
  size_t max_capacity_;  // one longest line plus a read block
  uint64_t base_offset_ = 0;  // input offset of buf_[0]
  size_t begin_ = 0;  // start of the current record
  size_t scan_ = 0;   // bytes before this were scanned for the terminator
  size_t end_ = 0;    // end of the buffered bytes
  bool eof_ = false;
  bool skipping_ = false;       // the current record is too long and being discarded
  uint64_t next_line_ = 1;      // line on which the current record starts
  uint64_t inner_newlines_ = 0;  // newlines inside quotes of the current record
  CsvState csv_state_ = CsvState::kFieldStart;
};

}  // namespace kpi::ingest
