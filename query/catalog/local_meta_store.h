// The local store's metadata (storage::Store's catalog family, namespaced)
// as a MetaBackend (query/catalog/meta_store.h): a thin adapter, every call
// forwarded. WriteMeta is one atomic, synced RocksDB write;
// ListMetaConsistent reads one RocksDB snapshot; NowMs is the store's clock
// (StoreOptions::clock), the one that stamps ingest batches. Identity is the
// store's directory and address (a later store at the same address is
// another store).
// A backend made from a const store reads only: WriteMeta fails with
// FailedPrecondition.
// Thread safety: as the Store (thread-safe). The Store must outlive it.
#pragma once

#include <string>
#include <vector>

#include "query/catalog/meta_store.h"

namespace kpi::query {

class LocalMetaBackend final : public MetaBackend {
 public:
  explicit LocalMetaBackend(const storage::Store* store) : reads_(store) {}
  explicit LocalMetaBackend(storage::Store* store) : reads_(store), writes_(store) {}

  int64_t NowMs() const override { return reads_->NowMs(); }
  Status GetMeta(const std::string& ns, const std::string& key, std::string* value) const override {
    return reads_->GetMeta(ns, key, value);
  }
  Status ListMeta(const std::string& ns, MetaEntries* out) const override { return reads_->ListMeta(ns, out); }
  Status ListMetaConsistent(const std::vector<std::string>& namespaces, std::vector<MetaEntries>* out) const override {
    return reads_->ListMetaConsistent(namespaces, out);
  }
  Status WriteMeta(const std::vector<MetaWrite>& writes) const override;
  std::string Identity() const override;

 private:
  const storage::Store* reads_;
  storage::Store* writes_ = nullptr;
};

}  // namespace kpi::query
