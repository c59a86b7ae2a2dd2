// Evaluator, the row-context nodes beyond columns and operators (see
// query/execution/eval.h): scalar functions (case, coalesce, least, ...)
// and the columns of joined lookup tables. Kept apart from eval.cc (dispatch,
// columns, constants, filtering) and eval_operators.cc (operators).
#include <cmath>
#include <cstdint>

#include "query/catalog/lookup_table.h"
#include "query/execution/eval.h"

namespace kpi::query {

// Scalar functions, row by row over the arguments' vectors (durations stay
// in milliseconds, strings are codes of the node's own dictionary).
void Evaluator::ComputeScalar(const BoundExpr& e, const Selection& sel, Vec* out) {
  const uint32_t n = sel.n;
  std::vector<const Vec*> a;
  a.reserve(e.args.size());
  for (const BoundExpr* arg : e.args) a.push_back(Eval(*arg, sel));
  out->ResetOwned(e.type, n);
  if (e.type == ValueType::kNull) return;
  out->str = e.str;
  uint8_t* ok = e.type == ValueType::kBool || e.type == ValueType::kString ? nullptr : out->OwnValid();
  // Copies row i of argument k into the output (which has the same type).
  auto copy = [&](size_t k, uint32_t i) {
    const Vec& v = *a[k];
    const bool null = v.type == ValueType::kNull || v.IsNull(i);
    switch (e.type) {
      case ValueType::kBool:
        out->mut_b8()[i] = null ? kNullBool : v.b8[i * v.stride];
        break;
      case ValueType::kNumber:
      case ValueType::kDuration:
        ok[i] = !null;
        out->mut_f64()[i] = null ? 0 : v.f64[i * v.stride];
        break;
      case ValueType::kTime:
        ok[i] = !null;
        out->mut_i64()[i] = null ? 0 : v.i64[i * v.stride];
        break;
      case ValueType::kString: {
        uint32_t code = 0;
        if (!null) {
          if (e.str_fixed[k] != 0) code = e.str_fixed[k];
          else if (const uint32_t c = v.u32[i * v.stride]; c < e.str_remap[k].size()) code = e.str_remap[k][c];
        }
        out->mut_u32()[i] = code;
        break;
      }
      case ValueType::kNull:
        break;
    }
  };
  auto set_null = [&](uint32_t i) {
    if (e.type == ValueType::kBool) out->mut_b8()[i] = kNullBool;
    else if (e.type == ValueType::kString) out->mut_u32()[i] = 0;
    else ok[i] = 0;
  };
  auto is_null = [&](size_t k, uint32_t i) { return a[k]->type == ValueType::kNull || a[k]->IsNull(i); };
  // A numeric or time argument as a double, for least / greatest.
  auto num = [&](size_t k, uint32_t i) {
    const Vec& v = *a[k];
    return v.type == ValueType::kTime ? static_cast<double>(v.i64[i * v.stride]) : v.f64[i * v.stride];
  };
  for (uint32_t i = 0; i < n; ++i) {
    switch (e.scalar) {
      case ScalarFn::kIsNull:
      case ScalarFn::kIsNotNull:
        out->mut_b8()[i] = (is_null(0, i) == (e.scalar == ScalarFn::kIsNull)) ? kTrue : kFalse;
        break;
      case ScalarFn::kCase: {
        const size_t pairs = (a.size() - (e.has_else ? 1 : 0)) / 2;
        size_t chosen = SIZE_MAX;
        for (size_t p = 0; p < pairs && chosen == SIZE_MAX; ++p) {
          const Vec& c = *a[2 * p];
          if (c.type == ValueType::kBool && c.b8[i * c.stride] == kTrue) chosen = 2 * p + 1;
        }
        if (chosen == SIZE_MAX && e.has_else) chosen = a.size() - 1;
        if (chosen == SIZE_MAX) set_null(i);
        else copy(chosen, i);
        break;
      }
      case ScalarFn::kCoalesce: {
        size_t k = 0;
        while (k < a.size() && is_null(k, i)) ++k;
        if (k == a.size()) set_null(i);
        else copy(k, i);
        break;
      }
      case ScalarFn::kLeast:
      case ScalarFn::kGreatest: {
        size_t best = SIZE_MAX;
        for (size_t k = 0; k < a.size(); ++k) {
          if (is_null(k, i)) continue;
          if (best == SIZE_MAX || (e.scalar == ScalarFn::kLeast ? num(k, i) < num(best, i) : num(k, i) > num(best, i)))
            best = k;
        }
        if (best == SIZE_MAX) set_null(i);
        else copy(best, i);
        break;
      }
      case ScalarFn::kAbs:
      case ScalarFn::kRound: {
        if (is_null(0, i)) {
          set_null(i);
          break;
        }
        const Vec& v = *a[0];
        double x = v.f64[i * v.stride];
        if (e.scalar == ScalarFn::kAbs) {
          x = std::fabs(x);
        } else if (e.type == ValueType::kDuration) {
          x = RoundDigits(x / 1000.0, e.digits) * 1000.0;  // durations round in seconds
        } else {
          x = RoundDigits(x, e.digits);
        }
        ok[i] = 1;
        out->mut_f64()[i] = x;
        break;
      }
    }
  }
}

// A joined table's column: the table row of each key (a code table for
// dictionary keys, a hash lookup otherwise), then the cell.
void Evaluator::ComputeJoinColumn(const BoundExpr& e, const Vec& key, Vec* out) {
  const BoundJoin& join = q_.joins[static_cast<size_t>(e.index)];
  const LookupTable& table = *join.table;
  const LookupTable::Column& col = table.columns[e.column_id];
  const uint32_t n = key.n;
  auto row_of = [&](uint32_t i) -> int64_t {
    if (key.IsNull(i)) return -1;
    switch (key.type) {
      case ValueType::kString:
        if (key.str.kind == StrKind::kDict) {
          const uint32_t c = key.u32[i * key.stride];
          return c < join.row_of_code.size() ? join.row_of_code[c] : -1;
        }
        return table.FindRow(TextAt(key, i));
      case ValueType::kNumber:
        return table.FindRow(key.f64[i * key.stride]);
      case ValueType::kDuration:
        return table.FindRow(key.f64[i * key.stride] / 1000.0);
      default:
        return -1;
    }
  };
  out->ResetOwned(e.type, n);
  if (e.type == ValueType::kString) {
    out->str = e.str;
    uint32_t* v = out->mut_u32();
    for (uint32_t i = 0; i < n; ++i) {
      const int64_t r = row_of(i);
      v[i] = r < 0 ? 0 : col.codes[static_cast<size_t>(r)];
    }
  } else {
    double* v = out->mut_f64();
    uint8_t* ok = out->OwnValid();
    for (uint32_t i = 0; i < n; ++i) {
      const int64_t r = row_of(i);
      const double x = r < 0 ? std::nan("") : col.numbers[static_cast<size_t>(r)];
      ok[i] = !std::isnan(x);
      v[i] = ok[i] ? x : 0;
    }
  }
}

}  // namespace kpi::query
