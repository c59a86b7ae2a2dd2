// Lookup-table joins (`join NAME on <key>`, `NAME.column`) in ClickHouse
// SQL: the table travels inside the statement as array literals, so every
// shard looks rows up locally (docs/scale-out.md, "Queries").
//
//   LookupKeys(table)          the key column as an array literal, in row
//                              order: strings quoted, numbers as Float64
//   LookupValues(table, c)     column c's cells, in row order (a null cell
//                              is '' or 0; LookupNulls says which)
//   LookupNulls(table, c)      "" when column c has no null cell, else a
//                              UInt8 array literal: 1 where the cell is null
//   LookupIndex(table, key, t) the 1-based row whose key equals `key` (SQL
//                              of type t), 0 for none: the local engine's
//                              rule (query/execution/eval_functions.cc): a
//                              string matches a string key column, a number
//                              (or a duration, in seconds) a number key
//                              column, anything else and null match nothing
// A table with no rows matches nothing ("0").
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>

#include "query/catalog/lookup_table.h"
#include "query/result.h"

namespace kpi::clickhouse {

std::string LookupKeys(const query::LookupTable& table);
std::string LookupValues(const query::LookupTable& table, size_t column);
std::string LookupNulls(const query::LookupTable& table, size_t column);
// `keys`: LookupKeys's literal (or an alias of it).
std::string LookupIndex(const query::LookupTable& table, const std::string& keys, const std::string& key,
                        query::ValueType type);

}  // namespace kpi::clickhouse
