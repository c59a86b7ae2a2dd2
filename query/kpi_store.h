// Named KPIs kept in the store's metadata, with their history.
//
// Current definitions: namespace "kpi", key = name. History: namespace
// "kpi_history", key = name '\n' <16 hex digits of the instant>, one entry
// per define (the definition) and per drop (a tombstone), written in the
// same atomic write as the current definition. `as of T` evaluates named
// KPIs as they were defined at T, so a report rerun later gives the answer
// it gave then. Instants come from the store's clock (Store::NowMs), the
// same clock that stamps ingest batches.
//
// Stored values (format 1, text):
//     kpi1 '\n' <defined_at epoch ms, decimal> '\n' <expression text as written>
//     kpi1-dropped '\n' <dropped_at epoch ms, decimal>        (history only)
// The expression is re-parsed on load (as `define kpi <name> = <text>`), so
// the stored form never depends on the AST's layout. Stores written before
// the history existed have no history entries: their current definitions
// count from their defined_at.
// Thread safety: functions over a Store, which serializes metadata access.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "query/binder.h"
#include "storage/status.h"

namespace kpi::storage {
class Store;
}

namespace kpi::query {

inline constexpr const char* kKpiNamespace = "kpi";
inline constexpr const char* kKpiHistoryNamespace = "kpi_history";

std::string EncodeKpi(int64_t defined_at_ms, const std::string& expr_text);
// False when `value` is not a stored KPI.
bool DecodeKpi(const std::string& value, int64_t* defined_at_ms, std::string* expr_text);

// Defines (or redefines) `name` at `at_ms`: current definition and history.
Status SaveKpi(storage::Store* store, const std::string& name, const std::string& expr_text, int64_t at_ms);
// Drops `name` at `at_ms` (the caller checked it exists).
Status DropKpi(storage::Store* store, const std::string& name, int64_t at_ms);

// Every stored KPI whose text still parses (the others are reported in *bad).
Status LoadKpis(const storage::Store& store, KpiMap* out, std::vector<std::string>* bad);
// The KPIs as they were defined at `as_of_ms` (latest define at or before
// it, unless a later drop at or before it removed the KPI). `current` is
// LoadKpis's result, for definitions older than the history.
Status LoadKpisAsOf(const storage::Store& store, int64_t as_of_ms, const KpiMap& current, KpiMap* out,
                    std::vector<std::string>* bad);

}  // namespace kpi::query
