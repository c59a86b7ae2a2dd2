// Server metrics (see server/metrics.h).
#include "server/metrics.h"

#include <cmath>
#include <cstdio>

namespace kpi::server {

const char* EndpointName(Endpoint e) {
  switch (e) {
    case Endpoint::kQuery: return "query";
    case Endpoint::kEvents: return "events";
    case Endpoint::kKpis: return "kpis";
    case Endpoint::kTables: return "tables";
    case Endpoint::kTargets: return "targets";
    case Endpoint::kHealth: return "health";
    case Endpoint::kMetrics: return "metrics";
    case Endpoint::kBackup: return "backup";
    case Endpoint::kAlerts: return "alerts";
    case Endpoint::kUi: return "ui";
    case Endpoint::kComplete: return "complete";
    case Endpoint::kExemptions: return "exemptions";
    case Endpoint::kDashboards: return "dashboards";
    case Endpoint::kOther:
    case Endpoint::kCount: break;
  }
  return "other";
}

Metrics::Metrics() {
  for (auto& row : requests_) for (auto& c : row) c.store(0);
  for (auto& row : buckets_) for (auto& c : row) c.store(0);
  for (auto& c : duration_sum_us_) c.store(0);
}

size_t Metrics::StatusIndex(int status) {
  for (size_t i = 0; i + 1 < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) return i;
  }
  return kStatuses.size() - 1;
}

void Metrics::RecordRequest(Endpoint endpoint, int status, double seconds) {
  size_t e = static_cast<size_t>(endpoint);
  if (e >= kEndpoints) e = static_cast<size_t>(Endpoint::kOther);
  requests_[e][StatusIndex(status)].fetch_add(1, std::memory_order_relaxed);
  if (!(seconds >= 0)) seconds = 0;  // NaN or negative from a clock step
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  buckets_[e][b].fetch_add(1, std::memory_order_relaxed);
  duration_sum_us_[e].fetch_add(static_cast<uint64_t>(std::llround(seconds * 1e6)), std::memory_order_relaxed);
}

void Metrics::AddEventsIngested(uint64_t accepted, uint64_t duplicates, uint64_t rejected) {
  events_ingested_.fetch_add(accepted, std::memory_order_relaxed);
  events_duplicate_.fetch_add(duplicates, std::memory_order_relaxed);
  events_rejected_.fetch_add(rejected, std::memory_order_relaxed);
}

void Metrics::SetStoreGauges(uint64_t bytes, uint64_t events) {
  store_bytes_.store(bytes, std::memory_order_relaxed);
  store_events_.store(events, std::memory_order_relaxed);
}

uint64_t Metrics::RequestCount(Endpoint endpoint, int status) const {
  size_t e = static_cast<size_t>(endpoint);
  if (e >= kEndpoints) return 0;
  return requests_[e][StatusIndex(status)].load(std::memory_order_relaxed);
}

std::string Metrics::RenderPrometheus() const {
  std::string out;
  char line[256];
  auto add = [&](const char* fmt, auto... args) {
    std::snprintf(line, sizeof line, fmt, args...);
    out += line;
  };
  out += "# HELP kpi_http_requests_total HTTP requests answered, by endpoint and status code.\n";
  out += "# TYPE kpi_http_requests_total counter\n";
  for (size_t e = 0; e < kEndpoints; ++e) {
    for (size_t s = 0; s < kStatuses.size(); ++s) {
      uint64_t n = requests_[e][s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      const char* name = EndpointName(static_cast<Endpoint>(e));
      if (kStatuses[s] == 0) {
        add("kpi_http_requests_total{endpoint=\"%s\",status=\"other\"} %llu\n", name,
            static_cast<unsigned long long>(n));
      } else {
        add("kpi_http_requests_total{endpoint=\"%s\",status=\"%d\"} %llu\n", name, kStatuses[s],
            static_cast<unsigned long long>(n));
      }
    }
  }
  out += "# HELP kpi_http_request_duration_seconds Time from a complete request to its response.\n";
  out += "# TYPE kpi_http_request_duration_seconds histogram\n";
  for (size_t e = 0; e < kEndpoints; ++e) {
    const char* name = EndpointName(static_cast<Endpoint>(e));
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += buckets_[e][b].load(std::memory_order_relaxed);
      if (b < kBuckets.size()) {
        add("kpi_http_request_duration_seconds_bucket{endpoint=\"%s\",le=\"%g\"} %llu\n", name, kBuckets[b],
            static_cast<unsigned long long>(cumulative));
      } else {
        add("kpi_http_request_duration_seconds_bucket{endpoint=\"%s\",le=\"+Inf\"} %llu\n", name,
            static_cast<unsigned long long>(cumulative));
      }
    }
    add("kpi_http_request_duration_seconds_sum{endpoint=\"%s\"} %.6f\n", name,
        static_cast<double>(duration_sum_us_[e].load(std::memory_order_relaxed)) / 1e6);
    add("kpi_http_request_duration_seconds_count{endpoint=\"%s\"} %llu\n", name,
        static_cast<unsigned long long>(cumulative));
  }
  auto gauge = [&](const char* metric, const char* type, const char* help, unsigned long long value) {
    add("# HELP %s %s\n# TYPE %s %s\n%s %llu\n", metric, help, metric, type, metric, value);
  };
  gauge("kpi_events_ingested_total", "counter", "Events newly stored through POST /v1/events.",
        events_ingested_.load(std::memory_order_relaxed));
  gauge("kpi_events_duplicate_total", "counter", "Events POSTed that the store already held.",
        events_duplicate_.load(std::memory_order_relaxed));
  gauge("kpi_events_rejected_total", "counter", "Event lines refused by POST /v1/events.",
        events_rejected_.load(std::memory_order_relaxed));
  int64_t conns = connections_.load(std::memory_order_relaxed);
  gauge("kpi_http_connections", "gauge", "Open client connections.",
        static_cast<unsigned long long>(conns < 0 ? 0 : conns));
  gauge("kpi_store_bytes", "gauge", "Bytes of the store directory on disk (refreshed every few seconds).",
        store_bytes_.load(std::memory_order_relaxed));
  gauge("kpi_store_events", "gauge", "Events sealed in the store (refreshed every few seconds).",
        store_events_.load(std::memory_order_relaxed));
  std::lock_guard<std::mutex> lock(sources_mu_);
  for (const auto& source : sources_) out += source();
  return out;
}

void Metrics::AddSource(std::function<std::string()> render) {
  std::lock_guard<std::mutex> lock(sources_mu_);
  sources_.push_back(std::move(render));
}

}  // namespace kpi::server
