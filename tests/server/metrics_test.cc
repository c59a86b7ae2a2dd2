// Prometheus rendering of the server metrics.
#include "server/metrics.h"

#include <gtest/gtest.h>

namespace kpi::server {
namespace {

bool Has(const std::string& text, const std::string& line) { return text.find(line) != std::string::npos; }

TEST(MetricsTest, CountersAndHistogram) {
  Metrics m;
  m.RecordRequest(Endpoint::kQuery, 200, 0.003);
  m.RecordRequest(Endpoint::kQuery, 200, 0.2);
  m.RecordRequest(Endpoint::kQuery, 504, 31);
  m.RecordRequest(Endpoint::kEvents, 299, 0.001);  // unlisted status
  m.AddEventsIngested(10, 2, 3);
  m.SetStoreGauges(4096, 10);
  EXPECT_EQ(m.RequestCount(Endpoint::kQuery, 200), 2u);
  std::string text = m.RenderPrometheus();
  EXPECT_TRUE(Has(text, "kpi_http_requests_total{endpoint=\"query\",status=\"200\"} 2\n"));
  EXPECT_TRUE(Has(text, "kpi_http_requests_total{endpoint=\"query\",status=\"504\"} 1\n"));
  EXPECT_TRUE(Has(text, "kpi_http_requests_total{endpoint=\"events\",status=\"other\"} 1\n"));
  EXPECT_TRUE(Has(text, "# TYPE kpi_http_request_duration_seconds histogram\n"));
  // Buckets are cumulative: 0.003 s is in le=0.005 and above; 0.2 s from le=0.25.
  EXPECT_TRUE(Has(text, "kpi_http_request_duration_seconds_bucket{endpoint=\"query\",le=\"0.0025\"} 0\n"));
  EXPECT_TRUE(Has(text, "kpi_http_request_duration_seconds_bucket{endpoint=\"query\",le=\"0.005\"} 1\n"));
  EXPECT_TRUE(Has(text, "kpi_http_request_duration_seconds_bucket{endpoint=\"query\",le=\"0.25\"} 2\n"));
  EXPECT_TRUE(Has(text, "kpi_http_request_duration_seconds_bucket{endpoint=\"query\",le=\"30\"} 2\n"));
  EXPECT_TRUE(Has(text, "kpi_http_request_duration_seconds_bucket{endpoint=\"query\",le=\"+Inf\"} 3\n"));
  EXPECT_TRUE(Has(text, "kpi_http_request_duration_seconds_count{endpoint=\"query\"} 3\n"));
  EXPECT_TRUE(Has(text, "kpi_http_request_duration_seconds_sum{endpoint=\"query\"} 31.203000\n"));
  EXPECT_TRUE(Has(text, "kpi_events_ingested_total 10\n"));
  EXPECT_TRUE(Has(text, "kpi_events_rejected_total 3\n"));
  EXPECT_TRUE(Has(text, "kpi_store_bytes 4096\n"));
}

}  // namespace
}  // namespace kpi::server
