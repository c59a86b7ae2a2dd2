// The store of the engine tests that compare a decoded-segment cache of
// some size against none: no fsync, segments of 256 tickets; the generated
// events they ingest (6 days of ~500 tickets: whole segments of 256); and
// the check that statements repeat from their kept values alone; answers
// and the instants between batches that `as of` reads.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/gen/generator.h"
#include "query/engine.h"

#include "storage/store.h"
#include "test_util.h"

namespace kpi::query {

inline std::unique_ptr<storage::Store> OpenCachedStore(const std::string& dir, size_t cache_bytes) {
  storage::StoreOptions o;
  o.sync = false;
  o.cache_bytes = cache_bytes;
  o.max_tickets_per_segment = 256;
  std::unique_ptr<storage::Store> store;
  const Status s = storage::Store::Open(dir, o, &store);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return store;
}

// `tickets` generated tickets' events, over 6 days.
inline std::vector<RawEvent> GeneratedEvents(int tickets) {
  gen::GenOptions g;
  g.tickets = tickets;
  g.days = 6;
  gen::Generator gen(g);
  std::vector<RawEvent> all, batch;
  while (gen.Next(5000, &batch)) all.insert(all.end(), batch.begin(), batch.end());
  return all;
}

// Ingests `events`, every one accepted.
inline void IngestAll(storage::Store* store, const std::vector<RawEvent>& events) {
  std::vector<storage::EventReject> rejects;
  storage::IngestStats stats;
  ASSERT_TRUE(store->Ingest(events, &rejects, &stats).ok());
  ASSERT_TRUE(rejects.empty()) << rejects[0].reason;
}

// `q`'s answer on `engine`, which must run it.
inline Result Answer(const Engine& engine, const std::string& q, const ExecOptions& o) {
  Result r;
  QueryError e;
  EXPECT_TRUE(engine.Execute(q, o, &r, &e).ok()) << q << ": " << e.ToString();
  return r;
}

// An instant between two batches, for `as of`: the wall clock, 20 ms
// after the batch before and 20 ms before the next.
inline int64_t Now() {
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return now;
}

// `q` answers on `got_engine` as on `want_engine`, not empty.
inline void ExpectSame(const Engine& got_engine, const Engine& want_engine, const std::string& q,
                       const ExecOptions& o, const std::string& what) {
  Result got, want;
  QueryError e1, e2;
  ASSERT_TRUE(got_engine.Execute(q, o, &got, &e1).ok()) << q << ": " << e1.ToString();
  ASSERT_TRUE(want_engine.Execute(q, o, &want, &e2).ok()) << q << ": " << e2.ToString();
  ASSERT_FALSE(want.rows.empty()) << q;
  EXPECT_EQ(got.rows, want.rows) << what << ": " << q;
}

// For each statement, on a store of `events` whose cache has room for what
// the statement keeps (measured first with room for all: at most 1 /
// `columns_per_value` of its decoded columns) and a quarter of its
// columns: it answers as a store without a cache, its third run reads
// segments hollow and decodes none, and the cache stays within its bytes.
inline void ExpectRepeatsReadHollow(const std::vector<std::string>& statements, const std::vector<RawEvent>& events,
                                    size_t columns_per_value, const ExecOptions& o) {
  kpi::testing::ScratchDir dir_b("hollow-b");
  auto uncached = OpenCachedStore(dir_b.path(), 0);
  IngestAll(uncached.get(), events);
  const Engine without(uncached.get());
  for (const std::string& q : statements) {
    kpi::testing::ScratchDir probe_dir("hollow-probe");
    auto probe = OpenCachedStore(probe_dir.path(), size_t{1} << 30);
    IngestAll(probe.get(), events);
    probe.reset();  // reopened: the cache holds what the statement reads only
    probe = OpenCachedStore(probe_dir.path(), size_t{1} << 30);
    {
      const Engine engine(probe.get());
      Result r;
      QueryError e;
      ASSERT_TRUE(engine.Execute(q, o, &r, &e).ok()) << q << ": " << e.ToString();
    }
    const size_t values = probe->MemoCacheStats().bytes, columns = probe->SegmentCacheStats().bytes;
    ASSERT_GT(columns, columns_per_value * values) << q;
    kpi::testing::ScratchDir dir("hollow-a");
    const size_t capacity = values + columns / 4;
    auto cached = OpenCachedStore(dir.path(), capacity);
    IngestAll(cached.get(), events);
    const Engine with_cache(cached.get());
    ExpectSame(with_cache, without, q, o, "first run");
    ExpectSame(with_cache, without, q, o, "second run");  // misses only where the first kept no values
    const storage::CacheStats before = cached->MemoCacheStats();
    ExpectSame(with_cache, without, q, o, "third run");
    const storage::CacheStats after = cached->MemoCacheStats();
    EXPECT_GT(after.hits, before.hits) << "segments read hollow: " << q;
    EXPECT_EQ(after.misses, before.misses) << "a segment decoded on the repeat: " << q;
    EXPECT_LE(after.bytes + cached->SegmentCacheStats().bytes, capacity) << "the budget: " << q;
  }
}

}  // namespace kpi::query
