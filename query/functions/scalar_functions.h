// Scalar functions: `case when ... end`, `x is [not] null`, coalesce(),
// least(), greatest(), abs(), round() (evaluation-and-trends.md, section 7).
// They apply row by row in both contexts: over rows (where, group keys,
// aggregate arguments: vectorized in query/execution/eval.cc) and over groups (select
// items, having: query/execution/group_eval.cc, through ApplyScalar).
//
// Null rules: `is null` / `is not null` are never null; coalesce() gives
// its first non-null argument; case gives the value of the first branch
// whose condition is true (null conditions are not true), else the `else`
// value, else null; least() / greatest() skip nulls (null only when every
// argument is null); abs() and round() of null are null.
// Types: case branches and coalesce() arguments share one type (nulls
// aside); least() / greatest() take numbers, durations or times of one
// type; abs() and round() numbers or durations (round(x, n): n a whole
// number literal from -12 to 12, default 0; durations round in seconds).
// Thread safety: immutable tables and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "query/result.h"

namespace kpi::query {

enum class ScalarFn : uint8_t { kCase, kIsNull, kIsNotNull, kCoalesce, kLeast, kGreatest, kAbs, kRound };

struct ScalarFunctionEntry {
  const char* name;
  ScalarFn fn;
  int min_args, max_args;  // -1: any number
};

// coalesce, least, greatest, abs, round (case and is null have their own syntax).
const ScalarFunctionEntry* FindScalarFunction(std::string_view name);
const std::vector<std::string>& ScalarFunctionNames();

// The result type of `fn` over arguments of `types` (for case: c1, v1, c2,
// v2, ... [, else]); false with *why and the offending argument in
// *bad_arg when the types do not fit.
bool ScalarResultType(ScalarFn fn, const std::vector<ValueType>& types, bool has_else, ValueType* out,
                      std::string* why, size_t* bad_arg);

// `fn` over Values (group context; durations in seconds). `digits`: round's n.
Value ApplyScalar(ScalarFn fn, const std::vector<Value>& args, bool has_else, int digits);

// round(x, n) of one number, half away from zero.
double RoundDigits(double x, int digits);

}  // namespace kpi::query
