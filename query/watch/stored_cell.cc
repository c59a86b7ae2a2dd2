// Stored cells of the watch tables (see query/watch/stored_cell.h).
#include "query/watch/stored_cell.h"

#include <cmath>

namespace kpi::query {

nlohmann::json StoredCell(const Value& v) {
  switch (v.type) {
    case ValueType::kNull: return nullptr;
    case ValueType::kBool: return v.boolean;
    case ValueType::kNumber:
    case ValueType::kDuration: return std::isfinite(v.number) ? nlohmann::json(v.number) : nlohmann::json(nullptr);
    case ValueType::kTime: return v.time_ms;
    case ValueType::kString: return v.text;
  }
  return nullptr;
}

bool ValueTypeFromName(const std::string& name, ValueType* type) {
  for (ValueType t : {ValueType::kNull, ValueType::kBool, ValueType::kNumber, ValueType::kDuration, ValueType::kTime,
                      ValueType::kString})
    if (name == ValueTypeName(t)) {
      *type = t;
      return true;
    }
  return false;
}

Value CellFromStored(const nlohmann::json& j, ValueType type) {
  if (j.is_null()) return Value::Null();
  switch (type) {
    case ValueType::kBool: return j.is_boolean() ? Value::Bool(j.get<bool>()) : Value::Null();
    case ValueType::kNumber: return j.is_number() ? Value::Number(j.get<double>()) : Value::Null();
    case ValueType::kDuration: return j.is_number() ? Value::Duration(j.get<double>()) : Value::Null();
    case ValueType::kTime: return j.is_number_integer() ? Value::Time(j.get<int64_t>()) : Value::Null();
    case ValueType::kString: return j.is_string() ? Value::String(j.get<std::string>()) : Value::Null();
    case ValueType::kNull: return Value::Null();
  }
  return Value::Null();
}

}  // namespace kpi::query
