// Value helpers of the result table and QueryError rendering.
#include <string>

#include "query/engine.h"
#include "query/result.h"

namespace kpi::query {

const char* ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kNull:
      return "null";
    case ValueType::kBool:
      return "bool";
    case ValueType::kNumber:
      return "number";
    case ValueType::kDuration:
      return "duration";
    case ValueType::kTime:
      return "time";
    case ValueType::kString:
      return "string";
  }
  return "null";
}

bool Value::operator==(const Value& o) const {
  if (type != o.type) return false;
  switch (type) {
    case ValueType::kNull:
      return true;
    case ValueType::kBool:
      return boolean == o.boolean;
    case ValueType::kNumber:
    case ValueType::kDuration:
      return number == o.number;
    case ValueType::kTime:
      return time_ms == o.time_ms;
    case ValueType::kString:
      return text == o.text;
  }
  return false;
}

std::string QueryError::ToString() const {
  std::string out;
  if (line > 0) out = "line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
  out += message;
  if (!snippet.empty()) {
    out += '\n';
    out += snippet;
  }
  return out;
}

}  // namespace kpi::query
