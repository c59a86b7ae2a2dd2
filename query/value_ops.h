// Operators of the query language over single Values, and their type rules.
//
// The binder uses the type rules to check expressions; the executor uses the
// scalar operators for everything evaluated once per group (select items
// over aggregates, having) and for sorting result rows. The vectorized
// evaluator (query/execution/eval.h) implements the same semantics over column vectors.
//
// Semantics: numbers are doubles; durations are seconds in a Value (exposed
// as kDuration); a plain number next to a duration means seconds; times are
// epoch ms. Null propagates through arithmetic and comparisons; `and` / `or`
// / `not` follow SQL three-valued logic; division by zero and non-finite
// results are null.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "query/result.h"

namespace kpi::query {

enum class Op : uint8_t {
  kNot, kNeg,                           // unary
  kAnd, kOr,                            // logic
  kEq, kNe, kLt, kLe, kGt, kGe,         // comparison
  kAdd, kSub, kMul, kDiv,               // arithmetic
};

// "and", "=", "+", "not", "-" ... -> Op. `unary` selects between kNeg and kSub for "-".
bool ParseOp(const std::string& text, bool unary, Op* op);
const char* OpText(Op op);
inline bool IsComparison(Op op) { return op >= Op::kEq && op <= Op::kGe; }
inline bool IsArithmetic(Op op) { return op >= Op::kAdd; }
inline bool IsNumericType(ValueType t) { return t == ValueType::kNumber || t == ValueType::kDuration; }

// Whether values of the two types may be compared (null with anything).
bool ComparableTypes(ValueType a, ValueType b);
// Result type of `a op b` for + - * /; false when the operands do not allow it.
bool ArithmeticType(Op op, ValueType a, ValueType b, ValueType* out);

Value ApplyUnary(Op op, const Value& v);
Value ApplyBinary(Op op, const Value& a, const Value& b);
// `v in (list)` (or `not in`): true if some item equals v; null if v is null
// or no item matched and some item is null.
Value ApplyIn(const Value& v, const std::vector<Value>& list, bool negated);

// Order of two non-null comparable values: <0, 0, >0 (numbers and durations
// by value, strings by bytes, false < true, times by instant).
int CompareNonNull(const Value& a, const Value& b);
// Total order for sorting result rows: null after everything.
int CompareForSort(const Value& a, const Value& b);

}  // namespace kpi::query
