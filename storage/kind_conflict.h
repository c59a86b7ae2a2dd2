// Why an event's attribute is refused: the store holds `name` as
// `existing` and the event carries the other kind ("\"csat\" is a dimension
// in this store; got a number"). One wording for every backend's ingest
// (storage/staging.cc, clickhouse/names.cc).
// Thread safety: pure function.
#pragma once

#include <string>
#include <string_view>

#include "storage/catalog.h"

namespace kpi::storage {

inline std::string KindConflictReason(std::string_view name, ColumnKind existing) {
  return "\"" + std::string(name) + "\" is a " + (existing == ColumnKind::kMeasure ? "measure" : "dimension") +
         " in this store; got a " + (existing == ColumnKind::kMeasure ? "string" : "number");
}

}  // namespace kpi::storage
