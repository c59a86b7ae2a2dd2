// SortedMultiGet: point lookups of many keys in one column family, in
// MultiGets of sorted chunks (RocksDB then walks each table file once per
// chunk), counting the block cache hits and block reads they cost. The
// ticket index and the dictionaries' value index read this way.
//
// Contract: calls found(i, value) for each keys[i] present, in no
// particular order; a key that is absent is skipped; the first lookup error
// or error found() returns stops it and is returned. Thread safety: as
// RocksDB's reads; *hits and *reads are added to atomically.
#pragma once

#include <rocksdb/db.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace kpi::storage {

Status SortedMultiGet(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::span<const std::string_view> keys,
                      const std::function<Status(size_t index, std::string_view value)>& found,
                      std::atomic<uint64_t>* hits, std::atomic<uint64_t>* reads, const char* what);

}  // namespace kpi::storage
