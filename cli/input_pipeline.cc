// Background reading of ingest inputs (see cli/input_pipeline.h).
#include "cli/input_pipeline.h"

#include <memory>

namespace kpi::cli {

InputPipeline::InputPipeline(std::vector<std::string> inputs, ingest::ReaderOptions options, size_t batch_events)
    : inputs_(std::move(inputs)), options_(std::move(options)), batch_events_(batch_events == 0 ? 1 : batch_events) {}

InputPipeline::~InputPipeline() { Stop(); }

void InputPipeline::ResumeAt(size_t input, uint64_t offset, uint64_t line, bool complete) {
  if (resume_.size() < inputs_.size()) resume_.resize(inputs_.size());
  resume_[input] = Resume{offset, line, complete};
}

void InputPipeline::Start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
}

bool InputPipeline::Push(InputBatch item) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return stop_ || queue_.size() < kQueueDepth; });
  if (stop_) return false;
  queue_.push_back(std::move(item));
  cv_.notify_all();
  return true;
}

bool InputPipeline::Pop(InputBatch* item) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return stop_ || done_ || !queue_.empty(); });
  if (stop_ || queue_.empty()) return false;
  *item = std::move(queue_.front());
  queue_.pop_front();
  cv_.notify_all();
  return true;
}

void InputPipeline::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void InputPipeline::Run() {
  uint64_t bytes_before = 0, lines_before = 0;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    std::unique_ptr<ingest::EventReader> reader;
    Status s = ingest::EventReader::Open(inputs_[i], options_, &reader);
    if (!s.ok()) {
      InputBatch failed;
      failed.input = i;
      failed.error = s;
      if (!Push(std::move(failed))) return;
      continue;
    }
    InputBatch closing;
    closing.input = i;
    const std::optional<Resume> resume = i < resume_.size() ? resume_[i] : std::nullopt;
    if (resume && resume->complete) {  // committed to its end before: nothing to read
      closing.end_of_input = true;
      closing.lines = resume->line - 1;
      closing.end_offset = resume->offset;
      closing.end_line = resume->line;
      lines_skipped_.fetch_add(closing.lines, std::memory_order_relaxed);
      lines_before += closing.lines;
      bytes_before += reader->total_bytes();
      lines_read_.store(lines_before, std::memory_order_relaxed);
      bytes_read_.store(bytes_before, std::memory_order_relaxed);
      if (!Push(std::move(closing))) return;
      continue;
    }
    if (resume) {
      s = reader->SkipTo(resume->offset, resume->line);
      if (!s.ok()) {
        closing.error = s;
        if (!Push(std::move(closing))) return;
        continue;
      }
      lines_skipped_.fetch_add(resume->line - 1, std::memory_order_relaxed);
    }
    for (;;) {
      InputBatch batch;
      batch.input = i;
      s = reader->Next(batch_events_, &batch.events, &batch.rejects);
      bytes_read_.store(bytes_before + reader->bytes_consumed(), std::memory_order_relaxed);
      lines_read_.store(lines_before + reader->lines_read(), std::memory_order_relaxed);
      events_read_.fetch_add(batch.events.size(), std::memory_order_relaxed);
      reader->TakeFinishedChunks(&batch.chunks);
      for (const ingest::FinishedChunk& c : batch.chunks)
        if (c.skipped) events_known_.fetch_add(c.events, std::memory_order_relaxed);
      if (!s.ok()) {
        closing.error = s;
        closing.rejects = std::move(batch.rejects);
        closing.chunks = std::move(batch.chunks);
        break;
      }
      if (batch.events.empty() && reader->at_end()) {  // rejects and chunks of its last lines ride on the closing item
        closing.end_of_input = true;
        closing.rejects = std::move(batch.rejects);
        closing.chunks = std::move(batch.chunks);
        break;
      }
      batch.end_offset = reader->position_offset();
      batch.end_line = reader->position_line();
      if (!Push(std::move(batch))) return;
    }
    closing.lines = reader->lines_read();
    closing.end_offset = reader->position_offset();
    closing.end_line = reader->position_line();
    bytes_before += reader->bytes_consumed();
    lines_before += reader->lines_read();
    if (!Push(std::move(closing))) return;
  }
  std::lock_guard lock(mu_);
  done_ = true;
  cv_.notify_all();
}

}  // namespace kpi::cli
