// Metrics: the server's own counters, rendered in the Prometheus text
// exposition format (version 0.0.4) by GET /metrics.
//
//   kpi_http_requests_total{endpoint,status}        counter
//   kpi_http_request_duration_seconds{endpoint}     histogram
//   kpi_events_ingested_total                       counter (new events sealed)
//   kpi_events_duplicate_total                      counter
//   kpi_events_rejected_total                       counter (bad lines + store rejects)
//   kpi_http_connections                            gauge (open connections)
//   kpi_store_bytes, kpi_store_events               gauges (set by the router from Store::GetInfo)
//   kpistore_watch_*, kpistore_webhook_*            added sources (server/watch_metrics.h)
//
// Endpoints are a fixed set (Endpoint below), so label cardinality stays
// bounded whatever paths clients send. Status codes outside the known list
// are counted under status="other".
// Thread safety: every method may be called from any thread; counters are
// relaxed atomics (a scrape may see one counter a request ahead of another).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace kpi::server {

enum class Endpoint : int {
  kQuery, kEvents, kKpis, kTables, kTargets, kHealth, kMetrics, kBackup, kAlerts,
  kUi, kComplete, kExemptions, kDashboards,  // the web UI's files and reads
  kOther, kCount
};

// "query", "events", "kpis", "tables", "targets", "health", "metrics", "backup", "alerts",
// "ui", "complete", "exemptions", "dashboards", "other"
const char* EndpointName(Endpoint e);

class Metrics {
 public:
  Metrics();

  void RecordRequest(Endpoint endpoint, int status, double seconds);
  void AddEventsIngested(uint64_t accepted, uint64_t duplicates, uint64_t rejected);
  void SetStoreGauges(uint64_t bytes, uint64_t events);
  void ConnectionOpened() { connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { connections_.fetch_sub(1, std::memory_order_relaxed); }

  uint64_t RequestCount(Endpoint endpoint, int status) const;
  uint64_t events_ingested() const { return events_ingested_.load(std::memory_order_relaxed); }
  uint64_t events_rejected() const { return events_rejected_.load(std::memory_order_relaxed); }

  std::string RenderPrometheus() const;
  // More metric families, appended to every rendering (the watch gauges,
  // server/watch_scheduler.h; the webhook counters). `render` returns
  // complete text-format lines and must outlive the Metrics' use.
  void AddSource(std::function<std::string()> render);

  // Histogram bucket upper bounds in seconds (an implicit +Inf follows).
  static constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,    0.25,  0.5,    1,     2.5,  10,    30};
  static constexpr std::array<int, 16> kStatuses = {200, 304, 400, 401, 403, 404, 405, 408, 413,
                                                    415, 422, 431, 500, 503, 504, 0 /*other*/};

 private:
  static constexpr size_t kEndpoints = static_cast<size_t>(Endpoint::kCount);
  static size_t StatusIndex(int status);

  std::array<std::array<std::atomic<uint64_t>, kStatuses.size()>, kEndpoints> requests_;
  std::array<std::array<std::atomic<uint64_t>, kBuckets.size() + 1>, kEndpoints> buckets_;  // non-cumulative
  std::array<std::atomic<uint64_t>, kEndpoints> duration_sum_us_;
  std::atomic<uint64_t> events_ingested_{0}, events_duplicate_{0}, events_rejected_{0};
  std::atomic<uint64_t> store_bytes_{0}, store_events_{0};
  std::atomic<int64_t> connections_{0};
  mutable std::mutex sources_mu_;
  std::vector<std::function<std::string()>> sources_;  // GUARDED_BY(sources_mu_)
};

}  // namespace kpi::server
