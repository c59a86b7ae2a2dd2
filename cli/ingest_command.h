// `kpi ingest`: load event files (NDJSON, CSV, gzip, stdin) into a store.
//
// Pipeline: a reader thread parses the inputs, in the order given, into
// batches of at most `batch_events` events (a batch never mixes files) and
// hands them over a small bounded queue; the calling thread Stage()s each
// batch (durable when it returns). Each time `seal_events` more events are
// staged, a background seal starts (at most one runs; staging goes on
// meanwhile), and a final seal and flush run at the end. When arrival is
// scattered (a seal would re-encode more sealed events than a quarter of what it
// seals: Store::EstimateSeal) and fewer than `max_staged_events` are staged,
// sealing stops: staged events are spilled (Store::SpillStaged) and sealed
// once at the end, read back from disk per partition group. Memory stays
// bounded by the staged events held plus one seal's segments, whatever the
// input size.
//
// Memory limit (`memory_limit`, docs/operations.md "Memory limit"): the
// store's caches and memtables and the two seal thresholds are sized to fit
// it (storage/memory_budget.h; the thresholds are lowered, never raised),
// and when resident memory passes 85 % of it the ingest waits for the
// running seal and seals what is staged at once. "auto" is a quarter of the
// machine's memory, at most 1 GiB; "none" keeps the built-in sizes.
//
// Rejected lines (reader rejects and store-level rejects, the latter mapped
// back to file:line) are all written to `rejects_path` when given, the first
// 20 to `err`. With max_errors = N >= 0 the ingest stops at the (N+1)-th
// reject: the good lines before it (in the same batch, and every earlier
// batch) are stored, nothing after it is read. A store-level reject can only
// be seen after its batch is staged, so that whole batch is kept.
//
// Checkpoints and --resume: every batch of a regular file is staged together
// with that file's checkpoint (storage/ingest/checkpoint.h: the file's
// identity and the position after the batch's last record), in one atomic
// write; reading a file to its end marks its checkpoint complete. With
// `resume`, a file whose identity is unchanged starts at its checkpoint
// (a complete one is not read at all), so an interrupted ingest goes on
// where its last committed batch ended; the summary adds "skipped N lines".
// Re-read lines are harmless anyway (ingest is idempotent). stdin has no
// checkpoint. Progress lines show events read and events committed.
//
// Known chunks (re-ingest): every input (file, gzip, stdin) is read in
// content-defined chunks (storage/ingest/content_chunks.h). A chunk read
// whole without any reject is recorded in the store's metadata once its
// events are staged (storage/ingest/known_chunk_recorder.h); a chunk
// recorded before is skipped without parsing and its events counted as
// duplicates (the summary adds "already stored: N lines (M events) in K
// chunks ..."; progress shows them as skipped). So re-sending a file, or a
// file with lines appended or a few changed, reads only the chunks that are
// new. `no_skip_known` parses every chunk (they are still recorded).
//
// Exit status (cli/exit_codes.h): 0 every line stored or a duplicate;
// 1 some lines rejected; 2 bad flags, an unreadable input (the message names
// it; the other inputs are still ingested) or a store failure; 3 aborted by
// max_errors. The summary goes to `out`, progress, rejects and errors to `err`.
// Thread safety: one call at a time per store directory (RocksDB locks it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/backend_flags.h"

namespace kpi::cli {

struct IngestFlags {
  std::string db;
  BackendFlags backend;            // --backend clickhouse: cli/backend_ingest.h
  std::vector<std::string> files;  // "-" = stdin
  std::string format = "auto";     // auto | ndjson | csv
  std::vector<std::string> measures;  // extra CSV measure columns
  std::string rejects_path;        // empty: no rejects file
  int64_t max_errors = -1;         // < 0: unlimited
  bool no_sync = false;            // skip fsync (benchmarks only)
  size_t batch_events = 65536;
  uint64_t seal_events = 2000000;  // seal (in the background) each time this many more are staged
  uint64_t max_staged_events = 8000000;  // scattered arrival: staged events a seal may wait for
  std::string memory_limit = "auto";  // bytes ("1.5G"), "auto" (from RAM) or "none" (see below)
  bool quiet = false;              // no progress output
  bool resume = false;             // start each file at its checkpoint (see below)
  bool no_skip_known = false;      // parse every chunk, known or not (see below)
};

int RunIngest(const IngestFlags& flags, std::FILE* out, std::FILE* err);

}  // namespace kpi::cli
