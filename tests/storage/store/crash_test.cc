// Crash safety: a child process ingesting is killed with SIGKILL at varied
// points, each chosen by what the child reported (tests/kill_points.h).
// After reopening, every batch it reported as durable is there in full, no
// batch is partial or doubled, and the store opens cleanly. Each
// batch is staged with a checkpoint (metadata in the same atomic write, as
// `kpi ingest` does per input file): after a kill the checkpoint names
// exactly the last batch present, and the next child resumes from it, so
// kills also land while resuming. Both the child and the checks run with
// tiny caches and every dictionary but the smallest paged (issue 13), and
// every ticket's customer must decode to what its batch said.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "storage/store.h"
#include "kill_points.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

constexpr int kEventsPerTicket = 4;
constexpr int kTicketsPerBatch = 150;

// The customer of ticket i of batch k: values repeat across batches.
std::string Customer(int k, int i) { return "c" + std::to_string((k * kTicketsPerBatch + i) * 7 % 2500); }

// Batch k: tickets "B<k>-<i>", each with kEventsPerTicket events.
std::vector<RawEvent> Batch(int k) {
  std::vector<RawEvent> out;
  for (int i = 0; i < kTicketsPerBatch; ++i) {
    for (int j = 0; j < kEventsPerTicket; ++j) {
      RawEvent e;
      e.ticket = "B" + std::to_string(k) + "-" + std::to_string(i);
      e.ts_ms = 1735689600000 + int64_t(k) * 3600000 + i * 1000 + j;
      e.event = j == 0 ? "created" : "agent_reply";
      e.agent = j == 0 ? "" : "a" + std::to_string(j);
      if (j == 0) e.dims = {{"channel", "chat"}, {"customer", Customer(k, i)}};
      out.push_back(e);
    }
  }
  return out;
}

constexpr const char* kCheckpointNs = "ingest_checkpoint";

// The child: StageForever on DIR from batch FIRST, spilled when SPILL is 1.
[[noreturn]] void StageChild(const std::vector<std::string>& args, int report_fd) {
  kpi::testing::StageForever(args.at(0), std::stoi(args.at(1)), report_fd, Batch, args.at(2) == "1");
}
KPI_CRASH_CHILD("crash_stage", StageChild);

// Kills a child staging batches (and sealing) 24 times, checking the store
// after each kill. Three rounds in four kill once the child has made a new
// batch durable (the next one to 2 past where it resumed), a few ms later:
// after an odd batch (every fourth with `spill`) the kill lands in the seal
// that follows, else in staging the next batch. The fourth kills a few ms
// after the start, mostly while the child reopens the store and seals what
// the last one left staged. Each round is meaningful however slow the
// machine (tests/kill_points.h).
void KillRounds(bool spill) {
  kpi::testing::ScratchDir dir;
  std::mt19937_64 rng(2025);
  int next_batch = 0;
  int kills = 0;
  for (int round = 0; round < 24; ++round) {
    const bool in_open = round % 4 == 3;
    const int target = next_batch + static_cast<int>(rng() % 3);
    const unsigned delay_us = static_cast<unsigned>(in_open ? rng() % 30000 : rng() % 4000);
    const kpi::testing::KillOutcome killed = kpi::testing::RunAndKill(
        "crash_stage", {dir.path(), std::to_string(next_batch), spill ? "1" : "0"},
        in_open ? std::function<bool(int)>() : [&](int k) { return k >= target; }, delay_us);
    ASSERT_TRUE(killed.reached) << "round " << round << ": " << killed.failure;
    const int reported = killed.Last(next_batch - 1);
    kills++;

    std::unique_ptr<Store> store;
    StoreOptions o = kpi::testing::TinyCacheOptions();
    Status s = Store::Open(dir.path(), o, &store);
    ASSERT_TRUE(s.ok()) << "round " << round << ": " << s.ToString();
    // Count events per batch from the sealed data.
    std::map<int, int> per_batch;
    auto snap = store->GetSnapshot();
    for (const auto& ref : snap->Plan(ScanSpec(), nullptr)) {
      std::shared_ptr<const Segment> seg;
      ASSERT_TRUE(snap->Load(ref, &seg).ok());
      const SparseCodes* customers = seg->FindDim(store->catalog().FindColumn("customer")->id);
      ASSERT_NE(customers, nullptr);
      for (uint32_t t = 0; t < seg->num_tickets(); ++t) {
        const std::string& id = seg->ticket_ids[t];
        int b = std::stoi(id.substr(1));
        per_batch[b] += static_cast<int>(seg->event_begin[t + 1] - seg->event_begin[t]);
        // Its one customer, on its `created` event (the first).
        auto row = std::lower_bound(customers->rows.begin(), customers->rows.end(), seg->event_begin[t]);
        ASSERT_TRUE(row != customers->rows.end() && *row == seg->event_begin[t]) << id;
        ASSERT_EQ(store->catalog().Decode(customers->column, customers->codes[row - customers->rows.begin()]),
                  Customer(b, std::stoi(id.substr(id.find('-') + 1))))
            << id;
      }
    }
    // The dictionary's pages and value index agree, code for code.
    const uint32_t customer = store->catalog().FindColumn("customer")->id;
    std::set<std::string> values;
    for (uint32_t code = 1; code <= store->catalog().DictionarySize(customer); ++code) {
      const std::string value = store->catalog().Decode(customer, code);
      ASSERT_TRUE(values.insert(value).second) << value << " repeated";
      ASSERT_EQ(store->catalog().FindCode(customer, value), code) << value;
    }
    ASSERT_TRUE(store->catalog().status().ok()) << store->catalog().status().ToString();
    const int full = kTicketsPerBatch * kEventsPerTicket;
    for (int b = 0; b <= reported; ++b) ASSERT_EQ(per_batch[b], full) << "reported batch " << b << " lost";
    // The batch in flight is all there or absent, never partial; nothing beyond it.
    int in_flight = reported + 1;
    ASSERT_TRUE(per_batch[in_flight] == 0 || per_batch[in_flight] == full) << per_batch[in_flight];
    for (const auto& [b, n] : per_batch) ASSERT_LE(b, in_flight);
    // The checkpoint is never ahead of the data nor behind it.
    const int last_present = per_batch[in_flight] == full ? in_flight : in_flight - 1;
    std::string checkpoint;
    if (last_present >= 0) {
      ASSERT_TRUE(store->GetMeta(kCheckpointNs, "input", &checkpoint).ok()) << "round " << round;
      ASSERT_EQ(std::stoi(checkpoint), last_present) << "round " << round;
    }
    // Resume where the checkpoint says.
    next_batch = last_present + 1;
    // Re-ingesting the last reported batch changes nothing (idempotent).
    if (reported >= 0) {
      IngestStats stats;
      std::vector<RawEvent> again = Batch(reported);
      ASSERT_TRUE(store->Ingest(again, nullptr, &stats).ok());
      EXPECT_EQ(stats.accepted, 0u);
      EXPECT_EQ(stats.duplicates, static_cast<uint64_t>(full));
    }
  }
  EXPECT_EQ(kills, 24);
  // Each of the 18 rounds that kill after a new durable batch moves on.
  EXPECT_GE(next_batch, 18) << "the children never got far enough to make the test meaningful";
}

TEST(CrashTest, KilledIngestLosesNoReportedBatchAndDoublesNothing) { KillRounds(false); }

// The same while seals read spilled staged events back from disk, in
// partition groups and several runs (Store::SpillStaged): a kill mid-seal
// leaves the staged batches, sealed at the next open.
TEST(CrashTest, KilledSpilledSealLosesNoReportedBatchAndDoublesNothing) { KillRounds(true); }

}  // namespace
}  // namespace kpi::storage
