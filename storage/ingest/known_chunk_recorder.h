// KnownChunkRecorder: decides which content-defined chunks an ingest read
// (`kpi ingest`) are recorded as known (storage/ingest/known_chunks.h), and
// when.
//
// A chunk is recorded only when it was read whole with no reject of any kind:
// no reader reject (FinishedChunk::clean) and no store reject (Store::Stage
// refuses a value whose column has the other kind) on one of its lines, and
// its batch was staged whole (not cut short by a reject limit, its input
// did not break off). Then every event of it is staged, and reading it again
// could only give duplicates (storage/ingest/content_chunks.h).
// When: store rejects are known only after a batch is staged, so a chunk
// finished in a batch holding events is queued and written with the next
// write (the next batch's, or a metadata write at the end); a chunk finished in a batch without
// events (its events went with earlier batches) goes with that batch's write.
// Either way no record is ever written before its events.
// Skipped (known) chunks are counted here for the summary and progress.
// Thread safety: one staging thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "storage/ingest/content_chunks.h"
#include "storage/store.h"

namespace kpi::ingest {

class KnownChunkRecorder {
 public:
  // Before staging a batch of input `input` that finishes `chunks`: the
  // metadata writes to stage with it (Store::Stage's `extra`). `has_events`:
  // the batch holds events; `whole`: it is staged whole.
  std::vector<storage::Store::MetaWrite> BeforeStage(size_t input, std::span<const FinishedChunk> chunks,
                                                     bool has_events, bool whole);
  // After staging it (also when nothing was written): the lines of its
  // events the store refused.
  void AfterStage(size_t input, std::span<const FinishedChunk> chunks, bool has_events, bool whole,
                  std::span<const uint64_t> refused_lines);
  // Records still queued (an ingest that stopped early): write them at the end.
  std::vector<storage::Store::MetaWrite> TakePending();

  uint64_t skipped_chunks() const { return skipped_chunks_; }
  uint64_t skipped_lines() const { return skipped_lines_; }
  uint64_t skipped_events() const { return skipped_events_; }

 private:
  void SwitchTo(size_t input);
  // Counts the skipped chunks, queues the records of the recordable ones.
  void Finished(std::span<const FinishedChunk> chunks, bool whole);

  size_t input_ = 0;
  std::vector<uint64_t> refused_;  // store-refused lines of input_ not yet past a finished chunk
  std::vector<storage::Store::MetaWrite> pending_;
  uint64_t skipped_chunks_ = 0, skipped_lines_ = 0, skipped_events_ = 0;
};

}  // namespace kpi::ingest
