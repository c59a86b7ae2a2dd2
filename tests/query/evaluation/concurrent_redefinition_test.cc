// Redefining while queries run never shows a half-applied state: a targets
// file (two targets, one atomic write) and a scorecard are redefined in a
// loop between two consistent versions while other threads evaluate; every
// answer must be entirely the old or entirely the new version.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "query/engine.h"
#include "query/evaluation/targets_csv.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::query {
namespace {

TEST(ConcurrentRedefinition, EvaluateSeesWholeVersions) {
  kpi::testing::ScratchDir dir("redefine");
  std::unique_ptr<storage::Store> store;
  storage::StoreOptions options;
  options.sync = false;
  ASSERT_TRUE(storage::Store::Open(dir.path(), options, &store).ok());
  Engine engine(store.get());
  std::vector<RawEvent> events;
  const int64_t t0 = 1'760'000'000'000;
  for (int i = 0; i < 200; ++i) {
    RawEvent c;
    c.ts_ms = t0 + i * 60'000;
    c.ticket = "T" + std::to_string(i);
    c.event = "created";
    c.dims = {{"channel", i % 2 ? "chat" : "email"}};
    events.push_back(c);
    if (i % 3) {
      RawEvent r = c;
      r.ts_ms += 30'000;
      r.event = "resolved";
      r.dims.clear();
      events.push_back(r);
    }
  }
  std::vector<storage::EventReject> rejects;
  storage::IngestStats stats;
  ASSERT_TRUE(store->Ingest(events, &rejects, &stats).ok());
  auto run = [&](const std::string& q) {
    Result r;
    QueryError err;
    const Status st = engine.Execute(q, ExecOptions{}, &r, &err);
    EXPECT_TRUE(st.ok()) << q << ": " << err.ToString();
    return r;
  };
  run("define kpi fcr = rate(has(resolved))");
  run("define kpi volume = count()");
  // Version A: every target 0.5; version B: every target 0.9 (a file of two
  // targets lands in one write).
  const std::string version_a = "kpi,op,target,channel\nfcr,>=,0.5,\nfcr,>=,0.5,chat\n";
  const std::string version_b = "kpi,op,target,channel\nfcr,>=,0.9,\nfcr,>=,0.9,chat\n";
  TargetsLoadReport report;
  ASSERT_TRUE(LoadTargetsCsv(store.get(), version_a, "a.csv", &report).ok());

  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 400; ++i) {
      TargetsLoadReport r;
      ASSERT_TRUE(LoadTargetsCsv(store.get(), i % 2 ? version_a : version_b, "v.csv", &r).ok());
    }
    stop = true;
  });
  std::atomic<int> answers{0}, mixed{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop) {
        Result r;
        QueryError err;
        if (!engine.Execute("evaluate fcr from tickets by channel", ExecOptions{}, &r, &err).ok()) {
          ++mixed;
          continue;
        }
        // Columns: channel, kpi, value, op, target, met, attainment, target_from.
        double first = -1;
        for (const auto& row : r.rows) {
          if (first < 0) first = row[4].number;
          if (row[4].number != first) ++mixed;
        }
        ++answers;
      }
    });
  }
  writer.join();
  for (auto& r : readers) r.join();
  EXPECT_GT(answers.load(), 10);
  EXPECT_EQ(mixed.load(), 0) << "an evaluation saw half of a targets file";
}

}  // namespace
}  // namespace kpi::query
