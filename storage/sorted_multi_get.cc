// SortedMultiGet (storage/sorted_multi_get.h).
#include "storage/sorted_multi_get.h"

#include <rocksdb/perf_context.h>
#include <rocksdb/perf_level.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "storage/store_impl.h"

namespace kpi::storage {

namespace {

// Keys per MultiGet: big enough to amortise the call, small enough that its
// per-key arrays stay in cache.
constexpr size_t kLookupChunk = 4096;

}  // namespace

Status SortedMultiGet(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::span<const std::string_view> keys,
                      const std::function<Status(size_t index, std::string_view value)>& found,
                      std::atomic<uint64_t>* hits, std::atomic<uint64_t>* reads, const char* what) {
  if (keys.empty()) return Status::OK();
  std::vector<uint32_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return keys[a] < keys[b]; });
  const size_t chunk = std::min(keys.size(), kLookupChunk);
  std::vector<rocksdb::Slice> slices(chunk);
  std::vector<rocksdb::PinnableSlice> values(chunk);
  std::vector<rocksdb::Status> statuses(chunk);
  // Count this thread's block cache hits and block reads: between the two
  // counter reads this thread reads only this family.
  const rocksdb::PerfLevel level = rocksdb::GetPerfLevel();
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableCount);
  rocksdb::PerfContext* perf = rocksdb::get_perf_context();
  const uint64_t hits_before = perf->block_cache_hit_count, reads_before = perf->block_read_count;
  Status error;
  for (size_t begin = 0; begin < keys.size() && error.ok(); begin += kLookupChunk) {
    const size_t n = std::min(kLookupChunk, keys.size() - begin);
    for (size_t j = 0; j < n; ++j) {
      const std::string_view key = keys[order[begin + j]];
      slices[j] = rocksdb::Slice(key.data(), key.size());
      values[j].Reset();
    }
    db->MultiGet(rocksdb::ReadOptions(), cf, n, slices.data(), values.data(), statuses.data(), /*sorted_input=*/true);
    for (size_t j = 0; j < n && error.ok(); ++j) {
      if (statuses[j].IsNotFound()) continue;
      error = statuses[j].ok() ? found(order[begin + j], std::string_view(values[j].data(), values[j].size()))
                               : FromRocks(statuses[j], what);
    }
  }
  *hits += perf->block_cache_hit_count - hits_before;
  *reads += perf->block_read_count - reads_before;
  rocksdb::SetPerfLevel(level);
  return error;
}

}  // namespace kpi::storage
