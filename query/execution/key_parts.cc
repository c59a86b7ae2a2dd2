#include "query/execution/key_parts.h"

#include "query/catalog/lookup_table.h"

#include <cstring>

#include "storage/catalog.h"
#include "storage/segment.h"

namespace kpi::query {

namespace {
uint64_t DoubleBits(double d) {
  if (d == 0) d = 0;  // -0 and 0 are one value
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return bits;
}
}  // namespace

void KeyParts(const Vec& v, uint32_t segment_ordinal, uint64_t* out) {
  const uint32_t n = v.n;
  switch (v.type) {
    case ValueType::kNull:
      for (uint32_t i = 0; i < n; ++i) out[i] = kNullPart;
      return;
    case ValueType::kBool:
      for (uint32_t i = 0; i < n; ++i) {
        const uint8_t b = v.b8[i * v.stride];
        out[i] = b == kNullBool ? kNullPart : b;
      }
      return;
    case ValueType::kNumber:
    case ValueType::kDuration:
      for (uint32_t i = 0; i < n; ++i) out[i] = v.valid[i * v.vstride] ? DoubleBits(v.f64[i * v.stride]) : kNullPart;
      return;
    case ValueType::kTime:
      for (uint32_t i = 0; i < n; ++i)
        out[i] = v.valid[i * v.vstride] ? static_cast<uint64_t>(v.i64[i * v.stride]) : kNullPart;
      return;
    case ValueType::kString:
      switch (v.str.kind) {
        case StrKind::kDict:
          for (uint32_t i = 0; i < n; ++i) {
            const uint32_t c = v.u32[i * v.stride];
            out[i] = c == 0 ? kNullPart : c;
          }
          return;
        case StrKind::kTicket:
          for (uint32_t i = 0; i < n; ++i)
            out[i] = v.valid[i * v.vstride] ? (uint64_t{segment_ordinal} << 32) | v.u32[i * v.stride] : kNullPart;
          return;
        case StrKind::kLiteral:
        case StrKind::kNone:
          for (uint32_t i = 0; i < n; ++i) out[i] = 0;
          return;
      }
  }
}

const std::string* DictText(const BoundQuery& q, uint32_t column, uint32_t code) {
  if (code == 0) return nullptr;
  if (column >= kJoinDictBase) {
    const size_t join = (column & ~kJoinDictBase) >> 16, col = column & 0xFFFFu;
    if (join >= q.joins.size() || col >= q.joins[join].table->columns.size()) return nullptr;
    const storage::StringInterner& dict = q.joins[join].table->columns[col].dictionary;
    return code <= dict.size() ? &dict.id(code - 1) : nullptr;
  }
  auto it = q.dict_text.find(column);
  if (it == q.dict_text.end() || code > it->second.size()) return nullptr;
  return &it->second[code - 1];
}

Value VecValue(const Vec& v, uint32_t i, const storage::Segment* segment, const storage::Catalog& catalog,
               const BoundQuery* query) {
  if (v.IsNull(i)) return Value::Null();
  switch (v.type) {
    case ValueType::kNull:
      return Value::Null();
    case ValueType::kBool:
      return Value::Bool(v.b8[i * v.stride] == kTrue);
    case ValueType::kNumber:
      return Value::Number(v.f64[i * v.stride]);
    case ValueType::kDuration:
      return Value::Duration(v.f64[i * v.stride] / 1000.0);
    case ValueType::kTime:
      return Value::Time(v.i64[i * v.stride]);
    case ValueType::kString:
      switch (v.str.kind) {
        case StrKind::kDict:
          if (v.str.column >= kScalarDictBase) {
            const std::string* text = query ? DictText(*query, v.str.column, v.u32[i * v.stride]) : nullptr;
            return text ? Value::String(*text) : Value::Null();
          }
          return Value::String(catalog.Decode(v.str.column, v.u32[i * v.stride]));
        case StrKind::kTicket: {
          const uint32_t t = v.u32[i * v.stride];
          if (segment == nullptr || t >= segment->ticket_ids.size()) return Value::Null();
          return Value::String(segment->ticket_ids[t]);
        }
        case StrKind::kLiteral:
          return v.text ? Value::String(*v.text) : Value::Null();
        case StrKind::kNone:
          return Value::Null();
      }
  }
  return Value::Null();
}

Value PartValue(uint64_t part, ValueType type, const StrDomain& str, const storage::Catalog& catalog,
                const BoundQuery* query) {
  if (part == kNullPart) return Value::Null();
  Vec v;
  v.type = type;
  v.str = str;
  v.n = 1;
  double number;
  const int64_t time = static_cast<int64_t>(part);
  const uint32_t code = static_cast<uint32_t>(part);
  const uint8_t boolean = static_cast<uint8_t>(part);
  switch (type) {
    case ValueType::kBool:
      v.b8 = &boolean;
      break;
    case ValueType::kNumber:
    case ValueType::kDuration:
      std::memcpy(&number, &part, sizeof number);
      v.f64 = &number;
      break;
    case ValueType::kTime:
      v.i64 = &time;
      break;
    case ValueType::kString:
      if (str.kind != StrKind::kDict) return Value::Null();
      v.u32 = &code;
      break;
    case ValueType::kNull:
      return Value::Null();
  }
  return VecValue(v, 0, nullptr, catalog, query);
}

}  // namespace kpi::query
