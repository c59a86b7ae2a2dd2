// LookupTable: a small table of facts that are not events (agent roles,
// peer-review scores, per-channel limits), loaded from CSV and joined to
// tickets or events on its key column (`join NAME on <expr>`).
//
// Layout: columnar. Each column is a number column (a double per row, NaN
// where the cell was empty: numbers read from CSV are always finite) or a
// string column (a dictionary code per row, 0 where empty; code c is the
// text dictionary.id(c - 1), in order of first appearance), so the engine
// can treat a table string column like a dictionary-coded event column.
// Types follow the contract (ClassifyCsvCell): a column whose cells are
// numbers or empty is a number column, a column of only empty cells is a
// string column, a column holding both numbers and other strings is a load
// error. Key values are unique and never empty; on a string key column
// every row has its own code, so code = row + 1.
//
// BuildLookupTable errors (InvalidArgument) name the source and line:
//   "agents.csv:1: header: duplicate column name 'role' (columns 2 and 4)"
//   "agents.csv:1: header: no key column 'agent' (columns: id, role)"
//   "agents.csv:7: expected 3 cells as in the header, got 4"
//   "agents.csv:9: column 'score' holds a string ('n/a') here but numbers above (from line 2); ..."
//   "agents.csv:12: duplicate key 'a7' (first on line 3)"
//   "agents.csv:13: empty key (column 'agent')"
// and the CSV syntax errors of ReadCsv. The first error in the file is
// reported, except that repeated number keys are found after the scan.
// Blanks around header names are dropped; cells are typed by
// ClassifyCsvCell (query/catalog/csv_reader.h).
//
// Stored form (EncodeLookupTable, docs/storage-format.md "Lookup tables"):
// a versioned binary value built from the segment codecs
// (storage/codec/codec.h) and closed by an XXH3-64 checksum of every byte
// before it. DecodeLookupTable checks the checksum and every count, code and
// key before it trusts a byte: corrupt input gives Status::Corruption, never
// a crash or a huge allocation.
//
// Thread safety: a built table is immutable; share it as
// std::shared_ptr<const LookupTable> and read it from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/status.h"
#include "storage/string_interner.h"

namespace kpi::query {

// Rows a table may hold (the codecs' block limit: one block per column).
inline constexpr size_t kMaxLookupTableRows = size_t{1} << 24;

enum class TableColumnType : uint8_t { kNumber = 1, kString = 2 };  // FORMAT: stored, never renumber
const char* TableColumnTypeName(TableColumnType type);                // "number", "string"

struct LookupTable {
  struct Column {
    std::string name;
    TableColumnType type = TableColumnType::kString;
    std::vector<double> numbers;           // kNumber: one per row, NaN = null
    std::vector<uint32_t> codes;           // kString: one per row, 0 = null
    storage::StringInterner dictionary;    // kString: code c -> dictionary.id(c - 1)
  };

  std::vector<Column> columns;
  size_t key_column = 0;
  size_t rows = 0;

  // The row whose key equals `key`, or -1. A string key never matches a
  // number key column and a number never matches a string key column.
  int64_t FindRow(std::string_view key) const;
  int64_t FindRow(double key) const;
  // Index of the column called `name`, or -1.
  int ColumnIndex(std::string_view name) const;

  bool IsNull(size_t column, size_t row) const;
  // The text of a string cell ("" when null).
  std::string_view Text(size_t column, size_t row) const;

  const Column& key() const { return columns[key_column]; }
  // Approximate heap bytes held (vectors, dictionary strings and slots).
  size_t MemoryBytes() const;

  // (key, row) sorted by key, for a number key column; built by the builder
  // and the decoder (use FindRow).
  std::vector<std::pair<double, uint32_t>> number_keys;
};

// Parses `csv` (header first) into *out, keyed on `key_column`. `source`
// names the input in errors (a file name, "<stdin>", "request body").
Status BuildLookupTable(std::string_view csv, const std::string& source, const std::string& key_column,
                        LookupTable* out);

// [A-Za-z_][A-Za-z0-9_]*: a table or column name the language takes unquoted.
bool IsPlainName(std::string_view name);

// What `show tables` prints about a table, e.g.
// "key=agent rows=1234 columns=agent:string,role:string,score:number"
// (a column name that is not an identifier is written double-quoted).
std::string DescribeLookupTable(const LookupTable& table);

std::string EncodeLookupTable(const LookupTable& table);
Status DecodeLookupTable(std::string_view bytes, LookupTable* out);

}  // namespace kpi::query
