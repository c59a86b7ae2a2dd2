// InputPipeline (cli/input_pipeline.h): the reader stays at most one batch
// ahead of a consumer that does not pop: one batch waits in the queue and
// one is parsed, no more. A deeper queue held ~290k parsed events through a
// 20M-ticket load whose staging was slower than parsing, the staging
// phase's peak RSS (docs/performance.md); every batch still comes, in order.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "cli/input_pipeline.h"
#include "test_util.h"

namespace kpi::cli {
namespace {

using kpi::testing::ScratchDir;

TEST(InputPipelineTest, TheReaderStaysOneBatchAheadOfTheConsumer) {
  ScratchDir dir;
  const std::string path = dir.path() + "/events.ndjson";
  std::string lines;
  for (int i = 0; i < 1000; ++i)
    lines += R"({"ticket":"T)" + std::to_string(i) + R"(","ts":"2025-01-01T00:00:00Z","event":"created"})" "\n";
  kpi::testing::WriteFile(path, lines);
  constexpr size_t kBatch = 50;
  InputPipeline pipeline({path}, ingest::ReaderOptions(), kBatch);
  pipeline.Start();
  // Nothing popped: the reader parses until the queue is full, then waits.
  uint64_t read = 0;
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const uint64_t now = pipeline.events_read();
    if (now == read && now > 0) break;
    read = now;
  }
  EXPECT_GT(pipeline.events_read(), 0u);
  // The queued batch and the one parsed, waiting for room (the count is
  // taken as a batch is parsed).
  EXPECT_LE(pipeline.events_read(), (InputPipeline::kQueueDepth + 1) * kBatch);
  EXPECT_LE(pipeline.events_read(), 2 * kBatch) << "more than one batch waits for the consumer";
  uint64_t popped = 0;
  InputBatch batch;
  while (pipeline.Pop(&batch)) popped += batch.events.size();
  EXPECT_EQ(popped, 1000u);
}

}  // namespace
}  // namespace kpi::cli
