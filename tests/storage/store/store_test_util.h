// Helpers for the store tests: random events and a canonical dump of what a
// store holds, so two stores can be compared regardless of how the data was
// laid out (segment numbers, batches).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "storage/raw_event.h"
#include "storage/store.h"

namespace kpi::testing {

// `tickets` tickets with 1..8 events each, dims on `created`, measures on
// replies/ratings, some team transfers; times spread over `days` days.
std::vector<RawEvent> RandomEvents(uint64_t seed, int tickets, int days = 30);

// One line per ticket ("ticket|time event agent dims measures;..."), sorted,
// with strings decoded through the catalog. Ignores batches and segment layout.
std::string DumpStore(const storage::Store& store);

// Totals over the sealed data.
uint64_t CountEvents(const storage::Store& store);
uint64_t CountTickets(const storage::Store& store);

}  // namespace kpi::testing
