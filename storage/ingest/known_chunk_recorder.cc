// Which chunks `kpi ingest` records as known (see storage/ingest/known_chunk_recorder.h).
#include "storage/ingest/known_chunk_recorder.h"

#include <algorithm>

#include "storage/ingest/known_chunks.h"

namespace kpi::ingest {

std::vector<storage::Store::MetaWrite> KnownChunkRecorder::BeforeStage(size_t input,
                                                                       std::span<const FinishedChunk> chunks,
                                                                       bool has_events, bool whole) {
  SwitchTo(input);
  if (!has_events) Finished(chunks, whole);  // their events went with earlier batches
  return TakePending();
}

void KnownChunkRecorder::AfterStage(size_t input, std::span<const FinishedChunk> chunks, bool has_events, bool whole,
                                    std::span<const uint64_t> refused_lines) {
  SwitchTo(input);
  refused_.insert(refused_.end(), refused_lines.begin(), refused_lines.end());
  if (has_events) Finished(chunks, whole);  // recorded with the next write
}

std::vector<storage::Store::MetaWrite> KnownChunkRecorder::TakePending() {
  std::vector<storage::Store::MetaWrite> out;
  out.swap(pending_);
  return out;
}

void KnownChunkRecorder::SwitchTo(size_t input) {
  if (input == input_) return;
  input_ = input;
  refused_.clear();
}

void KnownChunkRecorder::Finished(std::span<const FinishedChunk> chunks, bool whole) {
  for (const FinishedChunk& c : chunks) {
    if (c.skipped) {
      ++skipped_chunks_;
      skipped_lines_ += c.lines;
      skipped_events_ += c.events;
      continue;
    }
    const uint64_t end = c.first_line + c.lines;
    const bool refused = std::any_of(refused_.begin(), refused_.end(),
                                     [&](uint64_t line) { return line >= c.first_line && line < end; });
    if (whole && c.clean && !refused) pending_.push_back(RecordChunk(c));
    // Chunks finish in line order: refusals before this one's end are done with.
    std::erase_if(refused_, [end](uint64_t line) { return line < end; });
  }
}

}  // namespace kpi::ingest
