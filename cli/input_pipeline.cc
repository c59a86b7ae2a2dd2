// Background reading of ingest inputs (see cli/input_pipeline.h).
#include "cli/input_pipeline.h"

#include <memory>

namespace kpi::cli {

InputPipeline::InputPipeline(std::vector<std::string> inputs, ingest::ReaderOptions options, size_t batch_events)
    : inputs_(std::move(inputs)), options_(std::move(options)), batch_events_(batch_events == 0 ? 1 : batch_events) {}

InputPipeline::~InputPipeline() { Stop(); }

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
    for (;;) {
      InputBatch batch;
      batch.input = i;
      s = reader->Next(batch_events_, &batch.events, &batch.rejects);
      bytes_read_.store(bytes_before + reader->bytes_consumed(), std::memory_order_relaxed);
      lines_read_.store(lines_before + reader->lines_read(), std::memory_order_relaxed);
      events_read_.fetch_add(batch.events.size(), std::memory_order_relaxed);
      if (!s.ok()) {
        closing.error = s;
        closing.rejects = std::move(batch.rejects);
        break;
      }
      if (batch.events.empty()) {  // end of input; rejects of its last lines ride on the closing item
        closing.end_of_input = true;
        closing.rejects = std::move(batch.rejects);
        break;
      }
      if (!Push(std::move(batch))) return;
    }
    closing.lines = reader->lines_read();
    bytes_before += reader->bytes_consumed();
    lines_before += reader->lines_read();
    if (!Push(std::move(closing))) return;
  }
  std::lock_guard lock(mu_);
  done_ = true;
  cv_.notify_all();
}

}  // namespace kpi::cli
