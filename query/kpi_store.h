// Named KPIs kept in the store's metadata (namespace "kpi", key = name).
//
// Stored value (format 1, text):
//     kpi1 '\n' <defined_at epoch ms, decimal> '\n' <expression text as written>
// The expression is re-parsed on load (as `define kpi <name> = <text>`), so
// the stored form never depends on the AST's layout.
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

std::string EncodeKpi(int64_t defined_at_ms, const std::string& expr_text);
// False when `value` is not a stored KPI.
bool DecodeKpi(const std::string& value, int64_t* defined_at_ms, std::string* expr_text);

// Every stored KPI whose text still parses (the others are reported in *bad).
Status LoadKpis(const storage::Store& store, KpiMap* out, std::vector<std::string>* bad);

}  // namespace kpi::query
