#include "query/value_ops.h"

#include <cmath>

namespace kpi::query {

bool ParseOp(const std::string& text, bool unary, Op* op) {
  static const struct {
    const char* text;
    Op op;
  } kBinary[] = {{"and", Op::kAnd}, {"or", Op::kOr}, {"=", Op::kEq},  {"!=", Op::kNe}, {"<", Op::kLt},
                 {"<=", Op::kLe},   {">", Op::kGt},  {">=", Op::kGe}, {"+", Op::kAdd}, {"-", Op::kSub},
                 {"*", Op::kMul},   {"/", Op::kDiv}};
  if (unary) {
    if (text == "not") *op = Op::kNot;
    else if (text == "-") *op = Op::kNeg;
    else return false;
    return true;
  }
  if (text == "<>") {
    *op = Op::kNe;
    return true;
  }
  for (const auto& b : kBinary) {
    if (text == b.text) {
      *op = b.op;
      return true;
    }
  }
  return false;
}

const char* OpText(Op op) {
  switch (op) {
    case Op::kNot: return "not";
    case Op::kNeg: return "-";
    case Op::kAnd: return "and";
    case Op::kOr: return "or";
    case Op::kEq: return "=";
    case Op::kNe: return "!=";
    case Op::kLt: return "<";
    case Op::kLe: return "<=";
    case Op::kGt: return ">";
    case Op::kGe: return ">=";
    case Op::kAdd: return "+";
    case Op::kSub: return "-";
    case Op::kMul: return "*";
    case Op::kDiv: return "/";
  }
  return "?";
}

bool ComparableTypes(ValueType a, ValueType b) {
  if (a == ValueType::kNull || b == ValueType::kNull) return true;
  if (IsNumericType(a) && IsNumericType(b)) return true;
  return a == b;
}

bool ArithmeticType(Op op, ValueType a, ValueType b, ValueType* out) {
  using VT = ValueType;
  auto bad = [](VT t) { return t == VT::kString || t == VT::kBool; };
  if (a == VT::kNull && b == VT::kNull) {
    *out = VT::kNull;
    return true;
  }
  if (a == VT::kNull || b == VT::kNull) {
    const VT other = a == VT::kNull ? b : a;
    if (bad(other)) return false;
    *out = other;
    return true;
  }
  if (a == VT::kNumber && b == VT::kNumber) {
    *out = VT::kNumber;
    return true;
  }
  if (a == VT::kTime || b == VT::kTime) {
    if (op == Op::kSub && a == VT::kTime && b == VT::kTime) {
      *out = VT::kDuration;
      return true;
    }
    if ((op == Op::kAdd || op == Op::kSub) && a == VT::kTime && IsNumericType(b)) {
      *out = VT::kTime;
      return true;
    }
    if (op == Op::kAdd && b == VT::kTime && IsNumericType(a)) {
      *out = VT::kTime;
      return true;
    }
    return false;
  }
  if (IsNumericType(a) && IsNumericType(b)) {
    if (op == Op::kAdd || op == Op::kSub) {
      *out = VT::kDuration;
    } else if (op == Op::kMul) {
      *out = (a == VT::kDuration && b == VT::kDuration) ? VT::kNumber : VT::kDuration;
    } else {  // duration / number stays a duration; anything over a duration is a ratio
      *out = (a == VT::kDuration && b == VT::kNumber) ? VT::kDuration : VT::kNumber;
    }
    return true;
  }
  return false;
}

namespace {

double NumberOf(const Value& v) {
  switch (v.type) {
    case ValueType::kNumber:
    case ValueType::kDuration:
      return v.number;
    case ValueType::kTime:
      return static_cast<double>(v.time_ms);
    case ValueType::kBool:
      return v.boolean ? 1 : 0;
    default:
      return 0;
  }
}

Value Typed(ValueType t, double x) {
  if (!std::isfinite(x)) return Value::Null();
  if (t == ValueType::kDuration) return Value::Duration(x);
  return Value::Number(x);
}

}  // namespace

int CompareNonNull(const Value& a, const Value& b) {
  if (IsNumericType(a.type) && IsNumericType(b.type)) return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
  if (a.type != b.type) return a.type < b.type ? -1 : 1;
  switch (a.type) {
    case ValueType::kBool:
      return static_cast<int>(a.boolean) - static_cast<int>(b.boolean);
    case ValueType::kTime:
      return a.time_ms < b.time_ms ? -1 : a.time_ms > b.time_ms ? 1 : 0;
    case ValueType::kString:
      return a.text.compare(b.text) < 0 ? -1 : a.text == b.text ? 0 : 1;
    default:
      return 0;
  }
}

int CompareForSort(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return a.is_null() == b.is_null() ? 0 : a.is_null() ? 1 : -1;
  return CompareNonNull(a, b);
}

Value ApplyUnary(Op op, const Value& v) {
  if (v.is_null()) return Value::Null();
  if (op == Op::kNot) return v.type == ValueType::kBool ? Value::Bool(!v.boolean) : Value::Null();
  if (!IsNumericType(v.type)) return Value::Null();
  Value r = v;
  r.number = -r.number;
  return r;
}

Value ApplyBinary(Op op, const Value& a, const Value& b) {
  if (op == Op::kAnd) {
    if ((a.type == ValueType::kBool && !a.boolean) || (b.type == ValueType::kBool && !b.boolean))
      return Value::Bool(false);
    if (a.is_null() || b.is_null()) return Value::Null();
    return Value::Bool(true);
  }
  if (op == Op::kOr) {
    if ((a.type == ValueType::kBool && a.boolean) || (b.type == ValueType::kBool && b.boolean))
      return Value::Bool(true);
    if (a.is_null() || b.is_null()) return Value::Null();
    return Value::Bool(false);
  }
  if (a.is_null() || b.is_null()) return Value::Null();
  if (IsComparison(op)) {
    if (!ComparableTypes(a.type, b.type)) return Value::Null();
    const int c = CompareNonNull(a, b);
    switch (op) {
      case Op::kEq: return Value::Bool(c == 0);
      case Op::kNe: return Value::Bool(c != 0);
      case Op::kLt: return Value::Bool(c < 0);
      case Op::kLe: return Value::Bool(c <= 0);
      case Op::kGt: return Value::Bool(c > 0);
      default: return Value::Bool(c >= 0);
    }
  }
  ValueType rt;
  if (!ArithmeticType(op, a.type, b.type, &rt)) return Value::Null();
  if (a.type == ValueType::kTime || b.type == ValueType::kTime) {
    if (a.type == ValueType::kTime && b.type == ValueType::kTime)
      return Value::Duration(static_cast<double>(a.time_ms - b.time_ms) / 1000.0);
    const Value& t = a.type == ValueType::kTime ? a : b;
    const Value& d = a.type == ValueType::kTime ? b : a;
    const double delta_ms = std::round(d.number * 1000.0);
    if (!std::isfinite(delta_ms) || std::fabs(delta_ms) > 1e15) return Value::Null();
    const int64_t delta = static_cast<int64_t>(delta_ms);
    return Value::Time(op == Op::kSub ? t.time_ms - delta : t.time_ms + delta);
  }
  const double x = NumberOf(a), y = NumberOf(b);
  switch (op) {
    case Op::kAdd: return Typed(rt, x + y);
    case Op::kSub: return Typed(rt, x - y);
    case Op::kMul: return Typed(rt, x * y);
    default:
      if (y == 0) return Value::Null();
      return Typed(rt, x / y);
  }
}

Value ApplyIn(const Value& v, const std::vector<Value>& list, bool negated) {
  if (v.is_null()) return Value::Null();
  bool any_null = false;
  for (const Value& w : list) {
    if (w.is_null()) {
      any_null = true;
    } else if (ComparableTypes(v.type, w.type) && CompareNonNull(v, w) == 0) {
      return Value::Bool(!negated);
    }
  }
  if (any_null) return Value::Null();
  return Value::Bool(negated);
}

}  // namespace kpi::query
