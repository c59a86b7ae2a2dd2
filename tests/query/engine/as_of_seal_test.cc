// `as of T` gives the same answer forever (docs/provenance.md): a batch
// staged and not yet sealed is in no answer, so its instant is its seal's
// (storage/batch_instants.cc), and an `as of` later than what the store can
// answer for is answered as of that instant, which the provenance reports.
// The same between two runs of a spilled seal, when segments already hold
// events of a batch the seal has not stamped yet.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "query/engine.h"
#include "query/time_buckets.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::query {
namespace {

constexpr int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z

std::vector<RawEvent> Ticket(const std::string& id) {
  std::vector<RawEvent> out(2);
  out[0].ts_ms = kT0 - 3600000;
  out[0].ticket = id;
  out[0].event = "created";
  out[0].dims = {{"channel", "chat"}};
  out[1] = out[0];
  out[1].ts_ms += 60000;
  out[1].event = "agent_reply";
  out[1].dims.clear();
  return out;
}

class AsOfSealTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  // Closes the store (with whatever is staged, as a killed ingest leaves
  // it) and opens it again at the clock's instant.
  void Reopen() {
    engine_.reset();
    store_.reset();
    storage::StoreOptions options;
    options.clock = [this] { return now_ms_; };
    options.sync = false;
    ASSERT_TRUE(storage::Store::Open(dir_.path(), options, &store_).ok());
    engine_ = std::make_unique<Engine>(store_.get());
  }

  void Stage(int64_t at_ms, const std::string& ticket) {
    now_ms_ = at_ms;
    std::vector<storage::EventReject> rejects;
    storage::IngestStats stats;
    ASSERT_TRUE(store_->Stage(Ticket(ticket), &rejects, &stats).ok());
  }

  void Seal(int64_t at_ms) {
    now_ms_ = at_ms;
    storage::IngestStats stats;
    ASSERT_TRUE(store_->Seal(&stats).ok());
  }

  Result Run(const std::string& statement, const ExecOptions& options = {}) {
    Result r;
    QueryError err;
    EXPECT_TRUE(engine_->Execute(statement, options, &r, &err).ok()) << statement << "\n" << err.ToString();
    EXPECT_TRUE(r.provenance.present);
    return r;
  }

  static std::string AsOf(int64_t ms) { return "select count() as n from tickets as of " + FormatInstantUtc(ms); }

  // A rerun as `kpi audit verify` does it: as of the saved answer's instant.
  Result Rerun(const std::string& statement, const Result& saved) {
    ExecOptions options;
    options.as_of_ms = saved.provenance.as_of_ms;
    return Run(statement, options);
  }

  kpi::testing::ScratchDir dir_{"kpi-as-of-seal"};
  int64_t now_ms_ = kT0;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Engine> engine_;
};

double N(const Result& r) { return r.rows.at(0).at(0).number; }

TEST_F(AsOfSealTest, AnAnswerAsOfAnInstantAfterAStagingIsTheSameAfterItsSeal) {
  Stage(kT0, "T1");
  Seal(kT0);
  Stage(kT0 + 1000, "T2");  // staged, not sealed: acknowledged by `kpi ingest`, in no answer yet
  now_ms_ = kT0 + 3000;
  const std::string statement = AsOf(kT0 + 2000);
  const Result before = Run(statement);
  const Result latest = Run("select count() as n from tickets");
  EXPECT_EQ(N(before), 1);
  EXPECT_EQ(before.provenance.as_of_ms, kT0 + 2000);
  EXPECT_EQ(latest.provenance.as_of_ms, kT0);  // the last sealed batch's instant

  Seal(kT0 + 4000);
  const Result after = Run(statement);
  EXPECT_EQ(N(after), 1);
  EXPECT_EQ(after.provenance.result_hash, before.provenance.result_hash);
  EXPECT_EQ(Rerun(statement, before).provenance.result_hash, before.provenance.result_hash);
  EXPECT_EQ(Run(AsOf(kT0)).provenance.result_hash, latest.provenance.result_hash);
  // The batch's instant is its seal's.
  EXPECT_EQ(N(Run(AsOf(kT0 + 3999))), 1);
  EXPECT_EQ(N(Run(AsOf(kT0 + 4000))), 2);
  EXPECT_EQ(Run("select count() as n from tickets").provenance.as_of_ms, kT0 + 4000);
}

TEST_F(AsOfSealTest, BatchesACrashLeftStagedGetTheInstantOfTheSealAtOpen) {
  Stage(kT0, "T1");
  Seal(kT0);
  Stage(kT0 + 1000, "T2");
  now_ms_ = kT0 + 5000;
  Reopen();  // T2 is sealed by the open
  EXPECT_EQ(N(Run(AsOf(kT0 + 4999))), 1);
  EXPECT_EQ(N(Run(AsOf(kT0 + 5000))), 2);
}

TEST_F(AsOfSealTest, AnAsOfLaterThanTheStoreCanAnswerForIsAnsweredAsOfItsInstant) {
  Stage(kT0, "T1");
  Seal(kT0);
  now_ms_ = kT0 + 1000;
  const std::string statement = AsOf(kT0 + 86400000);  // tomorrow
  const Result early = Run(statement);
  EXPECT_EQ(N(early), 1);
  EXPECT_EQ(early.provenance.as_of_ms, kT0 + 1000);  // the store's clock
  ASSERT_EQ(early.warnings.size(), 1u);
  EXPECT_NE(early.warnings[0].find("later than the data sealed so far"), std::string::npos) << early.warnings[0];

  // A batch sealed in the same millisecond is stamped after the answer's instant.
  Stage(kT0 + 1000, "T2");
  Seal(kT0 + 1000);
  EXPECT_EQ(Rerun(statement, early).provenance.result_hash, early.provenance.result_hash);
  EXPECT_EQ(Run(AsOf(kT0 + 1000)).provenance.result_hash, early.provenance.result_hash);
  EXPECT_EQ(N(Run(statement)), 2);
}

TEST_F(AsOfSealTest, ASealIsStampedAfterTheDefinitionsBeforeIt) {
  Stage(kT0, "T1");
  Seal(kT0);
  now_ms_ = kT0 + 1000;
  Result defined;
  QueryError err;
  ASSERT_TRUE(engine_->Execute("define kpi n = count()", {}, &defined, &err).ok()) << err.ToString();
  const Result latest = Run("select n from tickets");
  EXPECT_EQ(latest.provenance.as_of_ms, kT0 + 1000);  // the definition's instant
  Stage(kT0 + 1000, "T2");
  Seal(kT0 + 1000);  // same millisecond: stamped after it
  EXPECT_EQ(Rerun("select n from tickets", latest).provenance.result_hash, latest.provenance.result_hash);
}

// A spilled seal in several runs (StoreOptions::spilled_seal_bytes): a run
// that leaves batches for the next also seals its tickets' events in them
// (storage/sealer_staged.cc), so between two runs segments hold events of
// batches with no instant yet. An answer given then (here from within the
// second run's stamp, as a reader in the process would) counts none of
// them: it is the answer as of its instant, then and after the seal.
TEST(AsOfSpilledSealTest, AnAnswerBetweenTwoRunsOfASealIsTheSameAsOfItsInstantAfterIt) {
  kpi::testing::ScratchDir dir("kpi-as-of-spilled");
  int64_t now_ms = kT0;
  int stamps = -1;  // clock readings from the seal on
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<Engine> engine;
  const std::string statement = "select count() as n, sum(handle_seconds) as h from events";
  const auto run = [&](const ExecOptions& options) {
    Result r;
    QueryError err;
    EXPECT_TRUE(engine->Execute(statement, options, &r, &err).ok()) << err.ToString();
    return r;
  };
  Result between;
  uint32_t past = 0;  // how far sealed events reach past the sealed batches then
  storage::StoreOptions options;
  options.sync = false;
  options.max_tickets_per_segment = 40;
  options.spilled_seal_bytes = 25'000;  // ~6 KB a day: runs of ~3 days
  options.clock = [&] {
    if (stamps >= 0 && ++stamps == 2) {  // the second run's stamp: the first run's write is committed
      auto snap = store->GetSnapshot();
      for (const storage::SegmentRef& ref : snap->Plan(storage::ScanSpec(), nullptr))
        past = std::max(past, ref.zone.max_batch > snap->last_batch() ? ref.zone.max_batch - snap->last_batch() : 0);
      between = run({});
    }
    return now_ms++;
  };
  ASSERT_TRUE(storage::Store::Open(dir.path(), options, &store).ok());
  engine = std::make_unique<Engine>(store.get());
  // One batch a day; each ticket is resolved the next day, in the next batch.
  std::vector<std::vector<RawEvent>> days(21);
  for (int d = 0; d < 20; ++d) {
    for (int t = 0; t < 30; ++t) {
      RawEvent e;
      e.ticket = "T" + std::to_string(1000 + d * 30 + t);
      e.ts_ms = kT0 + d * int64_t{86'400'000} + t * 60'000;
      e.event = "created";
      e.dims = {{"channel", "chat"}};
      days[d].push_back(e);
      e.dims.clear();
      e.event = "agent_reply";
      e.ts_ms += 3'600'000;
      e.measures = {{"handle_seconds", double(t)}};
      days[d].push_back(e);
      e.event = "resolved";
      e.ts_ms += 24 * 3'600'000;
      e.measures.clear();
      days[d + 1].push_back(e);
    }
  }
  store->SpillStaged();
  for (const auto& day : days) ASSERT_TRUE(store->Stage(day, nullptr, nullptr).ok());
  stamps = 0;
  storage::IngestStats stats;
  ASSERT_TRUE(store->Seal(&stats).ok());
  stamps = -1;
  ASSERT_GT(past, 0u) << "no run sealed events ahead: the test proves nothing";
  ASSERT_TRUE(between.provenance.present);
  const Result all = run({});
  EXPECT_EQ(N(all), 1800);
  EXPECT_LT(N(between), N(all));
  ExecOptions rerun;
  rerun.as_of_ms = between.provenance.as_of_ms;  // as `kpi audit verify` reruns it
  const Result again = run(rerun);
  EXPECT_EQ(N(again), N(between));
  EXPECT_EQ(again.provenance.result_hash, between.provenance.result_hash);
}

}  // namespace
}  // namespace kpi::query
