// Crash safety of corrections: a child process ingesting correction batches
// (higher revisions, retractions, re-additions of the same ids) is killed
// with SIGKILL at varied points, each chosen by what the child reported
// (tests/kill_points.h): 3 rounds in 4 a few ms after a new batch became
// durable (in the seal after an odd batch, else in staging), the fourth a
// few ms after the start (mostly in the reopen). After reopening, the visible state (each
// id's live copy and its value) is exactly the state after the batches the
// ingest checkpoint names: never a batch applied in part, never an id live
// twice, never a reported batch lost; re-sending the last applied batch is
// all duplicates.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "storage/coded_event.h"
#include "storage/store.h"
#include "kill_points.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

constexpr int kTickets = 300;
constexpr int kIdsPerTicket = 4;
constexpr const char* kCheckpointNs = "ingest_checkpoint";

RawEvent Event(int ticket, int j, uint32_t revision, double v, bool retract) {
  RawEvent e;
  e.ticket = "T" + std::to_string(ticket);
  e.ts_ms = 1735689600000 + int64_t(ticket) * 60000 + j * 1000;
  e.event = j == 0 ? "created" : "agent_reply";
  e.id = e.ticket + "-" + std::to_string(j);
  e.revision = revision;
  e.retract = retract;
  e.measures = {{"v", v}};
  return e;
}

// Batch -1: every id at revision 0, v = 0. Batch k >= 0, for every ticket:
// id k % 3 at revision k + 1 with v = k + 1; id 3 retracted (k odd) or
// re-added (k even) at revision k + 1.
std::vector<RawEvent> Batch(int k) {
  std::vector<RawEvent> out;
  for (int i = 0; i < kTickets; ++i) {
    if (k < 0) {
      for (int j = 0; j < kIdsPerTicket; ++j) out.push_back(Event(i, j, 0, 0, false));
      continue;
    }
    out.push_back(Event(i, k % 3, k + 1, k + 1, false));
    out.push_back(Event(i, 3, k + 1, k + 1, k % 2 == 1));
  }
  return out;
}

// The child: StageForever on DIR from batch FIRST.
[[noreturn]] void StageChild(const std::vector<std::string>& args, int report_fd) {
  kpi::testing::StageForever(args.at(0), std::stoi(args.at(1)), report_fd, Batch);
}
KPI_CRASH_CHILD("correction_stage", StageChild);

// ticket -> id hash -> v, after batches -1..last.
using State = std::map<std::string, std::map<uint64_t, double>>;

State Expected(int last) {
  State s;
  for (int k = -1; k <= last; ++k)
    for (const RawEvent& e : Batch(k)) {
      auto& ids = s[e.ticket];
      if (e.retract) {
        ids.erase(HashSourceId(e.id));
      } else {
        ids[HashSourceId(e.id)] = e.measures[0].second;
      }
    }
  return s;
}

// The live rows of the sealed data; fails on an id live twice.
void Visible(const Store& store, State* out) {
  const auto v = store.catalog().FindColumn("v");
  ASSERT_TRUE(v.has_value());
  auto snap = store.GetSnapshot();
  for (const auto& ref : snap->Plan(ScanSpec(), nullptr)) {
    std::shared_ptr<const Segment> seg;
    ASSERT_TRUE(snap->Load(ref, &seg).ok());
    std::vector<uint8_t> dead(seg->num_events(), 0);
    for (uint32_t r : seg->dead_rows) dead[r] = 1;
    std::vector<uint64_t> id(seg->num_events(), 0);
    for (size_t i = 0; i < seg->id_rows.size(); ++i) id[seg->id_rows[i]] = seg->id_hashes[i];
    std::vector<double> value(seg->num_events(), -1);
    if (const SparseNumbers* m = seg->FindMeasure(v->id))
      for (size_t i = 0; i < m->rows.size(); ++i) value[m->rows[i]] = m->values[i];
    for (uint32_t t = 0; t < seg->num_tickets(); ++t) {
      auto& ids = (*out)[seg->ticket_ids[t]];
      for (uint32_t r = seg->event_begin[t]; r < seg->event_begin[t + 1]; ++r) {
        if (dead[r]) continue;
        ASSERT_TRUE(ids.emplace(id[r], value[r]).second) << seg->ticket_ids[t] << ": an id live twice";
      }
    }
  }
}

TEST(CorrectionCrashTest, KilledCorrectionIngestAppliesWholeBatchesOnly) {
  kpi::testing::ScratchDir dir;
  {
    std::unique_ptr<Store> store;
    StoreOptions o;
    o.max_tickets_per_segment = 64;
    ASSERT_TRUE(Store::Open(dir.path(), o, &store).ok());
    IngestStats stats;
    ASSERT_TRUE(store->Ingest(Batch(-1), nullptr, &stats).ok());
    ASSERT_EQ(stats.accepted, uint64_t{kTickets * kIdsPerTicket});
  }
  std::mt19937_64 rng(909);
  int next_batch = 0, kills = 0;
  for (int round = 0; round < 16; ++round) {
    const bool in_open = round % 4 == 3;
    const int target = next_batch + static_cast<int>(rng() % 3);
    const unsigned delay_us = static_cast<unsigned>(in_open ? rng() % 30000 : rng() % 4000);
    const kpi::testing::KillOutcome killed = kpi::testing::RunAndKill(
        "correction_stage", {dir.path(), std::to_string(next_batch)},
        in_open ? std::function<bool(int)>() : [&](int k) { return k >= target; }, delay_us);
    ASSERT_TRUE(killed.reached) << "round " << round << ": " << killed.failure;
    const int reported = killed.Last(next_batch - 1);
    kills++;

    std::unique_ptr<Store> store;
    StoreOptions o;
    o.max_tickets_per_segment = 64;
    Status s = Store::Open(dir.path(), o, &store);
    ASSERT_TRUE(s.ok()) << "round " << round << ": " << s.ToString();
    std::string checkpoint;
    int applied = next_batch - 1;
    if (store->GetMeta(kCheckpointNs, "input", &checkpoint).ok()) applied = std::stoi(checkpoint);
    ASSERT_GE(applied, reported) << "round " << round << ": a reported batch is lost";
    ASSERT_LE(applied, reported + 1) << "round " << round;
    State got;
    ASSERT_NO_FATAL_FAILURE(Visible(*store, &got));
    ASSERT_EQ(got, Expected(applied)) << "round " << round << ": state differs from batches ..." << applied;
    if (applied >= 0) {
      IngestStats stats;
      ASSERT_TRUE(store->Ingest(Batch(applied), nullptr, &stats).ok());
      EXPECT_EQ(stats.accepted, 0u) << "round " << round;
      EXPECT_EQ(stats.duplicates, uint64_t{2 * kTickets});
    }
    next_batch = applied + 1;
  }
  EXPECT_EQ(kills, 16);
  // Each of the 12 rounds that kill after a new durable batch moves on.
  EXPECT_GE(next_batch, 12) << "the children never got far enough to make the test meaningful";
}

}  // namespace
}  // namespace kpi::storage
