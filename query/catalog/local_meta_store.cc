// The local store's metadata as a MetaBackend (see query/catalog/local_meta_store.h).
#include "query/catalog/local_meta_store.h"

#include <cstdio>

namespace kpi::query {

Status LocalMetaBackend::WriteMeta(const std::vector<MetaWrite>& writes) const {
  if (writes_ == nullptr) return Status::InvalidArgument("the store was opened for reading definitions only");
  return writes_->WriteMeta(writes);
}

std::string LocalMetaBackend::Identity() const {
  char address[32];
  std::snprintf(address, sizeof address, "%p", static_cast<const void*>(reads_));
  return "local:" + std::string(address) + ":" + reads_->dir();
}

MetaReader::MetaReader(const storage::Store& store) : backend_(std::make_shared<LocalMetaBackend>(&store)) {}

MetaWriter::MetaWriter(storage::Store* store) : MetaReader(std::make_shared<LocalMetaBackend>(store)) {}

}  // namespace kpi::query
