// Schema: what the binder reads about the data's columns, whatever backend
// holds the data (the local store's catalog, a ClickHouse cluster's column
// list). The binder resolves names and types through it; dictionary codes
// are only meaningful to the local engine (a backend without codes answers
// FindCode with any non-zero value for a value it may hold, and its
// translator reads the constants' texts, never the codes).
//
//   Columns()           user columns (dimensions and measures) by id
//   FindColumn(name)    one of them, or nullopt
//   FindCode(col, v)    the code of value v of a dictionary column
//                       (storage::kEventColumn, kAgentColumn or a dimension);
//                       0 when the data has never held v (for an event name:
//                       the binder's "never seen" warning)
//   DictionaryValues(c) the values of a dictionary column in code order
//                       (ordering strings by text); may be empty when the
//                       backend does not number values
// Thread safety: const methods, callable from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/catalog.h"

namespace kpi::query {

class Schema {
 public:
  virtual ~Schema() = default;
  virtual std::vector<storage::ColumnInfo> Columns() const = 0;
  virtual std::optional<storage::ColumnInfo> FindColumn(std::string_view name) const = 0;
  virtual uint32_t FindCode(uint32_t column, std::string_view value) const = 0;
  virtual std::vector<std::string> DictionaryValues(uint32_t column) const = 0;
};

// The local store's catalog as a Schema.
class CatalogSchema final : public Schema {
 public:
  explicit CatalogSchema(const storage::Catalog& catalog) : catalog_(catalog) {}
  std::vector<storage::ColumnInfo> Columns() const override { return catalog_.Columns(); }
  std::optional<storage::ColumnInfo> FindColumn(std::string_view name) const override {
    return catalog_.FindColumn(name);
  }
  uint32_t FindCode(uint32_t column, std::string_view value) const override {
    return catalog_.FindCode(column, value);
  }
  std::vector<std::string> DictionaryValues(uint32_t column) const override {
    return catalog_.DictionaryValues(column);
  }

 private:
  const storage::Catalog& catalog_;
};

}  // namespace kpi::query
