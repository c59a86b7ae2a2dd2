// The stored form of a LookupTable (see query/catalog/lookup_table.h and
// docs/storage-format.md, "Lookup tables"):
//
//   "KTB" u8 version (1)
//   varint rows, varint columns, varint key column index
//   per column: varint name length, name, u8 type (1 number, 2 string)
//     number: presence block (non-null rows), doubles block (their values)
//     string: varint dictionary size, strings blocks of at most 65536 texts
//             (code order), ints block of the codes (one per row, 0 = null)
//   u64 little-endian XXH3-64 of every byte before it
//
// The blocks are the segment codecs' (storage/codec/codec.h), which already
// refuse truncated or inconsistent bytes.
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include "query/catalog/lookup_table.h"
#include "storage/codec/codec.h"

namespace kpi::query {

namespace {

constexpr std::string_view kMagic = "KTB";
constexpr uint8_t kFormatVersion = 1;
constexpr size_t kTextsPerBlock = size_t{1} << 16;
constexpr size_t kChecksumBytes = 8;

uint64_t Checksum(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

void PutFixed64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

uint64_t GetFixed64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<unsigned char>(in[i])} << (8 * i);
  return v;
}

Status Corrupt(const std::string& what) { return Status::Corruption("stored lookup table: " + what); }

Status DecodeNumbers(std::string_view* in, size_t rows, LookupTable::Column* column) {
  std::vector<uint32_t> present;
  std::vector<double> values;
  KPI_RETURN_IF_ERROR(codec::DecodePresence(in, static_cast<uint32_t>(rows), &present));
  KPI_RETURN_IF_ERROR(codec::DecodeDoubles(in, &values));
  if (values.size() != present.size()) return Corrupt("column '" + column->name + "': values and presence disagree");
  column->numbers.assign(rows, std::numeric_limits<double>::quiet_NaN());
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) return Corrupt("column '" + column->name + "': a value is not finite");
    column->numbers[present[i]] = values[i];
  }
  return Status::OK();
}

Status DecodeTexts(std::string_view* in, size_t rows, LookupTable::Column* column) {
  uint64_t size = 0;
  if (!codec::GetVarint64(in, &size) || size > rows) {
    return Corrupt("column '" + column->name + "': bad dictionary size");
  }
  column->dictionary.Reserve(size);
  std::vector<std::string> texts;
  while (column->dictionary.size() < size) {
    KPI_RETURN_IF_ERROR(codec::DecodeStrings(in, &texts));
    if (texts.empty() || column->dictionary.size() + texts.size() > size) {
      return Corrupt("column '" + column->name + "': dictionary blocks disagree with its size");
    }
    for (const std::string& t : texts) {
      const size_t expected = column->dictionary.size();
      if (column->dictionary.Intern(t) != expected) return Corrupt("column '" + column->name + "': repeated text");
    }
  }
  KPI_RETURN_IF_ERROR(codec::DecodeInts(in, &column->codes));
  if (column->codes.size() != rows) return Corrupt("column '" + column->name + "': wrong number of codes");
  for (uint32_t code : column->codes) {
    if (code > size) return Corrupt("column '" + column->name + "': code past the dictionary");
  }
  return Status::OK();
}

// The key invariants FindRow relies on.
Status CheckKey(LookupTable* table) {
  LookupTable::Column& key = table->columns[table->key_column];
  if (key.type == TableColumnType::kString) {
    for (size_t r = 0; r < table->rows; ++r) {
      if (key.codes[r] != r + 1) return Corrupt("key column: rows and codes disagree");
    }
    return Status::OK();
  }
  auto& index = table->number_keys;
  index.resize(table->rows);
  for (size_t r = 0; r < table->rows; ++r) {
    if (std::isnan(key.numbers[r])) return Corrupt("key column: an empty key");
    index[r] = {key.numbers[r], static_cast<uint32_t>(r)};
  }
  std::sort(index.begin(), index.end());
  for (size_t i = 1; i < index.size(); ++i) {
    if (index[i].first == index[i - 1].first) return Corrupt("key column: a repeated key");
  }
  return Status::OK();
}

}  // namespace

std::string EncodeLookupTable(const LookupTable& table) {
  std::string out(kMagic);
  out.push_back(static_cast<char>(kFormatVersion));
  codec::PutVarint64(&out, table.rows);
  codec::PutVarint64(&out, table.columns.size());
  codec::PutVarint64(&out, table.key_column);
  std::vector<uint32_t> present;
  std::vector<double> values;
  for (const LookupTable::Column& column : table.columns) {
    codec::PutVarint64(&out, column.name.size());
    out += column.name;
    out.push_back(static_cast<char>(column.type));
    if (column.type == TableColumnType::kNumber) {
      present.clear();
      values.clear();
      for (size_t r = 0; r < table.rows; ++r) {
        if (std::isnan(column.numbers[r])) continue;
        present.push_back(static_cast<uint32_t>(r));
        values.push_back(column.numbers[r]);
      }
      codec::EncodePresence(present, static_cast<uint32_t>(table.rows), &out);
      codec::EncodeDoubles(values, &out);
      continue;
    }
    const std::vector<std::string>& texts = column.dictionary.ids();
    codec::PutVarint64(&out, texts.size());
    for (size_t i = 0; i < texts.size(); i += kTextsPerBlock) {
      codec::EncodeStrings(std::span<const std::string>(texts).subspan(i, std::min(kTextsPerBlock, texts.size() - i)),
                           &out);
    }
    codec::EncodeInts(std::span<const uint32_t>(column.codes), &out);
  }
  PutFixed64(&out, Checksum(out));
  return out;
}

Status DecodeLookupTable(std::string_view bytes, LookupTable* out) {
  *out = LookupTable();
  if (bytes.size() < kMagic.size() + 1 + kChecksumBytes || bytes.substr(0, kMagic.size()) != kMagic) {
    return Corrupt("not a lookup table value");
  }
  const uint8_t version = static_cast<uint8_t>(bytes[kMagic.size()]);
  if (version != kFormatVersion) return Corrupt("unknown format version " + std::to_string(version));
  const std::string_view body = bytes.substr(0, bytes.size() - kChecksumBytes);
  if (GetFixed64(bytes.substr(body.size())) != Checksum(body)) return Corrupt("checksum mismatch");
  std::string_view in = body.substr(kMagic.size() + 1);

  LookupTable table;
  uint64_t rows = 0, columns = 0, key = 0;
  if (!codec::GetVarint64(&in, &rows) || !codec::GetVarint64(&in, &columns) || !codec::GetVarint64(&in, &key)) {
    return Corrupt("truncated header");
  }
  // A column takes at least 2 bytes, which bounds what a count may ask for.
  if (rows > kMaxLookupTableRows || columns == 0 || columns > in.size() / 2 || key >= columns) {
    return Corrupt("bad row, column or key count");
  }
  table.rows = rows;
  table.key_column = key;
  table.columns.resize(columns);
  for (LookupTable::Column& column : table.columns) {
    uint64_t length = 0;
    if (!codec::GetVarint64(&in, &length) || length == 0 || length >= in.size()) return Corrupt("bad column name");
    column.name = std::string(in.substr(0, length));
    in.remove_prefix(length);
    const uint8_t type = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    for (const LookupTable::Column& other : table.columns) {
      if (&other == &column) break;
      if (other.name == column.name) return Corrupt("repeated column name");
    }
    if (type == static_cast<uint8_t>(TableColumnType::kNumber)) {
      column.type = TableColumnType::kNumber;
      KPI_RETURN_IF_ERROR(DecodeNumbers(&in, rows, &column));
    } else if (type == static_cast<uint8_t>(TableColumnType::kString)) {
      column.type = TableColumnType::kString;
      KPI_RETURN_IF_ERROR(DecodeTexts(&in, rows, &column));
    } else {
      return Corrupt("column '" + column.name + "': unknown type " + std::to_string(type));
    }
  }
  if (!in.empty()) return Corrupt(std::to_string(in.size()) + " bytes after the last column");
  KPI_RETURN_IF_ERROR(CheckKey(&table));
  *out = std::move(table);
  return Status::OK();
}

}  // namespace kpi::query
