// One cell of a result as the watch tables store it (run history, alert
// records, row keys): null, true/false, numbers (durations in seconds; NaN
// and infinities as null), times as epoch milliseconds, strings. Shared by
// query/watch/watch_runs.cc and query/watch/alerts.cc only.
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "query/result.h"

namespace kpi::query {

nlohmann::json StoredCell(const Value& v);
// "number" -> kNumber (ValueTypeName's names); false for anything else.
bool ValueTypeFromName(const std::string& name, ValueType* type);
// The cell back, for a column of type `type`; null when the JSON does not fit it.
Value CellFromStored(const nlohmann::json& j, ValueType type);

}  // namespace kpi::query
