// Where named definitions live: a small namespaced key/value metadata
// store with atomic multi-key writes and a clock. The catalog of
// definitions (query/catalog/definition_store.h), lookup tables
// (table_store.h), named KPIs (query/kpi_store.h), watches' runs and alerts
// (query/watch/) read and write through it, so define / show / drop, `as
// of` definition history and evaluate are the same code whatever holds the
// metadata: the local store (query/catalog/local_meta_store.h) or a
// ClickHouse cluster (clickhouse/meta_table.h).
//
// MetaBackend (what a backend implements):
//   NowMs()                  the clock that stamps definitions; the same
//                            clock that stamps ingest batches, so `as of T`
//                            sees every definition as it was at T
//   GetMeta(ns, key)         one value; NotFound when absent
//   ListMeta(ns)             a namespace's (key, value) pairs in key order
//                            (bytewise)
//   ListMetaConsistent(nss)  several namespaces from one consistent view: a
//                            reader never sees a write without the writes
//                            that completed before it began
//   WriteMeta(writes)        puts (value set) and deletes (no value), all or
//                            nothing: a reader sees every one or none
//   Identity()               names the store in process-wide caches (two
//                            handles to one store give the same text)
// A backend is a handle: its methods are const, writes go to the store it
// names. Implementations are thread-safe.
//
// MetaReader / MetaWriter: what the catalog functions take. They convert
// implicitly from the local store (`const storage::Store&` to read,
// `storage::Store*` to write), or wrap any MetaBackend.
// Thread safety: copyable handles; use from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "storage/status.h"
#include "storage/store.h"

namespace kpi::query {

using MetaWrite = storage::Store::MetaWrite;
using MetaEntries = std::vector<std::pair<std::string, std::string>>;

class MetaBackend {
 public:
  virtual ~MetaBackend() = default;
  virtual int64_t NowMs() const = 0;
  virtual Status GetMeta(const std::string& ns, const std::string& key, std::string* value) const = 0;
  virtual Status ListMeta(const std::string& ns, MetaEntries* out) const = 0;
  virtual Status ListMetaConsistent(const std::vector<std::string>& namespaces,
                                    std::vector<MetaEntries>* out) const = 0;
  virtual Status WriteMeta(const std::vector<MetaWrite>& writes) const = 0;
  virtual std::string Identity() const = 0;
};

class MetaReader {
 public:
  MetaReader(const storage::Store& store);  // NOLINT: the local store reads as metadata
  explicit MetaReader(std::shared_ptr<const MetaBackend> backend) : backend_(std::move(backend)) {}

  int64_t NowMs() const { return backend_->NowMs(); }
  Status GetMeta(const std::string& ns, const std::string& key, std::string* value) const {
    return backend_->GetMeta(ns, key, value);
  }
  Status ListMeta(const std::string& ns, MetaEntries* out) const { return backend_->ListMeta(ns, out); }
  Status ListMetaConsistent(const std::vector<std::string>& namespaces, std::vector<MetaEntries>* out) const {
    return backend_->ListMetaConsistent(namespaces, out);
  }
  std::string Identity() const { return backend_->Identity(); }

 protected:
  std::shared_ptr<const MetaBackend> backend_;
};

class MetaWriter : public MetaReader {
 public:
  MetaWriter(storage::Store* store);  // NOLINT: the local store writes as metadata
  explicit MetaWriter(std::shared_ptr<const MetaBackend> backend) : MetaReader(std::move(backend)) {}

  Status WriteMeta(const std::vector<MetaWrite>& writes) const { return backend_->WriteMeta(writes); }
};

}  // namespace kpi::query
