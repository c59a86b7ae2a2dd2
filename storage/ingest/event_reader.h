// EventReader: streams RawEvents out of one input (NDJSON or CSV, plain or
// gzip-compressed, a file or "-" for stdin), reporting every bad line.
//
// Format detection: gzip by its magic bytes; CSV when the path ends in .csv
// or .csv.gz, or when `options.format` says so; NDJSON otherwise.
// A bad line never stops the stream: it becomes a Reject naming the file,
// the 1-based line and the reason, and the good lines around it are emitted.
// Blank lines are skipped (not rejects) but counted in line numbers.
// CSV: an unbalanced quote costs its line only. A quoted field may run over
// lines, but when the quote is never closed (before the end of the input or
// within max_line_bytes), or the record it makes does not parse, or one of
// the lines it would take in is a valid record on its own, the quote's line
// is rejected ("... unbalanced quote ...; reading resumed at line N+1") and
// reading goes on at the next line. Only an
// unreadable input (I/O or gzip error) or an unusable CSV header ends it:
// Next() then returns the events read before the failure with OK, and the
// error (IOError / InvalidArgument naming file and line) from the next call on.
//
// Chunked reading (ReaderOptions::chunks): the reader also cuts the input into
// content-defined chunks (storage/ingest/content_chunks.h), buffering one
// chunk's records before parsing them, and reports each chunk once all its
// records were delivered (TakeFinishedChunks). With `known_chunks` set, a
// chunk it names is skipped without parsing: Next() then delivers nothing
// of it, and may return no events before the end of the input (after
// skipping max_events known events, so that callers see progress): at_end()
// tells the end apart. Events, rejects and positions are otherwise exactly
// those of an unchunked read.
// Thread safety: one reader per thread; readers share nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/ingest/content_chunks.h"
#include "storage/raw_event.h"
#include "storage/status.h"

namespace kpi::ingest {

struct Reject {
  std::string file;  // as given by the caller ("-" for stdin)
  uint64_t line = 0;
  std::string reason;  // one line, no trailing newline
};

enum class InputFormat { kAuto, kNdjson, kCsv };

struct ReaderOptions {
  InputFormat format = InputFormat::kAuto;
  // CSV: columns whose numeric cells are measures. Any other cell is a
  // dimension value. NDJSON: JSON numbers and booleans are measures whatever
  // the key, but a string under one of these keys is rejected (a text where
  // a number was).
  std::unordered_set<std::string> csv_measures = {"csat", "handle_seconds", "cost", "accurate",
                                                   "nps", "effort", "wrap_seconds"};
  // A line longer than this is rejected (and skipped without buffering it whole).
  size_t max_line_bytes = 1 << 20;
  // Timestamps without a zone designator are read as UTC when true; rejected otherwise.
  bool assume_utc = true;
  // Cut the input into content-defined chunks (see the top of this file).
  bool chunks = false;
  // With `chunks`: skip the chunks this names (nullptr: skip none). Must
  // outlive the reader.
  const KnownChunks* known_chunks = nullptr;
};

class EventReader {
 public:
  // Opens `path` ("-" = stdin). Fails with IOError naming the path if it
  // cannot be opened, or InvalidArgument for an unreadable gzip header.
  static Status Open(const std::string& path, const ReaderOptions& options,
                     std::unique_ptr<EventReader>* reader);
  virtual ~EventReader() = default;

  // Appends up to `max_events` events to *events (cleared first) and every
  // line rejected meanwhile to *rejects (not cleared). At end of input
  // returns OK with *events empty. An I/O error mid-file returns IOError.
  virtual Status Next(size_t max_events, std::vector<RawEvent>* events,
                      std::vector<Reject>* rejects) = 0;

  // Resuming: where the next record starts (byte offset in the decoded
  // input, and its line), and a jump forward to such a position recorded
  // by an earlier read of the same input. A CSV's header is read first.
  // InvalidArgument naming the file if the input ends before `offset`.
  virtual uint64_t position_offset() const = 0;
  virtual uint64_t position_line() const = 0;
  virtual Status SkipTo(uint64_t offset, uint64_t line) = 0;

  // Bytes of the input consumed so far (compressed bytes for gzip) and the
  // input's size in bytes, 0 when unknown (stdin, pipes): for progress bars.
  virtual uint64_t bytes_consumed() const = 0;
  virtual uint64_t total_bytes() const = 0;
  // Lines read so far (good and bad; skipped known chunks included).
  virtual uint64_t lines_read() const = 0;

  // Chunked reading: appends the chunks finished since the last call, in
  // input order (a chunk is finished once Next() delivered all its records,
  // or skipped it). Unchunked readers append nothing.
  virtual void TakeFinishedChunks(std::vector<FinishedChunk>* out) = 0;
  // True once the input was read to its end and everything was delivered.
  virtual bool at_end() const = 0;
};

}  // namespace kpi::ingest
