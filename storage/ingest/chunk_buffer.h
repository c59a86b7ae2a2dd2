// ChunkBuffer: the records of one content-defined chunk, held by a chunked
// EventReader between reading them (to find where the chunk ends and what its
// key is) and parsing them (unless the chunk is known and skipped).
//
// A record is kept as its text (in one contiguous buffer, each followed by
// "\n": exactly the bytes the chunk key hashes), its line and the input
// position after it. Records whose fate had to be settled while the line
// splitter still held them (too long, an unclosed CSV quote, a CSV record
// over several lines: these may move the splitter back) carry that outcome
// instead of being parsed later.
// Thread safety: owned by one reader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "storage/ingest/content_chunks.h"
#include "storage/ingest/event_reader.h"
#include "storage/ingest/line_splitter.h"

namespace kpi::ingest {

struct BufferedRecord {
  size_t begin = 0, size = 0;  // text in ChunkBuffer::bytes
  uint64_t line = 0;
  InputPosition end;     // where the next record starts
  int64_t decided = -1;  // >= 0: index into ChunkBuffer::decided
};

struct ChunkBuffer {
  std::string bytes;
  std::vector<BufferedRecord> records;
  std::vector<std::variant<RawEvent, Reject>> decided;
  bool truncated = false;  // the input broke off inside it: never recorded
  bool rejected = false;   // a decided record was rejected: never recorded
  ChunkKey key;            // set once the chunk is complete and not truncated

  void Clear() {
    bytes.clear();
    records.clear();
    decided.clear();
    truncated = rejected = false;
    key = ChunkKey();
  }
  // Appends a record; true when the chunk ends after it (ChunkEndsAfter).
  bool Add(std::string_view text, uint64_t line, InputPosition end) {
    records.push_back(BufferedRecord{bytes.size(), text.size(), line, end, -1});
    bytes.append(text);
    bytes.push_back('\n');
    return ChunkEndsAfter(text, bytes.size());
  }
  // Settles the record just added.
  void Decide(std::variant<RawEvent, Reject> outcome) {
    if (std::holds_alternative<Reject>(outcome)) rejected = true;
    records.back().decided = static_cast<int64_t>(decided.size());
    decided.push_back(std::move(outcome));
  }
  std::string_view text(const BufferedRecord& r) const { return std::string_view(bytes).substr(r.begin, r.size); }
  // Physical lines from the first record to the end of the last.
  uint64_t lines() const { return records.empty() ? 0 : records.back().end.line - records.front().line; }
};

}  // namespace kpi::ingest
