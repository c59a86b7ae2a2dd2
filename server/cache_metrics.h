// The store's cache gauges of GET /metrics (Prometheus text format 0.0.4),
// a Metrics source (server/metrics.h, AddSource):
//
//   kpi_segment_cache_bytes, _capacity_bytes, _entries       gauges
//   kpi_segment_cache_hits_total, _misses_total              counters
//   kpi_dictionary_page_cache_bytes, _capacity_bytes, _entries, _hits_total, _misses_total
//   kpi_dictionaries{state="resident|paged|not_loaded"}      gauge
//   kpi_dictionary_resident_bytes, kpi_dictionary_index_bytes gauges
//   kpi_dictionary_page_scans_total                          counter
//
// From storage::Store::SegmentCacheStats and Catalog::Stats (cheap: no
// segment is read). docs/server-api.md, "Metrics".
// Thread safety: as the Store's const methods (any thread).
#pragma once

#include <string>

#include "storage/store.h"

namespace kpi::server {

std::string RenderCacheMetrics(const storage::Store& store);

}  // namespace kpi::server
