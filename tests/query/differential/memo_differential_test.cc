// Differential test of the read paths that keep derived values between
// statements and processes (query/execution/kept_states.h, kept_rollup.h,
// disk_memo.h): random statements, most shaped to keep partial states
// (random_kept.h: percentiles, `during`, repeat_within, `at`, buckets, `as
// of`), over random logs dense enough that a partition (a day) holds
// several segments, each answer compared with the reference evaluator's
// (reference_answer.h, compare.h):
//
//   * FilesWrittenByOneProcessAreReadByTheNext: per statement a writing
//     process (derived-value files registered, no segment cache, as a
//     one-statement `kpi query`), then a fresh reading process (files
//     registered; no cache, a tiny one or a large one) runs it twice.
//   * EvictedRollupMembers: one process with a segment cache of a few
//     segments (or about half the store's) runs a pool of statements, each
//     three times in a shuffled order, so a repeat finds its partitions'
//     rollups with members evicted by the statements between; without
//     files, then with them.
//   * IngestBetweenStatements: the same pool after each ingest batch (new
//     segments, reseals, deltas, corrections, retractions): in one
//     long-lived process that ingests and queries (its kept states are of
//     the versions before the batch), and as writing and reading processes
//     over the files the earlier rounds wrote.
//
// A wrong key (a state or rollup found for versions, a window, an `as of`
// or a statement it was not built for) shows as a disagreement. The test
// also requires that the reading processes did read states from the files
// and that repeats in the tiny cache did decode evicted segments again, so
// it cannot pass by exercising nothing.
//
// KPI_MEMO_DIFF_QUERIES (default 120) scales the statements of every test
// (spread over its seeds); KPI_MEMO_DIFF_SEED runs one seed only (in each test);
// KPI_DIFF_VERBOSE=1 prints every statement. A failure prints the seed, the
// step, the statement and both tables.
#include <algorithm>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "query/differential/ingested_store.h"
#include "query/differential/random_data.h"
#include "query/differential/random_kept.h"
#include "query/differential/reference_answer.h"
#include "query/differential/store_processes.h"
#include "query/binder/binder.h"
#include "query/engine.h"
#include "query/execution/kept_states.h"

namespace kpi::differential {
namespace {

constexpr uint32_t kTicketsPerSegment = 6;
constexpr int kTickets = 200;
constexpr size_t kLargeCache = size_t{64} << 20;
// A few decoded segments of kTicketsPerSegment tickets (a partition holds
// more): a statement reading a dozen partitions evicts most of them.
constexpr size_t kTinyCache = 24 << 10;
// About half of what the statements read: ~44 segments of ~1.5 KiB decoded,
// with ~1-3 KiB of kept values each.
constexpr size_t kHalfCache = 96 << 10;
constexpr int kMaxPrintedFailures = 15;

struct Tally {
  int statements = 0, runs = 0, agreed = 0, refused = 0, failures = 0;
  int keeping = 0;         // statements that keep partial states
  int file_reads = 0;      // reading processes that found values in the files
  int decoded_again = 0;   // repeats in a tiny cache that decoded a segment
  void Print(const char* name) const {
    std::cout << name << ": " << statements << " statements (" << keeping << " keeping states), " << runs << " runs, " << agreed << " agreed, "
              << refused << " refused by both, " << failures << " disagreed; " << file_reads
              << " reading processes read the files, " << decoded_again << " repeats decoded evicted segments\n";
  }
};

std::vector<uint64_t> Seeds(std::vector<uint64_t> all) {
  const int64_t only = EnvInt("KPI_MEMO_DIFF_SEED", 0);
  if (only > 0) return {static_cast<uint64_t>(only)};
  return all;
}

int PerSeed(int64_t share_of_total, size_t seeds) {
  const int64_t total = EnvInt("KPI_MEMO_DIFF_QUERIES", 120) * share_of_total / 100;
  return static_cast<int>(std::max<int64_t>(1, total / static_cast<int64_t>(seeds)));
}

RandomLog Log(uint64_t seed, int min_batches, int max_batches) {
  LogShape shape;
  shape.span_days = 12;  // ~17 tickets a day: 3 segments a partition
  // A segment holding a correction keeps no states (it is read filtered):
  // at the default share four in five would. One event in ~170 corrected
  // leaves four in five segments keeping states, and corrections beside them.
  shape.correction_share = 0.02;
  shape.min_batches = min_batches;
  shape.max_batches = max_batches;
  return GenerateLog(seed, kTickets, 0, shape);
}

std::vector<int64_t> BatchTimes(const RandomLog& data) {
  std::vector<int64_t> times;
  for (const Batch& b : data.batches) times.push_back(b.ingest_ms);
  return times;
}

// Statements with their reference answers over the directory's log as it
// is now (AnswerAll again after an ingest).
struct Statement {
  GeneratedQuery query;
  ReferenceAnswer ref;
  bool valid = false;
};

// Whether `s` keeps partial states (it has a KeptStatesKey; a
// repeat_within counts as named, as its pre-pass's answers name it).
bool KeepsStates(const storage::Store& store, const Statement& s) {
  query::BoundQuery q;
  query::BindError error;
  if (!s.valid || !query::BindSelect(s.ref.select, store.catalog(), query::BindContext{}, &q, &error)) return false;
  const std::vector<std::string> repeats(q.repeats.size(), "r");
  const uint32_t created = store.catalog().FindCode(storage::kEventColumn, "created");
  return !query::KeptStatesKey(q, query::ExecOptions{}, created, &repeats).empty();
}

std::vector<Statement> MakeStatements(uint64_t seed, const RandomLog& data, int n) {
  KeptQueryGenerator gen(seed * 2654435761u + 11, data.min_time_ms, data.max_time_ms, BatchTimes(data),
                         QueryFeatures{});
  std::vector<Statement> out(static_cast<size_t>(n));
  for (Statement& s : out) s.query = gen.Next();
  return out;
}

void AnswerAll(const reference::EventLog& log, uint64_t seed, std::vector<Statement>* statements, Tally* tally) {
  for (Statement& s : *statements) {
    std::string why;
    s.ref = ReferenceAnswer();
    s.valid = AnswerWithReference(log, s.query, &s.ref, &why);
    if (!s.valid) {
      ++tally->failures;
      ADD_FAILURE() << "seed " << seed << ": " << why << "\n  " << s.query.text;
    }
  }
}

// One run of `s` by `engine`, compared with the reference; `step` names the
// process and run for a failure.
void RunAndCompare(const query::Engine& engine, const Statement& s, uint64_t seed, const std::string& step, int ordinal,
         Tally* tally) {
  if (!s.valid) return;
  query::ExecOptions exec;
  if (ordinal % 2 == 1) exec.rows_per_thread = 0;  // two workers: the merge path too
  exec.now_ms = s.query.now_ms;
  query::Result out;
  query::QueryError err;
  const Status st = engine.Execute(s.query.text, exec, &out, &err);
  ++tally->runs;
  bool both_refuse = false;
  const std::string why = CheckWithReference(s.ref, st, err, out, &both_refuse);
  if (EnvInt("KPI_DIFF_VERBOSE", 0) != 0)
    std::cout << "seed " << seed << " " << step << ": " << s.query.text << (why.empty() ? " agrees\n" : " DIFFERS\n");
  if (why.empty()) {
    ++(both_refuse ? tally->refused : tally->agreed);
    return;
  }
  if (++tally->failures <= kMaxPrintedFailures)
    ADD_FAILURE() << "seed " << seed << ", " << step << ": " << why << "\n  statement: " << s.query.text;
}

// One writing process, then one reading process running `s` twice.
void WriteThenRead(StoreDirectory& dir, const Statement& s, uint64_t seed, const std::string& round, int i,
                   Tally* tally) {
  {
    StoreProcess writer(dir, 0, /*files=*/true);
    ASSERT_TRUE(writer.status().ok()) << writer.status().ToString();
    RunAndCompare(writer.engine(), s, seed, round + "writing process", i, tally);
  }
  const size_t cache = i % 3 == 0 ? 0 : i % 3 == 1 ? kTinyCache : kLargeCache;
  StoreProcess reader(dir, cache, /*files=*/true);
  ASSERT_TRUE(reader.status().ok()) << reader.status().ToString();
  const std::string which = round + "reading process (cache " + std::to_string(cache) + " bytes)";
  RunAndCompare(reader.engine(), s, seed, which, i + 1, tally);
  tally->file_reads += reader.files()->hits() > 0;
  RunAndCompare(reader.engine(), s, seed, which + ", second run", i, tally);
}

// A seed's log ingested whole into a new directory (by a process of its
// own), and `n` statements answered by the reference over it.
struct IngestedSeed {
  IngestedSeed(uint64_t seed, const std::string& tag, int n, Tally* tally)
      : data(Log(seed, 2, 4)), dir(tag, kTicketsPerSegment), statements(MakeStatements(seed, data, n)) {
    {
      StoreProcess ingest(dir, kLargeCache, /*files=*/false);
      EXPECT_TRUE(ingest.status().ok()) << ingest.status().ToString();
      if (!ingest.status().ok()) return;
      for (const Batch& b : data.batches) {
        const Status st = dir.Ingest(ingest.store(), b);
        EXPECT_TRUE(st.ok()) << st.ToString();
      }
    }
    AnswerAll(dir.log(), seed, &statements, tally);
    tally->statements += n;
    StoreProcess binder(dir, 0, /*files=*/false);
    if (binder.status().ok())
      for (const Statement& s : statements) tally->keeping += KeepsStates(binder.store(), s);
  }
  const RandomLog data;
  StoreDirectory dir;
  std::vector<Statement> statements;
};

TEST(MemoDifferential, FilesWrittenByOneProcessAreReadByTheNext) {
  const std::vector<uint64_t> seeds = Seeds({1, 2, 3, 4});
  const int n = PerSeed(100, seeds.size());
  Tally tally;
  for (uint64_t seed : seeds) {
    IngestedSeed s(seed, "kpi-memo-diff", n, &tally);
    for (size_t i = 0; i < s.statements.size(); ++i)
      WriteThenRead(s.dir, s.statements[i], seed, "", static_cast<int>(i), &tally);
  }
  tally.Print("memo files differential");
  EXPECT_EQ(tally.failures, 0);
  EXPECT_GE(tally.agreed * 10, tally.runs * 7);  // most statements run
  EXPECT_GE(tally.file_reads * 3, tally.statements);  // the files are read, not only written
  EXPECT_GE(tally.keeping * 2, tally.statements);     // most statements keep states
}

// `order`: each statement's index `times` times, shuffled by the seed.
std::vector<size_t> Schedule(size_t n, int times, uint64_t seed) {
  std::vector<size_t> order;
  for (int t = 0; t < times; ++t)
    for (size_t i = 0; i < n; ++i) order.push_back(i);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  return order;
}

// Runs statements[order[k]] for each k in one process; a repeat that
// decoded a segment again (its cache evicted it) counts in decoded_again.
void RunSchedule(StoreProcess& p, const std::vector<Statement>& statements, const std::vector<size_t>& order,
                 uint64_t seed, const std::string& step, Tally* tally) {
  std::vector<int> seen(statements.size(), 0);
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t i = order[k];
    const uint64_t misses = p.store().SegmentCacheStats().misses;
    RunAndCompare(p.engine(), statements[i], seed, step + " run " + std::to_string(seen[i] + 1), static_cast<int>(k), tally);
    tally->decoded_again += seen[i] > 0 && p.store().SegmentCacheStats().misses > misses;
    ++seen[i];
  }
}

TEST(MemoDifferential, EvictedRollupMembers) {
  const std::vector<uint64_t> seeds = Seeds({5, 6, 7});
  const int n = PerSeed(40, seeds.size());
  Tally tally;
  for (uint64_t seed : seeds) {
    IngestedSeed s(seed, "kpi-memo-diff-evict", n, &tally);
    const std::vector<size_t> order = Schedule(s.statements.size(), 3, seed);
    // A cache of a few segments (with their memos); one of about half the
    // store's (some partitions keep every member, some not); the few
    // with the files (writing, and reading what it wrote).
    const std::vector<std::pair<size_t, bool>> processes = {{kTinyCache, false}, {kHalfCache, false}, {kTinyCache, true}};
    for (const auto& [cache, files] : processes) {
      StoreProcess p(s.dir, cache, files);
      ASSERT_TRUE(p.status().ok()) << p.status().ToString();
      RunSchedule(p, s.statements, order, seed,
                  "cache " + std::to_string(cache) + " bytes" + (files ? ", files" : ""), &tally);
      if (files) tally.file_reads += p.files()->hits() > 0;
    }
  }
  tally.Print("evicted rollup members differential");
  EXPECT_EQ(tally.failures, 0);
  EXPECT_GE(tally.agreed * 10, tally.runs * 7);
  EXPECT_GE(tally.decoded_again * 4, tally.statements);  // repeats found members evicted
}

TEST(MemoDifferential, IngestBetweenStatements) {
  const std::vector<uint64_t> seeds = Seeds({8, 9, 10});
  const int n = PerSeed(15, seeds.size());
  Tally tally;
  for (uint64_t seed : seeds) {
    const RandomLog data = Log(seed, 4, 6);
    std::vector<Statement> statements = MakeStatements(seed, data, n);
    tally.statements += n;
    // One process ingesting and querying: its kept states and rollups are
    // of the versions before each batch. A tiny, a half or a large cache
    // by the seed.
    {
      StoreDirectory dir("kpi-memo-diff-live", kTicketsPerSegment);
      StoreProcess live(dir, seed % 3 == 0 ? kTinyCache : seed % 3 == 1 ? kHalfCache : kLargeCache, /*files=*/false);
      ASSERT_TRUE(live.status().ok()) << live.status().ToString();
      for (size_t b = 0; b < data.batches.size(); ++b) {
        ASSERT_TRUE(dir.Ingest(live.store(), data.batches[b]).ok());
        AnswerAll(dir.log(), seed, &statements, &tally);
        if (b == 0)
          for (const Statement& s : statements) tally.keeping += KeepsStates(live.store(), s);
        for (size_t i = 0; i < statements.size(); ++i)
          RunAndCompare(live.engine(), statements[i], seed, "after batch " + std::to_string(b) + ", live process",
              static_cast<int>(i), &tally);
      }
    }
    // Processes over the files, an ingest process between rounds: each
    // round's writers find the files of the versions before the batch.
    StoreDirectory dir("kpi-memo-diff-rounds", kTicketsPerSegment);
    for (size_t b = 0; b < data.batches.size(); ++b) {
      {
        StoreProcess ingest(dir, kLargeCache, /*files=*/false);
        ASSERT_TRUE(ingest.status().ok()) << ingest.status().ToString();
        ASSERT_TRUE(dir.Ingest(ingest.store(), data.batches[b]).ok());
      }
      AnswerAll(dir.log(), seed, &statements, &tally);
      for (size_t i = 0; i < statements.size(); ++i)
        WriteThenRead(dir, statements[i], seed, "after batch " + std::to_string(b) + ", ", static_cast<int>(i),
                      &tally);
    }
  }
  tally.Print("ingest between statements differential");
  EXPECT_EQ(tally.failures, 0);
  EXPECT_GE(tally.agreed * 10, tally.runs * 7);
  EXPECT_GT(tally.file_reads, 0);
}

}  // namespace
}  // namespace kpi::differential
