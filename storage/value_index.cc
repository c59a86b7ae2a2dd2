// ValueIndex (storage/value_index.h): batched lookups, puts and the one-time
// build for stores written before the index existed.
#include "storage/value_index.h"

#include <vector>

#include "storage/dictionary_page.h"
#include "storage/keys.h"
#include "storage/sorted_multi_get.h"
#include "storage/store_impl.h"

namespace kpi::storage {

namespace {

// Entries per WriteBatch while building the index of an older store.
constexpr size_t kBuildChunk = 1 << 16;

}  // namespace

std::string ValueIndexKey(uint32_t column, std::string_view value) {
  std::string key;
  key.reserve(4 + value.size());
  PutBigEndian32(&key, column);
  key.append(value);
  return key;
}

Status ValueIndex::Lookup(uint32_t column, std::span<const std::string_view> values,
                          const std::function<void(size_t index, uint32_t code)>& found) const {
  std::vector<std::string> keys(values.size());
  std::vector<std::string_view> views(values.size());
  for (size_t i = 0; i < values.size(); ++i) views[i] = keys[i] = ValueIndexKey(column, values[i]);
  uint64_t hit = 0;
  Status s = SortedMultiGet(
      db_.get(), cf_, views,
      [&](size_t i, std::string_view code) {
        if (code.size() != 4)
          return Status::Corruption("value index entry of column " + std::to_string(column) + kDamageAdvice);
        ++hit;
        found(i, GetBigEndian32(code.data()));
        return Status::OK();
      },
      &block_hits_, &block_reads_, "read value index");
  lookups_ += values.size();
  found_ += hit;
  return s;
}

void ValueIndex::Put(rocksdb::WriteBatch* wb, uint32_t column, std::string_view value, uint32_t code) const {
  std::string v;
  PutBigEndian32(&v, code);
  wb->Put(cf_, ValueIndexKey(column, value), v);
}

Status ValueIndex::BuildIfMissing(rocksdb::ColumnFamilyHandle* catalog_cf, const rocksdb::WriteOptions& write) {
  if (built_.load(std::memory_order_acquire)) return Status::OK();
  if (cf_ == nullptr) return Status::OK();  // read-only: not opened, and nothing to code
  std::string marker;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), catalog_cf, kValueIndexKey, &marker);
  if (!s.IsNotFound()) {
    KPI_RETURN_IF_ERROR(FromRocks(s, "read value index state"));
    built_.store(true, std::memory_order_release);
    return Status::OK();
  }
  // Puts are idempotent: a build cut short by a crash is redone whole.
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, catalog_cf));
  rocksdb::WriteBatch wb;
  std::vector<std::string_view> values;
  const std::string prefix(1, kDictionaryPrefix);
  uint32_t last_column = 0, next_page = 0;  // pages are dense: a gap would leave values without codes
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().size() != 9) return Status::Corruption("dictionary page key" + std::string(kDamageAdvice));
    const uint32_t column = GetBigEndian32(it->key().data() + 1), page = GetBigEndian32(it->key().data() + 5);
    if (column != last_column) next_page = 0;
    if (page != next_page)
      return Status::Corruption("dictionary of column " + std::to_string(column) + ": page " +
                                std::to_string(next_page) + " is missing" + kDamageAdvice);
    last_column = column;
    ++next_page;
    KPI_RETURN_IF_ERROR(DecodeDictionaryPage(std::string_view(it->value().data(), it->value().size()), column, page,
                                             &values));
    for (uint32_t i = 0; i < values.size(); ++i) Put(&wb, column, values[i], page * kDictionaryPageCodes + i + 1);
    if (wb.Count() >= kBuildChunk) {
      KPI_RETURN_IF_ERROR(FromRocks(db_->Write(write, &wb), "write value index"));
      wb.Clear();
    }
  }
  KPI_RETURN_IF_ERROR(FromRocks(it->status(), "read dictionaries"));
  std::string version;
  PutBigEndian32(&version, 1);
  wb.Put(catalog_cf, kValueIndexKey, version);
  KPI_RETURN_IF_ERROR(FromRocks(db_->Write(write, &wb), "write value index"));
  built_.store(true, std::memory_order_release);
  return Status::OK();
}

CacheStats ValueIndex::BlockStats() const {
  CacheStats out;
  out.bytes = cache_->GetUsage();
  const size_t entries = cache_->GetOccupancyCount();
  out.entries = entries == SIZE_MAX ? 0 : entries;
  out.capacity_bytes = cache_->GetCapacity();
  out.hits = block_hits_;
  out.misses = block_reads_;
  return out;
}

}  // namespace kpi::storage
