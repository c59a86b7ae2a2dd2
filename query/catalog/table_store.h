// Lookup tables kept in the store: definitions in the catalog of
// definitions (query/catalog/definition_store.h, kind kTable), data beside
// them, both versioned.
//
// A load (`kpi table load`, PUT /v1/tables/NAME) at instant T writes, in ONE
// atomic metadata write:
//   table          NAME                  the current definition: its text is
//                                        the descriptor ("key=agent rows=3
//                                        columns=agent:string,role:string")
//   table_history  NAME '\n' <hex T>     the same (one entry per load and drop)
//   table_data     NAME '\n' <hex T>     the encoded table (EncodeLookupTable)
// so a reader sees the old table or the new one, never a mix. Old data stays
// (a drop writes only the definition's tombstone): a definition loaded at T
// finds its data under T, so `as of` sees a table as it was
// (LoadDefinitionsAsOf + LoadTable). A failed load changes nothing.
//
// Loaded tables are shared through a small process-wide cache keyed by the
// store, the name and the instant of the definition, so a query does not
// decode a million rows again.
// Thread safety: every function may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "query/catalog/definition_store.h"
#include "query/catalog/lookup_table.h"
#include "storage/status.h"

namespace kpi::query {

inline constexpr const char* kTableDataNamespace = "table_data";

// OK when `name` is an identifier ([A-Za-z_][A-Za-z0-9_]*, at most 128
// bytes) that is not a reserved word; InvalidArgument saying why otherwise.
Status CheckTableName(const std::string& name);

// Saves `table` as the definition of `name` at `at_ms` (the store's clock,
// Store::NowMs()), replacing any earlier one.
Status SaveTable(const MetaWriter& store, const std::string& name, const LookupTable& table, int64_t at_ms);
// Drops `name` at `at_ms`; NotFound ("no table named x") when it is not defined.
Status DropTable(const MetaWriter& store, const std::string& name, int64_t at_ms);

// The data of a table definition (from LoadDefinitions / LoadDefinitionsAsOf
// of kind kTable). Corruption when the data is missing or does not decode.
Status LoadTable(const MetaReader& store, const StoredDefinition& def, std::shared_ptr<const LookupTable>* out);

// The table `name` as currently defined, or (as_of_ms >= 0) as it was at
// as_of_ms. NotFound when it is not defined (then).
Status LoadTableNamed(const MetaReader& store, const std::string& name, int64_t as_of_ms,
                      std::shared_ptr<const LookupTable>* out);

struct TableLoadReport {
  std::string name;
  std::string descriptor;  // the definition's text
  size_t rows = 0;
  std::vector<std::pair<std::string, TableColumnType>> columns;  // in header order
  std::string key_column;
  size_t stored_bytes = 0;  // the encoded table
  int64_t defined_at_ms = 0;
};

// Parses `csv_text` (errors name `source` and the line), checks it and saves
// it as table `name` keyed on `key_column` at `at_ms`. Nothing is written
// unless everything is valid.
Status LoadTableCsvIntoStore(const MetaWriter& store, const std::string& name, const std::string& key_column,
                             std::string_view csv_text, const std::string& source, int64_t at_ms,
                             TableLoadReport* report);

}  // namespace kpi::query
