// Batch instants: the store-clock instant of each batch, which `as of T`
// compares with (Snapshot::BatchAtOrBefore keeps the batches at or before T).
//
// A batch's instant is when it became visible to queries: the instant of the
// seal that took it, not that of its staging. Queries see sealed data only,
// so had a batch its staging instant, an answer `as of T` given while it
// waited to be sealed (T after its staging) would change once it was sealed.
// Stage writes a provisional instant (its staging time: batch entries stay
// dense, and a batch a crash left staged has one), which the seal's write
// replaces; only sealed batches' instants are kept in memory and published.
//
// Every snapshot answers for one instant (Snapshot::instant_ms): the store
// clock when it was taken, or its last seal's instant if later; a query
// `as of` a later instant is answered as of it. Each seal is stamped after
// the previous seal and after every instant a snapshot has answered for, so
// a batch missing from a snapshot is never at or before that snapshot's
// instant: an answer as of any instant it gives stays the same forever.
// While a seal's write is in flight its instant is chosen but its batches
// are not yet published: snapshots then answer for the instant before it.
// Metadata (definitions) is stamped by the store clock too; a seal is
// stamped after every metadata write before it, so that an answer's instant,
// which covers the definitions it used, never reaches a seal not in it.
#include <algorithm>

#include "storage/keys.h"
#include "storage/store_impl.h"

namespace kpi::storage {

int64_t Store::Impl::ViewInstant(const std::vector<int64_t>& sealed_times, int64_t now_ms) const {
  int64_t instant = sealed_times.empty() ? now_ms : std::max(sealed_times.back(), now_ms);
  if (sealing_ms) instant = std::min(instant, *sealing_ms - 1);
  closed_ms = std::max(closed_ms.value_or(instant), instant);
  return instant;
}

Status Store::Impl::StampSeal(int64_t now_ms, const std::vector<std::string>& staging_keys, rocksdb::WriteBatch* wb,
                              int64_t* seal_ms) {
  int64_t t = now_ms;
  if (!batch_times.empty()) t = std::max(t, batch_times.back() + 1);
  {
    std::lock_guard lock(view_mu);
    if (closed_ms) t = std::max(t, *closed_ms + 1);
    sealing_ms = t;
  }
  *seal_ms = t;
  rocksdb::ReadOptions ro;
  std::string value;
  for (const std::string& key : staging_keys) {
    const uint32_t batch = GetBigEndian32(key.data());
    rocksdb::Status s = db->Get(ro, catalog_cf, BatchKey(batch), &value);
    if (!s.ok() || value.size() != 12) {
      AbandonSeal();
      if (s.ok() || s.IsNotFound()) return Status::Corruption("staged batch " + std::to_string(batch) + " has no batch entry");
      return FromRocks(s, "read batch entry");
    }
    std::string stamped;
    PutBigEndian64(&stamped, static_cast<uint64_t>(t));
    stamped.append(value, 8, 4);  // its event count
    wb->Put(catalog_cf, BatchKey(batch), stamped);
  }
  return Status::OK();
}

Status Store::Impl::NoteSealed(const std::vector<std::string>& staging_keys, int64_t seal_ms) {
  for (const std::string& key : staging_keys) {
    const uint32_t batch = GetBigEndian32(key.data());
    if (batch != batch_times.size() + 1) {
      failed = true;  // the seal is written; memory no longer matches it
      return Status::Corruption("a seal took batch " + std::to_string(batch) + " before batch " +
                                std::to_string(batch_times.size() + 1));
    }
    batch_times.push_back(seal_ms);
  }
  last_batch_ms = std::max(last_batch_ms, seal_ms);
  Publish();
  return Status::OK();
}

void Store::Impl::NoteMetaWrite(int64_t now_ms) {
  std::lock_guard lock(view_mu);
  closed_ms = std::max(closed_ms.value_or(now_ms), now_ms);
}

void Store::Impl::AbandonSeal() {
  std::lock_guard lock(view_mu);
  sealing_ms.reset();
}

}  // namespace kpi::storage
