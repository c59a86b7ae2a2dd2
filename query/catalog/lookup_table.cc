// LookupTable's lookups and description (see query/catalog/lookup_table.h);
// building from CSV is in lookup_table_build.cc, the stored form in
// lookup_table_codec.cc.
#include "query/catalog/lookup_table.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "query/parser/x3/literals.h"

namespace kpi::query {

bool IsPlainName(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

const char* TableColumnTypeName(TableColumnType type) {
  return type == TableColumnType::kNumber ? "number" : "string";
}

int64_t LookupTable::FindRow(std::string_view key) const {
  if (columns.empty() || columns[key_column].type != TableColumnType::kString) return -1;
  const uint32_t index = columns[key_column].dictionary.Find(key);
  return index == storage::StringInterner::kAbsent ? -1 : static_cast<int64_t>(index);  // code - 1 == row
}

int64_t LookupTable::FindRow(double key) const {
  if (columns.empty() || columns[key_column].type != TableColumnType::kNumber) return -1;
  auto it = std::lower_bound(number_keys.begin(), number_keys.end(), key,
                             [](const std::pair<double, uint32_t>& e, double k) { return e.first < k; });
  if (it == number_keys.end() || it->first != key) return -1;
  return it->second;
}

int LookupTable::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

bool LookupTable::IsNull(size_t column, size_t row) const {
  const Column& c = columns[column];
  return c.type == TableColumnType::kNumber ? std::isnan(c.numbers[row]) : c.codes[row] == 0;
}

std::string_view LookupTable::Text(size_t column, size_t row) const {
  const Column& c = columns[column];
  if (c.type != TableColumnType::kString || c.codes[row] == 0) return {};
  return c.dictionary.id(c.codes[row] - 1);
}

size_t LookupTable::MemoryBytes() const {
  size_t bytes = sizeof(*this) + number_keys.capacity() * sizeof(number_keys[0]);
  for (const Column& c : columns) {
    bytes += sizeof(c) + c.name.capacity() + c.numbers.capacity() * sizeof(double) +
             c.codes.capacity() * sizeof(uint32_t);
    // Each text: its std::string, its heap bytes past the inline buffer, and
    // the interner's slots (8 bytes, at most half full: ~16 per text).
    for (const std::string& s : c.dictionary.ids()) {
      bytes += sizeof(std::string) + 16 + (s.size() > 15 ? s.capacity() + 1 : 0);
    }
  }
  return bytes;
}

std::string DescribeLookupTable(const LookupTable& table) {
  auto name = [](const std::string& n) { return IsPlainName(n) ? n : x3p::QuoteString(n); };
  std::string out = "key=" + (table.columns.empty() ? std::string() : name(table.key().name)) +
                    " rows=" + std::to_string(table.rows) + " columns=";
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (i > 0) out += ',';
    out += name(table.columns[i].name) + ":" + TableColumnTypeName(table.columns[i].type);
  }
  return out;
}

}  // namespace kpi::query
