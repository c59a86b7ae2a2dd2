// TicketIndex: ticket id -> the segment holding the ticket, on disk in the
// store's "tickets" column family (key = the ticket id's bytes, value =
// [partition u32][segment u32]; FORMAT, docs/storage-format.md). The sealer
// reads it once per seal for every incoming ticket (batched MultiGets over
// sorted keys, bloom filters answering for tickets never sealed) and writes
// the tickets that moved in the seal's own atomic WriteBatch, so the index is
// always exactly as new as the segments. Nothing here grows with the number
// of tickets: RocksDB's block cache of the family (bounded, `cache_bytes`)
// holds its index, filter and data blocks, and its memtable is fixed in size.
//
// Stores sealed before the index existed have no catalog state key
// kTicketIndexKey: Build() fills the family from the segments' ticket ids
// once, then writes that key (see BuildIfMissing).
//
// Thread safety: Lookup and Stats may be called concurrently; the sealer
// (under Store::Impl::seal_mu) is the one writer.
#pragma once

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"
#include "storage/store.h"

namespace kpi::storage {

struct TicketLocation {
  uint32_t partition = 0;
  uint32_t segment = 0;
};

class TicketIndex {
 public:
  // `db` and `cf` are references to the store's current instance (they
  // change when a read-only store becomes writable). `cache` is the family's
  // block cache (the same one given to its table options).
  TicketIndex(const std::unique_ptr<rocksdb::DB>& db, rocksdb::ColumnFamilyHandle* const& cf,
              std::shared_ptr<rocksdb::Cache> cache)
      : db_(db), cf_(cf), cache_(std::move(cache)) {}

  // Calls found(i, location) for each ids[i] that is sealed, in no
  // particular order. Reads in MultiGets of sorted keys.
  Status Lookup(const std::vector<std::string>& ids,
                const std::function<void(size_t index, TicketLocation loc)>& found) const;
  // Records in `wb` that ticket `id` now lives at `loc`.
  void Put(rocksdb::WriteBatch* wb, std::string_view id, TicketLocation loc) const;
  // Makes sure the index describes every sealed segment: when the catalog
  // lacks kTicketIndexKey, writes every segment's tickets, then the key
  // (idempotent, so an interrupted build is simply redone). Requires a
  // writable instance and the sealer's lock.
  Status BuildIfMissing(rocksdb::ColumnFamilyHandle* segments_cf, rocksdb::ColumnFamilyHandle* catalog_cf,
                        const rocksdb::WriteOptions& write);
  TicketIndexStats Stats() const;

 private:
  const std::unique_ptr<rocksdb::DB>& db_;
  rocksdb::ColumnFamilyHandle* const& cf_;
  std::shared_ptr<rocksdb::Cache> cache_;
  bool built_ = false;  // BuildIfMissing found or wrote the key
  mutable std::atomic<uint64_t> lookups_{0}, found_{0}, block_hits_{0}, block_reads_{0};
};

// Encodes a location as the family stores it.
std::string EncodeTicketLocation(TicketLocation loc);

}  // namespace kpi::storage
