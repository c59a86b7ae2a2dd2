// OpenExistingStore: opens a store directory for the read-mostly commands
// (info, query, repl, serve) without creating one, so a mistyped --db says
// so instead of answering from an empty new store.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "storage/memory_budget.h"
#include "storage/status.h"
#include "storage/store.h"

namespace kpi::cli {

// NotFound naming `dir` when it is missing or empty; InvalidArgument when it
// holds other files (storage::DescribeNotAStore); Open's error otherwise.
// `sync`: fsync staged batches (StoreOptions::sync), for commands that write.
// The store opens read-only and becomes writable on its first write
// (StoreOptions::read_only_until_write): these commands are one client each,
// and one that only reads then writes nothing at open. `kpi serve`, which
// has many clients, passes `read_only_until_write` false. With it true the
// process also stops using transparent huge pages (short-lived, small).
// `budget` (when non-null) sizes the store's caches and memtables
// (storage/memory_budget.h). `keep_segments` false: no decoded segment is
// cached (a process answering one statement never reads one again; keeping
// them only costs page faults and resident memory).
Status OpenExistingStore(const std::string& dir, std::unique_ptr<storage::Store>* store, bool sync = true,
                         bool read_only_until_write = true, const storage::MemoryBudget* budget = nullptr,
                         bool keep_segments = true);

// The `--memory-limit` of the commands that read (serve, query): "none" ->
// no budget (the store's built-in sizes: a 2 GiB segment cache), "auto" ->
// ServeBudget(DefaultMemoryLimit()), else ServeBudget of the parsed size.
// False with *error set when the text is no size or under kMinMemoryLimit.
bool ReadBudgetFromFlag(const std::string& flag, std::optional<storage::MemoryBudget>* budget, std::string* error);

}  // namespace kpi::cli
