#include "query/functions/scalar_functions.h"

#include <cmath>

#include "query/functions/name_table.h"

namespace kpi::query {

namespace {

const ScalarFunctionEntry kScalarFunctions[] = {
    {"coalesce", ScalarFn::kCoalesce, 1, -1}, {"least", ScalarFn::kLeast, 1, -1},
    {"greatest", ScalarFn::kGreatest, 1, -1}, {"abs", ScalarFn::kAbs, 1, 1},
    {"round", ScalarFn::kRound, 1, 2},
};

bool Numeric(ValueType t) { return t == ValueType::kNumber || t == ValueType::kDuration; }

// One type shared by the arguments at `indices` (nulls aside).
bool CommonType(const std::vector<ValueType>& types, const std::vector<size_t>& indices, const char* what,
                ValueType* out, std::string* why, size_t* bad_arg) {
  *out = ValueType::kNull;
  for (size_t i : indices) {
    const ValueType t = types[i];
    if (t == ValueType::kNull) continue;
    if (*out == ValueType::kNull) {
      *out = t;
    } else if (*out != t) {
      *why = std::string(what) + " of different types (" + ValueTypeName(*out) + " and " + ValueTypeName(t) + ")";
      *bad_arg = i;
      return false;
    }
  }
  return true;
}

double Num(const Value& v) { return v.number; }

}  // namespace

const ScalarFunctionEntry* FindScalarFunction(std::string_view name) { return FindByName(kScalarFunctions, name); }

const std::vector<std::string>& ScalarFunctionNames() {
  static const std::vector<std::string> names = NamesOf(kScalarFunctions);
  return names;
}

double RoundDigits(double x, int digits) {
  const double scale = std::pow(10.0, digits);
  const double r = std::round(x * scale) / scale;
  return std::isfinite(r) ? r : x;
}

bool ScalarResultType(ScalarFn fn, const std::vector<ValueType>& types, bool has_else, ValueType* out,
                      std::string* why, size_t* bad_arg) {
  switch (fn) {
    case ScalarFn::kIsNull:
    case ScalarFn::kIsNotNull:
      *out = ValueType::kBool;
      return true;
    case ScalarFn::kCase: {
      const size_t pairs = (types.size() - (has_else ? 1 : 0)) / 2;
      std::vector<size_t> values;
      for (size_t i = 0; i < pairs; ++i) {
        if (types[2 * i] != ValueType::kBool && types[2 * i] != ValueType::kNull) {
          *why = std::string("a `when` condition must be a predicate, not a ") + ValueTypeName(types[2 * i]);
          *bad_arg = 2 * i;
          return false;
        }
        values.push_back(2 * i + 1);
      }
      if (has_else) values.push_back(types.size() - 1);
      return CommonType(types, values, "case branches", out, why, bad_arg);
    }
    case ScalarFn::kCoalesce: {
      std::vector<size_t> all;
      for (size_t i = 0; i < types.size(); ++i) all.push_back(i);
      return CommonType(types, all, "arguments", out, why, bad_arg);
    }
    case ScalarFn::kLeast:
    case ScalarFn::kGreatest: {
      std::vector<size_t> all;
      for (size_t i = 0; i < types.size(); ++i) all.push_back(i);
      if (!CommonType(types, all, "arguments", out, why, bad_arg)) return false;
      if (*out != ValueType::kNull && !Numeric(*out) && *out != ValueType::kTime) {
        *why = std::string("takes numbers, durations or times, not a ") + ValueTypeName(*out);
        *bad_arg = 0;
        return false;
      }
      return true;
    }
    case ScalarFn::kAbs:
    case ScalarFn::kRound:
      if (types[0] != ValueType::kNull && !Numeric(types[0])) {
        *why = std::string("takes a number or a duration, not a ") + ValueTypeName(types[0]);
        *bad_arg = 0;
        return false;
      }
      *out = types[0] == ValueType::kNull ? ValueType::kNumber : types[0];
      return true;
  }
  return false;
}

Value ApplyScalar(ScalarFn fn, const std::vector<Value>& args, bool has_else, int digits) {
  switch (fn) {
    case ScalarFn::kIsNull:
      return Value::Bool(args[0].is_null());
    case ScalarFn::kIsNotNull:
      return Value::Bool(!args[0].is_null());
    case ScalarFn::kCase: {
      const size_t pairs = (args.size() - (has_else ? 1 : 0)) / 2;
      for (size_t i = 0; i < pairs; ++i)
        if (args[2 * i].type == ValueType::kBool && args[2 * i].boolean) return args[2 * i + 1];
      return has_else ? args.back() : Value::Null();
    }
    case ScalarFn::kCoalesce:
      for (const Value& v : args)
        if (!v.is_null()) return v;
      return Value::Null();
    case ScalarFn::kLeast:
    case ScalarFn::kGreatest: {
      const Value* best = nullptr;
      for (const Value& v : args) {
        if (v.is_null()) continue;
        if (best == nullptr) {
          best = &v;
          continue;
        }
        const bool less = v.type == ValueType::kTime ? v.time_ms < best->time_ms : Num(v) < Num(*best);
        const bool greater = v.type == ValueType::kTime ? v.time_ms > best->time_ms : Num(v) > Num(*best);
        if (fn == ScalarFn::kLeast ? less : greater) best = &v;
      }
      return best ? *best : Value::Null();
    }
    case ScalarFn::kAbs: {
      if (args[0].is_null()) return Value::Null();
      Value v = args[0];
      v.number = std::fabs(v.number);
      return v;
    }
    case ScalarFn::kRound: {
      if (args[0].is_null()) return Value::Null();
      Value v = args[0];
      v.number = RoundDigits(v.number, digits);
      return v;
    }
  }
  return Value::Null();
}

}  // namespace kpi::query
