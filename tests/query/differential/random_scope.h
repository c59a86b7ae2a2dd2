// Random token scopes (query/execution/scope.h) for the scope differential
// tests (tests/query/differential/scope_differential_test.cc and the
// ClickHouse backend's tests/clickhouse/differential_test.cc): one of
//   d = "v"   d in ("v", "w")   d != "v"   d is null or d = "v"
//   not (d = "v") and e is not null
// over the dimensions and values the tickets carry (latest values, as a
// scope reads them), so most scopes keep some tickets and drop others.
// Thread safety: pure function of its arguments (advances *rng).
#pragma once

#include <random>
#include <string>

#include "query/reference/reference_tickets.h"

namespace kpi::differential {

std::string RandomScope(std::mt19937_64* rng, const reference::RefStore& tickets);

}  // namespace kpi::differential
