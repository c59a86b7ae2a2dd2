// InputPipeline: reads a list of inputs on a background thread and hands
// batches of parsed events to the consumer over a bounded queue.
//
// Items come in input order. Per input: zero or more batches (events of that
// input only, plus the lines rejected while reading them), then exactly one
// closing item: end_of_input with the input's line count, or an error (the
// input could not be opened or broke mid-way; its earlier batches stand).
// Pop() returns false once every input is done, or after Stop().
// Memory: at most kQueueDepth batches wait in the queue.
// Thread safety: Start, Pop and Stop are called by one consumer thread; the
// counters may be read from any thread. The destructor stops and joins.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/ingest/event_reader.h"
#include "storage/raw_event.h"
#include "storage/status.h"

namespace kpi::cli {

struct InputBatch {
  size_t input = 0;  // index into the input list
  std::vector<RawEvent> events;
  std::vector<ingest::Reject> rejects;
  bool end_of_input = false;  // closing item: the input was read to its end
  uint64_t lines = 0;         // closing item: lines the input had
  Status error;               // closing item: the input failed
};

class InputPipeline {
 public:
  static constexpr size_t kQueueDepth = 4;

  InputPipeline(std::vector<std::string> inputs, ingest::ReaderOptions options, size_t batch_events);
  ~InputPipeline();
  InputPipeline(const InputPipeline&) = delete;
  InputPipeline& operator=(const InputPipeline&) = delete;

  void Start();
  // Waits for the next item; false when the pipeline is finished or stopped.
  bool Pop(InputBatch* item);
  // Stops reading (the current batch is dropped) and joins the thread.
  void Stop();

  const std::vector<std::string>& inputs() const { return inputs_; }
  // Progress, across all inputs so far.
  uint64_t events_read() const { return events_read_.load(std::memory_order_relaxed); }
  uint64_t bytes_read() const { return bytes_read_.load(std::memory_order_relaxed); }
  uint64_t lines_read() const { return lines_read_.load(std::memory_order_relaxed); }

 private:
  void Run();
  // Queues `item`; false when stopped meanwhile.
  bool Push(InputBatch item);

  const std::vector<std::string> inputs_;
  const ingest::ReaderOptions options_;
  const size_t batch_events_;
  std::atomic<uint64_t> events_read_{0}, bytes_read_{0}, lines_read_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<InputBatch> queue_;  // GUARDED_BY(mu_)
  bool done_ = false;             // GUARDED_BY(mu_): the reader finished every input
  bool stop_ = false;             // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace kpi::cli
