// ValueIndex: dictionary value -> code, on disk in the store's "values"
// column family, so ingest need not hold a large dictionary (customers: a
// third of the tickets) in memory to code its values (storage/catalog.h,
// "paged" dictionaries). Key = [column u32][the value's bytes], value =
// [code u32] (FORMAT, docs/storage-format.md "Value index"). Every code of
// every dictionary has its entry, written in the same atomic WriteBatch as
// the dictionary page that assigns it (Store::Stage), so the index is always
// exactly as new as the pages. Lookups are batched: one MultiGet of sorted
// keys per staged batch and column, filters answering for values never seen.
// What it keeps in memory is bounded: its own block cache (`cache`, sized by
// DictionaryPaging::value_cache_bytes) holds index, filter and data blocks,
// and its memtable is small and fixed.
//
// Stores written before the index existed (format < 5) have no catalog
// state key kValueIndexKey: BuildIfMissing() fills the family from the
// dictionary pages once, then writes that key; until then (and on a
// read-only instance, which does not open the family) available() is false
// and the catalog falls back to holding dictionaries it codes resident.
//
// Thread safety: Lookup and Stats may be called concurrently; Put and
// BuildIfMissing run under Store::Impl::write_mu (the one writer).
#pragma once

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "storage/lru_cache.h"
#include "storage/status.h"

namespace kpi::storage {

class ValueIndex {
 public:
  // `db` and `cf` are references to the store's current instance (they
  // change when a read-only store becomes writable; `cf` is null while
  // read-only). `cache` is the family's block cache.
  ValueIndex(const std::unique_ptr<rocksdb::DB>& db, rocksdb::ColumnFamilyHandle* const& cf,
             std::shared_ptr<rocksdb::Cache> cache)
      : db_(db), cf_(cf), cache_(std::move(cache)) {}

  // The index is complete (its build marker is stored) and readable here.
  bool available() const { return built_.load(std::memory_order_acquire) && cf_ != nullptr; }
  // Calls found(i, code) for each values[i] of `column` that has a code, in
  // no particular order. Requires available().
  Status Lookup(uint32_t column, std::span<const std::string_view> values,
                const std::function<void(size_t index, uint32_t code)>& found) const;
  // Records in `wb` that `value` of `column` has `code`.
  void Put(rocksdb::WriteBatch* wb, uint32_t column, std::string_view value, uint32_t code) const;
  // Makes the index complete: when the catalog lacks kValueIndexKey, writes
  // the entries of every dictionary page, then the key (idempotent, so an
  // interrupted build is simply redone). Requires a writable instance and
  // Store::Impl::write_mu.
  Status BuildIfMissing(rocksdb::ColumnFamilyHandle* catalog_cf, const rocksdb::WriteOptions& write);
  // Its block cache (hits: blocks found cached, misses: blocks read) and
  // the values looked up / found.
  CacheStats BlockStats() const;
  uint64_t lookups() const { return lookups_; }
  uint64_t found() const { return found_; }

 private:
  const std::unique_ptr<rocksdb::DB>& db_;
  rocksdb::ColumnFamilyHandle* const& cf_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::atomic<bool> built_{false};
  mutable std::atomic<uint64_t> lookups_{0}, found_{0}, block_hits_{0}, block_reads_{0};
};

// The family's key of `value` in `column`.
std::string ValueIndexKey(uint32_t column, std::string_view value);

}  // namespace kpi::storage
