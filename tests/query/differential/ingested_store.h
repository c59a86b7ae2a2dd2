// The differential tests' common setup: a scratch store holding a random log
// (random_data.h) ingested batch by batch at the batches' instants through a
// settable clock, next to the reference's copy of the same events; and
// reading the tests' environment knobs.
// Thread safety: one IngestedStore per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "query/differential/random_data.h"
#include "query/reference/reference_tickets.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::differential {

// The variable as an integer, `fallback` when unset or empty.
int64_t EnvInt(const char* name, int64_t fallback);

struct IngestedStore {
  explicit IngestedStore(const std::string& tag) : dir(tag) {}
  kpi::testing::ScratchDir dir;
  int64_t now_ms = 0;  // the store's clock: set it before a define / load
  std::unique_ptr<storage::Store> store;
  reference::EventLog log;
  std::vector<int64_t> batch_times;
};

// Null with *error when the store does not open, a batch fails or an event
// is rejected. Many small segments (16 tickets), so pruning is exercised.
std::unique_ptr<IngestedStore> IngestLog(const RandomLog& data, const std::string& tag, size_t cache_bytes,
                                         std::string* error);

}  // namespace kpi::differential
