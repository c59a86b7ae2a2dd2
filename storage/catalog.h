// Catalog: the store's schema and string dictionaries.
//
// Columns: two built-in dictionary columns (event names, agents) and every
// dimension or measure name ever ingested. The kind of a name is fixed by its
// first use; a later line using it with the other kind is rejected by ingest.
// Dictionaries map each distinct string of a column to a dense code >= 1, in
// order of first appearance; codes never change once assigned. Persisted in
// the catalog column family, keyed by the string's xxHash (storage-format.md).
//
// Thread safety: all const methods may be called concurrently with each other
// and with the Store adding entries (a shared mutex guards the maps). Codes and
// ids returned stay valid forever.
#pragma once

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/string_interner.h"

namespace kpi::storage {

// FORMAT: stored values; never renumber.
enum class ColumnKind : uint8_t {
  kDimension = 1,  // string values, dictionary coded
  kMeasure = 2,    // numeric values
};

inline constexpr uint32_t kEventColumn = 1;   // dictionary of event names
inline constexpr uint32_t kAgentColumn = 2;   // dictionary of agents
inline constexpr uint32_t kFirstUserColumn = 16;

struct ColumnInfo {
  uint32_t id = 0;
  std::string name;
  ColumnKind kind = ColumnKind::kDimension;
};

class Catalog {
 public:
  Catalog();

  // User columns (dimensions and measures), by id.
  std::vector<ColumnInfo> Columns() const;
  std::optional<ColumnInfo> FindColumn(std::string_view name) const;

  // Code of `value` in the dictionary of `column`, or 0 if never seen.
  uint32_t FindCode(uint32_t column, std::string_view value) const;
  // The string of `code` in `column`'s dictionary; "" for 0 or unknown codes.
  std::string Decode(uint32_t column, uint32_t code) const;
  // Number of codes assigned in `column` (the largest code).
  uint32_t DictionarySize(uint32_t column) const;
  // All values of `column`, index i holding code i + 1.
  std::vector<std::string> DictionaryValues(uint32_t column) const;
  // Values of codes [first, first + count) that exist (fewer at the end).
  std::vector<std::string> DictionaryRange(uint32_t column, uint32_t first, uint32_t count) const;

  // --- mutation (used by the Store while ingesting; callers hold no lock) ---
  // Returns the column id of `name`, adding it as `kind` if new. Fails (returns
  // false, sets *existing_kind) if the name exists with the other kind.
  bool GetOrAddColumn(std::string_view name, ColumnKind kind, uint32_t* id, ColumnKind* existing_kind,
                      bool* added);
  // Returns the code of `value`, assigning the next one if new (*added = true).
  uint32_t GetOrAddCode(uint32_t column, std::string_view value, bool* added);
  // Restores persisted state (Store::Open); no checks beyond consistency.
  void RestoreColumn(const ColumnInfo& info);
  bool RestoreCode(uint32_t column, uint32_t code, std::string_view value);  // false: not the next code, or a repeat

 private:
  struct Dictionary {
    StringInterner values;  // code = index + 1
  };
  Dictionary* DictionaryFor(uint32_t column);  // requires mu_ held exclusively
  const Dictionary* DictionaryFor(uint32_t column) const;

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, ColumnInfo> columns_by_name_;  // GUARDED_BY(mu_)
  std::unordered_map<uint32_t, Dictionary> dictionaries_;         // GUARDED_BY(mu_)
  uint32_t next_column_id_ = kFirstUserColumn;                   // GUARDED_BY(mu_)
};

}  // namespace kpi::storage
