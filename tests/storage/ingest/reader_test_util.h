// Helpers of the ingest reader tests: read a whole file through an
// EventReader, and write gzip files with zlib.
#pragma once

#include <string>
#include <vector>

#include "storage/ingest/event_reader.h"

namespace kpi::ingest::testing {

struct ReadResult {
  Status open_status;
  Status status;  // first non-OK status of Next(), or OK
  std::vector<RawEvent> events;
  std::vector<Reject> rejects;
  uint64_t lines_read = 0;
  uint64_t bytes_consumed = 0;
  uint64_t total_bytes = 0;
  size_t max_batch_seen = 0;
  // Where reading ended (EventReader::position_offset / position_line).
  uint64_t end_offset = 0, end_line = 0;
  // Chunked reading (ReaderOptions::chunks): the chunks finished, and the
  // batches that held no events before the end (known chunks skipped).
  std::vector<FinishedChunk> chunks;
  int empty_batches = 0;
};

// Reads `path` to its end (at_end()) in batches of `batch` events.
ReadResult ReadAll(const std::string& path, const ReaderOptions& options = ReaderOptions(), size_t batch = 3);

// Writes `members` as concatenated gzip members (one member per element).
void WriteGzip(const std::string& path, const std::vector<std::string>& members);

// "file:line: reason" lines, for failure messages.
std::string Describe(const std::vector<Reject>& rejects);

}  // namespace kpi::ingest::testing
