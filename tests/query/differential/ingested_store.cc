#include "query/differential/ingested_store.h"

#include <cstdlib>

namespace kpi::differential {

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoll(v, nullptr, 10);
}

std::unique_ptr<IngestedStore> IngestLog(const RandomLog& data, const std::string& tag, size_t cache_bytes,
                                         std::string* error) {
  auto s = std::make_unique<IngestedStore>(tag);
  storage::StoreOptions options;
  options.sync = false;
  options.cache_bytes = cache_bytes;
  options.max_tickets_per_segment = 16;
  int64_t* clock = &s->now_ms;
  options.clock = [clock] { return *clock; };
  Status st = storage::Store::Open(s->dir.path(), options, &s->store);
  if (!st.ok()) {
    *error = "open: " + st.ToString();
    return nullptr;
  }
  for (const Batch& b : data.batches) {
    s->now_ms = b.ingest_ms;
    std::vector<storage::EventReject> rejects;
    storage::IngestStats stats;
    st = s->store->Ingest(b.events, &rejects, &stats);
    if (!st.ok() || !rejects.empty()) {
      *error = "ingest: " + (st.ok() ? rejects[0].reason : st.ToString());
      return nullptr;
    }
    for (const RawEvent& e : b.events) s->log.emplace_back(e, b.ingest_ms);
    s->batch_times.push_back(b.ingest_ms);
  }
  return s;
}

}  // namespace kpi::differential
