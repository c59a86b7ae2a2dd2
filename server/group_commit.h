// GroupCommit: durable ingest for many concurrent uploads with shared seals.
//
// Ingest() stages the caller's events as one batch, then waits until a seal
// has made that batch visible and durable, and returns the batch's own
// accepted and duplicate counts. Seals are led by whichever waiter finds
// none running; one seal takes every batch staged so far, so uploads that
// arrive while a seal runs share the next one (classic group commit): the
// seal's fixed costs (decoding the touched segments, writing their delta
// parts, publishing the view) and its one fsync are paid once per group
// instead of once per upload, and parsing and staging of the next uploads
// overlap the running seal. Batches are staged unsynced
// (Store::Durable::kOnSeal): the seal's synced write makes them durable, so
// when Ingest returns OK the batch is on disk, and a crash before that loses
// at most batches nobody was told were stored.
//
// Each batch is still atomic: a query sees all of an upload's events or none.
// Errors: a failed Stage returns its status; a failed seal returns its
// status to every waiter whose batch it did not seal (the store turns
// read-only after a write failure, see storage/store.h).
//
// Contract: while a GroupCommit is in use, every seal of its store must go
// through it (a batch sealed elsewhere returns Aborted instead of its
// counts; it never hangs). Thread safety: Ingest may be called from any
// number of threads. The Store must outlive the GroupCommit.
#pragma once

#include <condition_variable>
#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <vector>

#include "storage/raw_event.h"
#include "storage/status.h"
#include "storage/store.h"

namespace kpi::server {

class GroupCommit {
 public:
  explicit GroupCommit(storage::Store* store) : store_(store) {}

  // Adds this batch's staged, accepted and duplicate counts to *stats.
  Status Ingest(std::span<const RawEvent> events, std::vector<storage::EventReject>* rejects,
                storage::IngestStats* stats);

  // Seals everything staged now (e.g. at shutdown), through the same path.
  Status SealAll();

 private:
  // Runs one seal with mu_ released; `lock` holds mu_ on entry and exit.
  Status LeadSeal(std::unique_lock<std::mutex>& lock);

  storage::Store* store_;
  std::mutex mu_;
  std::condition_variable sealed_;
  bool sealing_ = false;
  uint64_t seals_done_ = 0;                          // completed seals, to detect progress
  std::map<uint32_t, storage::IngestStats> done_;    // sealed batches not yet claimed
  Status failure_;                                   // the last failed seal
  uint64_t failed_seal_ = 0;                         // seals_done_ value of that failure (0: none)
};

}  // namespace kpi::server
