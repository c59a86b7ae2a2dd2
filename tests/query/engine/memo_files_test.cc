// Derived values on disk (query/execution/disk_memo.h): a store whose
// derived-value files are registered answers every statement (per-row
// values and kept partial states) exactly as a store without them, while the files hold values of older generations
// (each batch reseals segments), `as of` every batch (filtered copies are
// derived afresh), with corrections and retractions (such versions are
// never read hollow from the files), with every file damaged (checksums:
// recomputed and written again), and with the files of another store
// created earlier in the same directory (its identity). Stores without a
// cache, as a `kpi query` process has. One scan thread, so sums add in the
// same order.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "query/engine.h"
#include "query/engine/kept_states_util.h"
#include "query/execution/disk_memo.h"
#include "storage/live_counts_fixture.h"
#include "storage/memo_files.h"
#include "storage/store.h"
#include "storage/timestamp.h"
#include "test_util.h"

namespace kpi::query {
namespace {

const std::vector<std::string>& Statements() {
  static const std::vector<std::string> kStatements = {
      "select rate(duration(created -> agent_reply) <= 15m) as r, count() as n from tickets where channel = "
      "\"email\" by day",
      "select rate(count_of(agent_reply before resolved) = 1 and not has(reopened)) as f from tickets where "
      "has(resolved) by channel",
      "select avg(duration(created -> resolved)) as a, count() as n from tickets at resolved by channel, day",
      "select avg(csat) as c, rate(csat >= 4) as s from tickets where has(rated) by agent_of(resolved)",
      "select rate(repeat_within(1d, channel)) as r, count() as n from tickets by day",
      "select rate(has(reopened)) as r from tickets by channel, week",
      "select count() as n from events where event = \"agent_reply\" by agent, day",
      // Kept partial states (kept_states.h) written to the files: count,
      // sum, avg, rate and ratio over events and over tickets.
      "select count() as n, avg(csat) as c, sum(csat) as s from events where event = \"rated\" by channel, day",
      "select ratio(csat, 1) as r, rate(csat >= 4) as s, count(agent) as a from events by channel",
      "select count() as n, sum(csat) as s from tickets at rated by week",
  };
  return kStatements;
}

// Two stores fed the same batches at the same instants: `with` reads and
// writes derived-value files, `without` has none.
class MemoFilesTest : public ::testing::Test {
 protected:
  storage::StoreOptions Options(bool create) {
    storage::StoreOptions o;
    o.sync = false;
    o.cache_bytes = 0;  // as `kpi query`: nothing kept between statements
    o.max_tickets_per_segment = 8;
    o.max_deltas_per_segment = 0;
    o.create_if_missing = create;
    o.clock = [this] { return now_ms_; };
    return o;
  }

  void OpenBoth() {
    ASSERT_TRUE(storage::Store::Open(dir_with_.path(), Options(true), &with_).ok());
    ASSERT_TRUE(storage::Store::Open(dir_without_.path(), Options(true), &without_).ok());
    files_ = UseMemoFiles(*with_);
    ASSERT_NE(files_, nullptr);
  }

  void TearDown() override {
    if (with_) UnregisterMemoFiles(*with_);
  }

  void IngestBoth(const std::vector<RawEvent>& batch) {
    now_ms_ += 1000;
    batch_times_.push_back(now_ms_);
    for (storage::Store* s : {with_.get(), without_.get()}) {
      std::vector<storage::EventReject> rejects;
      storage::IngestStats stats;
      ASSERT_TRUE(s->Ingest(batch, &rejects, &stats).ok());
    }
  }

  // Every statement, as of `as_of` ("" for none), the same on both.
  void ExpectSame(const std::string& as_of, const std::string& what) {
    const Engine a(with_.get()), b(without_.get());
    ExecOptions o;
    o.threads = 1;
    for (std::string q : Statements()) {
      if (!as_of.empty()) {
        const size_t by = q.find(" by ");
        q = q.substr(0, by) + " as of " + as_of + q.substr(by);
      }
      Result got, want;
      QueryError e1, e2;
      ASSERT_TRUE(a.Execute(q, o, &got, &e1).ok()) << q << ": " << e1.ToString();
      ASSERT_TRUE(b.Execute(q, o, &want, &e2).ok()) << q << ": " << e2.ToString();
      EXPECT_EQ(got.rows, want.rows) << what << ": " << q;
    }
  }

  std::vector<std::filesystem::path> Files() const {
    std::vector<std::filesystem::path> out;
    const std::string dir = storage::MemoFiles::Dir(dir_with_.path());
    if (std::filesystem::exists(dir))
      for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path());
    return out;
  }

  kpi::testing::ScratchDir dir_with_{"memo-files-with"}, dir_without_{"memo-files-without"};
  std::unique_ptr<storage::Store> with_, without_;
  std::shared_ptr<storage::MemoFiles> files_;
  int64_t now_ms_ = 1'750'000'000'000;
  std::vector<int64_t> batch_times_;
};

// Each batch reseals segments whose values the files hold for their older
// generation: those must be missed (a new version), the others read.
TEST_F(MemoFilesTest, AfterEveryBatchTheFilesAnswerAsDecoding) {
  const uint64_t refused = RefusedMemoValues();
  OpenBoth();
  for (const auto& batch : kpi::testing::CorrectionHistory(3, 60)) {
    IngestBoth(batch);
    ExpectSame("", "after batch " + std::to_string(batch_times_.size()));
    ExpectSame("", "read back after batch " + std::to_string(batch_times_.size()));
  }
  EXPECT_FALSE(Files().empty());
  EXPECT_GT(files_->hits(), 0u);
  // Every value this build wrote fits what its reader reads (memo_fits.h).
  EXPECT_EQ(RefusedMemoValues(), refused);
}

// `as of` an earlier batch reads filtered copies, and a version holding
// corrections is always filtered: neither is read from (or written to) the
// files, whose values are of the latest rows of a version.
TEST_F(MemoFilesTest, AsOfEveryBatchAndCorrectionsAnswerAsDecoding) {
  const uint64_t refused = RefusedMemoValues();
  OpenBoth();
  for (const auto& batch : kpi::testing::CorrectionHistory(4, 60)) IngestBoth(batch);
  for (int round = 0; round < 2; ++round) {
    ExpectSame("", "latest, round " + std::to_string(round));
    for (int64_t t : batch_times_)
      for (int64_t d : {-1, 0}) ExpectSame(FormatRfc3339(t + d), "round " + std::to_string(round));
  }
  const uint64_t hits = files_->hits();
  ExpectSame("", "latest, again");
  EXPECT_GT(files_->hits(), hits);
  EXPECT_EQ(RefusedMemoValues(), refused);
}

// One byte in the middle of every value of every file flipped (the
// header left intact, docs/storage-format.md "Derived-value files"): each
// damaged value is derived again (and written again), never read.
TEST_F(MemoFilesTest, DamagedValuesAreRecomputedNotRead) {
  OpenBoth();
  for (const auto& batch : kpi::testing::CorrectionHistory(5, 60)) IngestBoth(batch);
  ExpectSame("", "first");
  ASSERT_FALSE(Files().empty());
  for (int round = 0; round < 2; ++round) {
    int flipped = 0;
    for (const auto& path : Files()) flipped += DamageValues(path, round, 0x3c, [](const std::string&) { return true; });
    ASSERT_GT(flipped, 20);
    storage::MemoFiles* before = files_.get();
    UnregisterMemoFiles(*with_);
    files_ = UseMemoFiles(*with_);  // maps the damaged files afresh
    ASSERT_NE(files_.get(), before);
    ExpectSame("", "damaged " + std::to_string(round));
    EXPECT_GT(files_->misses(), 0u);
    ExpectSame("", "rewritten " + std::to_string(round));
  }
}

// A store created again in the same directory starts its generations
// again: the files of the old one (same segments, generations and zone
// maps, other values) are not read.
TEST_F(MemoFilesTest, FilesOfAnEarlierStoreInTheDirectoryAreNotRead) {
  const auto history = kpi::testing::CorrectionHistory(6, 60);
  std::vector<RawEvent> events;
  for (size_t b = 0; b < 5; ++b) events.insert(events.end(), history[b].begin(), history[b].end());
  OpenBoth();
  IngestBoth(events);
  ExpectSame("", "the first store");
  ASSERT_FALSE(Files().empty());
  // Again, every ticket's channel swapped but the first one's met (so each
  // value keeps its dictionary code, and most segments the same zone map).
  UnregisterMemoFiles(*with_);
  with_.reset();
  without_.reset();
  const std::string memo = storage::MemoFiles::Dir(dir_with_.path());
  const std::string aside = dir_with_.path() + "-memo";
  std::filesystem::rename(memo, aside);
  for (const std::string& d : {dir_with_.path(), dir_without_.path()}) {
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
  }
  bool first = true;
  for (RawEvent& e : events)
    for (auto& [name, value] : e.dims)
      if (name == "channel" && !std::exchange(first, false)) value = value == "chat" ? "email" : "chat";
  now_ms_ -= 1000;
  batch_times_.clear();
  // The new stores created empty (a directory holding anything else is
  // not made a store), then the old files put back beside the new one.
  OpenBoth();
  UnregisterMemoFiles(*with_);
  std::filesystem::remove_all(memo);
  std::filesystem::rename(aside, memo);
  files_ = UseMemoFiles(*with_);
  ASSERT_NE(files_, nullptr);
  IngestBoth(events);
  ExpectSame("", "the second store");
}

// Values with checksums that match but bytes that no writer made (each
// byte of a value's first 40 set to 0x00, 0xff or flipped, values cut
// short): every statement runs to an answer or an error, never a crash.
// Such values used to be read as they decoded: an empty column read as
// the segment's rows (SIGSEGV), a width-0 count up to 2^32 allocated
// (tens of GB); now a value that does not fit its segment is a miss
// (memo_fits.h) and a width-0 count is bounded by the segment's rows.
TEST_F(MemoFilesTest, ForgedValuesNeverCrash) {
  OpenBoth();
  for (const auto& batch : kpi::testing::CorrectionHistory(7, 60)) IngestBoth(batch);
  std::vector<std::string> statements = Statements();
  for (const std::string& s : KeptStatesStatements()) statements.push_back(s);
  const Engine a(with_.get());
  ExecOptions o;
  o.threads = 1;
  auto run_all = [&] {
    for (const std::string& q : statements) {
      Result got;
      QueryError e;
      (void)a.Execute(q, o, &got, &e);
    }
  };
  const uint64_t refused = RefusedMemoValues();
  run_all();
  run_all();  // (read back: every value this build wrote fits)
  ASSERT_EQ(RefusedMemoValues(), refused);
  ASSERT_FALSE(Files().empty());
  const std::string dir = storage::MemoFiles::Dir(dir_with_.path());
  const std::string pristine = dir_with_.path() + "-pristine";
  std::filesystem::copy(dir, pristine);
  std::vector<std::function<std::string(const std::string&)>> forgeries;
  for (size_t at = 0; at < 40; ++at)
    for (int kind = 0; kind < 3; ++kind)
      forgeries.push_back([at, kind](const std::string& v) {
        std::string w = v;
        if (at < w.size()) w[at] = kind == 0 ? '\0' : kind == 1 ? '\xff' : static_cast<char>(w[at] ^ 0x80);
        return w;
      });
  for (size_t cut = 0; cut < 40; ++cut)
    forgeries.push_back([cut](const std::string& v) { return v.substr(0, std::min(cut, v.size())); });
  for (size_t i = 0; i < forgeries.size(); ++i) {
    UnregisterMemoFiles(*with_);
    std::filesystem::remove_all(dir);
    std::filesystem::copy(pristine, dir);
    for (const auto& path : Files()) ForgeValues(path, forgeries[i]);
    files_ = UseMemoFiles(*with_);
    SCOPED_TRACE("forgery " + std::to_string(i));
    run_all();
  }
  EXPECT_GT(RefusedMemoValues(), refused);  // values that decode but do not fit: misses
  std::filesystem::remove_all(pristine);
}

}  // namespace
}  // namespace kpi::query
