#include "server/group_commit.h"

namespace kpi::server {

Status GroupCommit::LeadSeal(std::unique_lock<std::mutex>& lock) {
  sealing_ = true;
  lock.unlock();
  std::map<uint32_t, storage::IngestStats> per_batch;
  storage::IngestStats total;
  Status s = store_->Seal(&total, &per_batch);
  lock.lock();
  sealing_ = false;
  ++seals_done_;
  if (s.ok()) {
    for (auto& [batch, counts] : per_batch) done_[batch].Add(counts);
  } else {
    failure_ = s;
    failed_seal_ = seals_done_;
  }
  sealed_.notify_all();
  return s;
}

Status GroupCommit::Ingest(std::span<const RawEvent> events, std::vector<storage::EventReject>* rejects,
                           storage::IngestStats* stats) {
  storage::IngestStats staged;
  // Unsynced: the seal that takes the batch syncs it, before we return.
  KPI_RETURN_IF_ERROR(store_->Stage(events, rejects, &staged, {}, storage::Store::Durable::kOnSeal));
  stats->staged += staged.staged;
  if (staged.staged == 0) return Status::OK();  // everything refused: nothing to seal
  const uint32_t mine = staged.last_batch;

  std::unique_lock lock(mu_);
  // A seal that started before our Stage returned may not hold our batch;
  // only a seal that starts after it surely does.
  const uint64_t must_finish = seals_done_ + (sealing_ ? 2 : 1);
  while (true) {
    auto it = done_.find(mine);
    if (it != done_.end()) {
      stats->accepted += it->second.accepted;
      stats->duplicates += it->second.duplicates;
      stats->last_batch = std::max(stats->last_batch, mine);
      done_.erase(it);
      return Status::OK();
    }
    if (seals_done_ >= must_finish) {
      // A seal that started after our Stage has finished without our batch:
      // a seal failed (the store is read-only now) or someone sealed outside.
      if (failed_seal_ != 0 && failed_seal_ + 1 >= must_finish) return failure_;
      return Status::Aborted("batch " + std::to_string(mine) + " was sealed outside the group commit");
    }
    if (!sealing_) {
      Status s = LeadSeal(lock);
      if (!s.ok() && done_.find(mine) == done_.end()) return s;
      continue;
    }
    sealed_.wait(lock);
  }
}

Status GroupCommit::SealAll() {
  std::unique_lock lock(mu_);
  sealed_.wait(lock, [this] { return !sealing_; });
  return LeadSeal(lock);
}

}  // namespace kpi::server
