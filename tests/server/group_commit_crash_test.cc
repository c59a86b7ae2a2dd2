// GroupCommit crash safety: a child process runs concurrent uploaders
// through one GroupCommit (batches staged unsynced, Store::Durable::kOnSeal,
// made durable by the shared seal) and is killed with SIGKILL a few ms after
// it acknowledged its 4th to 11th batch of the round (tests/kill_points.h),
// so every round is meaningful however slow the machine. After reopening,
// every batch whose Ingest returned OK before the
// kill is there in full, no batch is partial, and a batch in flight is all
// there or absent. The next child goes on with new batches over the same
// store, so kills also land while a store is reopened and its leftover
// staged batches sealed.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kill_points.h"
#include "server/group_commit.h"
#include "test_util.h"

namespace kpi::server {
namespace {

constexpr int kUploaders = 4;
constexpr int kTicketsPerBatch = 40;
constexpr int kEventsPerTicket = 3;
constexpr int kFull = kTicketsPerBatch * kEventsPerTicket;

// Batch id = uploader * 1'000'000 + round; its tickets are "U<id>-<i>". The
// rounds' times are minutes apart, so seals add tickets to the open segment
// of one day (delta parts), as small uploads do.
std::vector<RawEvent> Batch(int id) {
  std::vector<RawEvent> out;
  for (int i = 0; i < kTicketsPerBatch; ++i) {
    for (int j = 0; j < kEventsPerTicket; ++j) {
      RawEvent e;
      e.ticket = "U" + std::to_string(id) + "-" + std::to_string(i);
      e.ts_ms = 1735689600000 + int64_t{id % 1'000'000} * 60000 + i * 1000 + j;
      e.event = j == 0 ? "created" : "agent_reply";
      if (j == 0) e.dims = {{"channel", "chat"}};
      out.push_back(e);
    }
  }
  return out;
}

// The child, on the store DIR: kUploaders threads ingest batches (FIRST,
// FIRST + 1, ...) forever and write each batch id to `fd` once Ingest
// returned OK.
[[noreturn]] void UploadForever(const std::vector<std::string>& args, int fd) {
  const int first_round = std::stoi(args.at(1));
  std::unique_ptr<storage::Store> store;
  storage::StoreOptions o;
  o.max_tickets_per_segment = 64;
  if (!storage::Store::Open(args.at(0), o, &store).ok()) _exit(2);
  GroupCommit commit(store.get());
  std::vector<std::thread> threads;
  for (int u = 0; u < kUploaders; ++u) {
    threads.emplace_back([&, u] {
      for (int r = first_round;; ++r) {
        const int id = u * 1'000'000 + r;
        std::vector<storage::EventReject> rejects;
        storage::IngestStats stats;
        if (!commit.Ingest(Batch(id), &rejects, &stats).ok()) _exit(3);
        if (write(fd, &id, sizeof id) != sizeof id) _exit(4);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  _exit(5);
}
KPI_CRASH_CHILD("group_commit_upload", UploadForever);

TEST(GroupCommitCrash, KilledUploadsLoseNoAcknowledgedBatch) {
  kpi::testing::ScratchDir dir("kpi-group-crash");
  std::mt19937_64 rng(909);
  std::set<int> acknowledged;
  int first_round = 0, kills = 0;
  for (int round = 0; round < 12; ++round) {
    const int wanted = 4 + static_cast<int>(rng() % 8);
    int acks = 0;
    const kpi::testing::KillOutcome killed = kpi::testing::RunAndKill(
        "group_commit_upload", {dir.path(), std::to_string(first_round)}, [&](int) { return ++acks >= wanted; },
        static_cast<unsigned>(rng() % 5000));
    ASSERT_TRUE(killed.reached) << "round " << round << ": " << killed.failure;
    kills++;
    acknowledged.insert(killed.reports.begin(), killed.reports.end());

    std::unique_ptr<storage::Store> store;
    storage::StoreOptions o;
    o.max_tickets_per_segment = 64;
    Status s = storage::Store::Open(dir.path(), o, &store);
    ASSERT_TRUE(s.ok()) << "round " << round << ": " << s.ToString();
    std::map<int, int> per_batch;  // batch id -> events stored
    auto snap = store->GetSnapshot();
    for (const auto& ref : snap->Plan(storage::ScanSpec(), nullptr)) {
      std::shared_ptr<const storage::Segment> seg;
      ASSERT_TRUE(snap->Load(ref, &seg).ok());
      for (uint32_t t = 0; t < seg->num_tickets(); ++t) {
        const std::string& ticket = seg->ticket_ids[t];
        per_batch[std::stoi(ticket.substr(1, ticket.find('-') - 1))] +=
            static_cast<int>(seg->event_begin[t + 1] - seg->event_begin[t]);
      }
    }
    for (int b : acknowledged) ASSERT_EQ(per_batch[b], kFull) << "round " << round << ": acknowledged batch " << b;
    for (const auto& [b, n] : per_batch) ASSERT_TRUE(n == kFull) << "round " << round << ": batch " << b << " partial: " << n;
    // The next child's batches are new (rounds past any batch seen so far).
    for (const auto& [b, n] : per_batch) first_round = std::max(first_round, b % 1'000'000 + 1);
  }
  EXPECT_EQ(kills, 12);
  EXPECT_GE(acknowledged.size(), 48u) << "the children never got far enough to make the test meaningful";
}

}  // namespace
}  // namespace kpi::server
