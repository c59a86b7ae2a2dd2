// BuildLookupTable: CSV text -> LookupTable, with every load error of the
// contract naming its line (see query/catalog/lookup_table.h).
#include <algorithm>
#include <cmath>
#include <limits>

#include "query/catalog/csv_reader.h"
#include "query/catalog/lookup_table.h"
#include "query/parser/x3/literals.h"

namespace kpi::query {

namespace {

// `text` in single quotes, cut after 40 bytes (on a UTF-8 boundary).
std::string Shown(std::string_view text) {
  if (text.size() <= 40) return "'" + std::string(text) + "'";
  size_t cut = 40;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return "'" + std::string(text.substr(0, cut)) + "...'";
}

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

class Builder {
 public:
  Builder(std::string_view csv, const std::string& source, const std::string& key_column, LookupTable* out)
      : source_(source), key_name_(key_column), table_(out) {
    // Room for every line up front: no vector regrows while a million rows arrive.
    expected_rows_ = static_cast<size_t>(std::count(csv.begin(), csv.end(), '\n')) + 1;
    expected_rows_ = std::min(expected_rows_, kMaxLookupTableRows);
  }

  bool OnRecord(const CsvRecord& record, std::string* why) {
    return header_seen_ ? Row(record, why) : Header(record, why);
  }

  Status Finish();

 private:
  struct Typing {
    bool typed = false;      // a non-empty cell was seen
    int64_t first_line = 0;  // the line of that cell
  };

  std::string Where(int64_t line) const { return CsvWhere(source_, line); }
  bool Header(const CsvRecord& record, std::string* why);
  bool Row(const CsvRecord& record, std::string* why);
  // A non-empty cell of type `type` in column `c`; false on a type conflict.
  bool Type(size_t c, TableColumnType type, int64_t line, std::string_view cell, std::string* why);

  const std::string& source_;
  const std::string& key_name_;
  LookupTable* table_;
  size_t expected_rows_ = 0;
  bool header_seen_ = false;
  std::vector<Typing> typing_;
  std::vector<int64_t> row_lines_;  // line of each row, for errors found after the scan
};

bool Builder::Header(const CsvRecord& record, std::string* why) {
  header_seen_ = true;
  const std::string where = Where(record.line);
  std::vector<LookupTable::Column>& columns = table_->columns;
  int key = -1;
  for (size_t i = 0; i < record.cells.size(); ++i) {
    const std::string_view name = TrimBlanks(record.cells[i]);
    if (name.empty()) {
      *why = where + "header: column " + std::to_string(i + 1) + " has no name";
      return false;
    }
    for (size_t j = 0; j < columns.size(); ++j) {
      if (columns[j].name == name) {
        *why = where + "header: duplicate column name '" + std::string(name) + "' (columns " + std::to_string(j + 1) +
               " and " + std::to_string(i + 1) + ")";
        return false;
      }
    }
    columns.emplace_back().name = std::string(name);
    if (name == key_name_) key = static_cast<int>(i);
  }
  if (key < 0) {
    std::string names;
    for (const auto& c : columns) names += (names.empty() ? "" : ", ") + c.name;
    *why = where + "header: no key column '" + key_name_ + "' (columns: " + names + ")";
    return false;
  }
  table_->key_column = static_cast<size_t>(key);
  typing_.assign(columns.size(), Typing{});
  row_lines_.reserve(expected_rows_);
  return true;
}

bool Builder::Type(size_t c, TableColumnType type, int64_t line, std::string_view cell, std::string* why) {
  LookupTable::Column& column = table_->columns[c];
  Typing& typing = typing_[c];
  if (!typing.typed) {
    // The first non-empty cell types the column; the empty cells above become nulls.
    typing = {true, line};
    column.type = type;
    if (type == TableColumnType::kNumber) {
      column.numbers.reserve(expected_rows_);
      column.numbers.assign(table_->rows, std::numeric_limits<double>::quiet_NaN());
    } else {
      column.codes.reserve(expected_rows_);
      column.codes.assign(table_->rows, 0);
      if (c == table_->key_column) column.dictionary.Reserve(expected_rows_);
    }
    return true;
  }
  if (column.type == type) return true;
  *why = Where(line) + "column '" + column.name + "' holds " +
         (type == TableColumnType::kNumber ? "a number (" : "a string (") + Shown(cell) + ") here but " +
         (type == TableColumnType::kNumber ? "strings" : "numbers") + " above (from line " +
         std::to_string(typing.first_line) + "); a column holds numbers or strings, not both";
  return false;
}

bool Builder::Row(const CsvRecord& record, std::string* why) {
  std::vector<LookupTable::Column>& columns = table_->columns;
  if (record.cells.size() != columns.size()) {
    *why = Where(record.line) + "expected " + std::to_string(columns.size()) + " cells as in the header, got " +
           std::to_string(record.cells.size());
    return false;
  }
  if (table_->rows == kMaxLookupTableRows) {
    *why = Where(record.line) + "a table holds at most " + std::to_string(kMaxLookupTableRows) + " rows";
    return false;
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    const std::string& cell = record.cells[c];
    LookupTable::Column& column = columns[c];
    double number = 0;
    const CsvCellKind kind = ClassifyCsvCell(cell, &number);
    if (kind == CsvCellKind::kNull) {
      if (c == table_->key_column) {
        *why = Where(record.line) + "empty key (column '" + column.name + "')";
        return false;
      }
      if (!typing_[c].typed) continue;  // filled in when the column gets its type
      if (column.type == TableColumnType::kNumber) {
        column.numbers.push_back(std::numeric_limits<double>::quiet_NaN());
      } else {
        column.codes.push_back(0);
      }
      continue;
    }
    const TableColumnType type = kind == CsvCellKind::kNumber ? TableColumnType::kNumber : TableColumnType::kString;
    if (!Type(c, type, record.line, cell, why)) return false;
    if (type == TableColumnType::kNumber) {
      column.numbers.push_back(number);
      continue;
    }
    const size_t known = column.dictionary.size();
    const uint32_t index = column.dictionary.Intern(cell);
    if (c == table_->key_column && index < known) {
      // On the key column index == the row that holds the key first.
      *why = Where(record.line) + "duplicate key " + Shown(cell) + " (first on line " +
             std::to_string(row_lines_[index]) + ")";
      return false;
    }
    column.codes.push_back(index + 1);
  }
  row_lines_.push_back(record.line);
  ++table_->rows;
  return true;
}

Status Builder::Finish() {
  if (!header_seen_) {
    return Status::InvalidArgument((source_.empty() ? "" : source_ + ": ") + "no header line: the input is empty");
  }
  for (size_t c = 0; c < table_->columns.size(); ++c) {
    if (!typing_[c].typed) table_->columns[c].codes.assign(table_->rows, 0);  // only nulls: a string column
  }
  const LookupTable::Column& key = table_->key();
  if (key.type != TableColumnType::kNumber) return Status::OK();
  // Number keys: sorted (value, row); equal neighbours are duplicates, the
  // one reported is the earliest second occurrence in the file.
  auto& index = table_->number_keys;
  index.resize(table_->rows);
  for (size_t r = 0; r < table_->rows; ++r) index[r] = {key.numbers[r], static_cast<uint32_t>(r)};
  std::sort(index.begin(), index.end());
  size_t dup = SIZE_MAX, first = 0;
  for (size_t i = 1; i < index.size(); ++i) {
    if (index[i].first != index[i - 1].first || (i >= 2 && index[i - 2].first == index[i].first)) continue;
    if (dup == SIZE_MAX || index[i].second < dup) {
      dup = index[i].second;
      first = index[i - 1].second;
    }
  }
  if (dup == SIZE_MAX) return Status::OK();
  return Status::InvalidArgument(Where(row_lines_[dup]) + "duplicate key " +
                                 Shown(x3p::ShortestDouble(key.numbers[dup])) + " (first on line " +
                                 std::to_string(row_lines_[first]) + ")");
}

}  // namespace

Status BuildLookupTable(std::string_view csv, const std::string& source, const std::string& key_column,
                        LookupTable* out) {
  *out = LookupTable();
  if (key_column.empty()) return Status::InvalidArgument("no key column given (the table's key: --key COLUMN)");
  Builder builder(csv, source, key_column, out);
  Status s = ReadCsv(csv, source,
                     [&builder](const CsvRecord& r, std::string* why) { return builder.OnRecord(r, why); });
  if (s.ok()) s = builder.Finish();
  if (!s.ok()) *out = LookupTable();
  return s;
}

}  // namespace kpi::query
