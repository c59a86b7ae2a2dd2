// Content-defined chunks of an ingest input, and why a chunk committed once
// may be skipped, unparsed, when it is read again (issue 9: re-ingest).
//
// Cutting. The decoded input (after gzip) is cut into chunks of whole
// records. A chunk ends after a record whose XXH3-64 falls under a threshold
// proportional to the record's length (so chunks average kMinChunkBytes +
// kChunkSpreadBytes whatever the line length), never before kMinChunkBytes,
// and always once it holds kMaxChunkBytes; the input's end ends the last one.
// Because a cut depends only on the records themselves, the same records give
// the same chunks wherever they sit: a file with lines appended, a file cut in
// two, an export re-sent with one line changed share all their chunks with the
// earlier file but the one or two around the change (and the last one).
//
// Key. A chunk's key is the XXH3-128 of its records' text (each followed by
// "\n"; a record's "\r\n" or missing last terminator does not count), seeded
// with the parse context: the format, every reader option that changes what
// a line becomes (measure columns, zone-less time stamps, the line length
// limit), a CSV's header record, and kChunkFormat, bumped whenever the parsers
// would turn some line into a different event than before. Equal keys
// therefore mean: the same records, read the same way, into the same events.
//
// Why skipping a known chunk is sound. A chunk is recorded as known
// (storage/ingest/known_chunks.h) only when every one of its records was
// read into an event or was blank (no reader or store reject), and only in
// an atomic write made once all its events were staged (the next batch's
// write: storage/ingest/known_chunk_recorder.h), so a known chunk's events
// are all durably in the store, staged or sealed. The store never deletes an
// event, and re-sending a stored event is always a duplicate
// (docs/event-format.md): an event without an id is identified by its
// content, and for an id the copy in force has a revision >= the re-sent one
// (a correction needs a revision higher than the stored copy, and a stored
// copy only ever gives way to higher revisions). So parsing a known chunk
// again could only produce duplicates: it is skipped and its recorded event
// count is reported as duplicates. Rejected lines are never skipped: a chunk
// holding one is never recorded, so it is read again every time and its
// rejects are reported again, file:line and reason, as on the first ingest.
// What this does not cover: the HTTP upload path (server/event_upload.cc)
// does not skip chunks (a scoped token would learn from "duplicates" that
// events outside its scope exist, and uploads are small).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace kpi::ingest {

struct ReaderOptions;

inline constexpr size_t kMinChunkBytes = size_t{32} << 10;
inline constexpr size_t kChunkSpreadBytes = size_t{96} << 10;
inline constexpr size_t kMaxChunkBytes = size_t{1} << 20;
// Part of every key: bump when a line may parse into a different event.
inline constexpr const char* kChunkFormat = "chunk1";

struct ChunkKey {
  uint64_t high = 0, low = 0;
  bool operator==(const ChunkKey&) const = default;
};

// A chunk the reader finished: all its records were delivered (or skipped).
struct FinishedChunk {
  ChunkKey key;
  uint64_t first_line = 0;  // physical lines [first_line, first_line + lines)
  uint64_t lines = 0;
  uint64_t events = 0;   // events read from it (skipped: the recorded count)
  bool skipped = false;  // known: not parsed, its events are duplicates
  bool clean = false;    // parsed, read whole, no reader reject: may be recorded
};

// What a known chunk held when it was committed.
struct ChunkCounts {
  uint64_t lines = 0;
  uint64_t events = 0;
};

// Where the reader asks whether a chunk was committed before.
// Thread safety: Find is called from the reading thread, concurrently with
// whatever commits chunks.
class KnownChunks {
 public:
  virtual ~KnownChunks() = default;
  // *found and *counts for `key`; an error when the lookup itself failed.
  virtual Status Find(const ChunkKey& key, bool* found, ChunkCounts* counts) const = 0;
};

// The seed of every chunk key of one input: `csv` says how it is read, and
// `csv_header` is its header record ("" for NDJSON).
uint64_t ChunkContextSeed(const ReaderOptions& options, bool csv, std::string_view csv_header);

// The key of a chunk whose records' text (each followed by "\n") is `bytes`.
ChunkKey ComputeChunkKey(std::string_view bytes, uint64_t seed);

// Whether a chunk that holds `chunk_bytes` (counting `record` and its "\n")
// ends after `record`.
bool ChunkEndsAfter(std::string_view record, size_t chunk_bytes);

}  // namespace kpi::ingest
