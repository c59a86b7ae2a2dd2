// Shared pieces of the server tests: a scratch store, NDJSON lines, and
// QueryRunners that stand in for the engine (so the HTTP layer is tested
// without it; engine_http_test.cc runs the real one).
#pragma once

#include <memory>
#include <string>

#include "server/router.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::server::testing {

// One NDJSON event line of ticket `ticket` (with its own id, so re-posting
// it is a duplicate), newline-terminated.
std::string EventLine(int ticket, const std::string& event = "created", int minute = 0);
// `n` created events for tickets first .. first + n - 1.
std::string EventLines(int first, int n);

// Answers every statement with one row, one number: the events sealed in the
// store (summed over the segments of a fresh snapshot), like `count()`.
QueryRunner CountEventsRunner(storage::Store* store);

struct ScratchStore {
  ScratchStore();
  kpi::testing::ScratchDir dir{"kpi-server"};
  std::unique_ptr<storage::Store> store;
};

}  // namespace kpi::server::testing
