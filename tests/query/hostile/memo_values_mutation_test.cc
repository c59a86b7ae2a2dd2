// The decoders of derived values (query/execution/disk_memo.h) fed
// mutations (tests/mutations.h) of every value real statements wrote to a
// store's derived-value files: per-row columns, filter rows, Vecs, `at`
// placements, local groups, ticket structures, repeat_within answers and
// kept partial states, each decoded as every type (bytes of one type must
// not decode as another) and kept states for every statement. Each decode
// is a value or false, never a crash (run under KPI_SANITIZE for reads out
// of bounds), and never asks for one allocation above 64 MiB
// (tests/alloc_watch.h): a width-0 vector's count read from the bytes is
// bounded before it is allocated (it was up to 2^32 elements: 32 GB).
#define KPI_ALLOC_WATCH_DEFINE
#include "alloc_watch.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "mutations.h"
#include "query/binder/bound_expr.h"
#include "query/engine.h"
#include "query/engine/cached_store.h"
#include "query/engine/kept_states_util.h"
#include "query/execution/disk_memo.h"
#include "query/execution/kept_scan.h"
#include "query/execution/kept_states.h"
#include "query/execution/segment_rows.h"
#include "query/execution/vector.h"
#include "storage/memo_files.h"
#include "test_util.h"

namespace kpi::query {
namespace {

constexpr size_t kMaxAllocation = size_t{64} << 20;

TEST(MemoValuesMutationTest, EveryWrittenValueMutatedDecodesOrIsRefused) {
  kpi::testing::ScratchDir dir("memo-values-mutation");
  auto store = OpenCachedStore(dir.path(), 0);
  IngestAll(store.get(), GeneratedEvents(400));
  auto files = UseMemoFiles(*store);
  ASSERT_NE(files, nullptr);
  std::vector<std::string> statements = {
      "select rate(duration(created -> agent_reply) <= 15m) as r, count() as n from tickets where channel = "
      "\"email\" by day",
      "select avg(duration(created -> resolved)) as a from tickets at resolved by channel, day",
      "select rate(repeat_within(1d, channel)) as r from tickets by day",
      "select count() as n from events where event = \"agent_reply\" by agent, day",
  };
  for (const std::string& s : KeptStatesStatements()) statements.push_back(s);
  const Engine engine(store.get());
  ExecOptions o;
  o.threads = 1;
  for (const std::string& q : statements) (void)Answer(engine, q, o);
  std::vector<std::unique_ptr<BoundQuery>> bound;
  for (const std::string& q : statements) bound.push_back(BindStatement(store.get(), q));
  std::vector<std::string> values;
  for (const auto& e : std::filesystem::directory_iterator(storage::MemoFiles::Dir(dir.path()))) {
    const MemoFileBytes f(e.path());
    for (uint32_t i = 0; i < f.entries && i < 3; ++i) values.push_back(f.bytes.substr(f.Offset(i), f.Length(i)));
  }
  ASSERT_GT(values.size(), 20u);
  const uint64_t bound_count = 8 * 4096;  // as MemoMaxElements gives a segment of ~4k rows
  size_t runs = 0, decoded = 0;
  for (const std::string& valid : values) {
    kpi::testing::ForEachMutation(
        valid,
        [&](const std::string& m) {
          kpi::testing::AllocWatch watch;
          std::vector<uint32_t> u32s;
          std::vector<int64_t> i64s;
          std::vector<uint8_t> u8s;
          RowColumn column;
          Vec vec;
          AtPlacement at;
          LocalGroups groups;
          decoded += DecodeMemoValue(m, &u32s, bound_count) + DecodeMemoValue(m, &i64s, bound_count) +
                     DecodeMemoValue(m, &u8s, bound_count) + DecodeMemoValue(m, &column, bound_count) +
                     DecodeMemoValue(m, &vec, bound_count) + DecodeMemoValue(m, &at, bound_count) +
                     DecodeMemoValue(m, &groups, bound_count);
          for (const auto& q : bound) {
            KeptStates states;
            decoded += DecodeKeptStates(m, *q, &states);
          }
          ++runs;
          if (watch.Largest() > kMaxAllocation) ADD_FAILURE() << watch.Largest() << " bytes asked for";
        },
        256, 200);
  }
  EXPECT_GT(runs, 10000u);
  EXPECT_GT(decoded, 0u);  // (mutations of bytes no decoder checks: values of another shape)
  UnregisterMemoFiles(*store);
}

// A width-0 vector (one repeated value, no bytes per element) claiming more
// elements than the bound allows is refused, not allocated.
TEST(MemoValuesMutationTest, ARepeatedValueCountIsBounded) {
  std::string bytes;
  ASSERT_TRUE(EncodeMemoValue(std::vector<int64_t>(1000, 7), &bytes));
  std::vector<int64_t> out;
  ASSERT_TRUE(DecodeMemoValue(bytes, &out, 1000));
  EXPECT_EQ(out, std::vector<int64_t>(1000, 7));
  EXPECT_FALSE(DecodeMemoValue(bytes, &out, 999));
  // The count (after the tag byte) made 2^32 - 1: 32 GB of elements.
  const uint64_t huge = (uint64_t{1} << 32) - 1;
  std::memcpy(bytes.data() + 1, &huge, 8);
  kpi::testing::AllocWatch watch;
  EXPECT_FALSE(DecodeMemoValue(bytes, &out));
  EXPECT_LE(watch.Largest(), kMaxAllocation);
}

}  // namespace
}  // namespace kpi::query
