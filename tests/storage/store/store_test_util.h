// Helpers for the store tests: random events and a canonical dump of what a
// store holds, so two stores can be compared regardless of how the data was
// laid out (segment numbers, batches).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "storage/raw_event.h"
#include "storage/store.h"

namespace kpi::testing {

// `tickets` tickets with 1..8 events each, dims on `created`, measures on
// replies/ratings, some team transfers; times spread over `days` days.
std::vector<RawEvent> RandomEvents(uint64_t seed, int tickets, int days = 30);

// Options of the layout tests: no fsync, `tickets_per_segment` tickets per
// segment, up to `max_deltas` delta parts per segment, and a clock that
// ticks 1 ms per reading from the same instant in every store, so two stores
// fed the same batches get the same batch times (and `as of` answers).
storage::StoreOptions TickingStoreOptions(uint32_t tickets_per_segment, uint32_t max_deltas);

// `items` cut into runs of `size` (the last may be shorter): batches of
// events, seals of batches.
template <typename T>
std::vector<std::vector<T>> Chunks(const std::vector<T>& items, size_t size) {
  std::vector<std::vector<T>> out;
  for (size_t i = 0; i < items.size(); i += size)
    out.emplace_back(items.begin() + static_cast<std::ptrdiff_t>(i),
                     items.begin() + static_cast<std::ptrdiff_t>(std::min(items.size(), i + size)));
  return out;
}

// One line per ticket ("ticket|time event agent dims measures;..."), sorted,
// with strings decoded through the catalog. Ignores batches and segment layout.
std::string DumpStore(const storage::Store& store);

// Totals over the sealed data.
uint64_t CountEvents(const storage::Store& store);
uint64_t CountTickets(const storage::Store& store);

// The options of the crash tests' stores: 64 tickets per segment, no ticket
// index, value index or dictionary page cache, dictionaries of more than 2
// values paged (issue 13).
storage::StoreOptions TinyCacheOptions();
// The child of the crash tests: opens `dir` (TinyCacheOptions()) and
// stages batch(k) for k = first, first + 1, ... forever, each with the
// checkpoint ("ingest_checkpoint", "input") = k in the same write, reports k
// once durable, and seals after every odd k (kills land in staging and in
// sealing). With `spill`, staged events are spilled (Store::SpillStaged), a
// seal every fourth k reads them back from disk in small partition groups
// and in several runs (StoreOptions::spilled_seal_bytes).
[[noreturn]] void StageForever(const std::string& dir, int first, int report_fd,
                               const std::function<std::vector<RawEvent>(int)>& batch, bool spill = false);

}  // namespace kpi::testing
