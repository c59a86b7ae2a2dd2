// InputPipeline: reads a list of inputs on a background thread and hands
// batches of parsed events to the consumer over a bounded queue.
//
// Items come in input order. Per input: zero or more batches (events of that
// input only, plus the lines rejected while reading them), then exactly one
// closing item: end_of_input with the input's line count, or an error (the
// input could not be opened or broke mid-way; its earlier batches stand).
// Pop() returns false once every input is done, or after Stop().
// Every item carries the reader's position after it (end_offset, end_line),
// and ResumeAt() starts an input at such a position (ingest --resume).
// With chunked reading (ReaderOptions::chunks), every item also carries the
// chunks its reader finished meanwhile; a batch may then hold no events
// (only known chunks, skipped) before the closing item.
// Memory: at most kQueueDepth batches wait in the queue.
// Thread safety: Start, Pop and Stop are called by one consumer thread; the
// counters may be read from any thread. The destructor stops and joins.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
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
  std::vector<ingest::FinishedChunk> chunks;  // chunked reading: finished with this item
  bool end_of_input = false;  // closing item: the input was read to its end
  uint64_t lines = 0;         // closing item: lines the input had
  Status error;               // closing item: the input failed
  // Where the input's next record starts after this item (decoded byte
  // offset and line): what an ingest checkpoint records once it is staged.
  uint64_t end_offset = 0;
  uint64_t end_line = 1;
};

class InputPipeline {
 public:
  // One batch waits while one is staged and the next is parsed: the reader
  // stays a batch ahead, which keeps staging fed whichever side is slower
  // (the queue only absorbs jitter; CPU is the same at any depth). Deeper,
  // the queue was full whenever staging was the slower side: 20M generated
  // tickets, whose paged customers make staging slower than parsing, kept
  // ~290k parsed events (4.5 batches, tens of MB) waiting through the whole
  // load, the staging phase's peak; a 1M load's were not (docs/performance.md).
  static constexpr size_t kQueueDepth = 1;

  InputPipeline(std::vector<std::string> inputs, ingest::ReaderOptions options, size_t batch_events);
  ~InputPipeline();
  InputPipeline(const InputPipeline&) = delete;
  InputPipeline& operator=(const InputPipeline&) = delete;

  // Before Start(): read input `input` from a checkpoint (offset, line),
  // skipping what lies before it; `complete`: skip the whole input.
  void ResumeAt(size_t input, uint64_t offset, uint64_t line, bool complete);
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
  // Lines skipped over by ResumeAt (not parsed).
  uint64_t lines_skipped() const { return lines_skipped_.load(std::memory_order_relaxed); }
  // Events of known chunks skipped so far (chunked reading).
  uint64_t events_known() const { return events_known_.load(std::memory_order_relaxed); }

 private:
  void Run();
  // Queues `item`; false when stopped meanwhile.
  bool Push(InputBatch item);

  const std::vector<std::string> inputs_;
  const ingest::ReaderOptions options_;
  const size_t batch_events_;
  std::atomic<uint64_t> events_read_{0}, bytes_read_{0}, lines_read_{0}, lines_skipped_{0}, events_known_{0};
  struct Resume {
    uint64_t offset = 0, line = 1;
    bool complete = false;
  };
  std::vector<std::optional<Resume>> resume_;  // by input; set before Start()

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<InputBatch> queue_;  // GUARDED_BY(mu_)
  bool done_ = false;             // GUARDED_BY(mu_): the reader finished every input
  bool stop_ = false;             // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace kpi::cli
