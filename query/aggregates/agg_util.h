// Small helpers shared by the aggregate families: compensated sums and the
// "is this row a value" tests over a Vec.
// Thread safety: plain values.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "query/execution/vector.h"

namespace kpi::query {

// Neumaier-compensated sum: sums of integral values stay exact (< 2^53) and
// sums of fractions do not depend on the order partial sums are combined in
// beyond the last bit.
struct CompensatedSum {
  double sum = 0, comp = 0;
  void Add(double x) {
    const double t = sum + x;
    comp += std::fabs(sum) >= std::fabs(x) ? (sum - t) + x : (x - t) + sum;
    sum = t;
  }
  void Merge(const CompensatedSum& o) {
    Add(o.sum);
    Add(o.comp);
  }
  double Total() const { return sum + comp; }
};

// Seconds per unit of a numeric Vec: durations travel as milliseconds.
inline double SecondsPerUnit(ValueType t) { return t == ValueType::kDuration ? 0.001 : 1.0; }

// Value of a numeric aggregate result: durations back to seconds.
inline Value NumericResult(ValueType out_type, double native) {
  if (!std::isfinite(native)) return Value::Null();
  if (out_type == ValueType::kDuration) return Value::Duration(native / 1000.0);
  return Value::Number(native);
}

// The interpolated percentile (percentile_cont) of `values`, reordered in
// place; NaN when empty. Defined in percentile.cc.
double InterpolatedPercentile(std::vector<double>* values, double q);

inline bool IsNumericVec(const Vec& v) {
  return v.type == ValueType::kNumber || v.type == ValueType::kDuration;
}

}  // namespace kpi::query
