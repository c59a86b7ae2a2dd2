// `as of T` gives the same answer forever (docs/provenance.md): a batch
// staged and not yet sealed is in no answer, so its instant is its seal's
// (storage/batch_instants.cc), and an `as of` later than what the store can
// answer for is answered as of that instant, which the provenance reports.
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

}  // namespace
}  // namespace kpi::query
