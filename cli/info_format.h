// FormatInfo: renders storage::StoreInfo for `kpi info`, as an aligned
// report for people or as one JSON object for scripts.
//
// JSON keys: dir, tickets, events, staged_events, min_time, max_time (RFC 3339
// UTC, null for an empty store), partitions, segments, batches,
// segment_bytes, disk_bytes, bytes_per_event (segment bytes / events, null
// when empty), disk_bytes_per_event, dictionaries {column: size},
// caches {segments, dictionary_pages: {entries, bytes, capacity_bytes,
// hits, misses}, dictionaries: {resident, paged, not_loaded,
// resident_values, resident_bytes, indexed, index_bytes, scans}} (this process's caches:
// storage/lru_cache.h, storage/catalog.h), columns [{column, encoding, bytes}],
// definitions {kpis, calendars, ...: count of those that read, unreadable:
// [the warning `show` gives for each stored one that no longer reads]}.
// Thread safety: pure function.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "cli/format.h"
#include "storage/store.h"

namespace kpi::cli {

// `format` is kTable or kJson (kCsv renders as the table).
// "12.0 MB of 2.00 GB in 40 segments, 75.0 % of 80 lookups hit" (`unit`
// names the entries): a cache's line of `kpi info`, also `kpi query --timer`'s.
std::string CacheLine(const storage::CacheStats& c, const char* unit);
// The stored definitions (query/evaluation/definitions.h): how many of
// each kind read, and a description of each one that does not.
struct InfoDefinitions {
  std::vector<std::pair<std::string, size_t>> counts;  // ("kpis", 4), ...
  std::vector<std::string> unreadable;                 // UnreadableDefinition::Describe()
};
std::string FormatInfo(const std::string& dir, const storage::StoreInfo& info, const InfoDefinitions& defs,
                       OutputFormat format);

}  // namespace kpi::cli
